/**
 * The pulse shell: it feeds the state machine its events (heartbeats, timers, lvsd's end, link
 * changes, signals) and performs the actions it returns. Everything that decides is in
 * machine.ts; everything that acts is in director.ts and channels.ts.
 */
import type { Clock, Timer } from '../clock.js';
import type { LvsConfig } from '../config/model.js';
import type { Logger } from '../log.js';
import type { Datagram, HeartbeatChannels } from './channels.js';
import { configDigest, formatDigest } from './digest.js';
import type { Director } from './director.js';
import { decodeHeartbeat, encodeHeartbeat, type HeartbeatTrailer } from './heartbeat.js';
import { initialState, nextWake, nextWakeDecides, step, type MachineConfig, type PulseAction, type PulseEvent, type PulseState } from './machine.js';
import { nextSequence, ReplayGuard } from './replay.js';

/** PulseCounters count what the daemon dropped and why. */
export interface PulseCounters {
  short: number;
  unknownMagic: number;
  badTrailer: number;
  unauthenticated: number;
  badMac: number;
  replayed: number;
  stale: number;
  foreign: number;
}

/** PulseDaemonOptions wire the daemon. */
export interface PulseDaemonOptions {
  readonly machine: MachineConfig;
  readonly clock: Clock;
  readonly realtime: () => number;
  readonly log: Logger;
  readonly director: Director;
  readonly channels: HeartbeatChannels | null;
  readonly key: Uint8Array | null;
  readonly config: LvsConfig;
}

/** REPLAY_WINDOW_MS is how far a first authenticated heartbeat's time may be from ours. */
export const REPLAY_WINDOW_MS = 30_000;

/** PulseDaemon runs the machine. */
export class PulseDaemon {
  private state: PulseState;
  private timer: Timer | null = null;
  private seq = 0n;
  private digest: Uint8Array;
  private partnerDigest: string | null = null;
  private readonly replay = new ReplayGuard({ windowMs: REPLAY_WINDOW_MS });
  private finish: (code: number) => void = () => undefined;
  /** done resolves with the exit code once pulse has stopped. */
  readonly done: Promise<number>;
  readonly counters: PulseCounters = { short: 0, unknownMagic: 0, badTrailer: 0, unauthenticated: 0, badMac: 0, replayed: 0, stale: 0, foreign: 0 };
  /** onEvent observes every event and the actions it caused (tests, benchmarks). */
  onStep: ((e: PulseEvent, actions: readonly PulseAction[]) => void) | null = null;

