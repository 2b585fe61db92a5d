/**
 * MonitorPool: many monitors in one process. Checks run as async workers; one timer (armed for
 * the earliest due monitor) drives them all; each monitor keeps a fixed cadence (next = previous
 * due + interval, so time spent checking does not make it drift; an overrun skips to now). Every
 * check result goes through the pure monitor step; the pool performs the actions through the
 * handlers it was given and reports state changes as events.
 */
import { EventEmitter } from 'node:events';
import type { Clock, Timer } from '../clock.js';
import { initialState, runningState, step, type MonitorAction, type MonitorConfig, type MonitorEvent, type MonitorState } from './monitor.js';
import { Schedule } from './schedule.js';

/** CheckOutcome is what one health check found. */
export interface CheckOutcome {
  readonly ok: boolean;
  readonly reason: string;
}

/** PoolTarget is one monitored real server. `check` runs one health check of it. */
export interface PoolTarget {
  readonly id: string;
  readonly config: MonitorConfig;
  readonly check: (signal: AbortSignal) => Promise<CheckOutcome>;
  /** readLoad runs the load command (nanny -U) and returns its output. */
  readonly readLoad?: (signal: AbortSignal) => Promise<{ load: number | null; text: string }>;
}

/** StateChange is what the pool reports to its parent: a server went up or down, or changed weight. */
export interface StateChange {
  readonly id: string;
  readonly state: 'up' | 'down' | 'weight';
  readonly weight: number;
  readonly reason: string;
}

/** PoolHandlers perform a monitor's actions. */
export interface PoolHandlers {
  /** apply changes the table for a target (add, set-weight, delete); a failure is logged and retried at the next state change. */
  apply(target: PoolTarget, action: Extract<MonitorAction, { type: 'add' | 'set-weight' | 'delete' }>): Promise<void>;
  /** log writes a log line; verbose lines are for -v only. */
  log(target: PoolTarget, text: string, verbose: boolean): void;
}

/** PoolOptions tune the pool. */
export interface PoolOptions {
  readonly clock: Clock;
  readonly handlers: PoolHandlers;
  /** concurrency bounds checks in flight (default 4096); due checks beyond it wait. */
  readonly concurrency?: number;
  /** spread starts each new monitor at a random point of its first interval (default false). */
  readonly spread?: boolean;
  /** random is injectable for tests (default Math.random). */
  readonly random?: () => number;
}

interface Entry {
  readonly target: PoolTarget;
  state: MonitorState;
  due: number;
  /** checking tells whether a check of the target is in flight. */
  checking: boolean;
  /** ended is aborted when the target is removed; every check of the target runs under it (one controller per target, not per check). */
  readonly ended: AbortController;
}

/** MonitorPool runs many monitors; it emits 'change' (StateChange) events. */
export class MonitorPool extends EventEmitter<{ change: [StateChange] }> {
  private readonly entries = new Map<string, Entry>();
  private readonly schedule = new Schedule();
  private readonly waiting: string[] = [];
  private timer: Timer | null = null;
  /** timerDue is when the armed timer fires (Infinity when none is armed). */
  private timerDue = Infinity;
  private inFlight = 0;
  private stopped = false;
  private readonly concurrency: number;
  private readonly random: () => number;
  /** checks counts checks completed (for benchmarks). */
  checks = 0;

  constructor(private readonly options: PoolOptions) {
    super();
    this.concurrency = options.concurrency ?? 4096;
    this.random = options.random ?? Math.random;
  }

  /** size is the number of monitors. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * add starts monitoring a target (its first check runs at once, or spread over its first
   * interval). With `running`, the server is taken to be in service already (runningState).
   */
  add(target: PoolTarget, running = false): void {
    if (this.entries.has(target.id)) throw new Error(`monitor ${target.id} already exists`);
    const now = this.options.clock.now();
    const due = now + (this.options.spread === true ? Math.floor(this.random() * target.config.intervalMs) : 0);
    const state = running ? runningState(target.config, now) : initialState(target.config);
    this.entries.set(target.id, { target, state, due, checking: false, ended: new AbortController() });
    this.schedule.set(target.id, due);
    this.arm();
  }

  /** remove stops monitoring a target and performs its stop actions (the entry leaves the table). */
  async remove(id: string): Promise<void> {
    const e = this.entries.get(id);
    if (e === undefined) return;
    this.entries.delete(id);
    this.schedule.delete(id);
    e.ended.abort();
    await this.perform(e, step(e.target.config, e.state, { type: 'stop' }).actions);
  }

