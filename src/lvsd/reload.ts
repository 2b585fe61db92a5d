/**
 * What a reload changes, decided purely from the running configuration, the new one, the health
 * the checkers reported and the running checkers. Only the virtual services the configuration
 * diff names are looked at (all of them when a global setting they depend on changed):
 *  - a checker stops for a server that left, and starts for one that came or whose checker
 *    options changed; a changed server that is up keeps serving, its new checker starting from
 *    "up at the configured weight" (no re-entry, no slow start), and so does a server re-added
 *    while it drains (taken back);
 *  - unchanged servers keep their checker and their health;
 *  - a server that leaves a service that stays drains (unless its checker said down, or draining
 *    is off); a service that leaves is deleted whole;
 *  - the services to reconcile are those touched that were or will be lvsd's.
 */
import { diffConfig } from '../config/diff.js';
import type { LvsConfig, VirtualService } from '../config/model.js';
import { serviceDestinationId, serviceId } from '../ipvs/reconcile.js';
import type { DestinationKey, ServiceKey, Timeouts } from '../ipvs/types.js';
import { ipFamily } from '../net/address.js';
import { activeServiceKey, desiredTable, serverId, type HealthMap, type ServerHealth } from './desired.js';
import { drainsFor, type Drain } from './drain.js';
import { checkTargets, sameTarget, type CheckTarget } from './targets.js';

/** GLOBALS_FOR_ALL are the global keywords every virtual service's table entries or checkers depend on. */
const GLOBALS_FOR_ALL = new Set(['network', 'rsh_command']);

/** ReloadInput is what a reload is decided from. */
export interface ReloadInput {
  readonly before: LvsConfig;
  readonly after: LvsConfig;
  readonly health: HealthMap;
  /** targets are the running checkers by target id. */
  readonly targets: ReadonlyMap<string, CheckTarget>;
  /** draining tells whether a destination of a service is draining now. */
  readonly draining: (service: ServiceKey, destination: DestinationKey) => boolean;
  /** drainDeadline is when drains started now time out, or null to delete removed servers at once. */
  readonly drainDeadline: number | null;
}

/** CheckerStart is a checker to start; `running` starts it from "up at the configured weight". */
export interface CheckerStart {
  readonly target: CheckTarget;
  readonly running: boolean;
}

/** ReloadPlan is what the daemon does to reload. */
export interface ReloadPlan {
  /** services are the IPVS services to reconcile: touched, and lvsd's before or after. */
  readonly services: readonly ServiceKey[];
  readonly stopCheckers: readonly string[];
  readonly startCheckers: readonly CheckerStart[];
  /** forget lists servers whose health is dropped (they left). */
  readonly forget: readonly string[];
  /** health lists servers whose health is set (carried over at their new weight). */
  readonly health: ReadonlyMap<string, ServerHealth>;
  readonly drains: readonly Drain[];
  /** timeouts are the IPVS timeouts to set, when they changed. */
  readonly timeouts: Timeouts | null;
  /** starting and stopping are the virtual services that become active and stop being so (for log lines). */
  readonly starting: readonly VirtualService[];
  readonly stopping: readonly VirtualService[];
}

/** destinationOf is the IPVS identity of a real server. */
function destinationOf(address: string, port: number): DestinationKey {
  return { address, port, family: ipFamily(address) ?? 4 };
}

/** planReload decides a reload. */
export function planReload(input: ReloadInput): ReloadPlan {
  const { before, after, health } = input;
  const diff = diffConfig(before, after);
  const all = diff.global.some((c) => GLOBALS_FOR_ALL.has(c.key));
  const oldPart: LvsConfig = { ...before, virtuals: all ? before.virtuals : [...diff.virtuals.removed, ...diff.virtuals.changed.map((c) => c.before)] };
  const newPart: LvsConfig = { ...after, virtuals: all ? after.virtuals : [...diff.virtuals.added, ...diff.virtuals.changed.map((c) => c.after)] };

  const oldTargets = new Map(checkTargets(oldPart).map((t) => [t.id, t]));
  const newTargets = new Map(checkTargets(newPart).map((t) => [t.id, t]));
  const stopCheckers: string[] = [];
  const forget: string[] = [];
  for (const id of oldTargets.keys())
    if (!newTargets.has(id) && input.targets.has(id)) {
      stopCheckers.push(id);
      forget.push(id);
    }

  const startCheckers: CheckerStart[] = [];
  const carried = new Map<string, ServerHealth>();
  // healthAfter is the health of the new part's servers once the reload is done.
  const healthAfter = new Map<string, ServerHealth>();
  const seen = new Set<string>();
  for (const v of newPart.virtuals) {
    const key = activeServiceKey(v);
    for (const s of v.servers) {
      const id = serverId(v, s);
      const target = newTargets.get(id);
      if (target === undefined || seen.has(id)) continue;
      seen.add(id);
      const running = input.targets.get(id);
      const known = health.get(id);
      if (running !== undefined && known !== undefined) healthAfter.set(id, known);
      if (running !== undefined && sameTarget(running, target)) continue;
      if (running !== undefined) stopCheckers.push(id);
      const ip = s.address?.ip ?? null;
      const up = running !== undefined ? known?.up === true : key !== null && ip !== null && input.draining(key, destinationOf(ip, s.port));
      startCheckers.push({ target, running: up });
      if (up) {
        carried.set(id, { up: true, weight: s.weight, quiesced: false });
        healthAfter.set(id, { up: true, weight: s.weight, quiesced: false });
      }
    }
  }

  let drains: Drain[] = [];
  if (input.drainDeadline !== null) {
    const down = new Set<string>();
    for (const v of oldPart.virtuals) {
      const key = activeServiceKey(v);
      if (key === null) continue;
      for (const s of v.servers) {
        const h = health.get(serverId(v, s));
        const ip = s.address?.ip ?? null;
        if (h !== undefined && !h.up && ip !== null) down.add(serviceDestinationId(key, destinationOf(ip, s.port)));
      }
    }
    drains = drainsFor(desiredTable(oldPart, health), desiredTable(newPart, healthAfter), input.drainDeadline, (service, d) => !down.has(serviceDestinationId(service, d)));
  }

  const services = new Map<string, ServiceKey>();
  for (const v of [...oldPart.virtuals, ...newPart.virtuals]) {
    const key = activeServiceKey(v);
    if (key !== null) services.set(serviceId(key), key);
  }
  const activeIds = (list: readonly VirtualService[]): Set<string> => new Set(list.flatMap((v) => activeServiceKey(v) ?? []).map(serviceId));
  const wasActive = activeIds(oldPart.virtuals);
  const isActive = activeIds(newPart.virtuals);
  const g = after.global;
  return {
    services: [...services.values()],
    stopCheckers,
    startCheckers,
    forget,
    health: carried,
    drains,
    timeouts: diff.timeouts ? { tcp: g.tcpTimeout, tcpFin: g.tcpfinTimeout, udp: g.udpTimeout } : null,
    starting: newPart.virtuals.filter((v) => isNewIn(v, wasActive)),
    stopping: oldPart.virtuals.filter((v) => isNewIn(v, isActive)),
  };
}


/** isNewIn tells whether an active virtual service is not among `others` (serviceIds). */
function isNewIn(v: VirtualService, others: ReadonlySet<string>): boolean {
  const key = activeServiceKey(v);
  return key !== null && !others.has(serviceId(key));
}
