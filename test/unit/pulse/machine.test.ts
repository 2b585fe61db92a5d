import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  holdoffMs,
  initialState,
  nextWake,
  nextWakeDecides,
  sendIntervalMs,
  step,
  type MachineConfig,
  type PulseAction,
  type PulseEvent,
  type PulseState,
} from '../../../src/pulse/machine.js';
import type { PeerState } from '../../../src/pulse/heartbeat.js';

const config = (more: Partial<MachineConfig> = {}): MachineConfig => ({ role: 'master', heartbeats: true, keepaliveMs: 2000, deadtimeMs: 5000, forceActive: false, ...more });

/** run feeds events in order and returns the final state, the actions and the log texts. */
function run(events: PulseEvent[], from: PulseState): { state: PulseState; actions: PulseAction[]; logs: string[] } {
  let state = from;
  const actions: PulseAction[] = [];
  const logs: string[] = [];
  for (const e of events) {
    const r = step(state, e);
    state = r.state;
    for (const a of r.actions)
      if (a.type === 'log') logs.push(a.text);
      else if (a.type !== 'debug') actions.push(a);
  }
  return { state, actions, logs };
}

const started = (c: MachineConfig, now = 0): PulseState => step(initialState(c), { type: 'start', now }).state;
const hb = (now: number, magic: 'lvs-running' | 'lvs-stopped', peerState: PeerState | null = null): PulseEvent => ({ type: 'heartbeat', now, magic, peerState });
const timer = (now: number): PulseEvent => ({ type: 'timer', now });

describe('pulse machine: start', () => {
  it('starts inactive: inactive_cmd and the sync daemon as backup, a heartbeat at once, need timer at deadtime', () => {
    const r = step(initialState(config()), { type: 'start', now: 100 });
    assert.deepEqual(r.actions, [{ type: 'deactivate', wasActive: false }]);
    assert.equal(r.state.active, false);
    assert.equal(r.state.needAt, 5100);
    assert.equal(nextWake(r.state), 100);
    const first = run([timer(100)], r.state);
    assert.deepEqual(first.actions, [{ type: 'send', magic: 'lvs-stopped', state: 'inactive' }]);
    assert.equal(first.state.sendAt, 350);
  });

  it('--forceactive activates at start with the original log line and announces it', () => {
    const r = run([{ type: 'start', now: 0 }], initialState(config({ forceActive: true })));
    assert.deepEqual(r.logs, ['Forced active on startup: activating lvs']);
    assert.deepEqual(r.actions, [{ type: 'deactivate', wasActive: false }, { type: 'activate' }, { type: 'send', magic: 'lvs-running', state: 'active' }]);
    assert.equal(r.state.active, true);
  });

  it('refuses non-positive timers', () => {
    assert.throws(() => initialState(config({ keepaliveMs: 0 })), RangeError);
    assert.throws(() => initialState(config({ deadtimeMs: -1 })), RangeError);
  });

  it('ignores everything but start before start, and everything after terminate', () => {
    const s = initialState(config());
    assert.deepEqual(step(s, timer(10)).actions, []);
    assert.deepEqual(step(s, hb(10, 'lvs-stopped')).actions, []);
    const stopped = run([{ type: 'terminate', now: 1, signal: 15 }], started(config())).state;
    assert.deepEqual(step(stopped, timer(10_000)).actions, []);
    assert.equal(nextWake(stopped), Infinity);
  });
});

