import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { systemClock } from '../../src/clock.js';

/** runTimers starts timers of a few milliseconds at once and resolves with how early each ran (negative: late). */
function runTimers(precise: boolean): Promise<number[]> {
  return Promise.all(
    Array.from(
      { length: 20 },
      (_, i) =>
        new Promise<number>((resolve) => {
          const delay = 1 + (i % 5) * 0.7;
          const start = performance.now();
          systemClock.setTimer(delay, () => resolve(delay - (performance.now() - start)), { precise });
        }),
    ),
  );
}

describe('systemClock', () => {
  it('never runs a timer before its time, precise or not', async () => {
    for (const precise of [false, true]) {
      const early = (await runTimers(precise)).filter((e) => e > 0);
      assert.deepEqual(early, [], `precise: ${precise}`);
    }
  });

  it('a cancelled timer does not run, precise or not', async () => {
    let ran = 0;
    for (const precise of [false, true]) systemClock.setTimer(2, () => ran++, { precise }).cancel();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(ran, 0);
  });
});
