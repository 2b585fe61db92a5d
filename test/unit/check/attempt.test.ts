/**
 * Attempt, the bounded-check helper, on a manual clock: one deadline, one result, every
 * cleanup run exactly once, and the abort signal let go of afterwards.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Attempt } from '../../../src/check/attempt.js';
import { hostPort, Reasons } from '../../../src/check/result.js';
import { ManualClock } from '../../../src/testing/manual-clock.js';

describe('Attempt', () => {
  it('settles at the deadline with what onDeadline says, and measures on the clock', async () => {
    const clock = new ManualClock();
    const a = new Attempt(clock, 500, undefined, () => ['read-timeout', 'late']);
    await clock.advance(499);
    assert.equal(a.settled, false);
    await clock.advance(1);
    assert.deepEqual(await a.done, { ok: false, code: 'read-timeout', reason: 'late', durationMs: 500, bytesRead: 0 });
  });

  it('keeps the first result and runs each cleanup once, cancelling the deadline', async () => {
    const clock = new ManualClock();
    let cleaned = 0;
    const a = new Attempt(clock, 500, undefined, () => ['read-timeout', 'late']);
    a.onCleanup(() => cleaned++);
    a.onCleanup(() => {
      throw new Error('already closed');
    });
    a.bytesRead = 7;
    await clock.advance(20);
    a.finish('ok', 'fine');
    a.finish('mismatch', 'too late');
    await clock.advance(1000);
    assert.deepEqual(await a.done, { ok: true, code: 'ok', reason: 'fine', durationMs: 20, bytesRead: 7 });
    assert.equal(cleaned, 1);
    assert.equal(clock.pending(), 0);
    a.onCleanup(() => cleaned++);
    assert.equal(cleaned, 2, 'a cleanup registered after the result runs at once');
  });

  it('settles as aborted on the signal and removes its listener', async () => {
    const clock = new ManualClock();
    const ac = new AbortController();
    const a = new Attempt(clock, 500, ac.signal, () => ['read-timeout', 'late']);
    ac.abort();
    assert.equal((await a.done).code, 'aborted');
    const b = new Attempt(clock, 500, ac.signal, () => ['read-timeout', 'late']);
    assert.equal(b.settled, true, 'an already aborted signal settles at once');
  });

  it('lets go of the abort listener when it settles otherwise', () => {
    const clock = new ManualClock();
    const ac = new AbortController();
    let removed = 0;
    const signal = ac.signal;
    const remove = signal.removeEventListener.bind(signal);
    signal.removeEventListener = (...args: Parameters<AbortSignal['removeEventListener']>) => {
      removed++;
      remove(...args);
    };
    const a = new Attempt(clock, 500, signal, () => ['read-timeout', 'late']);
    a.finish('ok', 'fine');
    assert.equal(removed, 1);
  });
});

describe('Reasons', () => {
  it('writes nanny\u2019s texts, IPv6 in brackets', () => {
    assert.equal(Reasons.connectTimedOut('10.0.0.1', 80), 'CONNECT to 10.0.0.1:80 timed out');
    assert.equal(Reasons.tooShort('10.0.0.1', 25, 1, 3), 'READ from 10.0.0.1:25 was too short[1>=3]');
    assert.equal(Reasons.writeFailed('10.0.0.1', 25, { code: 'EPIPE' }), 'WRITE operation for 10.0.0.1:25 returned error: Broken pipe');
    assert.equal(Reasons.readFailed({ code: 'ECONNREFUSED' }), 'READ returned error 111:Connection refused');
    assert.equal(hostPort('2001:db8::1', 443), '[2001:db8::1]:443');
    assert.equal(Reasons.readFailed(new Error('odd')), 'READ returned error 5:Input/output error');
  });
});
