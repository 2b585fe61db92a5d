import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, it } from 'node:test';
import type { MonitorConfig } from '../../../src/nanny/monitor.js';
import { MonitorPool, type CheckOutcome, type PoolTarget, type StateChange } from '../../../src/nanny/pool.js';
import { Schedule } from '../../../src/nanny/schedule.js';
import { ManualClock } from '../../../src/testing/manual-clock.js';

const config = (name: string, more: Partial<MonitorConfig> = {}): MonitorConfig => ({ name, weight: 1, intervalMs: 1000, reentryMs: 1000, quiesce: false, loadMonitor: false, scale: 10, fall: 1, rise: null, ...more });

function setup(options: { concurrency?: number; spread?: boolean } = {}) {
  const clock = new ManualClock();
  const applied: string[] = [];
  const logs: string[] = [];
  const pool = new MonitorPool({
    clock,
    handlers: {
      apply: (t, a) => {
        applied.push(`${t.id} ${a.type}${'weight' in a ? ` ${a.weight}` : ''}`);
        return Promise.resolve();
      },
      log: (t, text) => logs.push(`${t.id}: ${text}`),
    },
    ...options,
    random: () => 0.5,
  });
  const changes: StateChange[] = [];
  pool.on('change', (c) => changes.push(c));
  return { clock, pool, applied, logs, changes };
}

describe('Schedule', () => {
  it('pops ids in due order and re-schedules in place', () => {
    const s = new Schedule();
    for (const [id, due] of [['a', 30], ['b', 10], ['c', 20], ['d', 40]] as const) s.set(id, due);
    s.set('d', 5);
    s.delete('c');
    assert.deepEqual(popAll(s, 30), ['d', 'b', 'a']);
    assert.equal(s.nextDue(), null);
  });

  it('agrees with a sorted list under any sequence of set, delete and pop', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), id: fc.integer({ min: 0, max: 12 }), due: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ kind: fc.constant('delete' as const), id: fc.integer({ min: 0, max: 12 }) }),
      fc.record({ kind: fc.constant('pop' as const), now: fc.integer({ min: 0, max: 50 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const s = new Schedule();
        const model = new Map<string, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            s.set(String(o.id), o.due);
            model.set(String(o.id), o.due);
          } else if (o.kind === 'delete') {
            s.delete(String(o.id));
            model.delete(String(o.id));
          } else {
            const popped: Array<[string, number]> = [];
            s.popDue(o.now, (id, due) => popped.push([id, due]));
            const want = [...model].filter(([, due]) => due <= o.now);
            for (const [id] of want) model.delete(id);
            assert.deepEqual(popped.map(([, due]) => due), want.map(([, due]) => due).sort((a, b) => a - b));
            assert.deepEqual(new Set(popped.map(([id]) => id)), new Set(want.map(([id]) => id)));
          }
          assert.equal(s.size, model.size);
          assert.equal(s.nextDue(), model.size === 0 ? null : Math.min(...model.values()));
        }
      }),
    );
  });
});

function popAll(s: Schedule, now: number): string[] {
  const ids: string[] = [];
  s.popDue(now, (id) => ids.push(id));
  return ids;
}

