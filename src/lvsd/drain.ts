/**
 * Draining: a real server that leaves the configuration while it serves clients is not deleted at
 * once. It stays in its service at weight 0 (no new connections) until the kernel counts no
 * active or inactive connections to it, or until its drain time is up, and is deleted then. This
 * file is the pure core: which destinations start draining on a reload, how drains overlay the
 * desired table, and which drains are over given the kernel's counters and the time.
 */
import { destinationId, serviceDestinationId, serviceId, type DesiredTable, type TableEntry } from '../ipvs/reconcile.js';
import { describeService, hostPort, type Destination, type DestinationEntry, type DestinationKey, type ServiceKey } from '../ipvs/types.js';

/** DEFAULT_DRAIN_TIMEOUT_MS is how long a removed real server drains at most (lvsd --drain-timeout 60). */
export const DEFAULT_DRAIN_TIMEOUT_MS = 60_000;

/** Drain is one destination being drained out of its service. */
export interface Drain {
  readonly service: ServiceKey;
  /** destination is the entry as it stays while draining: weight 0. */
  readonly destination: Destination;
  /** deadline is the clock time (ms) after which it is deleted whatever its connections. */
  readonly deadline: number;
}

/** Drains maps drainKey(service, destination) to its drain. */
export type Drains = ReadonlyMap<string, Drain>;

/** DrainEnd is a drain that is over, and why. */
export interface DrainEnd {
  readonly drain: Drain;
  readonly reason: 'no connections' | 'timeout' | 'gone';
}

/** drainKey identifies a destination within its service, as drains are keyed. */
export function drainKey(service: ServiceKey, destination: DestinationKey): string {
  return serviceDestinationId(service, destination);
}

/** describeDrain names a drain for log lines: "10.0.0.2:80 of tcp 192.0.2.10:80". */
export function describeDrain(d: Drain): string {
  return `${hostPort(d.destination.address, d.destination.port)} of ${describeService(d.service)}`;
}

/**
 * drainsFor lists the destinations a reload takes out of services that stay: each destination of
 * `before` that `after` no longer has, in a service `after` still has, unless `keep` says it
 * must not drain (a server its checker found down goes at once, as in piranha). Each gets weight
 * 0 and the deadline `deadline`.
 */
export function drainsFor(before: DesiredTable, after: DesiredTable, deadline: number, keep: (service: ServiceKey, d: Destination) => boolean): Drain[] {
  const staying = new Map(after.map((e) => [serviceId(e.service.key), e]));
  const out: Drain[] = [];
  for (const old of before) {
    const now = staying.get(serviceId(old.service.key));
    if (now === undefined) continue;
    const present = new Set(now.destinations.map(destinationId));
    for (const d of old.destinations)
      if (!present.has(destinationId(d)) && keep(old.service.key, d)) out.push({ service: now.service.key, destination: { ...d, weight: 0 }, deadline });
  }
  return out;
}

/** Overlay is a desired table with the drains in it, and the drains it made pointless. */
export interface Overlay {
  readonly table: DesiredTable;
  /** settled lists the keys of drains whose service is gone or whose destination is wanted again. */
  readonly settled: readonly string[];
}

/**
 * overlayDrains adds each drain to the desired table at weight 0. A drain whose service is no
 * longer desired (a removed service is deleted whole) or whose destination is desired again (a
 * server re-added, or back up) is settled instead: the desired table decides. With `scope` (a set
 * of serviceIds), `desired` covers only those services, and drains of others are left alone.
 */
export function overlayDrains(desired: DesiredTable, drains: Drains, scope?: ReadonlySet<string>): Overlay {
  if (drains.size === 0) return { table: desired, settled: [] };
  const byService = new Map<string, Drain[]>();
  for (const d of drains.values()) {
    const id = serviceId(d.service);
    if (scope !== undefined && !scope.has(id)) continue;
    byService.set(id, [...(byService.get(id) ?? []), d]);
  }
  const settled: string[] = [];
  const table: TableEntry[] = desired.map((entry) => {
    const list = byService.get(serviceId(entry.service.key));
    if (list === undefined) return entry;
    byService.delete(serviceId(entry.service.key));
    const wanted = new Set(entry.destinations.map(destinationId));
    const extra: Destination[] = [];
    for (const d of list) {
      if (wanted.has(destinationId(d.destination))) settled.push(drainKey(d.service, d.destination));
      else extra.push(d.destination);
    }
    return extra.length === 0 ? entry : { service: entry.service, destinations: [...entry.destinations, ...extra] };
  });
  for (const list of byService.values()) for (const d of list) settled.push(drainKey(d.service, d.destination));
  return { table, settled };
}

/**
 * endedDrains says which drains are over: a destination the kernel counts no active and no
 * inactive connections for, one that is no longer in the kernel's table, and any drain whose
 * deadline has come. `observed` maps a service's serviceId to a fresh dump of its destinations;
 * a drain of a service not observed can only time out.
 */
export function endedDrains(drains: Drains, observed: ReadonlyMap<string, readonly DestinationEntry[]>, now: number): DrainEnd[] {
  const out: DrainEnd[] = [];
  for (const drain of drains.values()) {
    const dump = observed.get(serviceId(drain.service));
    const entry = dump?.find((e) => destinationId(e) === destinationId(drain.destination));
    if (dump !== undefined && entry === undefined) out.push({ drain, reason: 'gone' });
    else if (entry !== undefined && entry.activeConns === 0 && entry.inactiveConns === 0) out.push({ drain, reason: 'no connections' });
    else if (now >= drain.deadline) out.push({ drain, reason: 'timeout' });
  }
  return out;
}
