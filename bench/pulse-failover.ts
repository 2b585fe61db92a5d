/**
 * Benchmark: pulse failover against keepalived, on this host in network namespaces (timings
 * under VM emulation would mean nothing). Two routers and an observer on a flooding bridge
 * (test/netns/pulse-net.ts); 100 VIPs; for each timer set (keepalive/deadtime 2/5, 0.1/0.3 and
 * 0.05/0.15 s) and each implementation, BENCH_TRIALS (20) failovers by kill -9 of the process
 * that sends the active router's heartbeats, then as many clean stops (SIGTERM). pulse runs with
 * --test-start (no lvsd; the VIPs still move and are announced) and, as in production and as
 * keepalived runs here (no -D), without debug lines: with -v it writes four lines a heartbeat,
 * which costs it and the benchmark's log reader CPU on a small machine. keepalived is Debian's,
 * VRRP only, VRRPv3 with unicast peers, its advertisement interval and priority chosen so that
 * 3 x advert + skew = deadtime exactly (keepalived-timers.ts), installed here when missing.
 *
 * Method (trial.ts): the observer records ARP, heartbeats and VRRP with tcpdump, kernel time
 * stamps on CLOCK_REALTIME; the kill is dated on the same clock just before kill(2), at a random
 * phase of the heartbeats. Each trial line shows the machine's CPU steal time during it.
 *
 *   npm run bench:pulse        BENCH_TRIALS (20), BENCH_TIMERS (e.g. "0.1/0.3"; all three by default),
 *                              BENCH_PULSE_VERBOSE=1 (pulse -v: also its own activation times)
 */
import { cpus, loadavg } from 'node:os';
import { netnsUnavailable } from '../test/helpers/netns.js';
import { tcpdumpMissing } from '../test/netns/capture.js';
import { pulseNet, type PulseNet } from '../test/netns/pulse-net.js';
import { cpuStealMs } from './failover/host.js';
import { vrrpTimersFor, type VrrpTimers } from './failover/keepalived-timers.js';
import { ensureKeepalived, KeepalivedPair } from './failover/keepalived-pair.js';
import { partnerOf, type FailoverPair, type NodeName } from './failover/pair.js';
import { PulsePair, pulseHeartbeatPeriodMs } from './failover/pulse-pair.js';
import { summaryTable, trialLine, type TimerSetResults } from './failover/report.js';
import { runTrial, type TrialKind, type TrialResult } from './failover/trial.js';

const TRIALS = Number(process.env['BENCH_TRIALS'] ?? 20);
const VIPS = 100;
const VERBOSE = process.env['BENCH_PULSE_VERBOSE'] === '1';
const TIMER_SETS = [
  { keepaliveMs: 2000, deadtimeMs: 5000 },
  { keepaliveMs: 100, deadtimeMs: 300 },
  { keepaliveMs: 50, deadtimeMs: 150 },
].map((t) => ({ ...t, label: `${t.keepaliveMs / 1000}/${t.deadtimeMs / 1000}` }));

/** Cleanup is what must go even when the benchmark fails or is interrupted. */
const cleanups = new Set<() => Promise<void>>();
async function cleanAll(): Promise<void> {
  for (const c of [...cleanups].reverse()) {
    cleanups.delete(c);
    await c().catch((e: unknown) => console.error(`cleanup: ${(e as Error).message}`));
  }
}
/** Interrupted is thrown between trials after SIGINT or SIGTERM. */
class Interrupted extends Error {
  readonly code = 'INTERRUPTED';
}
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    interrupted = true;
    console.error(`${signal}: the current trial ends, then the daemons stop and the namespaces go (${signal} again: at once)`);
    process.once(signal, () => void cleanAll().then(() => process.exit(130)));
  });

function macOf(net: PulseNet, node: NodeName): string {
  const links = JSON.parse(net[node].ip('-j', 'link', 'show', 'eth0')) as Array<{ address: string }>;
  const mac = links[0]?.address;
  if (mac === undefined) throw new Error(`no MAC address on router ${node}'s eth0`);
  return mac;
}

