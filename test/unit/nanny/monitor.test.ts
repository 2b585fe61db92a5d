import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialState, loadWeight, parseLoad, runningState, step, threshold, type MonitorAction, type MonitorConfig, type MonitorEvent, type MonitorState } from '../../../src/nanny/monitor.js';

const config = (more: Partial<MonitorConfig> = {}): MonitorConfig => ({
  name: '10.0.0.1:80',
  weight: 100,
  intervalMs: 6000,
  reentryMs: 15000,
  quiesce: false,
  loadMonitor: false,
  scale: 10,
  fall: 1,
  rise: null,
  ...more,
});

/** run feeds events in order and returns the final state and every non-log action. */
function run(c: MonitorConfig, events: MonitorEvent[], from: MonitorState = initialState(c)): { state: MonitorState; actions: MonitorAction[]; logs: string[] } {
  let state = from;
  const actions: MonitorAction[] = [];
  const logs: string[] = [];
  for (const e of events) {
    const r = step(c, state, e);
    state = r.state;
    for (const a of r.actions) if (a.type === 'log') logs.push(a.text);
      else actions.push(a);
  }
  return { state, actions, logs };
}

const ok = (nowMs: number): MonitorEvent => ({ type: 'check', ok: true, reason: 'ok', nowMs });
const fail = (nowMs: number): MonitorEvent => ({ type: 'check', ok: false, reason: 'CONNECT to 10.0.0.1:80 timed out', nowMs });

