/**
 * Our pulse as a failover pair: `pulse -n -t -v` (--test-start: no lvsd, but the VIPs still move
 * and are announced) on both routers with one lvs.cf, one gratuitous ARP per VIP on activation.
 */
import { sendIntervalMs } from '../../src/pulse/machine.js';
import { pairConfigText, startPulse, writeConfig, type LineProcess, type PulseNet } from '../../test/netns/pulse-net.js';
import { stopProcess, type FailoverPair, type NodeName } from './pair.js';

/** PulsePairOptions are the timers, the number of VIPs and whether pulse writes its debug lines (-v). */
export interface PulsePairOptions {
  readonly keepaliveMs: number;
  readonly deadtimeMs: number;
  readonly vips: number;
  readonly verbose: boolean;
}

/** pulseHeartbeatPeriodMs is how often pulse sends heartbeats with these timers. */
export function pulseHeartbeatPeriodMs(keepaliveMs: number, deadtimeMs: number): number {
  return sendIntervalMs({ role: 'master', heartbeats: true, keepaliveMs, deadtimeMs, forceActive: false });
}

const SELF_REPORT = /pulse: DEBUG -- \d+ addresses up [\d.]+ ms and announced ([\d.]+) ms after the decision/;

/** PulsePair runs pulse on routers A and B. */
export class PulsePair implements FailoverPair {
  readonly name = 'pulse';
  readonly protocol = 'pulse';
  readonly decisionLine = /pulse: (partner dead|primary inactive|backup inactive): activating lvs/;
  readonly heartbeatPeriodMs: number;
  private readonly config: string;
  private readonly procs = new Map<NodeName, LineProcess>();

  constructor(
    private readonly net: PulseNet,
    private readonly o: PulsePairOptions,
  ) {
    this.heartbeatPeriodMs = pulseHeartbeatPeriodMs(o.keepaliveMs, o.deadtimeMs);
    this.config = writeConfig(net, 'pulse-lvs.cf', pairConfigText({ keepalive: o.keepaliveMs / 1000, deadtime: o.deadtimeMs / 1000, vips: o.vips }));
  }

  async start(node: NodeName, alone: boolean): Promise<void> {
    const p = startPulse(this.net[node], this.config, ['--announce-count', '1'], { verbose: this.o.verbose });
    this.procs.set(node, p);
    const started = await p.waitFor(/pulse: STARTING PULSE AS/, 20_000);
    const from = p.lines.indexOf(started);
    if (alone) await p.waitFor(this.decisionLine, 60_000, from);
    else if (this.o.verbose) await p.waitFor(/pulse: DEBUG -- Received Heartbeat from partner/, 60_000, from);
    // Without debug lines: heartbeats start with the start line; give it two of the partner's.
    else await new Promise((r) => setTimeout(r, 2 * this.heartbeatPeriodMs + 50));
  }

  log(node: NodeName): LineProcess {
    const p = this.procs.get(node);
    if (p === undefined) throw new Error(`pulse is not running on router ${node}`);
    return p;
  }

  heartbeatSender(node: NodeName): number {
    return this.daemon(node);
  }

  daemon(node: NodeName): number {
    const pid = this.log(node).child.pid;
    if (pid === undefined) throw new Error(`pulse on router ${node} has no pid`);
    return pid;
  }

  async ended(node: NodeName): Promise<void> {
    await this.log(node).exited;
  }

  async selfReport(node: NodeName, from: number): Promise<number | null> {
    if (!this.o.verbose) return null;
    const line = await this.log(node).waitFor(SELF_REPORT, 10_000, from);
    return Number(SELF_REPORT.exec(line.text)?.[1]);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.procs.values()].map((p) => stopProcess(p)));
  }
}