  /** force sets a monitor up or down as SIGUSR2/SIGUSR1 do. */
  async force(id: string, up: boolean): Promise<void> {
    const e = this.entries.get(id);
    if (e !== undefined) await this.feed(e, { type: 'force', up, nowMs: this.options.clock.now() });
  }

  /** release ends forcing on every monitor (SIGHUP). */
  async release(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => this.feed(e, { type: 'release' }) ?? Promise.resolve()));
  }

  /** stop ends every monitor (each removes its entry unless quiesced) and the timer. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    await Promise.all([...this.entries.keys()].map((id) => this.remove(id)));
  }

  /** snapshot lists each monitor's state. */
  snapshot(): Array<{ id: string; state: MonitorState }> {
    return [...this.entries.values()].map((e) => ({ id: e.target.id, state: e.state }));
  }

  /** arm makes sure the timer fires by the earliest due time; a timer already armed early enough stays (a tick re-arms for what is left). */
  private arm(): void {
    if (this.stopped) return;
    const next = this.schedule.nextDue();
    if (next === null || (this.timer !== null && this.timerDue <= next)) return;
    this.timer?.cancel();
    this.timerDue = next;
    this.timer = this.options.clock.setTimer(next - this.options.clock.now(), () => this.tick());
  }

  private tick(): void {
    this.timer = null;
    this.timerDue = Infinity;
    this.schedule.popDue(this.options.clock.now(), this.enqueue);
    this.drain();
    this.arm();
  }

  private readonly enqueue = (id: string): void => {
    this.waiting.push(id);
  };

  private drain(): void {
    while (this.inFlight < this.concurrency && this.waiting.length > 0) {
      const e = this.entries.get(this.waiting.shift() as string);
      if (e !== undefined && !e.checking) void this.runCheck(e);
    }
  }

  private async runCheck(e: Entry): Promise<void> {
    e.checking = true;
    this.inFlight++;
    let outcome: CheckOutcome;
    try {
      outcome = await e.target.check(e.ended.signal);
    } catch (err) {
      outcome = { ok: false, reason: `check failed: ${(err as Error).message}` };
    }
    this.inFlight--;
    this.checks++;
    e.checking = false;
    // A target removed meanwhile (even if added again since, as a new entry) takes no result.
    if (this.entries.get(e.target.id) !== e || this.stopped) return;
    const now = this.options.clock.now();
    const acting = this.feed(e, { type: 'check', ok: outcome.ok, reason: outcome.reason, nowMs: now });
    if (acting !== undefined) await acting;
    if (this.entries.get(e.target.id) !== e || this.stopped) return;
    // Fixed cadence: the next check is one interval after this one was due; an overrun runs at once.
    e.due = Math.max(e.due + e.target.config.intervalMs, now);
    this.schedule.set(e.target.id, e.due);
    this.drain();
    this.arm();
  }

  /** feed steps the monitor; the promise is only for actions to perform (most checks change nothing and return none). */
  private feed(e: Entry, event: MonitorEvent): Promise<void> | undefined {
    const r = step(e.target.config, e.state, event);
    e.state = r.state;
    return r.actions.length === 0 ? undefined : this.perform(e, r.actions);
  }

  private async perform(e: Entry, actions: readonly MonitorAction[]): Promise<void> {
    for (const a of actions) {
      switch (a.type) {
        case 'log':
          this.options.handlers.log(e.target, a.text, a.verbose === true);
          break;
        case 'add':
        case 'set-weight':
        case 'delete':
          try {
            await this.options.handlers.apply(e.target, a);
          } catch (err) {
            this.options.handlers.log(e.target, `failed to ${a.type} ${e.target.config.name}: ${(err as Error).message}`, false);
          }
          break;
        case 'up':
          this.emit('change', { id: e.target.id, state: 'up', weight: a.weight, reason: a.reason });
          break;
        case 'down':
          this.emit('change', { id: e.target.id, state: 'down', weight: 0, reason: a.reason });
          break;
        case 'weight':
          this.emit('change', { id: e.target.id, state: 'weight', weight: a.weight, reason: a.reason });
          break;
        case 'read-load':
          if (e.target.readLoad !== undefined) {
            const controller = new AbortController();
            const timer = this.options.clock.setTimer(e.target.config.intervalMs, () => controller.abort());
            let reading: { load: number | null; text: string };
            try {
              reading = await e.target.readLoad(controller.signal);
            } catch (err) {
              reading = { load: null, text: (err as Error).message };
            }
            timer.cancel();
            await this.feed(e, { type: 'load', load: reading.load, text: reading.text, nowMs: this.options.clock.now() });
          }
          break;
      }
    }
  }
}
