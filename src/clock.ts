/**
 * Time as a dependency: the announcer reads the time and sets timers only through a Clock, so
 * tests drive a manual one and never sleep.
 */
import { performance } from 'node:perf_hooks';

/** Timer is a scheduled callback that can still be cancelled. */
export interface Timer {
  cancel(): void;
}

/** TimerOptions tune one timer. */
export interface TimerOptions {
  /**
   * precise asks for the callback within a small fraction of a millisecond of its time, instead
   * of up to a millisecond or two late; the real clock pays for it with a busy event loop during
   * the last PRECISE_WINDOW_MS. For the rare timers whose lateness is a figure (a failover
   * decision), not for periodic ones.
   */
  readonly precise?: boolean;
}

/** Clock gives monotonic milliseconds and one-shot timers. */
export interface Clock {
  /** now is a monotonic time in milliseconds (its origin is the clock's business). */
  now(): number;
  /** setTimer runs `fn` once after `delayMs` milliseconds (never earlier), unless cancelled first. */
  setTimer(delayMs: number, fn: () => void, options?: TimerOptions): Timer;
}

/**
 * PRECISE_WINDOW_MS is how long before its time a precise timer of the real clock starts
 * polling: setTimeout waits at least a whole millisecond and may fire up to one early, so
 * anything shorter than two cannot be left to it.
 */
const PRECISE_WINDOW_MS = 2;

/**
 * systemClock is the real clock: performance.now() and setTimeout. setTimeout counts on the
 * event loop's millisecond clock and may fire up to a millisecond early by performance.now();
 * such a timer is re-armed for the rest, so a timer never runs before its time, and runs up to
 * a millisecond or two late. A precise timer is armed to fire half PRECISE_WINDOW_MS early and,
 * within PRECISE_WINDOW_MS of its time, checks the time on every turn of the event loop
 * (setImmediate), I/O still being served in between.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer: (delayMs, fn, options = {}) => {
    const due = performance.now() + Math.max(0, delayMs);
    const precise = options.precise === true;
    let t: NodeJS.Timeout | undefined;
    let poll: NodeJS.Immediate | undefined;
    const check = (): void => {
      const left = due - performance.now();
      if (left <= 0) fn();
      else if (precise && left <= PRECISE_WINDOW_MS) poll = setImmediate(check);
      else arm(precise ? left - PRECISE_WINDOW_MS / 2 : Math.ceil(left));
    };
    const arm = (ms: number): void => {
      t = setTimeout(check, ms);
    };
    arm(Math.max(0, precise ? delayMs - PRECISE_WINDOW_MS / 2 : delayMs));
    return {
      cancel: () => {
        clearTimeout(t);
        clearImmediate(poll);
      },
    };
  },
};
