/**
 * pulse's failover state machine (reference piranha.md §2.4), pure: `step(state, event)` returns
 * the next state and the actions the shell performs, in order. Times are milliseconds of an
 * injected monotonic clock; the shell wakes the machine at `nextWake(state)` with a `timer` event.
 *
 * Kept from piranha 0.8.6: the roles, "master wins" when both are active, no automatic failback
 * (a returning master stays passive until --forceactive), CHILDFAIL (a node whose lvsd died does
 * not activate again until it hears a "running" heartbeat), LINKFAIL, single-director mode, the
 * log texts. Changed on purpose:
 *
 * - Timers have sub-second precision, and the send timer does not drift (it advances from its
 *   due time, not from when it ran).
 * - Heartbeats go out every min(keepalive, deadtime / 20), not every keepalive: the partner then
 *   declares us dead only after some twenty heartbeats in a row were lost, so a lossy link (30 %
 *   loss: 0.3^19, about 1e-10 per heartbeat) does not fake a failure. With ten per deadtime it
 *   was about 1e-5 per heartbeat, 0.3^9 and a race with the tenth: a false failover every few
 *   hours at fast timers, every day or two at keepalive 2 / deadtime 5. The price: when a
 *   director dies its last heartbeat is at most deadtime / 20 old, so the takeover comes 0.95 to
 *   1 deadtime after the death (piranha: from deadtime - keepalive to deadtime). An original
 *   pulse does not mind the extra heartbeats (it resets its timer on each).
 * - Simultaneous start: piranha's backup activated on the master's first "stopped" heartbeat
 *   while the master did the same on the backup's, so both were active until the next heartbeat.
 *   Here a backup that hears "stopped" from the master waits a hold-off of min(deadtime,
 *   2 x keepalive) for the master to activate (the master activates at once on the backup's
 *   "stopped", so its "running" arrives within one keepalive), and activates only if the master
 *   stayed inactive. A master whose extended heartbeat says it cannot activate (CHILDFAIL,
 *   LINKFAIL) or is stopping is taken over at once. The master never waits. So there is no
 *   window in which both are active, whatever the start order.
 * - State changes are announced at once: an immediate heartbeat on activation, on a failure
 *   (CHILDFAIL, LINKFAIL) and on stop, so the partner does not wait for the next keepalive. A
 *   clean stop sends "stopped" with the state `stopping`, and the partner takes over at once.
 */
import type { PeerState } from './heartbeat.js';

/** Role is fixed at start: master when this node owns the `primary` address. */
export type Role = 'master' | 'backup';

/** MachineConfig is what the machine needs of lvs.cf and the command line. */
export interface MachineConfig {
  readonly role: Role;
  /** heartbeats is backup_active = 1: heartbeats are sent and received. */
  readonly heartbeats: boolean;
  readonly keepaliveMs: number;
  readonly deadtimeMs: number;
  /** forceActive is --forceactive: activate at start. */
  readonly forceActive: boolean;
}

/** PulseState is the machine's whole state. */
export interface PulseState {
  readonly config: MachineConfig;
  readonly started: boolean;
  readonly active: boolean;
  readonly linkFail: boolean;
  readonly childFail: boolean;
  readonly stopped: boolean;
  /** sendAt is when the next heartbeat is due (null without heartbeats). */
  readonly sendAt: number | null;
  /** needAt is when the partner is declared dead unless a heartbeat arrives first. */
  readonly needAt: number;
  /** holdoffAt is when a backup that heard "stopped" from the master activates, unless the master does first. */
  readonly holdoffAt: number | null;
  /** downLinks are the failed links, by name ('Primary', 'Private'), as last reported. */
  readonly downLinks: readonly string[];
}

/** HeartbeatMagic is the part of a heartbeat the machine acts on. */
export type HeartbeatMagic = 'lvs-running' | 'lvs-stopped' | 'fos-running' | 'fos-stopped' | 'stopme' | 'hold' | 'held';

/** PulseEvent is everything that can happen to pulse. */
export type PulseEvent =
  | { readonly type: 'start'; readonly now: number }
  | { readonly type: 'timer'; readonly now: number }
  /** heartbeat is a valid heartbeat from the partner; `peerState` comes from an extended heartbeat, null from a plain one. */
  | { readonly type: 'heartbeat'; readonly now: number; readonly magic: HeartbeatMagic; readonly peerState: PeerState | null }
  /** child-exit is the end of lvsd (the HA child), or its failure to become ready. */
  | { readonly type: 'child-exit'; readonly now: number; readonly pid: number; readonly code: number | null; readonly signal: number | null }
  /** links reports which monitored links are down, by name ('Primary', 'Private'); empty when all are up. */
  | { readonly type: 'links'; readonly now: number; readonly down: readonly string[] }
  | { readonly type: 'terminate'; readonly now: number; readonly signal: number };

