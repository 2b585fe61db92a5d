/**
 * The monitor of one real server: piranha nanny's state machine (reference piranha.md §4.6-4.7)
 * as a pure function. Events (check results, load readings, forced states, stop) go in with the
 * time; the next state and the actions to perform (IPVS changes, log lines, up/down events, a
 * load reading to take) come out. Nothing here reads the clock or touches a socket.
 */

/** MonitorConfig is fixed for a monitor's life. */
export interface MonitorConfig {
  /** name is how log lines name the server: "RIP:rport". */
  readonly name: string;
  /** weight is the configured weight. */
  readonly weight: number;
  /** intervalMs is the check interval (nanny -t, lvs.cf timeout). */
  readonly intervalMs: number;
  /** reentryMs is nanny -a (lvs.cf reentry): a failed server must pass reentry / interval checks. */
  readonly reentryMs: number;
  /** quiesce sets weight 0 on failure instead of deleting the entry (nanny -q). */
  readonly quiesce: boolean;
  /** loadMonitor is true when a load command (nanny -U other than none) adjusts the weight. */
  readonly loadMonitor: boolean;
  /** scale caps load-raised weights at scale x weight (nanny -S, default 10). */
  readonly scale: number;
  /** fall is how many failed checks in a row take an active server down (extension; piranha: 1). */
  readonly fall: number;
  /** rise overrides reentry / interval as the good checks needed to return (extension; null = piranha's rule). */
  readonly rise: number | null;
}

/** MonitorState is what a monitor remembers between events. */
export interface MonitorState {
  /** active: the server is in the table with a weight (piranha isActive). */
  readonly active: boolean;
  /** entryPresent: the table has an entry for it, possibly quiesced at weight 0 (isSrvUp). */
  readonly entryPresent: boolean;
  /** count counts good checks in a row (currCount); it starts full so the first success adds at once. */
  readonly count: number;
  /** failures counts failed checks in a row while active (for fall > 1). */
  readonly failures: number;
  /** weight is the weight last given to the table. */
  readonly weight: number;
  /** lastAdjustMs is when the weight was last adjusted (slow start / load). */
  readonly lastAdjustMs: number;
  /** forced is set by SIGUSR1/SIGUSR2 (down/up); checks are then ignored until SIGHUP releases it. */
  readonly forced: 'up' | 'down' | null;
}

/** MonitorEvent is something that happened to a monitor. */
export type MonitorEvent =
  | { readonly type: 'check'; readonly ok: boolean; readonly reason: string; readonly nowMs: number }
  | { readonly type: 'load'; readonly load: number | null; readonly text: string; readonly nowMs: number }
  | { readonly type: 'force'; readonly up: boolean; readonly nowMs: number }
  | { readonly type: 'release' }
  | { readonly type: 'stop' };

/** MonitorAction is something the shell must do. */
export type MonitorAction =
  | { readonly type: 'add'; readonly weight: number }
  | { readonly type: 'set-weight'; readonly weight: number }
  | { readonly type: 'delete' }
  | { readonly type: 'up'; readonly weight: number; readonly reason: string }
  | { readonly type: 'down'; readonly reason: string }
  | { readonly type: 'weight'; readonly weight: number; readonly reason: string }
  | { readonly type: 'read-load' }
  | { readonly type: 'log'; readonly text: string; readonly verbose?: boolean };

/** Step is the result of one transition. */
export interface Step {
  readonly state: MonitorState;
  readonly actions: readonly MonitorAction[];
}

/** SLOW_START_MS is piranha's weight adjustment period ("every ~20 s"). */
export const SLOW_START_MS = 20_000;

/** threshold is how many good checks in a row bring a failed server back. */
export function threshold(c: MonitorConfig): number {
  if (c.rise !== null) return Math.max(1, c.rise);
  return Math.floor(c.reentryMs / c.intervalMs);
}

/** initialWeight is piranha's first weight: max(1, weight >> 5); a configured 0 stays 0 (a fix, see README). */
export function initialWeight(weight: number): number {
  return weight === 0 ? 0 : Math.max(1, weight >> 5);
}

/** initialState is a monitor before its first check: not active, count full. */
export function initialState(c: MonitorConfig): MonitorState {
  return { active: false, entryPresent: false, count: threshold(c), failures: 0, weight: 0, lastAdjustMs: 0, forced: null };
}

/**
 * runningState is a monitor taking over a server that is already in service (lvsd replaced its
 * checker on a reload): active at the configured weight, so no re-entry count and no slow start.
 */
export function runningState(c: MonitorConfig, nowMs: number): MonitorState {
  return { active: true, entryPresent: true, count: threshold(c), failures: 0, weight: c.weight, lastAdjustMs: nowMs, forced: null };
}

/** step applies one event to a monitor. */
export function step(c: MonitorConfig, s: MonitorState, e: MonitorEvent): Step {
  switch (e.type) {
    case 'check':
      return e.ok ? good(c, s, e.nowMs, e.reason) : bad(c, s, e.reason);
    case 'force':
      return e.up ? comeUp(c, { ...s, forced: 'up' }, e.nowMs, 'forced up (SIGUSR2)', 'rose-colored glasses on') : goDown(c, { ...s, forced: 'down' }, 'forced down (SIGUSR1)', 'opaque glasses on');
    case 'release':
      // SIGHUP ends forcing: normal monitoring resumes with a full count, as in the original.
      return { state: { ...s, forced: null, count: threshold(c) }, actions: s.forced === null ? [] : [{ type: 'log', text: 'removing glasses', verbose: true }] };
    case 'load':
      return load(c, s, e.load, e.text, e.nowMs);
    case 'stop': {
      // On SIGTERM the entry goes, unless it is a quiesced weight-0 one (piranha leaves those in place).
      if (s.entryPresent && s.active) return { state: { ...s, active: false, entryPresent: false }, actions: [{ type: 'delete' }] };
      return { state: s, actions: [] };
    }
  }
}

