/**
 * A failover pair as the benchmark drives it: one daemon on router A and one on router B of the
 * two-router namespace network (test/netns/pulse-net.ts), started, stopped and killed the same
 * way whatever the implementation.
 */
import type { LineProcess } from '../../test/netns/pulse-net.js';

/** NodeName names a router. */
export type NodeName = 'a' | 'b';

/** NODE_IP are the routers' own addresses in the two-router network. */
export const NODE_IP: Readonly<Record<NodeName, string>> = { a: '10.77.0.1', b: '10.77.0.2' };

/** partnerOf is the other router. */
export function partnerOf(node: NodeName): NodeName {
  return node === 'a' ? 'b' : 'a';
}

/** FailoverPair is one implementation running on both routers. */
export interface FailoverPair {
  readonly name: string;
  /** protocol says which frames on the wire are its heartbeats. */
  readonly protocol: 'pulse' | 'vrrp';
  /** heartbeatPeriodMs is how often an active node sends a heartbeat. */
  readonly heartbeatPeriodMs: number;
  /** decisionLine matches the log line a node writes when it decides to take over. */
  readonly decisionLine: RegExp;
  /**
   * start starts the daemon on a router. Alone (no partner running), it resolves once the node
   * is active; otherwise once the node runs and follows the active partner's heartbeats.
   */
  start(node: NodeName, alone: boolean): Promise<void>;
  /** log is the output of the node's daemon (the last one started). */
  log(node: NodeName): LineProcess;
  /** heartbeatSender is the process that sends the node's heartbeats: the one a kill -9 hits. */
  heartbeatSender(node: NodeName): number;
  /** daemon is the process a clean stop (SIGTERM) goes to. */
  daemon(node: NodeName): number;
  /** ended resolves once every process of the node's daemon has ended. */
  ended(node: NodeName): Promise<void>;
  /** selfReport waits for the activation time the node logs itself after line `from` (ms), or resolves null when it logs none. */
  selfReport(node: NodeName, from: number): Promise<number | null>;
  /** stop ends whatever still runs, on both routers. */
  stop(): Promise<void>;
}

/** stopProcess ends a LineProcess: SIGTERM, then SIGKILL after `graceMs`; it resolves once it has exited. */
export async function stopProcess(p: LineProcess, graceMs = 5000, extraPids: readonly number[] = []): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const done = await Promise.race([p.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), graceMs))]);
  if (done) return;
  for (const pid of extraPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  p.child.kill('SIGKILL');
  await p.exited;
}