describe('pulse machine: heartbeats and timers', () => {
  it('sends every min(keepalive, deadtime / 20) without drift, even when woken late', () => {
    assert.equal(sendIntervalMs(config()), 250);
    assert.equal(sendIntervalMs(config({ keepaliveMs: 100, deadtimeMs: 300 })), 15);
    assert.equal(sendIntervalMs(config({ keepaliveMs: 1000, deadtimeMs: 40_000 })), 1000);
    let s = started(config(), 0);
    const sends: number[] = [];
    for (const now of [0, 253, 500, 625, 750, 1000]) {
      const r = step(s, timer(now));
      if (r.actions.some((a) => a.type === 'send')) sends.push(now);
      s = r.state;
    }
    assert.deepEqual(sends, [0, 253, 500, 750, 1000]);
    assert.equal(s.sendAt, 1250);
    // A stall longer than an interval restarts the schedule from the wake-up.
    s = step(s, timer(4_000)).state;
    assert.equal(s.sendAt, 4_250);
  });

  it('sends nothing and listens to nothing in single-director mode; activates after deadtime', () => {
    const c = config({ heartbeats: false });
    let s = started(c, 0);
    assert.equal(s.sendAt, null);
    assert.equal(nextWake(s), 5000);
    assert.deepEqual(step(s, hb(10, 'lvs-running')).actions, []);
    const r = run([timer(4999), timer(5000)], s);
    assert.deepEqual(r.logs, ['partner dead: activating lvs']);
    assert.deepEqual(r.actions, [{ type: 'activate' }]);
    s = r.state;
    assert.equal(s.active, true);
  });

  it('any valid heartbeat pushes the need timer to now + deadtime; sub-second timers keep their precision', () => {
    const c = config({ keepaliveMs: 100, deadtimeMs: 300 });
    let s = started(c, 0);
    s = step(s, hb(250, 'lvs-running')).state;
    assert.equal(s.needAt, 550);
    const r = run([timer(549.9)], s);
    assert.equal(r.state.active, false);
    assert.deepEqual(run([timer(550)], s).logs, ['partner dead: activating lvs']);
  });

  it('the wake is a decision (timed precisely by the shell) only when the deadtime or the hold-off comes before the next send', () => {
    const c = config({ role: 'backup', keepaliveMs: 100, deadtimeMs: 300 });
    let s = started(c, 0);
    assert.equal(nextWake(s), 0);
    assert.equal(nextWakeDecides(s), false);
    // Sends every 15 ms (deadtime / 20); the partner's last heartbeat came at 0, so its deadline is 300.
    assert.equal(sendIntervalMs(c), 15);
    for (let now = 0; now <= 285; now += 15) s = step(s, timer(now)).state;
    assert.equal(s.sendAt, 300);
    assert.equal(nextWake(s), 300);
    assert.equal(nextWakeDecides(s), true, 'the deadline coincides with a send');
    s = step(s, hb(290, 'lvs-stopped')).state;
    assert.equal(s.holdoffAt, 490);
    assert.equal(nextWakeDecides(s), false, 'a send at 300 comes first');
    for (let now = 300; now <= 480; now += 15) s = step(s, timer(now)).state;
    assert.equal(nextWake(s), 490);
    assert.equal(nextWakeDecides(s), true, 'the hold-off comes before the send at 495');
    const stopped = step(s, { type: 'terminate', now: 485, signal: 15 }).state;
    assert.equal(nextWakeDecides(stopped), false);
    assert.equal(nextWakeDecides(started(config({ heartbeats: false }), 0)), true, 'single-director mode only waits for deadtime');
  });

  it('FOS heartbeats are reported as incompatible and do not count as heartbeats', () => {
    const s = started(config(), 0);
    const r = step(s, hb(1000, 'lvs-running'));
    const fos = step(s, { type: 'heartbeat', now: 1000, magic: 'fos-running', peerState: null });
    assert.deepEqual(
      fos.actions.filter((a) => a.type === 'log'),
      [{ type: 'log', text: 'Incompatible heartbeat received -- other system not using identical services' }],
    );
    assert.equal(fos.state.needAt, 5000);
    assert.equal(r.state.needAt, 6000);
  });

  it('stopme, hold and held count as heartbeats and change nothing else', () => {
    const s = started(config({ role: 'backup' }), 0);
    for (const magic of ['stopme', 'hold', 'held'] as const) {
      const r = run([{ type: 'heartbeat', now: 1000, magic, peerState: null }], s);
      assert.equal(r.state.needAt, 6000);
      assert.equal(r.state.active, false);
      assert.deepEqual(r.actions, []);
    }
  });
});