  constructor(private readonly o: PulseDaemonOptions) {
    this.state = initialState(o.machine);
    this.digest = configDigest(o.config);
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  /** active tells whether the machine is active. */
  get active(): boolean {
    return this.state.active;
  }

  /** start enters the main loop. */
  start(): void {
    this.feed({ type: 'start', now: this.o.clock.now() });
  }

  /** datagram handles a datagram from a partner address. */
  datagram(d: Datagram): void {
    const decoded = decodeHeartbeat(d.bytes, this.o.key);
    if (!decoded.ok) {
      this.count(decoded.reason);
      if (decoded.reason === 'short') this.o.log.info('bad heartbeat packet');
      else if (decoded.reason === 'unknown-magic') this.o.log.info('Incompatible heartbeat received -- other system not using identical services');
      else this.o.log.debug(`heartbeat from ${d.from} (${d.channel}) rejected: ${decoded.detail}`);
      return;
    }
    if (decoded.trailerProblem !== null) {
      this.counters.badTrailer++;
      this.o.log.debug(`heartbeat from ${d.from}: extension ignored: ${decoded.trailerProblem}`);
    }
    const t = decoded.trailer;
    if (t !== null && this.o.key !== null) {
      const verdict = this.replay.check(d.from, t.seq, this.o.realtime());
      if (verdict !== 'ok') {
        if (verdict === 'replay') this.counters.replayed++;
        else this.counters.stale++;
        this.o.log.debug(`heartbeat from ${d.from} (${d.channel}) rejected: ${verdict === 'replay' ? 'replayed sequence number' : 'too far from our clock'}`);
        return;
      }
    }
    if (t !== null) this.checkDigest(t, d.from);
    this.feed({ type: 'heartbeat', now: this.o.clock.now(), magic: decoded.magic, peerState: t?.state ?? null });
  }

  /** foreign handles a datagram from a non-partner address. */
  foreign(d: Datagram): void {
    this.counters.foreign++;
    this.o.log.debug(`Unexpected heartbeat from ${d.from}`);
  }

  /** childFailed reports that lvsd ended or failed to start. */
  childFailed(e: { pid: number; code: number | null; signal: number | null }): void {
    this.feed({ type: 'child-exit', now: this.o.clock.now(), ...e });
  }

  /** links reports the monitored links that are down. */
  links(down: readonly string[]): void {
    this.feed({ type: 'links', now: this.o.clock.now(), down });
  }

  /** terminate stops pulse (SIGTERM, SIGINT). */
  terminate(signal: number): void {
    this.feed({ type: 'terminate', now: this.o.clock.now(), signal });
  }

  /** reconfigure applies new timers and a new configuration digest (pulse's own SIGHUP part). */
  reconfigure(machine: MachineConfig, config: LvsConfig): void {
    this.digest = configDigest(config);
    const now = this.o.clock.now();
    const s = this.state;
    const needAt = Math.min(s.needAt, now + machine.deadtimeMs);
    const sendAt = s.sendAt === null ? null : Math.min(s.sendAt, now + machine.keepaliveMs);
    this.state = { ...s, config: machine, needAt, sendAt };
    this.arm();
  }

  private count(reason: 'short' | 'unknown-magic' | 'bad-trailer' | 'unauthenticated' | 'bad-mac'): void {
    if (reason === 'short') this.counters.short++;
    else if (reason === 'unknown-magic') this.counters.unknownMagic++;
    else if (reason === 'bad-trailer') this.counters.badTrailer++;
    else if (reason === 'unauthenticated') this.counters.unauthenticated++;
    else this.counters.badMac++;
  }

  private checkDigest(t: HeartbeatTrailer, from: string): void {
    const theirs = formatDigest(t.digest);
    if (theirs === this.partnerDigest) return;
    this.partnerDigest = theirs;
    const ours = formatDigest(this.digest);
    if (theirs !== ours) this.o.log.info(`Warning -- lvs.cf differs between the routers (ours ${ours}, partner ${from} ${theirs}): failover may not work as expected`);
  }

  private feed(e: PulseEvent): void {
    const r = step(this.state, e);
    this.state = r.state;
    this.onStep?.(e, r.actions);
    const lines = r.actions.filter((a) => a.type === 'log' || a.type === 'debug');
    for (const a of r.actions) if (a.type !== 'log' && a.type !== 'debug') this.perform(a);
    this.arm();
    // The log lines are written on a tick queued after the heartbeat's (dgram sends on the next
    // tick): a write to stdout wakes its reader (journald, a terminal, a test), which can take the
    // CPU from pulse for a while, and a takeover must not wait for that.
    if (lines.length > 0) process.nextTick(() => lines.forEach((a) => this.perform(a)));
  }

  private arm(): void {
    this.timer?.cancel();
    this.timer = null;
    const at = nextWake(this.state);
    if (at === Infinity) return;
    this.timer = this.o.clock.setTimer(
      at - this.o.clock.now(),
      () => {
        this.timer = null;
        this.feed({ type: 'timer', now: this.o.clock.now() });
      },
      { precise: nextWakeDecides(this.state) },
    );
  }

  private perform(a: PulseAction): void {
    const d = this.o.director;
    switch (a.type) {
      case 'log':
        this.o.log.info(a.text);
        return;
      case 'debug':
        this.o.log.debug(a.text);
        return;
      case 'send': {
        this.seq = nextSequence(this.seq, this.o.realtime());
        const m = this.o.machine;
        const bytes = encodeHeartbeat(
          { magic: a.magic, trailer: { state: a.state, role: m.role, seq: this.seq, digest: this.digest, keepaliveMs: this.state.config.keepaliveMs, deadtimeMs: this.state.config.deadtimeMs } },
          this.o.key,
        );
        this.o.channels?.send(bytes, (channel, err) => this.o.log.debug(`Warning -- failed to send heartbeat (${channel} if): ${err.message}`));
        return;
      }
      case 'activate':
        d.activate();
        return;
      case 'deactivate':
        d.deactivate(a.wasActive);
        return;
      case 'release-vips':
        d.releaseVips();
        return;
      case 'rearp':
        d.rearp();
        return;
      case 'exit':
        void d.idle().then(() => {
          this.timer?.cancel();
          this.o.channels?.close();
          this.finish(a.code);
        });
        return;
    }
  }
}
