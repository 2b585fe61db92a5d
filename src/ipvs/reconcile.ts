/**
 * The reconciler: a desired table and one dump of the kernel's table in, the fewest ordered
 * operations out. It plans purely (planReconcile) and applies with pipelining (applyPlan).
 * It touches only the services it owns (those in the desired table, plus any the caller says it
 * owns) unless told to take the whole table. Services are created before their destinations;
 * destinations are removed before services; a service removed whole is one DEL_SERVICE (the
 * kernel drops its destinations with it); a change the kernel can make in place is one SET.
 */
import type { IpvsClient } from './client.js';
import { IpvsError } from './errors.js';
import {
  describeService,
  hostPort,
  type Destination,
  type DestinationEntry,
  type DestinationKey,
  type Service,
  type ServiceEntry,
  type ServiceKey,
} from './types.js';

/** TableEntry is a service with its destinations. */
export interface TableEntry<S extends Service = Service, D extends Destination = Destination> {
  readonly service: S;
  readonly destinations: readonly D[];
}

/** DesiredTable is what the table should hold (for the owned services). */
export type DesiredTable = readonly TableEntry[];

/** ActualTable is what one dump of the kernel returned. */
export type ActualTable = readonly TableEntry<ServiceEntry, DestinationEntry>[];

/** IpvsOp is one kernel operation of a plan. */
export type IpvsOp =
  | { readonly kind: 'add-service'; readonly service: Service }
  | { readonly kind: 'edit-service'; readonly service: Service }
  | { readonly kind: 'delete-service'; readonly key: ServiceKey }
  | { readonly kind: 'add-destination'; readonly key: ServiceKey; readonly destination: Destination }
  | { readonly kind: 'edit-destination'; readonly key: ServiceKey; readonly destination: Destination }
  | { readonly kind: 'delete-destination'; readonly key: ServiceKey; readonly destination: DestinationKey };

/** PlanOptions say which services the plan may touch beyond the desired ones. */
export interface PlanOptions {
  /** owns returns true for an actual service that is ours to remove when it is not desired. */
  readonly owns?: (key: ServiceKey) => boolean;
  /** takeAll makes every service in the table ours (remove whatever is not desired). */
  readonly takeAll?: boolean;
  /** foreign returns true for a destination someone else keeps (lvsd: an external client_monitor); the plan never touches it. */
  readonly foreign?: (key: ServiceKey, d: DestinationKey) => boolean;
}

/** serviceId is a string identity of a service key (family included). */
export function serviceId(key: ServiceKey): string {
  return `${key.family}|${describeService(key)}`;
}

/** destinationId is a string identity of a destination within its service. */
export function destinationId(d: DestinationKey): string {
  return `${d.family}|${hostPort(d.address, d.port)}`;
}

/** serviceDestinationId identifies a destination within its service, across services. */
export function serviceDestinationId(service: ServiceKey, d: DestinationKey): string {
  return `${serviceId(service)} ${destinationId(d)}`;
}

function sameService(a: Service, b: Service): boolean {
  return a.scheduler === b.scheduler && a.flags === b.flags && a.timeout === b.timeout && a.netmask === b.netmask && a.persistenceEngine === b.persistenceEngine;
}

function sameDestination(a: Destination, b: Destination): boolean {
  return (
    a.forwarding === b.forwarding &&
    a.weight === b.weight &&
    a.upperThreshold === b.upperThreshold &&
    a.lowerThreshold === b.lowerThreshold &&
    (a.forwarding !== 'tunnel' || (a.tunnelType === b.tunnelType && a.tunnelPort === b.tunnelPort && a.tunnelFlags === b.tunnelFlags))
  );
}

/** planReconcile computes the ordered operations that turn `actual` into `desired` for the owned services. */
export function planReconcile(desired: DesiredTable, actual: ActualTable, options: PlanOptions = {}): IpvsOp[] {
  const have = new Map(actual.map((e) => [serviceId(e.service.key), e]));
  const want = new Map(desired.map((e) => [serviceId(e.service.key), e]));
  const services: IpvsOp[] = [];
  const additions: IpvsOp[] = [];
  const removals: IpvsOp[] = [];
  const serviceRemovals: IpvsOp[] = [];

  for (const [id, w] of want) {
    const h = have.get(id);
    const key = w.service.key;
    if (h === undefined) {
      services.push({ kind: 'add-service', service: w.service });
      for (const d of w.destinations) additions.push({ kind: 'add-destination', key, destination: d });
      continue;
    }
    if (!sameService(w.service, h.service)) services.push({ kind: 'edit-service', service: w.service });
    const current = new Map(h.destinations.map((d) => [destinationId(d), d]));
    const target = new Set<string>();
    for (const d of w.destinations) {
      if (options.foreign?.(key, d) === true) continue;
      const did = destinationId(d);
      target.add(did);
      const c = current.get(did);
      if (c === undefined) additions.push({ kind: 'add-destination', key, destination: d });
      else if (!sameDestination(d, c)) additions.push({ kind: 'edit-destination', key, destination: d });
    }
    for (const [did, c] of current)
      if (!target.has(did) && options.foreign?.(key, c) !== true) removals.push({ kind: 'delete-destination', key, destination: { address: c.address, port: c.port, family: c.family } });
  }
  for (const [id, h] of have)
    if (!want.has(id) && (options.takeAll === true || options.owns?.(h.service.key) === true))
      serviceRemovals.push({ kind: 'delete-service', key: h.service.key });

  return [...services, ...additions, ...removals, ...serviceRemovals];
}