describe('pulse machine: the event table of §2.4', () => {
  it('master, inactive, hears "stopped": activates at once (backup inactive)', () => {
    const r = run([hb(1000, 'lvs-stopped')], started(config(), 0));
    assert.deepEqual(r.logs, ['backup inactive: activating lvs']);
    assert.deepEqual(r.actions, [{ type: 'activate' }, { type: 'send', magic: 'lvs-running', state: 'active' }]);
  });

  it('backup, inactive, hears a plain "stopped" from the master: waits the hold-off, then activates (primary inactive)', () => {
    const c = config({ role: 'backup' });
    const s = run([hb(1000, 'lvs-stopped')], started(c, 0));
    assert.equal(s.state.active, false);
    assert.equal(s.state.holdoffAt, 1000 + holdoffMs(c));
    assert.equal(holdoffMs(c), 4000);
    // A later "stopped" does not push the hold-off back.
    const again = run([hb(3000, 'lvs-stopped'), timer(4999)], s.state);
    assert.equal(again.state.active, false);
    const r = run([timer(5000)], again.state);
    assert.deepEqual(r.logs, ['primary inactive: activating lvs']);
    assert.equal(r.state.active, true);
  });

  it('backup: the master\'s "running" within the hold-off cancels it', () => {
    const s = run([hb(1000, 'lvs-stopped'), hb(1500, 'lvs-running'), timer(5000)], started(config({ role: 'backup' }), 0));
    assert.equal(s.state.active, false);
    assert.equal(s.state.holdoffAt, null);
    assert.deepEqual(s.logs, []);
  });

  it('backup: a master that says it failed or is stopping is taken over at once', () => {
    for (const peer of ['failed', 'stopping'] as const) {
      const r = run([hb(1000, 'lvs-stopped', peer)], started(config({ role: 'backup' }), 0));
      assert.deepEqual(r.logs, ['primary inactive: activating lvs'], peer);
      assert.equal(r.state.active, true);
    }
  });

  it('hold-off is min(deadtime, 2 x keepalive)', () => {
    assert.equal(holdoffMs(config({ keepaliveMs: 100, deadtimeMs: 150 })), 150);
    assert.equal(holdoffMs(config({ keepaliveMs: 100, deadtimeMs: 300 })), 200);
  });

  it('active backup hears "running": one immediate "running" (so the master re-ARPs), then stands down', () => {
    const active = run([timer(5000)], started(config({ role: 'backup' }), 0)).state;
    assert.equal(active.active, true);
    const r = run([hb(6000, 'lvs-running')], active);
    assert.deepEqual(r.logs, ['partner active: deactivating LVS']);
    assert.deepEqual(r.actions, [{ type: 'send', magic: 'lvs-running', state: 'active' }, { type: 'deactivate', wasActive: true }]);
    assert.equal(r.state.active, false);
  });

  it('active master hears "running": master wins, re-ARPs and stays active', () => {
    const active = run([hb(100, 'lvs-stopped')], started(config(), 0)).state;
    const r = run([hb(2000, 'lvs-running')], active);
    assert.deepEqual(r.logs, ['partner active: resending arps']);
    assert.deepEqual(r.actions, [{ type: 'rearp' }]);
    assert.equal(r.state.active, true);
  });

  it('no automatic failback: an inactive master that hears "running" stays inactive', () => {
    const r = run([hb(1000, 'lvs-running'), timer(2000), hb(3000, 'lvs-running'), timer(7000)], started(config(), 0));
    assert.equal(r.state.active, false);
    assert.deepEqual(r.logs, []);
  });

  it('need timer while active or failed: nothing but a new need timer', () => {
    const active = run([hb(100, 'lvs-stopped')], started(config(), 0)).state;
    const r = run([timer(5100)], active);
    assert.deepEqual(r.logs, []);
    assert.equal(r.state.needAt, 10_100);
  });
});

describe('pulse machine: CHILDFAIL', () => {
  const active = (): PulseState => run([hb(100, 'lvs-stopped')], started(config(), 0)).state;

  it('lvsd exit: logs the original text, deactivates, says "failed" at once, and does not activate again', () => {
    const r = run([{ type: 'child-exit', now: 1000, pid: 42, code: 1, signal: null }], active());
    assert.deepEqual(r.logs, ['Child process 42 exited with status 1']);
    assert.deepEqual(r.actions, [{ type: 'deactivate', wasActive: true }, { type: 'send', magic: 'lvs-stopped', state: 'failed' }]);
    const later = run([hb(2000, 'lvs-stopped'), timer(20_000)], r.state);
    assert.equal(later.state.active, false);
    assert.deepEqual(later.logs, []);
  });

  it('a signal death is logged as such', () => {
    const r = run([{ type: 'child-exit', now: 1000, pid: 42, code: null, signal: 9 }], active());
    assert.deepEqual(r.logs, ['Child process 42 terminated with signal 9']);
  });

  it('a "running" heartbeat clears CHILDFAIL; then the usual rules apply', () => {
    const failed = run([{ type: 'child-exit', now: 1000, pid: 42, code: 1, signal: null }], active()).state;
    const r = run([hb(1500, 'lvs-running'), hb(3000, 'lvs-stopped')], failed);
    assert.equal(r.state.childFail, false);
    assert.deepEqual(r.logs, ['backup inactive: activating lvs']);
  });
});

