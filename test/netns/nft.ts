/**
 * nftables in a test's namespace: the packet loss of the heartbeat tests (this kernel has no
 * netem; scripts/test-tools.sh installs nft). Rules count what they match in named counters, so
 * a test can show that its loss really happened.
 */
import { spawnSync } from 'node:child_process';
import type { Netns } from '../helpers/netns.js';

/** nftMissing says why nft cannot be used here, or null when it can. */
export function nftMissing(): string | null {
  const r = spawnSync('nft', ['--version'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0 ? null : 'nft makes the packet loss of these tests: apt-get install -y nftables';
}

/** nft runs an nft script (`nft -f -`) in a namespace; it throws with nft's message on failure. */
export function nft(ns: Netns, script: string): void {
  const r = ns.run('nft', ['-f', '-'], { input: script });
  if (r.status !== 0) throw new Error(`nft in ${ns.name} failed (${r.status}): ${r.stderr}\n${script}`);
}

/** nftCounter reads the packets of a named counter. */
export function nftCounter(ns: Netns, table: string, name: string): number {
  const out = ns.exec('nft', ['-j', 'list', 'counter', 'inet', table, name]);
  const items = (JSON.parse(out) as { nftables: Array<{ counter?: { name: string; packets: number } }> }).nftables;
  const counter = items.find((i) => i.counter?.name === name)?.counter;
  if (counter === undefined) throw new Error(`no counter ${table}/${name} in ${ns.name}: ${out}`);
  return counter.packets;
}