/** readTable dumps the services (those `keep` accepts, by default all) and, pipelined, each one's destinations. */
export async function readTable(client: Pick<IpvsClient, 'services' | 'destinations'>, keep: (key: ServiceKey) => boolean = () => true): Promise<ActualTable> {
  const services = (await client.services()).filter((s) => keep(s.key));
  return Promise.all(services.map(async (service) => ({ service, destinations: await client.destinations(service.key) })));
}

/**
 * readServices reads only the given services (one GET_SERVICE and one destination dump each,
 * pipelined); a service the kernel does not have is left out. It is what a reconciliation of a
 * few services needs, where readTable would dump the whole table.
 */
export async function readServices(client: IpvsClient, keys: readonly ServiceKey[]): Promise<ActualTable> {
  const entries = await Promise.all(
    keys.map(async (key) => {
      const lookup = client.service(key).catch((e: unknown) => {
        if (e instanceof IpvsError && e.code === 'ESRCH') return null;
        throw e;
      });
      const [service, destinations] = await Promise.all([lookup, client.destinations(key)]);
      return service === null ? null : { service, destinations };
    }),
  );
  return entries.filter((e) => e !== null);
}

/** OpFailure is an operation the kernel refused. */
export interface OpFailure {
  readonly op: IpvsOp;
  readonly error: unknown;
}

/** ReconcileReport says what was done. */
export interface ReconcileReport {
  readonly planned: number;
  readonly applied: readonly IpvsOp[];
  readonly failed: readonly OpFailure[];
}

/** ApplyOptions tune how a plan is applied. */
export interface ApplyOptions {
  /** window is how many operations may be in flight at once (default 256). */
  readonly window?: number;
}

function phaseOf(op: IpvsOp): number {
  switch (op.kind) {
    case 'add-service':
    case 'edit-service':
      return 0;
    case 'add-destination':
    case 'edit-destination':
      return 1;
    case 'delete-destination':
      return 2;
    case 'delete-service':
      return 3;
  }
}

function run(client: IpvsClient, op: IpvsOp): Promise<void> {
  switch (op.kind) {
    case 'add-service':
      return client.addService(op.service);
    case 'edit-service':
      return client.editService(op.service);
    case 'delete-service':
      return client.deleteService(op.key);
    case 'add-destination':
      return client.addDestination(op.key, op.destination);
    case 'edit-destination':
      return client.editDestination(op.key, op.destination);
    case 'delete-destination':
      return client.deleteDestination(op.key, op.destination);
  }
}

/**
 * applyPlan runs a plan phase by phase (services, then destination additions and changes,
 * then destination removals, then service removals), each phase pipelined. A destination of a
 * service whose creation failed is not attempted; it is reported failed with that error.
 */
export async function applyPlan(client: IpvsClient, plan: readonly IpvsOp[], options: ApplyOptions = {}): Promise<ReconcileReport> {
  const window = Math.max(1, options.window ?? 256);
  const applied: IpvsOp[] = [];
  const failed: OpFailure[] = [];
  const brokenServices = new Map<string, unknown>();
  for (let phase = 0; phase <= 3; phase++) {
    const ops = plan.filter((op) => phaseOf(op) === phase);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ops.length) {
        const op = ops[next++] as IpvsOp;
        const blocked = 'key' in op ? brokenServices.get(serviceId(op.key)) : undefined;
        if (blocked !== undefined) {
          failed.push({ op, error: blocked });
          continue;
        }
        try {
          await run(client, op);
          applied.push(op);
        } catch (error) {
          failed.push({ op, error });
          if (op.kind === 'add-service') brokenServices.set(serviceId(op.service.key), error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(window, ops.length) }, worker));
  }
  return { planned: plan.length, applied, failed };
}

/** reconcile reads the table once, plans, and applies. */
export async function reconcile(client: IpvsClient, desired: DesiredTable, options: PlanOptions & ApplyOptions = {}): Promise<ReconcileReport> {
  const plan = planReconcile(desired, await readTable(client), options);
  return applyPlan(client, plan, options);
}