describe('pulse machine: LINKFAIL', () => {
  it('a link going down names it, disables pulse, and an active node deactivates and says "failed"', () => {
    const active = run([hb(100, 'lvs-stopped')], started(config(), 0)).state;
    const r = run([{ type: 'links', now: 500, down: ['Primary'] }], active);
    assert.deepEqual(r.logs, ['Primary NIC: link down', 'Local NIC link failure: Pulse disabled', 'local link failure: deactivating LVS']);
    assert.deepEqual(r.actions, [{ type: 'deactivate', wasActive: true }, { type: 'send', magic: 'lvs-stopped', state: 'failed' }]);
    const more = run([{ type: 'links', now: 600, down: ['Primary', 'Private'] }, timer(20_000), hb(21_000, 'lvs-stopped')], r.state);
    assert.deepEqual(more.logs, ['Private NIC: link down']);
    assert.equal(more.state.active, false);
    const back = run([{ type: 'links', now: 22_000, down: [] }], more.state);
    assert.deepEqual(back.logs, ['Local NIC link(s) restored: Pulse enabled']);
    assert.equal(back.state.linkFail, false);
    assert.equal(back.state.active, false, 'no re-activation on restore itself');
    assert.deepEqual(run([hb(22_500, 'lvs-stopped')], back.state).logs, ['backup inactive: activating lvs']);
  });

  it('an all-up report without a failure says nothing', () => {
    assert.deepEqual(run([{ type: 'links', now: 1, down: [] }], started(config(), 0)).logs, []);
  });
});

describe('pulse machine: terminate', () => {
  it('active: logs, takes the VIPs down first, says "stopping", then deactivates and exits 0', () => {
    const active = run([hb(100, 'lvs-stopped')], started(config(), 0)).state;
    const r = run([{ type: 'terminate', now: 1000, signal: 15 }], active);
    assert.deepEqual(r.logs, ['Terminating due to signal 15']);
    assert.deepEqual(r.actions, [
      { type: 'release-vips' },
      { type: 'send', magic: 'lvs-stopped', state: 'stopping' },
      { type: 'deactivate', wasActive: true },
      { type: 'exit', code: 0 },
    ]);
  });

  it('inactive, single director: no VIPs to release, no heartbeat', () => {
    const r = run([{ type: 'terminate', now: 1000, signal: 2 }], started(config({ heartbeats: false }), 0));
    assert.deepEqual(r.actions, [{ type: 'deactivate', wasActive: false }, { type: 'exit', code: 0 }]);
  });
});

/**
 * A pair of machines on a simulated network: heartbeats take `latency` ms and are dropped while
 * the receiver has not started or has died. Returns the intervals in which each was active.
 */
interface PairRun {
  overlapMs: number;
  activeAtEnd: { master: boolean; backup: boolean };
  activatedAt: { master: number[]; backup: number[] };
}

