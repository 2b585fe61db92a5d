/**
 * One bounded check attempt: a single deadline on an injected clock, an optional abort signal,
 * and cleanups that run exactly once, so no socket, timer or child outlives the result.
 */
import { systemClock, type Clock } from '../clock.js';
import { Reasons, type CheckCode, type CheckResult } from './result.js';
import type { TcpTransport } from './tcp-transport.js';

/** RunOptions are what a caller may add to a check: a way to cancel it, and the clock (the system's by default). */
export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
  /** tcpTransport runs TCP checks' connections (default: the addon's prober when built, else node:net). */
  readonly tcpTransport?: TcpTransport;
}

/** clockOf returns the clock a check runs on. */
export function clockOf(options: RunOptions): Clock {
  return options.clock ?? systemClock;
}

/** Outcome is a code and its reason. */
export type Outcome = readonly [code: CheckCode, reason: string];

/**
 * Attempt settles once: by `finish`, by the deadline (asking `onDeadline` what the shell was
 * waiting for), or by the abort signal. Settling cancels the timer and runs every cleanup.
 */
export class Attempt {
  readonly done: Promise<CheckResult>;
  /** bytesRead is set by the shell: the reply bytes it kept. */
  bytesRead = 0;
  private resolve!: (r: CheckResult) => void;
  private readonly cleanups: (() => void)[] = [];
  private readonly started: number;
  private settledNow = false;

  constructor(
    private readonly clock: Clock,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    onDeadline: () => Outcome,
  ) {
    this.done = new Promise((r) => (this.resolve = r));
    this.started = clock.now();
    const deadline = clock.setTimer(timeoutMs, () => this.finish(...onDeadline()));
    this.cleanups.push(() => deadline.cancel());
    if (signal !== undefined) {
      const onAbort = (): void => this.finish('aborted', Reasons.aborted());
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        this.cleanups.push(() => signal.removeEventListener('abort', onAbort));
      }
    }
  }

  /** settled tells whether the attempt has its result. */
  get settled(): boolean {
    return this.settledNow;
  }

  /** onCleanup registers a release to run when the attempt settles (at once if it already has). */
  onCleanup(fn: () => void): void {
    if (this.settledNow) runQuietly(fn);
    else this.cleanups.push(fn);
  }

  /** finish settles the attempt; later calls do nothing. */
  finish(code: CheckCode, reason: string): void {
    if (this.settledNow) return;
    this.settledNow = true;
    for (const fn of this.cleanups.splice(0)) runQuietly(fn);
    this.resolve({ ok: code === 'ok', code, reason, durationMs: this.clock.now() - this.started, bytesRead: this.bytesRead });
  }
}

function runQuietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // A release that fails (a socket already closed) has nothing left to release.
  }
}