/** PulseAction is something the shell does, in the order given. */
export type PulseAction =
  | { readonly type: 'log'; readonly text: string }
  | { readonly type: 'debug'; readonly text: string }
  /** send sends one heartbeat on every channel. */
  | { readonly type: 'send'; readonly magic: 'lvs-running' | 'lvs-stopped'; readonly state: PeerState }
  /** activate runs active_cmd, starts lvsd, the sync daemon as master, and brings up and announces the VIPs. */
  | { readonly type: 'activate' }
  /** release-vips takes the VIPs down now (first thing on a stop, so the partner can take them at once). */
  | { readonly type: 'release-vips' }
  /** deactivate runs inactive_cmd and the sync daemon as backup; when `wasActive` also stops lvsd and takes the VIPs down. */
  | { readonly type: 'deactivate'; readonly wasActive: boolean }
  /** rearp runs active_cmd again and announces every VIP again ("master wins"). */
  | { readonly type: 'rearp' }
  | { readonly type: 'exit'; readonly code: number };

/** StepResult is a transition. */
export interface StepResult {
  readonly state: PulseState;
  readonly actions: readonly PulseAction[];
}

/** holdoffMs is how long a backup waits for an inactive master to activate: min(deadtime, 2 x keepalive). */
export function holdoffMs(c: MachineConfig): number {
  return Math.min(c.deadtimeMs, 2 * c.keepaliveMs);
}

/** HEARTBEATS_PER_DEADTIME is how many heartbeats are sent per deadtime, at least. */
export const HEARTBEATS_PER_DEADTIME = 20;

/** sendIntervalMs is the time between two heartbeats: min(keepalive, deadtime / HEARTBEATS_PER_DEADTIME). */
export function sendIntervalMs(c: MachineConfig): number {
  return Math.min(c.keepaliveMs, c.deadtimeMs / HEARTBEATS_PER_DEADTIME);
}

/** initialState is the state before the `start` event. */
export function initialState(config: MachineConfig): PulseState {
  if (!(config.keepaliveMs > 0) || !(config.deadtimeMs > 0)) throw new RangeError('keepalive and deadtime must be positive');
  return { config, started: false, active: false, linkFail: false, childFail: false, stopped: false, sendAt: null, needAt: Infinity, holdoffAt: null, downLinks: [] };
}

/** nextWake is when the shell must send a `timer` event (Infinity when nothing is pending). */
export function nextWake(s: PulseState): number {
  if (!s.started || s.stopped) return Infinity;
  return Math.min(s.sendAt ?? Infinity, s.needAt, s.holdoffAt ?? Infinity);
}

/**
 * nextWakeDecides tells whether the next wake is a deadline that can activate (the partner's
 * deadtime or the hold-off) rather than only a heartbeat to send: the shell times those
 * precisely, since their lateness adds to the failover time.
 */
export function nextWakeDecides(s: PulseState): boolean {
  const at = nextWake(s);
  return at !== Infinity && (at === s.needAt || at === s.holdoffAt);
}

/** peerStateOf is what our heartbeats say of us. */
export function peerStateOf(s: PulseState): PeerState {
  if (s.stopped) return 'stopping';
  if (s.active) return 'active';
  return s.linkFail || s.childFail ? 'failed' : 'inactive';
}

function heartbeat(s: PulseState): PulseAction[] {
  if (!s.config.heartbeats) return [];
  return [{ type: 'debug', text: 'Sending heartbeat...' }, { type: 'send', magic: s.active ? 'lvs-running' : 'lvs-stopped', state: peerStateOf(s) }];
}

/** canActivate is piranha's guard: not active, no LINKFAIL, no CHILDFAIL. */
function canActivate(s: PulseState): boolean {
  return !s.active && !s.linkFail && !s.childFail && !s.stopped;
}

function activate(s: PulseState, why: string): StepResult {
  const next: PulseState = { ...s, active: true, holdoffAt: null };
  return { state: next, actions: [{ type: 'log', text: why }, { type: 'activate' }, ...heartbeat(next)] };
}

/** step applies one event. */
export function step(s: PulseState, e: PulseEvent): StepResult {
  if (s.stopped) return { state: s, actions: [] };
  switch (e.type) {
    case 'start':
      return start(s, e.now);
    case 'timer':
      return s.started ? timers(s, e.now) : { state: s, actions: [] };
    case 'heartbeat':
      return s.started ? received(s, e) : { state: s, actions: [] };
    case 'child-exit':
      return childExit(s, e);
    case 'links':
      return links(s, e);
    case 'terminate': {
      const next: PulseState = { ...s, active: false, stopped: true, holdoffAt: null };
      return {
        state: next,
        actions: [
          { type: 'log', text: `Terminating due to signal ${e.signal}` },
          ...(s.active ? [{ type: 'release-vips' } as const] : []),
          ...(s.started ? heartbeat(next) : []),
          { type: 'deactivate', wasActive: s.active },
          { type: 'exit', code: 0 },
        ],
      };
    }
  }
}

