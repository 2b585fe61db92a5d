/**
 * One failover trial: the observer (router C) records the wire with kernel time stamps, the
 * benchmark stops the active router's daemon (kill -9 of the process that sends the heartbeats,
 * or SIGTERM to the daemon) at a random phase of its heartbeats, waits until the survivor has
 * announced every VIP, and reads the figures off the capture and the survivor's log.
 *
 * Times: the capture's time stamps are CLOCK_REALTIME; the moment of the kill and the arrival of
 * log lines are taken on performance.now() and moved to CLOCK_REALTIME with an offset measured
 * just before the kill (host.ts).
 */
import { performance } from 'node:perf_hooks';
import { startRecording } from '../../test/netns/capture.js';
import { until, vipAddress, type PulseNet } from '../../test/netns/pulse-net.js';
import { cpuStealMs, realtimeOffset } from './host.js';
import { NODE_IP, partnerOf, type FailoverPair, type NodeName } from './pair.js';
import { observe, wireEvent, type Observation, type WireEvent } from './wire.js';

/** HEARTBEAT_PORT is the heartbeat_port of the benchmark's lvs.cf. */
const HEARTBEAT_PORT = 539;
/** OBSERVER_FILTER is what the observer records: ARP, pulse heartbeats, VRRP. */
const OBSERVER_FILTER = `arp or udp port ${HEARTBEAT_PORT} or ip proto 112`;

/** TrialKind is how the active daemon is stopped. */
export type TrialKind = 'kill' | 'term';

/** TrialResult are one trial's figures in milliseconds (null: not defined for this kind or implementation). */
export interface TrialResult {
  readonly kind: TrialKind;
  readonly stopped: NodeName;
  /** stopToGarp is from the kill(2) (or SIGTERM) to the survivor's first gratuitous ARP. */
  readonly stopToGarp: number;
  /** lastHeartbeatToGarp is from the stopped node's last heartbeat on the wire to that ARP. */
  readonly lastHeartbeatToGarp: number;
  /** phase is from the stopped node's last heartbeat to the kill. */
  readonly phase: number;
  /** detection is the decision minus the last heartbeat minus deadtime (kill only). */
  readonly detection: number | null;
  /** detectionByLog is the same with the decision taken from the arrival of the survivor's log line. */
  readonly detectionByLog: number | null;
  /** stopToDecision is from the kill(2) (or SIGTERM) to the survivor's decision. */
  readonly stopToDecision: number;
  /** decisionToGarp is from the decision to the survivor's first gratuitous ARP. */
  readonly decisionToGarp: number;
  /** activation is from the decision to the last VIP's first gratuitous ARP on the wire. */
  readonly activation: number | null;
  /** selfReported is the activation time the survivor logged itself (decision to all addresses up and announced). */
  readonly selfReported: number | null;
  /** stealMs is the machine's CPU steal time during the trial. */
  readonly stealMs: number;
}

/** TrialSetup is what a trial needs to know of the pair and the network. */
export interface TrialSetup {
  readonly net: PulseNet;
  readonly pair: FailoverPair;
  readonly deadtimeMs: number;
  readonly vips: number;
  readonly macs: Readonly<Record<NodeName, string>>;
  /** random gives numbers in [0, 1) for the phase of the stop. */
  readonly random: () => number;
}

/** runTrial stops the active node, measures the failover to its partner and starts the stopped node again (passive). */
export async function runTrial(s: TrialSetup, kind: TrialKind, active: NodeName): Promise<TrialResult> {
  const { pair, net } = s;
  const survivor = partnerOf(active);
  const log = pair.log(survivor);
  const from = log.lines.length;
  const vips = Array.from({ length: s.vips }, (_, i) => vipAddress(i));
  const steal0 = cpuStealMs();
  const recording = await startRecording(net.c, 'eth0', OBSERVER_FILTER);
  let events: WireEvent[] | undefined;
  let seen: Observation;
  let stoppedAt: number;
  let decisionAt: number;
  let selfReported: number | null;
  try {
    // At least one heartbeat on record, then a uniformly random phase of the heartbeats.
    const period = pair.heartbeatPeriodMs;
    await sleep(period * (1 + s.random()));
    const pid = kind === 'kill' ? pair.heartbeatSender(active) : pair.daemon(active);
    const offset = realtimeOffset();
    const before = performance.now();
    process.kill(pid, kind === 'kill' ? 'SIGKILL' : 'SIGTERM');
    stoppedAt = before + offset;
    const decision = await log.waitFor(pair.decisionLine, 3 * s.deadtimeMs + 10_000, from);
    decisionAt = decision.at + offset;
    selfReported = await pair.selfReport(survivor, from);
    const watch = { protocol: pair.protocol, since: stoppedAt, stopped: NODE_IP[active], survivor: { ip: NODE_IP[survivor], mac: s.macs[survivor] }, vips };
    const classify = (rs: ReturnType<typeof recording.records>): WireEvent[] => rs.map((r) => wireEvent(r, HEARTBEAT_PORT)).filter((e): e is WireEvent => e !== null);
    await until(() => observe(classify(recording.records()), watch).allFirstGarps !== null, 10_000, `every VIP announced by router ${survivor}`);
    events = classify(await recording.stop());
    seen = observe(events, watch);
  } finally {
    // Only when the measuring failed part way: a finished recording is parsed once.
    if (events === undefined) await recording.stop().catch(() => undefined);
  }
  const stealMs = cpuStealMs() - steal0;
  await pair.ended(active);
  const result = figures(kind, active, seen, { stoppedAt, decisionAt, selfReported, stealMs, deadtimeMs: s.deadtimeMs, protocol: pair.protocol });
  await pair.start(active, false);
  return result;
}

/** figures computes a trial's results from what was observed; it throws when the observation is incomplete. */
export function figures(
  kind: TrialKind,
  stopped: NodeName,
  seen: Observation,
  t: { stoppedAt: number; decisionAt: number; selfReported: number | null; stealMs: number; deadtimeMs: number; protocol: 'pulse' | 'vrrp' },
): TrialResult {
  if (seen.lastHeartbeat === null) throw new Error(`the observer saw no heartbeat from router ${stopped} before it stopped`);
  if (seen.firstGarp === null || seen.allFirstGarps === null) throw new Error(`the survivor did not announce ${seen.missing.length} VIPs (${seen.missing.slice(0, 3).join(', ')}...)`);
  // pulse sends a "running" heartbeat in the same step as its decision, before any address is
  // added: the wire dates the decision. keepalived sends its first advertisement only after the
  // VIPs are up and announced, so its decision is dated by its log line.
  const decision = t.protocol === 'pulse' ? seen.firstRunning : t.decisionAt;
  if (decision === null) throw new Error('the survivor sent no "running" heartbeat after the stop');
  return {
    kind,
    stopped,
    stopToGarp: seen.firstGarp - t.stoppedAt,
    lastHeartbeatToGarp: seen.firstGarp - seen.lastHeartbeat,
    phase: t.stoppedAt - seen.lastHeartbeat,
    stopToDecision: decision - t.stoppedAt,
    decisionToGarp: seen.firstGarp - decision,
    detection: kind === 'kill' ? decision - seen.lastHeartbeat - t.deadtimeMs : null,
    detectionByLog: kind === 'kill' ? t.decisionAt - seen.lastHeartbeat - t.deadtimeMs : null,
    activation: seen.allFirstGarps - decision,
    selfReported: t.selfReported,
    stealMs: t.stealMs,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
