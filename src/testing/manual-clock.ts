/** ManualClock: a Clock that moves only when a test advances it. */
import type { Clock } from '../nanny/clock.js';

interface Timer {
  at: number;
  fn: () => void;
  id: number;
}

/** ManualClock fires timers in time order as the test advances it, letting promises settle in between. */
export class ManualClock implements Clock {
  private current = 0;
  private timers: Timer[] = [];
  private nextId = 1;

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): unknown {
    const t = { at: this.current + Math.max(0, ms), fn, id: this.nextId++ };
    this.timers.push(t);
    return t.id;
  }

  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** sleep resolves when the clock reaches now + ms. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }

  /** advance moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    await settle();
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.fn();
      await settle();
    }
    this.current = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