function start(s: PulseState, now: number): StepResult {
  if (s.started) return { state: s, actions: [] };
  const c = s.config;
  const next: PulseState = { ...s, started: true, needAt: now + c.deadtimeMs, sendAt: c.heartbeats ? now : null };
  const actions: PulseAction[] = [{ type: 'deactivate', wasActive: false }];
  if (c.forceActive && canActivate(next)) {
    const r = activate(next, 'Forced active on startup: activating lvs');
    return { state: r.state, actions: [...actions, ...r.actions] };
  }
  return { state: next, actions };
}

function timers(s: PulseState, now: number): StepResult {
  let state = s;
  const actions: PulseAction[] = [];
  const c = s.config;
  if (state.sendAt !== null && now >= state.sendAt) {
    actions.push(...heartbeat(state));
    // Advance from the due time so the rate does not drift; after a stall, start again from now.
    const every = sendIntervalMs(c);
    const due = state.sendAt + every;
    state = { ...state, sendAt: due > now ? due : now + every };
    actions.push({ type: 'debug', text: 'setting SEND_heartbeat timer' });
  }
  if (state.holdoffAt !== null && now >= state.holdoffAt) {
    state = { ...state, holdoffAt: null };
    if (canActivate(state)) {
      const r = activate(state, 'primary inactive: activating lvs');
      state = r.state;
      actions.push(...r.actions);
    }
  }
  if (now >= state.needAt) {
    const next: PulseState = { ...state, needAt: now + c.deadtimeMs };
    actions.push({ type: 'debug', text: 'setting NEED_heartbeat timer' });
    if (canActivate(next)) {
      const r = activate(next, 'partner dead: activating lvs');
      return { state: r.state, actions: [...actions, ...r.actions] };
    }
    state = next;
  }
  return { state, actions };
}

function received(s: PulseState, e: Extract<PulseEvent, { type: 'heartbeat' }>): StepResult {
  const c = s.config;
  if (!c.heartbeats) return { state: s, actions: [] };
  if (e.magic === 'fos-running' || e.magic === 'fos-stopped')
    return { state: s, actions: [{ type: 'log', text: 'Incompatible heartbeat received -- other system not using identical services' }] };
  let state: PulseState = { ...s, needAt: e.now + c.deadtimeMs };
  const actions: PulseAction[] = [{ type: 'debug', text: 'Received Heartbeat from partner' }];
  if (e.magic === 'lvs-running') {
    state = { ...state, childFail: false, holdoffAt: null };
    if (state.active && c.role === 'backup') {
      // One last "running" so that the master re-announces the VIPs, then stand down.
      state = { ...state, active: false };
      actions.push(
        { type: 'debug', text: 'Sending heartbeat...' },
        { type: 'send', magic: 'lvs-running', state: 'active' },
        { type: 'log', text: 'partner active: deactivating LVS' },
        { type: 'deactivate', wasActive: true },
      );
    } else if (state.active) {
      actions.push({ type: 'log', text: 'partner active: resending arps' }, { type: 'rearp' });
    }
  } else if (e.magic === 'lvs-stopped' && canActivate(state)) {
    if (c.role === 'master') {
      const r = activate(state, 'backup inactive: activating lvs');
      return { state: r.state, actions: [...actions, ...r.actions] };
    }
    if (e.peerState === 'failed' || e.peerState === 'stopping') {
      const r = activate(state, 'primary inactive: activating lvs');
      return { state: r.state, actions: [...actions, ...r.actions] };
    }
    if (state.holdoffAt === null) state = { ...state, holdoffAt: e.now + holdoffMs(c) };
  }
  actions.push({ type: 'debug', text: 'setting NEED_heartbeat timer' });
  return { state, actions };
}

function childExit(s: PulseState, e: Extract<PulseEvent, { type: 'child-exit' }>): StepResult {
  const text = e.signal !== null ? `Child process ${e.pid} terminated with signal ${e.signal}` : `Child process ${e.pid} exited with status ${e.code ?? 0}`;
  const next: PulseState = { ...s, active: false, childFail: true, holdoffAt: null };
  return { state: next, actions: [{ type: 'log', text }, { type: 'deactivate', wasActive: s.active }, ...(s.started ? heartbeat(next) : [])] };
}

function links(s: PulseState, e: Extract<PulseEvent, { type: 'links' }>): StepResult {
  const down = [...e.down];
  if (down.length === 0) {
    if (!s.linkFail) return { state: { ...s, downLinks: [] }, actions: [] };
    return { state: { ...s, linkFail: false, downLinks: [] }, actions: [{ type: 'log', text: 'Local NIC link(s) restored: Pulse enabled' }] };
  }
  const actions: PulseAction[] = [];
  for (const name of down) if (!s.downLinks.includes(name)) actions.push({ type: 'log', text: `${name} NIC: link down` });
  if (s.linkFail) return { state: { ...s, downLinks: down }, actions };
  actions.push({ type: 'log', text: 'Local NIC link failure: Pulse disabled' });
  const next: PulseState = { ...s, linkFail: true, downLinks: down, active: false, holdoffAt: null };
  if (s.active) actions.push({ type: 'log', text: 'local link failure: deactivating LVS' }, { type: 'deactivate', wasActive: true }, ...heartbeat(next));
  return { state: next, actions };
}
