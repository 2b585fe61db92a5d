/**
 * Benchmark: the work of one status request or scrape on a large director, after the kernel dump:
 * the status document, its JSON text, and the Prometheus text, for 1,000 virtual services x 10
 * real servers (10,000 destinations with counters). Prints the median of several runs and the
 * sizes. The dump itself is the reconciler's read (bench/ipvs-program.ts measures it in the VM).
 */
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../src/config/parser.js';
import type { ActualTable } from '../src/ipvs/reconcile.js';
import type { DestinationEntry, Stats } from '../src/ipvs/types.js';
import { serverId, serviceKeyOf, serviceOf, type ServerHealth } from '../src/lvsd/desired.js';
import { formatMetrics } from '../src/lvsd/metrics.js';
import { toJson } from '../src/lvsd/status-json.js';
import { statusSnapshot, type StatusInput } from '../src/lvsd/status.js';
import { generate } from './config-parse.js';

const VIRTUALS = Number(process.env['BENCH_VIRTUALS'] ?? 1000);
const SERVERS = Number(process.env['BENCH_SERVERS'] ?? 10);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);

function stats(n: number): Stats {
  const b = BigInt(n) * 1_000_003n;
  return { conns: b, inpkts: b * 11n, outpkts: b * 9n, inbytes: b * 1400n, outbytes: b * 90_000n, cps: 3n, inpps: 40n, outpps: 30n, inbps: 5000n, outbps: 900_000n };
}

function input(): StatusInput {
  const config = parseConfig(generate(VIRTUALS, SERVERS)).config;
  const health = new Map<string, ServerHealth>();
  const table: ActualTable = config.virtuals.map((v, i) => {
    const key = serviceKeyOf(v);
    if (key === null) throw new Error(`no key for ${v.name}`);
    const destinations = v.servers.map((s, j): DestinationEntry => {
      health.set(serverId(v, s), { up: true, weight: 1, quiesced: false });
      return { address: s.address?.ip ?? '', port: s.port, family: 4, forwarding: 'droute', weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnelType: 'ipip', tunnelPort: 0, tunnelFlags: 0, activeConns: j, inactiveConns: j * 2, persistentConns: 0, stats: stats(i * SERVERS + j) };
    });
    return { service: { ...serviceOf(v, key), stats: stats(i) }, destinations };
  });
  const history = new Map([...health.keys()].map((id) => [id, { state: 'up' as const, since: Date.now(), reason: '[ active ] making it available' }]));
  return {
    now: Date.now(), startedAt: Date.now() - 1000, pid: process.pid, lvsdVersion: 'bench', configFile: 'lvs.cf', config, configLoadedAt: Date.now(),
    reloads: { ok: 0, failed: 0 }, checked: new Set(health.keys()), health, history,
    checkers: [{ name: 'checker 0', program: 'nanny --multi', pid: 1, restarts: 0, servers: health.size }],
    reconcile: { runs: 1, failedOperations: 0, last: null }, table, kernelError: null,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function main(): void {
  const data = input();
  const times = { snapshot: [] as number[], json: [] as number[], metrics: [] as number[] };
  let sizes = { json: 0, metrics: 0 };
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const doc = statusSnapshot(data);
    const t1 = performance.now();
    const json = toJson(doc);
    const t2 = performance.now();
    const metrics = formatMetrics(doc);
    const t3 = performance.now();
    times.snapshot.push(t1 - t0);
    times.json.push(t2 - t1);
    times.metrics.push(t3 - t2);
    sizes = { json: json.length, metrics: metrics.length };
  }
  const ms = (xs: number[]): string => `${median(xs).toFixed(0)} ms`;
  console.log(`lvsd-status: ${VIRTUALS} virtual services x ${SERVERS} real servers, median of ${RUNS}`);
  console.log(`  status document ${ms(times.snapshot)}, its JSON ${ms(times.json)} (${(sizes.json / 1e6).toFixed(1)} MB)`);
  console.log(`  Prometheus text from the document ${ms(times.metrics)} (${(sizes.metrics / 1e6).toFixed(1)} MB)`);
  console.log(`  a socket request: ${(median(times.snapshot) + median(times.json)).toFixed(0)} ms; a scrape: ${(median(times.snapshot) + median(times.metrics)).toFixed(0)} ms (plus the dump)`);
}

main();