function simulatePair(opts: { keepaliveMs: number; deadtimeMs: number; startMaster: number; startBackup: number; latency: (n: number) => number; masterDiesAt?: number; endAt: number }): PairRun {
  const nodes = {
    master: initialState(config({ role: 'master', keepaliveMs: opts.keepaliveMs, deadtimeMs: opts.deadtimeMs })),
    backup: initialState(config({ role: 'backup', keepaliveMs: opts.keepaliveMs, deadtimeMs: opts.deadtimeMs })),
  };
  type Name = keyof typeof nodes;
  const other = (n: Name): Name => (n === 'master' ? 'backup' : 'master');
  const queue: Array<{ at: number; to: Name; event: PulseEvent }> = [
    { at: opts.startMaster, to: 'master', event: { type: 'start', now: opts.startMaster } },
    { at: opts.startBackup, to: 'backup', event: { type: 'start', now: opts.startBackup } },
  ];
  const dead = (n: Name, at: number): boolean => n === 'master' && opts.masterDiesAt !== undefined && at >= opts.masterDiesAt;
  const activatedAt = { master: [] as number[], backup: [] as number[] };
  let both: number | null = null;
  let overlapMs = 0;
  let sent = 0;
  const wakes: Record<Name, number> = { master: Infinity, backup: Infinity };
  let now = 0;
  while (now < opts.endAt) {
    const nextTimer = Math.min(wakes.master, wakes.backup);
    queue.sort((a, b) => a.at - b.at);
    const nextMsg = queue[0]?.at ?? Infinity;
    now = Math.min(nextTimer, nextMsg, opts.endAt);
    if (now >= opts.endAt) break;
    let to: Name;
    let event: PulseEvent;
    if (nextMsg <= nextTimer) {
      const m = queue.shift() as (typeof queue)[number];
      to = m.to;
      event = m.event;
    } else {
      to = wakes.master <= wakes.backup ? 'master' : 'backup';
      event = { type: 'timer', now };
    }
    if (dead(to, now)) {
      wakes[to] = Infinity;
      nodes[to] = { ...nodes[to], active: false };
    } else {
      if (event.type === 'heartbeat' && !nodes[to].started) continue;
      const r = step(nodes[to], event);
      nodes[to] = r.state;
      for (const a of r.actions) {
        if (a.type === 'activate') activatedAt[to].push(now);
        if (a.type === 'send' && !dead(to, now)) queue.push({ at: now + opts.latency(sent++), to: other(to), event: { type: 'heartbeat', now: now + opts.latency(sent - 1), magic: a.magic, peerState: a.state } });
      }
      wakes[to] = nextWake(nodes[to]);
    }
    if (dead('master', now)) nodes.master = { ...nodes.master, active: false };
    const overlap = nodes.master.active && nodes.backup.active;
    if (overlap && both === null) both = now;
    if (!overlap && both !== null) {
      overlapMs += now - both;
      both = null;
    }
  }
  if (both !== null) overlapMs += opts.endAt - both;
  return { overlapMs, activeAtEnd: { master: nodes.master.active, backup: nodes.backup.active }, activatedAt };
}

describe('pulse machine: a simulated pair', () => {
  const timers = fc.constantFrom({ keepaliveMs: 2000, deadtimeMs: 5000 }, { keepaliveMs: 100, deadtimeMs: 300 }, { keepaliveMs: 50, deadtimeMs: 150 }, { keepaliveMs: 1000, deadtimeMs: 10_000 });

  it('whatever the start order and delays (latency below keepalive/4), exactly one ends active and both are never active at once', () => {
    fc.assert(
      fc.property(timers, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 16 }), (t, a, b, lat) => {
        const span = 3 * t.deadtimeMs;
        const r = simulatePair({
          ...t,
          startMaster: a * span,
          startBackup: b * span,
          latency: (n) => (lat[n % lat.length] as number) * (t.keepaliveMs / 4),
          endAt: 8 * t.deadtimeMs,
        });
        assert.equal(r.overlapMs, 0);
        assert.equal(r.activeAtEnd.master !== r.activeAtEnd.backup, true, JSON.stringify(r));
      }),
      { numRuns: 400 },
    );
  });

  it('the master wins a simultaneous start; the backup takes over within deadtime of the master\'s last heartbeat', () => {
    fc.assert(
      fc.property(timers, fc.double({ min: 0, max: 1, noNaN: true }), (t, when) => {
        const diesAt = 2 * t.deadtimeMs + when * 2 * t.deadtimeMs;
        const r = simulatePair({ ...t, startMaster: 0, startBackup: 0, latency: () => 1, masterDiesAt: diesAt, endAt: diesAt + 2 * t.deadtimeMs });
        assert.equal(r.activatedAt.master.length, 1);
        assert.equal(r.activeAtEnd.backup, true);
        const takeover = r.activatedAt.backup[0] as number;
        // The last heartbeat the backup heard left the master at most one keepalive before its death.
        assert.ok(takeover > diesAt, `${takeover} > ${diesAt}`);
        assert.ok(takeover <= diesAt + t.deadtimeMs + 1, `${takeover} <= ${diesAt} + ${t.deadtimeMs}`);
        assert.ok(takeover >= diesAt - t.keepaliveMs + t.deadtimeMs, `${takeover} >= ${diesAt - t.keepaliveMs + t.deadtimeMs}`);
      }),
      { numRuns: 200 },
    );
  });
});