describe('MonitorPool', () => {
  it('checks each target once per interval on a fixed cadence, even when checks take time', async () => {
    const { clock, pool } = setup();
    const starts: number[] = [];
    pool.add({
      id: 'a',
      config: config('10.0.0.1:80'),
      check: async () => {
        starts.push(clock.now());
        await clock.sleep(300);
        return { ok: true, reason: 'ok' };
      },
    });
    await clock.advance(3500);
    assert.deepEqual(starts, [0, 1000, 2000, 3000]);
  });

  it('runs an overrunning check again at once, without piling up', async () => {
    const { clock, pool } = setup();
    const starts: number[] = [];
    pool.add({ id: 'a', config: config('x'), check: async () => { starts.push(clock.now()); await clock.sleep(1500); return { ok: true, reason: 'ok' }; } });
    await clock.advance(4000);
    assert.deepEqual(starts, [0, 1500, 3000]);
  });

  it('turns check results into table actions and change events through the monitor', async () => {
    const { clock, pool, applied, changes } = setup();
    const results: CheckOutcome[] = [{ ok: true, reason: 'ok' }, { ok: false, reason: 'CONNECT to 10.0.0.1:80 timed out' }, { ok: true, reason: 'ok' }];
    pool.add({ id: 'a', config: config('10.0.0.1:80'), check: () => Promise.resolve(results.shift() ?? { ok: true, reason: 'ok' }) });
    await clock.advance(2500);
    assert.deepEqual(applied, ['a add 1', 'a delete', 'a add 1']);
    assert.deepEqual(changes.map((c) => `${c.state} ${c.weight}`), ['up 1', 'down 0', 'up 1']);
  });

  it('starts a target added as running from up: no add and no up event until something changes', async () => {
    const { clock, pool, applied, changes } = setup();
    const results: CheckOutcome[] = [{ ok: true, reason: 'ok' }, { ok: false, reason: 'refused' }];
    pool.add({ id: 'a', config: config('10.0.0.1:80', { weight: 5 }), check: () => Promise.resolve(results.shift() ?? { ok: true, reason: 'ok' }) }, true);
    await clock.advance(1500);
    assert.deepEqual(applied, ['a delete']);
    assert.deepEqual(changes.map((c) => `${c.state} ${c.weight}`), ['down 0']);
  });

  it('keeps at most `concurrency` checks in flight', async () => {
    const { clock, pool } = setup({ concurrency: 2 });
    let running = 0;
    let most = 0;
    for (let i = 0; i < 6; i++)
      pool.add({ id: `t${i}`, config: config(`t${i}`), check: async () => { running++; most = Math.max(most, running); await clock.sleep(100); running--; return { ok: true, reason: 'ok' }; } });
    await clock.advance(999);
    assert.equal(most, 2);
    assert.equal(pool.checks, 6);
  });

  it('spreads first checks over the first interval when asked', async () => {
    const { clock, pool } = setup({ spread: true });
    const starts: number[] = [];
    pool.add({ id: 'a', config: config('a'), check: () => { starts.push(clock.now()); return Promise.resolve({ ok: true, reason: 'ok' }); } });
    await clock.advance(1600);
    assert.deepEqual(starts, [500, 1500]);
  });

  it('removes a target with its stop actions, and logs a failed table change without stopping', async () => {
    const clock = new ManualClock();
    const logs: string[] = [];
    let fail = true;
    const pool = new MonitorPool({
      clock,
      handlers: {
        apply: () => (fail ? Promise.reject(new Error('no such service')) : Promise.resolve()),
        log: (_t, text) => logs.push(text),
      },
    });
    const target: PoolTarget = { id: 'a', config: config('10.0.0.1:80'), check: () => Promise.resolve({ ok: true, reason: 'ok' }) };
    pool.add(target);
    await clock.advance(10);
    assert.ok(logs.includes('failed to add 10.0.0.1:80: no such service'), logs.join('\n'));
    fail = false;
    await clock.advance(1000);
    await pool.stop();
    assert.equal(pool.size, 0);
  });

  it('aborts the check in flight of a removed target, and its late result does not reach the target added again under its id', async () => {
    const { clock, pool, changes } = setup();
    const signals: AbortSignal[] = [];
    const hanging: PoolTarget = {
      id: 'a',
      config: config('10.0.0.1:80'),
      check: (signal) => {
        signals.push(signal);
        // It settles 5 ms after the abort, as a socket's close may: by then the id is in use again.
        return new Promise((resolve) => signal.addEventListener('abort', () => clock.setTimer(5, () => resolve({ ok: true, reason: 'late' })), { once: true }));
      },
    };
    pool.add(hanging);
    await clock.advance(1);
    assert.equal(signals.length, 1);
    const fresh: PoolTarget = { id: 'a', config: config('10.0.0.1:80'), check: () => Promise.resolve({ ok: false, reason: 'refused' }) };
    await pool.remove('a');
    assert.equal(signals[0]?.aborted, true);
    pool.add(fresh);
    await clock.advance(10);
    assert.deepEqual(changes.map((c) => c.reason), [], 'neither the late success nor the first failure of a new target is a change');
    await pool.stop();
  });
});
