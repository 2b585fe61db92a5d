/**
 * Time as a dependency: the announcer reads the time and sets timers only through a Clock, so
 * tests drive a manual one and never sleep.
 */
import { performance } from 'node:perf_hooks';

/** Timer is a scheduled callback that can still be cancelled. */
export interface Timer {
  cancel(): void;
}

/** Clock gives monotonic milliseconds and one-shot timers. */
export interface Clock {
  /** now is a monotonic time in milliseconds (its origin is the clock's business). */
  now(): number;
  /** setTimer runs `fn` once after `delayMs` milliseconds, unless cancelled first. */
  setTimer(delayMs: number, fn: () => void): Timer;
}

/**
 * systemClock is the real clock: performance.now() and setTimeout. setTimeout counts on the
 * event loop's millisecond clock and may fire up to a millisecond early by performance.now();
 * such a timer is re-armed for the rest, so a timer never runs before its time.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer: (delayMs, fn) => {
    const due = performance.now() + Math.max(0, delayMs);
    let t: NodeJS.Timeout;
    const arm = (ms: number): void => {
      t = setTimeout(() => {
        const left = due - performance.now();
        if (left > 0) arm(Math.ceil(left));
        else fn();
      }, ms);
    };
    arm(Math.max(0, delayMs));
    return { cancel: () => clearTimeout(t) };
  },
};