/** runPair runs every trial of one implementation at one timer set, in a network of its own. */
async function runPair(make: (net: PulseNet) => FailoverPair, label: string, deadtimeMs: number): Promise<TrialResult[]> {
  const net = pulseNet();
  const pair = make(net);
  const cleanup = async (): Promise<void> => {
    await pair.stop();
    net.destroy();
  };
  cleanups.add(cleanup);
  const results: TrialResult[] = [];
  try {
    await pair.start('a', true);
    await pair.start('b', false);
    let active: NodeName = 'a';
    const setup = { net, pair, deadtimeMs, vips: VIPS, macs: { a: macOf(net, 'a'), b: macOf(net, 'b') }, random: Math.random };
    for (const kind of ['kill', 'term'] as TrialKind[])
      for (let n = 1; n <= TRIALS; n++) {
        if (interrupted) throw new Interrupted('interrupted');
        const r = await runTrial(setup, kind, active);
        results.push(r);
        console.log(trialLine(pair.name, label, n, r));
        active = partnerOf(active);
      }
  } finally {
    cleanups.delete(cleanup);
    await cleanup();
  }
  return results;
}

function describeVrrp(t: VrrpTimers): string {
  return `advert_int ${(t.advertCs / 100).toFixed(2)} s, priority ${t.priority} on both, skew ${t.skewMs} ms: 3 x advert + skew = ${t.downMs} ms`;
}

async function main(): Promise<number> {
  const missing = netnsUnavailable() ?? tcpdumpMissing();
  if (missing !== null) {
    console.error(`pulse-failover: ${missing}`);
    return 1;
  }
  const keepalived = ensureKeepalived();
  const wanted = process.env['BENCH_TIMERS'];
  const sets = TIMER_SETS.filter((t) => wanted === undefined || wanted.split(',').includes(t.label));
  if (sets.length === 0) {
    console.error(`pulse-failover: BENCH_TIMERS=${wanted} names no timer set (${TIMER_SETS.map((t) => t.label).join(', ')})`);
    return 2;
  }
  if (!Number.isInteger(TRIALS) || TRIALS < 1) {
    console.error(`pulse-failover: BENCH_TRIALS must be a positive integer, got ${process.env['BENCH_TRIALS']}`);
    return 2;
  }
  console.log(`pulse-failover: ${VIPS} VIPs, ${TRIALS} kill -9 and ${TRIALS} SIGTERM trials per implementation and timer set; ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`keepalived: ${keepalived}, --vrrp, VRRPv3 unicast, nopreempt, 1 GARP per VIP (vrrp_garp_master_repeat 1, vrrp_garp_master_delay 0)`);
  console.log(`pulse: -n -t${VERBOSE ? ' -v' : ''} --announce-count 1 (BENCH_PULSE_VERBOSE=1 adds -v and pulse's own activation times)`);
  console.log('decision dated by pulse\'s "running" heartbeat on the wire (sent in the same step), by keepalived\'s "Entering MASTER STATE" log line (its first advertisement follows its GARPs)');
  const done: TimerSetResults[] = [];
  for (const t of sets) {
    const vrrp = vrrpTimersFor(t.deadtimeMs);
    console.log(`\n== keepalive/deadtime ${t.label} s: pulse heartbeats every ${pulseHeartbeatPeriodMs(t.keepaliveMs, t.deadtimeMs)} ms; keepalived ${describeVrrp(vrrp)}`);
    const steal0 = cpuStealMs();
    const pulse = await runPair((net) => new PulsePair(net, { keepaliveMs: t.keepaliveMs, deadtimeMs: t.deadtimeMs, vips: VIPS, verbose: VERBOSE }), t.label, t.deadtimeMs);
    const kept = await runPair((net) => new KeepalivedPair(net, { timers: vrrp, vips: VIPS }), t.label, t.deadtimeMs);
    console.log(`CPU steal over this timer set: ${(cpuStealMs() - steal0).toFixed(0)} ms`);
    done.push({ label: t.label, deadtimeMs: t.deadtimeMs, pulse, keepalived: kept });
  }
  console.log(`\n${summaryTable(done)}`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (e) {
  if (!(e instanceof Interrupted)) throw e;
  process.exitCode = 130;
} finally {
  await cleanAll();
}
