/**
 * Sequence numbers and the replay guard: numbers always grow, replays and stale first
 * datagrams are refused, and the window is measured as documented. Runs are reproducible: the
 * seed is FC_SEED when set, else a fixed one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_REPLAY_WINDOW_MS, nextSequence, ReplayGuard } from '../../../src/pulse/replay.js';

const seed = process.env.FC_SEED === undefined || process.env.FC_SEED === '' ? 20240611 : Number(process.env.FC_SEED);

/** T0 is a wall-clock time in milliseconds (2024-06-10T06:13:20Z); µs(ms) is its sequence number. */
const T0 = 1_718_000_000_000;
const us = (ms: number): bigint => BigInt(ms) * 1000n;

describe('nextSequence', () => {
  it('is the wall-clock time in microseconds when that is ahead', () => {
    assert.equal(nextSequence(0n, T0), us(T0));
    assert.equal(nextSequence(us(T0), T0 + 2000), us(T0 + 2000));
    assert.equal(nextSequence(0n, T0 + 0.0015), us(T0) + 1n);
  });

  it('is one more than the last when the clock stands still or went back', () => {
    assert.equal(nextSequence(us(T0), T0), us(T0) + 1n);
    assert.equal(nextSequence(us(T0), T0 - 60_000), us(T0) + 1n);
  });

  it('refuses a reading that is not a time', () => {
    assert.throws(() => nextSequence(0n, Number.NaN), RangeError);
  });

  it('always grows, whatever the clock does', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: us(T0 * 2) }), fc.array(fc.double({ min: 0, max: T0 * 2, noNaN: true })), (start, readings) => {
        let prev = start;
        for (const r of readings) {
          const next = nextSequence(prev, r);
          assert.ok(next > prev);
          assert.ok(next >= BigInt(Math.floor(r * 1000)));
          prev = next;
        }
      }),
      { seed, numRuns: 300 },
    );
  });
});

describe('ReplayGuard', () => {
  it('has a 30 s window by default', () => {
    assert.equal(DEFAULT_REPLAY_WINDOW_MS, 30_000);
    assert.equal(new ReplayGuard().windowMs, 30_000);
    assert.equal(new ReplayGuard({ windowMs: 5000 }).windowMs, 5000);
  });

  it('refuses a window that is not a positive time', () => {
    for (const windowMs of [0, -1, Number.NaN, Infinity]) assert.throws(() => new ReplayGuard({ windowMs }), RangeError);
  });

  it('accepts growing numbers and refuses a repeated or older one as a replay', () => {
    const g = new ReplayGuard();
    assert.equal(g.check('partner', us(T0), T0), 'ok');
    assert.equal(g.check('partner', us(T0 + 2000), T0 + 2000), 'ok');
    assert.equal(g.check('partner', us(T0 + 2000), T0 + 2001), 'replay');
    assert.equal(g.check('partner', us(T0), T0 + 2002), 'replay');
    assert.equal(g.check('partner', us(T0 + 2000) + 1n, T0 + 2003), 'ok');
  });

  it('judges the first datagram from a partner by our clock: within the window or stale', () => {
    const g = new ReplayGuard({ windowMs: 30_000 });
    assert.equal(g.check('a', us(T0 - 30_000), T0), 'ok', 'exactly the window is still fresh');
    assert.equal(g.check('b', us(T0 + 30_000), T0), 'ok');
    assert.equal(g.check('c', us(T0 - 30_001), T0), 'stale');
    assert.equal(g.check('d', us(T0 + 30_001), T0), 'stale');
  });

  it('does not remember a stale datagram, so the partner\'s next fresh one is judged as a first', () => {
    const g = new ReplayGuard();
    assert.equal(g.check('p', us(T0 - 3_600_000), T0), 'stale');
    assert.equal(g.check('p', us(T0 + 2000), T0 + 2000), 'ok');
  });

  it('keeps partners apart', () => {
    const g = new ReplayGuard();
    assert.equal(g.check('p', us(T0 + 10), T0), 'ok');
    assert.equal(g.check('q', us(T0), T0), 'ok');
    assert.equal(g.check('q', us(T0), T0), 'replay');
  });

  it('after a silence longer than the window, refuses a withheld old datagram as stale', () => {
    // A forwarder holds back the partner's datagrams for ten minutes, then delivers them.
    const g = new ReplayGuard();
    assert.equal(g.check('p', us(T0), T0), 'ok');
    const held = us(T0 + 2000);
    assert.equal(g.check('p', held, T0 + 600_000), 'stale');
    assert.equal(g.check('p', us(T0 + 600_000), T0 + 600_000), 'ok');
    assert.equal(g.check('p', held, T0 + 600_001), 'replay');
  });

  it('within the window, accepts a partner whose clock drifted away since the first datagram', () => {
    const g = new ReplayGuard();
    assert.equal(g.check('p', us(T0), T0), 'ok');
    assert.equal(g.check('p', us(T0 + 120_000), T0 + 2000), 'ok');
  });

  it('with a monotonic time, a step of our wall clock between heartbeats does not make the partner stale', () => {
    const g = new ReplayGuard();
    assert.equal(g.check('p', us(T0), T0, 1000), 'ok');
    // Our wall clock jumps an hour ahead; two monotonic seconds later the next heartbeat comes.
    assert.equal(g.check('p', us(T0 + 2000), T0 + 3_600_000, 3000), 'ok');
    // Measured on the wall clock alone, the same step looks like an hour of silence.
    const wallOnly = new ReplayGuard();
    assert.equal(wallOnly.check('p', us(T0), T0), 'ok');
    assert.equal(wallOnly.check('p', us(T0 + 2000), T0 + 3_600_000), 'stale');
  });

  it('refuses a check time that is not a time', () => {
    assert.throws(() => new ReplayGuard().check('p', 1n, Number.NaN), RangeError);
  });

  it('property: a stream numbered by nextSequence is accepted in order, and every re-delivery is a replay', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: -20_000, max: 20_000 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (gaps, skewMs, replays) => {
          const g = new ReplayGuard();
          const sent: bigint[] = [];
          let seq = 0n;
          let now = T0;
          for (const gap of gaps) {
            now += gap;
            seq = nextSequence(seq, now + skewMs);
            sent.push(seq);
            assert.equal(g.check('p', seq, now, now), 'ok');
          }
          for (const i of replays) assert.equal(g.check('p', sent[i % sent.length] as bigint, now, now), 'replay');
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});
