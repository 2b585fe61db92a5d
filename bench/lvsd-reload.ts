/**
 * Benchmark: lvsd reload of a big configuration. lvsd runs 2,000 virtual services x 20 real
 * servers, all up; then lvs.cf is rewritten with one real server's weight changed and lvsd gets
 * SIGHUP, several times. For each reload it prints the kernel operations sent (target: exactly
 * what the change needs, one SET_DEST) and the time from the SIGHUP handler starting (re-read,
 * parse, validate, diff, plan, send) to the operations being done.
 *
 * On the host (no IPVS) the kernel is the fake one (src/testing/ipvs-kernel.ts), where emulation
 * does not distort the time (target <= 50 ms); for comparison it also times a reload that checks
 * the whole file again (no incremental check). In the VM (`npm run bench:reload` runs both) the
 * kernel is real: the operation count is what matters there.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { incrementalConfigLoader, loadConfigFile } from '../src/cli/common.js';
import { IpvsClient } from '../src/ipvs/client.js';
import type { Logger } from '../src/log.js';
import { LvsDaemon, type Checkers } from '../src/lvsd/daemon.js';
import { loadValidConfig, Reloader, type ReadConfig } from '../src/lvsd/reloader.js';
import type { CheckTarget } from '../src/lvsd/targets.js';
import { FakeIpvsKernel } from '../src/testing/ipvs-kernel.js';
import { ManualClock } from '../src/testing/manual-clock.js';
import { dial } from '../src/testing/nltest.js';
import { generate } from './config-parse.js';

const VIRTUALS = Number(process.env['BENCH_VIRTUALS'] ?? 2000);
const SERVERS = Number(process.env['BENCH_SERVERS'] ?? 20);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 9);
const TARGET_MS = 50;
const inVm = existsSync('/proc/net/ip_vs');

/** withWeight is the generated file with real server `rs5` of virtual service `svc<V/2>` at `weight`. */
function withWeight(text: string, weight: number): string {
  const at = text.indexOf(`virtual svc${Math.floor(VIRTUALS / 2)} {`);
  const server = text.indexOf('     server rs5 {', at);
  const field = text.indexOf('weight = 1\n', server);
  return `${text.slice(0, field)}weight = ${weight}\n${text.slice(field + 'weight = 1\n'.length)}`;
}

class IdleCheckers implements Checkers {
  readonly targets: CheckTarget[] = [];
  add(target: CheckTarget): void {
    this.targets.push(target);
  }
  remove(): void {}
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

interface Runs {
  readonly ms: number[];
  readonly ops: string[][];
}

/** measure runs lvsd on `client` and times RUNS reloads, each flipping one weight between 2 and 1. */
async function measure(client: IpvsClient, read: ReadConfig, runs: number): Promise<Runs> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-reload-'));
  const file = join(dir, 'lvs.cf');
  const text = generate(VIRTUALS, SERVERS);
  writeFileSync(file, text);
  let ops: string[] = [];
  const log: Logger = { info: () => undefined, debug: (m) => m.startsWith('ipvs: ') && ops.push(m.slice(6)) };
  const config = await loadValidConfig(file, read, log, (line) => console.error(line));
  if (config === null) throw new Error('the generated configuration does not load');
  const checkers = new IdleCheckers();
  // A manual clock: no drain checks and no gathering timer run on their own while measuring.
  const daemon = new LvsDaemon(config, client, checkers, log, { clock: new ManualClock() });
  await daemon.start();
  for (const t of checkers.targets) daemon.onChecker({ id: t.id, state: 'up', weight: Number(t.options.weight), reason: 'bench' });
  await daemon.reconcileNow();
  const reloader = new Reloader({ load: () => loadValidConfig(file, read, log, (line) => console.error(line)), apply: (next) => daemon.reload(next), log });

  const out: Runs = { ms: [], ops: [] };
  for (let run = 0; run < runs; run++) {
    writeFileSync(file, run % 2 === 0 ? withWeight(text, 2) : text);
    ops = [];
    const done = new Promise<number>((resolve) =>
      process.once('SIGHUP', () => {
        const t0 = performance.now();
        void reloader.reload().then(() => resolve(performance.now() - t0));
      }),
    );
    // A signal handler does not keep the event loop alive until the signal comes; a timer does.
    const alive = setInterval(() => undefined, 1000);
    process.kill(process.pid, 'SIGHUP');
    out.ms.push(await done);
    clearInterval(alive);
    out.ops.push(ops);
  }
  await daemon.stop();
  rmSync(dir, { recursive: true, force: true });
  return out;
}

function report(label: string, r: Runs): boolean {
  const expected = (): string => `edit-destination -t 198.18.${(Math.floor(VIRTUALS / 2) >> 8) & 0xff}.${Math.floor(VIRTUALS / 2) & 0xff}:80 -r `;
  const exact = r.ops.every((ops, run) => ops.length === 1 && ops[0]?.startsWith(expected()) === true && ops[0].endsWith(`-g -w ${run % 2 === 0 ? 2 : 1}`));
  const ms = (xs: number[]): string => xs.map((x) => x.toFixed(1)).join(', ');
  console.log(`  ${label}`);
  console.log(`    kernel operations per reload: ${r.ops.map((o) => o.length).join(', ')} (${r.ops[0]?.join('; ') ?? ''})   target: exactly 1 SET_DEST   ${exact ? 'MET' : 'MISSED'}`);
  console.log(`    SIGHUP to operations done: median ${median(r.ms).toFixed(1)} ms, max ${Math.max(...r.ms).toFixed(1)} ms (runs: ${ms(r.ms)})`);
  return exact;
}

async function main(): Promise<void> {
  console.log(`lvsd reload: ${VIRTUALS} virtual services x ${SERVERS} real servers (all up), one real server's weight changed per SIGHUP, ${RUNS} reloads`);
  if (inVm) {
    const client = await IpvsClient.open();
    await client.flush();
    const t0 = performance.now();
    const r = await measure(client, incrementalConfigLoader(), Math.min(RUNS, 3));
    console.log(`  real kernel (VM, emulated; programming and measuring took ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    const ok = report('incremental check, real kernel (times are emulated, not comparable)', r);
    await client.flush();
    client.close();
    if (!ok) process.exitCode = 1;
    return;
  }
  const fake = async (read: ReadConfig, runs: number): Promise<Runs> => {
    const kernel = new FakeIpvsKernel();
    const client = await IpvsClient.open(dial(kernel.func, { messagesPerDatagram: 64 }).connection);
    try {
      return await measure(client, read, runs);
    } finally {
      client.close();
    }
  };
  const incremental = await fake(incrementalConfigLoader(), RUNS);
  const ok = report('host, fake kernel: incremental check (what lvsd does)', incremental);
  const verdict = median(incremental.ms) <= TARGET_MS;
  console.log(`    target: median <= ${TARGET_MS} ms   ${verdict ? 'MET' : 'MISSED'}`);
  if (process.env['BENCH_COMPARE'] !== '0') report('host, fake kernel: the whole file checked again (for comparison)', await fake(loadConfigFile, Math.min(RUNS, 3)));
  console.log('kernel part: `npm run bench:reload` also runs this in the VM against the real kernel');
  if (!ok) process.exitCode = 1;
}

await main();
