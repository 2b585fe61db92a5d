/**
 * Benchmark: bring up and announce 500 VIPs on one interface, as pulse does on activation
 * (count 5, interval 1 s, all in parallel). Prints the time until every address is up and until
 * every first announcement has been sent, for each round, against the target of 100 ms for
 * both (judged on the slowest round, the first and coldest included).
 *
 * It runs its work inside a network namespace it creates (a veth pair d0/d1) and deletes.
 * Sender: the native AF_PACKET sender (src/arp/sender.ts) when its addon is built and a packet
 * socket opens, else the in-memory recording fake; `--sender fake|native` forces one. The
 * sender used is printed.
 *
 *   node dist/bench/vip-announce.js [--sender fake|native]
 *   BENCH_VIPS (500), BENCH_ROUNDS (3), BENCH_COUNT (5), BENCH_INTERVAL_MS (1000)
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { NativeArpSender } from '../src/arp/sender.js';
import type { ArpSender } from '../src/arp/sender-interface.js';
import { Announcer } from '../src/link/announce.js';
import { systemClock } from '../src/clock.js';
import { RouteClient } from '../src/link/client.js';
import { RecordingArpSender } from '../src/testing/link-fakes.js';
import { vipRequest } from '../src/link/vip.js';
import { Netns, netnsUnavailable } from '../test/helpers/netns.js';

const VIPS = Number(process.env['BENCH_VIPS'] ?? 500);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const COUNT = Number(process.env['BENCH_COUNT'] ?? 5);
const INTERVAL_MS = Number(process.env['BENCH_INTERVAL_MS'] ?? 1000);
const TARGET_MS = 100;

/** pickSender returns the sender to use and its description. */
function pickSender(wanted: string | undefined): { sender: ArpSender; name: string; close: () => void } {
  if (wanted !== 'fake') {
    try {
      // Called with three arguments it sends piranha's frame, the ARP reply form (opcode 2).
      const native = NativeArpSender.open();
      return { sender: native, name: 'native AF_PACKET sender (src/arp/sender.ts NativeArpSender, ARP reply form)', close: () => native.close() };
    } catch (err) {
      if (wanted === 'native') throw err;
      const fake = new RecordingArpSender(systemClock);
      return { sender: fake, name: `in-memory recording fake (native sender unavailable: ${(err as Error).message})`, close: () => undefined };
    }
  }
  return { sender: new RecordingArpSender(systemClock), name: 'in-memory recording fake (--sender fake)', close: () => undefined };
}

async function inside(wanted: string | undefined): Promise<void> {
  const client = RouteClient.open();
  const { sender, name, close } = pickSender(wanted);
  console.log(`sender: ${name}`);
  console.log(`${VIPS} VIPs /32 on d0 (labels d0:0..d0:${VIPS - 1}), ${COUNT} announcements ${INTERVAL_MS} ms apart, ${ROUNDS} rounds`);
  const vips = Array.from({ length: VIPS }, (_, i) => vipRequest({ address: `10.200.${i >> 8}.${(i & 0xff) + 0}`, device: `d0:${i}` }));
  const announcer = new Announcer({ routes: client, sender, clock: systemClock });
  const ups: number[] = [];
  const firsts: number[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const report = await announcer.announce(vips, { count: COUNT, intervalMs: INTERVAL_MS });
      if (!report.ok || report.allUpAt === null || report.allFirstAt === null) {
        const bad = report.vips.find((v) => v.errors.length > 0);
        throw new Error(`round ${round} failed: ${String(bad?.errors[0])}`);
      }
      const present = (await client.addresses({ link: 'd0', family: 4 })).filter((a) => a.address.startsWith('10.200.')).length;
      if (present !== VIPS) throw new Error(`round ${round}: ${present} of ${VIPS} addresses on d0`);
      const up = report.allUpAt - report.startedAt;
      const first = report.allFirstAt - report.startedAt;
      ups.push(up);
      firsts.push(first);
      const t0 = performance.now();
      const removed = await Promise.all(vips.map((v) => client.removeAddress(v)));
      const down = performance.now() - t0;
      if (removed.some((r) => r !== 'removed')) throw new Error(`round ${round}: not every VIP was removed`);
      console.log(
        `round ${round}: all ${VIPS} addresses up ${up.toFixed(1)} ms, all first announcements sent ${first.toFixed(1)} ms, ` +
          `all ${COUNT} rounds done ${(report.finishedAt - report.startedAt).toFixed(0)} ms; removing all ${down.toFixed(1)} ms`,
      );
    }
  } finally {
    close();
    client.close();
  }
  const worstUp = Math.max(...ups);
  const worstFirst = Math.max(...firsts);
  const verdict = (ms: number): string => (ms <= TARGET_MS ? 'MET' : 'MISSED');
  console.log(`time to all addresses up:          worst ${worstUp.toFixed(1)} ms, best ${Math.min(...ups).toFixed(1)} ms  (target <= ${TARGET_MS} ms: ${verdict(worstUp)})`);
  console.log(`time to all first announcements:   worst ${worstFirst.toFixed(1)} ms, best ${Math.min(...firsts).toFixed(1)} ms  (target <= ${TARGET_MS} ms: ${verdict(worstFirst)})`);
}

function outside(args: string[]): number {
  const reason = netnsUnavailable();
  if (reason !== null) {
    console.error(`vip-announce benchmark needs network namespaces: ${reason}`);
    return 1;
  }
  const ns = Netns.create('vipbench');
  try {
    ns.ip('link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd1');
    ns.ip('link', 'set', 'd0', 'up');
    ns.ip('link', 'set', 'd1', 'up');
    console.log(`namespace ${ns.name} (deleted afterwards)`);
    const r = ns.node(fileURLToPath(import.meta.url), ['--inside', ...args], { timeoutMs: 60_000 + ROUNDS * COUNT * INTERVAL_MS * 2 });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    return r.status ?? 1;
  } finally {
    ns.delete();
  }
}

const argv = process.argv.slice(2);
const senderAt = argv.indexOf('--sender');
const wanted = senderAt >= 0 ? argv[senderAt + 1] : undefined;
if (wanted !== undefined && wanted !== 'fake' && wanted !== 'native') {
  console.error('usage: vip-announce [--sender fake|native]');
  process.exit(2);
}
if (argv.includes('--inside')) await inside(wanted);
else process.exitCode = outside(wanted === undefined ? [] : ['--sender', wanted]);