describe('monitor', () => {
  it('adds the server at its first good check, at max(1, weight >> 5)', () => {
    const r = run(config(), [ok(0)]);
    assert.deepEqual(r.actions, [
      { type: 'add', weight: 3 },
      { type: 'up', weight: 3, reason: 'ok' },
    ]);
    assert.deepEqual(r.logs, ['[ active ] making 10.0.0.1:80 available']);
  });

  it('takes over a server in service at its configured weight: good checks change nothing, one failure removes it', () => {
    const c = config({ weight: 100 });
    const kept = run(c, [ok(6000), ok(12000), ok(40000)], runningState(c, 0));
    assert.deepEqual(kept.actions, []);
    assert.equal(kept.state.weight, 100);
    const lost = run(c, [fail(6000)], runningState(c, 0));
    assert.deepEqual(lost.actions, [{ type: 'delete' }, { type: 'down', reason: 'CONNECT to 10.0.0.1:80 timed out' }]);
  });

  it('removes it after one failed check, with the original log line', () => {
    const r = run(config(), [ok(0), fail(6000)]);
    assert.deepEqual(r.actions.slice(2), [{ type: 'delete' }, { type: 'down', reason: 'CONNECT to 10.0.0.1:80 timed out' }]);
    assert.deepEqual(r.logs.slice(1), ['CONNECT to 10.0.0.1:80 timed out', '[inactive] shutting down 10.0.0.1:80 due to connection failure']);
    assert.equal(r.state.active, false);
  });

  it('needs reentry / interval good checks in a row to return, and a bad one restarts the count', () => {
    const c = config({ intervalMs: 6000, reentryMs: 15000 });
    assert.equal(threshold(c), 2);
    const r = run(c, [ok(0), fail(6), ok(12), fail(18), ok(24)]);
    assert.equal(r.state.active, false);
    const back = run(c, [ok(30)], r.state);
    assert.deepEqual(back.actions, [{ type: 'add', weight: 3 }, { type: 'up', weight: 3, reason: 'ok' }]);
    assert.equal(threshold(config({ intervalMs: 10000, reentryMs: 180000 })), 18);
  });

  it('quiesces to weight 0 instead of deleting, and re-weights the kept entry on return', () => {
    const c = config({ quiesce: true, reentryMs: 6000 });
    const r = run(c, [ok(0), fail(6000), ok(12000)]);
    assert.deepEqual(r.actions, [
      { type: 'add', weight: 3 },
      { type: 'up', weight: 3, reason: 'ok' },
      { type: 'set-weight', weight: 0 },
      { type: 'down', reason: 'CONNECT to 10.0.0.1:80 timed out' },
      { type: 'set-weight', weight: 3 },
      { type: 'up', weight: 3, reason: 'ok' },
    ]);
  });

  it('slow-starts weight 100 as 3, 6, 12, 24, 48, 96, 100, one step about every 20 s', () => {
    const c = config({ intervalMs: 1000 });
    const events = Array.from({ length: 200 }, (_, i) => ok(i * 1000));
    const r = run(c, events);
    const weights = r.actions.flatMap((a) => (a.type === 'add' || a.type === 'set-weight' ? [a.weight] : []));
    assert.deepEqual(weights, [3, 6, 12, 24, 48, 96, 100]);
    const times = events.filter((_, i) => i % 20 === 0).length;
    assert.ok(times >= 7);
  });

  it('adjusts on every check when the interval is longer than 20 s', () => {
    const c = config({ intervalMs: 30_000, reentryMs: 30_000 });
    const r = run(c, [ok(0), ok(30_000), ok(60_000)]);
    assert.deepEqual(r.actions.flatMap((a) => (a.type === 'set-weight' || a.type === 'add' ? [a.weight] : [])), [3, 6, 12]);
  });

  it('asks for a load reading once slow start is over, and applies the load formula', () => {
    const c = config({ weight: 4, loadMonitor: true, intervalMs: 1000 });
    const r = run(c, [ok(0), ok(20_000), ok(40_000), ok(60_000)]);
    assert.deepEqual(r.actions.flatMap((a) => (a.type === 'add' || a.type === 'set-weight' ? [a.weight] : [])), [1, 2, 4]);
    assert.deepEqual(r.actions.at(-1), { type: 'read-load' });
    const lowLoad = step(c, r.state, { type: 'load', load: 0.1, text: 'load average: 0.10', nowMs: 61_000 });
    assert.deepEqual(lowLoad.actions, [{ type: 'set-weight', weight: 5 }, { type: 'weight', weight: 5, reason: 'load 0.1' }]);
    const bad = step(c, r.state, { type: 'load', load: null, text: 'garbage', nowMs: 61_000 });
    assert.deepEqual(bad.actions, [{ type: 'log', text: 'bad load average returned: garbage' }]);
  });

  it('computes the load weight as piranha: only above the configured weight, in steps of at least weight/4', () => {
    const c = config({ weight: 100, scale: 10 });
    assert.equal(loadWeight(c, 100, 1), null);
    assert.equal(loadWeight(c, 100, 0), 150);
    assert.equal(loadWeight(c, 950, 0), 1000);
    assert.equal(loadWeight(c, 150, 9), 100);
    assert.equal(loadWeight(c, 100, 1.01), null);
  });

  it('reads the 1-minute load from uptime and rup output, and refuses ruptime (no colon)', () => {
    assert.equal(parseLoad(' 10:01:02 up 3 days,  2 users,  load average: 0.42, 0.30, 0.20'), 0.42);
    assert.equal(parseLoad('web1  up 3 days, 10:01,  load average: 1.50, 1.00, 0.50'), 1.5);
    assert.equal(parseLoad('web1  up 3+10:01,  2 users,  load 0.07, 0.03, 0.00'), null);
  });

  it('takes a server down only after `fall` failures in a row (extension)', () => {
    const c = config({ fall: 3 });
    const r = run(c, [ok(0), fail(1), fail(2), ok(3), fail(4), fail(5)]);
    assert.equal(r.state.active, true);
    const down = run(c, [fail(6)], r.state);
    assert.equal(down.state.active, false);
  });

  it('returns after `rise` good checks when set (extension)', () => {
    const c = config({ rise: 3, reentryMs: 600_000 });
    const r = run(c, [ok(0), fail(1), ok(2), ok(3)]);
    assert.equal(r.state.active, false);
    assert.equal(run(c, [ok(4)], r.state).state.active, true);
  });

  it('keeps a configured weight of 0 at 0 (piranha made it 1)', () => {
    const r = run(config({ weight: 0 }), [ok(0), ok(30_000)]);
    assert.deepEqual(r.actions, [{ type: 'add', weight: 0 }, { type: 'up', weight: 0, reason: 'ok' }]);
  });

  it('obeys SIGUSR1/SIGUSR2 forcing over check results', () => {
    const c = config();
    const down = run(c, [ok(0), { type: 'force', up: false, nowMs: 1 }, ok(2), ok(3)]);
    assert.equal(down.state.active, false);
    assert.deepEqual(down.logs.slice(1, 2), ['opaque glasses on']);
    const up = run(c, [{ type: 'force', up: true, nowMs: 0 }, fail(1)]);
    assert.equal(up.state.active, true);
    assert.deepEqual(up.logs.slice(0, 1), ['rose-colored glasses on']);
    const released = run(c, [{ type: 'release' }, fail(2)], up.state);
    assert.equal(released.state.active, false);
  });

  it('removes its entry on stop, but leaves a quiesced weight-0 entry in place', () => {
    assert.deepEqual(run(config(), [ok(0), { type: 'stop' }]).actions.at(-1), { type: 'delete' });
    const q = config({ quiesce: true });
    assert.deepEqual(run(q, [ok(0), fail(1), { type: 'stop' }]).actions.at(-1), { type: 'down', reason: 'CONNECT to 10.0.0.1:80 timed out' });
  });
});