function good(c: MonitorConfig, s: MonitorState, now: number, reason: string): Step {
  if (s.forced === 'down') return { state: s, actions: [] };
  const count = s.count + 1;
  if (!s.active) {
    if (count >= threshold(c)) return comeUp(c, { ...s, count }, now, reason);
    return { state: { ...s, count, failures: 0 }, actions: [{ type: 'log', text: `${c.name} passed ${count} of ${threshold(c)} checks before re-entry`, verbose: true }] };
  }
  const state = { ...s, count, failures: 0 };
  if (now - s.lastAdjustMs < SLOW_START_MS && c.intervalMs <= SLOW_START_MS) return { state, actions: [] };
  if (s.weight < c.weight) {
    const weight = Math.min(c.weight, Math.max(1, s.weight * 2));
    return { state: { ...state, weight, lastAdjustMs: now }, actions: [{ type: 'set-weight', weight }, { type: 'weight', weight, reason: 'slow start' }] };
  }
  if (c.loadMonitor) return { state: { ...state, lastAdjustMs: now }, actions: [{ type: 'read-load' }] };
  return { state: { ...state, lastAdjustMs: now }, actions: [] };
}

function comeUp(c: MonitorConfig, s: MonitorState, now: number, reason: string, note?: string): Step {
  if (s.active) return { state: s, actions: [] };
  const weight = initialWeight(c.weight);
  const actions: MonitorAction[] = [];
  if (note !== undefined) actions.push({ type: 'log', text: note });
  actions.push({ type: 'log', text: `[ active ] making ${c.name} available` });
  actions.push(s.entryPresent ? { type: 'set-weight', weight } : { type: 'add', weight });
  actions.push({ type: 'up', weight, reason });
  return { state: { ...s, active: true, entryPresent: true, failures: 0, weight, lastAdjustMs: now }, actions };
}

function bad(c: MonitorConfig, s: MonitorState, reason: string): Step {
  if (s.forced === 'up') return { state: s, actions: [] };
  if (!s.active) return { state: { ...s, count: 0 }, actions: [{ type: 'log', text: `No service active & available on ${c.name}: ${reason}`, verbose: true }] };
  const failures = s.failures + 1;
  if (failures < c.fall) return { state: { ...s, failures }, actions: [{ type: 'log', text: `${c.name} failed ${failures} of ${c.fall} checks: ${reason}`, verbose: true }] };
  return goDown(c, s, reason);
}

function goDown(c: MonitorConfig, s: MonitorState, reason: string, note?: string): Step {
  if (!s.active) return { state: { ...s, count: 0 }, actions: [] };
  const actions: MonitorAction[] = [];
  if (note !== undefined) actions.push({ type: 'log', text: note });
  actions.push({ type: 'log', text: reason }, { type: 'log', text: `[inactive] shutting down ${c.name} due to connection failure` });
  const quiesced = c.quiesce && s.entryPresent;
  actions.push(quiesced ? { type: 'set-weight', weight: 0 } : { type: 'delete' });
  actions.push({ type: 'down', reason });
  return { state: { ...s, active: false, entryPresent: quiesced, count: 0, failures: 0, weight: 0 }, actions };
}

/** loadWeight computes piranha's load-adjusted weight, or null when it would not change (§4.7). */
export function loadWeight(c: MonitorConfig, last: number, load: number): number | null {
  if (load < 0 || load === 1) return null;
  const s = c.weight / 2;
  let next = load < 1 ? last + s * Math.cbrt(1 - load) : last - s * Math.cbrt(load - 1);
  next = Math.floor(load < 1 ? Math.min(next, c.scale * c.weight) : Math.max(next, c.weight));
  return Math.abs(next - last) >= c.weight / 4 && next !== last ? next : null;
}

function load(c: MonitorConfig, s: MonitorState, value: number | null, text: string, now: number): Step {
  if (!s.active) return { state: s, actions: [] };
  if (value === null) return { state: s, actions: [{ type: 'log', text: `bad load average returned: ${text}` }] };
  const weight = loadWeight(c, s.weight, value);
  if (weight === null) return { state: { ...s, lastAdjustMs: now }, actions: [] };
  return { state: { ...s, weight, lastAdjustMs: now }, actions: [{ type: 'set-weight', weight }, { type: 'weight', weight, reason: `load ${value}` }] };
}

/** parseLoad reads the 1-minute load from uptime/rup/ruptime output as piranha does: after the first "load", the next ':' plus 2, digits and dots up to ',' or ' '. */
export function parseLoad(text: string): number | null {
  const at = text.indexOf('load');
  if (at < 0) return null;
  const colon = text.indexOf(':', at);
  if (colon < 0) return null;
  const m = /^[0-9.]+/.exec(text.slice(colon + 2));
  if (m === null) return null;
  const v = Number(m[0]);
  return Number.isFinite(v) ? v : null;
}
