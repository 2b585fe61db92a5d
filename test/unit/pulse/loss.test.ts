/**
 * Two pure state machines, a master and a backup, joined by a simulated link that loses 30 %
 * of the heartbeats in each direction and delays each by a random 0.05 to 2 milliseconds
 * (seeded, so a run is repeatable). The network test (test/netns/pulse-loss.test.ts) proves the
 * same for five minutes on a real network; this runs two hours of fast timers in a second.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialState, nextWake, sendIntervalMs, step, type MachineConfig, type PulseAction, type PulseEvent, type PulseState } from '../../../src/pulse/machine.js';

/** xorshift32 is a small seeded generator of numbers in [0, 1). */
function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

interface Router {
  readonly name: 'master' | 'backup';
  state: PulseState;
  activations: number;
  deactivations: number;
}

interface InFlight {
  readonly at: number;
  readonly to: Router;
  readonly event: Extract<PulseEvent, { type: 'heartbeat' }>;
}

/** lossyPair runs both machines until each has sent `heartbeats` heartbeats and returns what they did. */
function lossyPair(timers: Pick<MachineConfig, 'keepaliveMs' | 'deadtimeMs'>, loss: number, heartbeats: number, seed: number): { master: Router; backup: Router; sent: number; lost: number } {
  const random = xorshift32(seed);
  const router = (name: 'master' | 'backup'): Router => ({ name, state: initialState({ role: name, heartbeats: true, forceActive: false, ...timers }), activations: 0, deactivations: 0 });
  const master = router('master');
  const backup = router('backup');
  const flying: InFlight[] = [];
  let sent = 0;
  let lost = 0;
  const apply = (r: Router, e: PulseEvent): void => {
    const { state, actions } = step(r.state, e);
    r.state = state;
    for (const a of actions) perform(r, a, e.now);
  };
  const perform = (r: Router, a: PulseAction, now: number): void => {
    if (a.type === 'activate') r.activations++;
    else if (a.type === 'deactivate' && a.wasActive) r.deactivations++;
    else if (a.type === 'send') {
      sent++;
      if (random() < loss) lost++;
      else flying.push({ at: now + 0.05 + random() * 2, to: r === master ? backup : master, event: { type: 'heartbeat', now: 0, magic: a.magic, peerState: a.state } });
    }
  };
  // The backup starts a random part of an interval after the master.
  apply(master, { type: 'start', now: 0 });
  apply(backup, { type: 'start', now: random() * sendIntervalMs(master.state.config) });
  while (sent < 2 * heartbeats) {
    flying.sort((x, y) => x.at - y.at);
    const next = flying[0];
    const wakeM = nextWake(master.state);
    const wakeB = nextWake(backup.state);
    const t = Math.min(next?.at ?? Infinity, wakeM, wakeB);
    if (next !== undefined && next.at === t) {
      flying.shift();
      apply(next.to, { ...next.event, now: t });
    } else apply(t === wakeM ? master : backup, { type: 'timer', now: t });
  }
  return { master, backup, sent, lost };
}

describe('pulse machine on a lossy link', () => {
  it('30 % loss both ways, deadtime = 3 x keepalive (0.1 / 0.3 s): the master activates once, the backup never, over 500,000 heartbeats each way', () => {
    const r = lossyPair({ keepaliveMs: 100, deadtimeMs: 300 }, 0.3, 500_000, 0x5eed);
    assert.ok(Math.abs(r.lost / r.sent - 0.3) < 0.005, `lost ${r.lost} of ${r.sent}`);
    assert.equal(r.master.activations, 1);
    assert.equal(r.master.deactivations, 0);
    assert.equal(r.backup.activations, 0, `the backup took over ${r.backup.activations} times`);
    assert.equal(r.master.state.active, true);
  });

  it('at 70 % loss the backup does take over falsely (the simulation can tell), and stands down each time it hears the master', () => {
    const r = lossyPair({ keepaliveMs: 100, deadtimeMs: 300 }, 0.7, 50_000, 0x5eed);
    assert.ok(r.backup.activations >= 10, `only ${r.backup.activations} false takeovers`);
    assert.ok(r.backup.deactivations >= r.backup.activations - 1 && r.backup.deactivations <= r.backup.activations, `${r.backup.activations} takeovers, ${r.backup.deactivations} stand-downs`);
    assert.equal(r.master.deactivations, 0, 'master wins: the master never stands down');
  });
});
