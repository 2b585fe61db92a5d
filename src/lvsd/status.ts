/**
 * The status document of lvsd (version 1): every virtual service of the running configuration
 * with its kernel counters and rates, and every real server with its configured and current
 * weight, health, since when and why, and connection counters; the checker processes; the
 * configuration file, serial_no and reloads; what reconciliation did. Built by one pure function
 * from what the daemon knows and one dump of the kernel's table. Counters are 64-bit (bigint);
 * status-json.ts writes them exactly.
 */
import { usesBuiltinMonitor } from '../config/effective.js';
import type { LvsConfig, RealServer, VirtualService } from '../config/model.js';
import { destinationId, serviceId, type ActualTable, type ReconcileReport } from '../ipvs/reconcile.js';
import { describeService, type DestinationEntry, type ServiceEntry, type Stats } from '../ipvs/types.js';
import { ipFamily } from '../net/address.js';
import { serverId, serviceKeyOf, type ServerHealth } from './desired.js';
import type { HealthRecord } from './health-history.js';
import type { CheckerProcess } from './hub.js';

/** STATUS_VERSION is the version of the document's shape; it changes only when a field changes meaning or goes. */
export const STATUS_VERSION = 1;

/** Counters are a kernel object's cumulative counters. */
export interface Counters {
  readonly connections: bigint;
  readonly packetsIn: bigint;
  readonly packetsOut: bigint;
  readonly bytesIn: bigint;
  readonly bytesOut: bigint;
}

/** Rates are the kernel's rate estimates (per second, over about the last few seconds). */
export interface Rates {
  readonly connectionsPerSecond: bigint;
  readonly packetsInPerSecond: bigint;
  readonly packetsOutPerSecond: bigint;
  readonly bytesInPerSecond: bigint;
  readonly bytesOutPerSecond: bigint;
}

/** Health is what lvsd knows of a real server: checked up or down, not yet known, or not checked because it (or its service) is inactive. */
export type Health = 'up' | 'down' | 'unknown' | 'inactive';

/** DestinationCounters are what the kernel reports of one destination, or nulls when it is not in the table. */
export interface DestinationCounters {
  /** kernelWeight is the weight in the table, or null when the server is not in it. */
  readonly kernelWeight: number | null;
  readonly activeConnections: number | null;
  readonly inactiveConnections: number | null;
  readonly persistentConnections: number | null;
  readonly counters: Counters | null;
  readonly rates: Rates | null;
}

/** ServerStatus is one `server` block. */
export interface ServerStatus extends DestinationCounters {
  readonly name: string;
  readonly address: string | null;
  readonly port: number;
  readonly active: boolean;
  readonly configuredWeight: number;
  readonly health: Health;
  /** quiesced: down, with its entry kept at weight 0 (quiesce_server). */
  readonly quiesced: boolean;
  /** since is when the health last changed (ISO 8601), null before the first check result. */
  readonly since: string | null;
  /** reason is the checker's text for its last result. */
  readonly reason: string | null;
}

/** SorryServerStatus is a service's sorry server; `inUse` when it is in the table. */
export interface SorryServerStatus extends DestinationCounters {
  readonly address: string;
  readonly port: number;
  readonly inUse: boolean;
}

/** ServiceStatus is one `virtual` block. */
export interface ServiceStatus {
  readonly name: string;
  readonly active: boolean;
  /** ipvs is the IPVS identity as lvsadm shows it ("tcp 192.0.2.10:80", "fwmark 5"), null while the VIP is unknown. */
  readonly ipvs: string | null;
  readonly address: string | null;
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
  readonly fwmark: number | null;
  readonly scheduler: string;
  /** persistent is the persistence timeout in seconds (0: none). */
  readonly persistent: number;
  readonly pmask: string | null;
  /** monitor is "nanny" for lvsd's own checkers, or the client_monitor program. */
  readonly monitor: string;
  /** inKernel: the service is in the table. */
  readonly inKernel: boolean;
  readonly counters: Counters | null;
  readonly rates: Rates | null;
  readonly sorryServer: SorryServerStatus | null;
  readonly servers: readonly ServerStatus[];
}

/** CheckerStatus is one checker process. */
export interface CheckerStatus extends CheckerProcess {
  readonly running: boolean;
}

/** StatusDocument is what the status socket serves. */
export interface StatusDocument {
  readonly version: typeof STATUS_VERSION;
  readonly lvsd: { readonly version: string; readonly pid: number; readonly startedAt: string; readonly uptimeSeconds: number };
  readonly generatedAt: string;
  readonly config: {
    readonly file: string;
    readonly serialNo: number;
    readonly loadedAt: string;
    readonly hardShutdown: boolean;
    readonly reloads: { readonly ok: number; readonly failed: number };
  };
  /** kernel says whether the table could be read for this document (counters are null when not). */
  readonly kernel: { readonly read: boolean; readonly error: string | null };
  readonly reconcile: {
    readonly runs: number;
    readonly failedOperations: number;
    readonly last: { readonly planned: number; readonly applied: number; readonly failed: readonly { readonly operation: string; readonly error: string }[] } | null;
  };
  readonly checkers: readonly CheckerStatus[];
  readonly services: readonly ServiceStatus[];
}

/** StatusInput is everything the document is made of. */
export interface StatusInput {
  /** now and startedAt are wall-clock milliseconds. */
  readonly now: number;
  readonly startedAt: number;
  readonly pid: number;
  readonly lvsdVersion: string;
  readonly configFile: string;
  readonly config: LvsConfig;
  readonly configLoadedAt: number;
  readonly reloads: { readonly ok: number; readonly failed: number };
  /** checked lists the servers that have a checker, by server id; health holds those with a result. */
  readonly checked: ReadonlySet<string>;
  readonly health: ReadonlyMap<string, ServerHealth>;
  readonly history: ReadonlyMap<string, HealthRecord>;
  readonly checkers: readonly CheckerProcess[];
  readonly reconcile: { readonly runs: number; readonly failedOperations: number; readonly last: ReconcileReport | null };
  /** table is one dump of (at least) the configured services, or null when it could not be read (kernelError says why). */
  readonly table: ActualTable | null;
  readonly kernelError: string | null;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function countersOf(s: Stats): Counters {
  return { connections: s.conns, packetsIn: s.inpkts, packetsOut: s.outpkts, bytesIn: s.inbytes, bytesOut: s.outbytes };
}

function ratesOf(s: Stats): Rates {
  return { connectionsPerSecond: s.cps, packetsInPerSecond: s.inpps, packetsOutPerSecond: s.outpps, bytesInPerSecond: s.inbps, bytesOutPerSecond: s.outbps };
}

const ABSENT: DestinationCounters = { kernelWeight: null, activeConnections: null, inactiveConnections: null, persistentConnections: null, counters: null, rates: null };

function destinationCounters(d: DestinationEntry | undefined): DestinationCounters {
  if (d === undefined) return ABSENT;
  return {
    kernelWeight: d.weight,
    activeConnections: d.activeConns,
    inactiveConnections: d.inactiveConns,
    persistentConnections: d.persistentConns,
    counters: countersOf(d.stats),
    rates: ratesOf(d.stats),
  };
}

function lookupDestination(dests: ReadonlyMap<string, DestinationEntry>, address: string | null, port: number): DestinationEntry | undefined {
  const family = address === null ? null : ipFamily(address);
  return family === null || address === null ? undefined : dests.get(destinationId({ address, port, family }));
}

function healthOf(input: StatusInput, v: VirtualService, s: RealServer, id: string): { health: Health; quiesced: boolean } {
  if (!v.active || !s.active) return { health: 'inactive', quiesced: false };
  const h = input.health.get(id);
  if (!input.checked.has(id) || h === undefined) return { health: 'unknown', quiesced: false };
  return { health: h.up ? 'up' : 'down', quiesced: !h.up && h.quiesced };
}

function serviceStatus(input: StatusInput, v: VirtualService, kernel: ReadonlyMap<string, { service: ServiceEntry; dests: ReadonlyMap<string, DestinationEntry> }>): ServiceStatus {
  const key = serviceKeyOf(v);
  const entry = key === null ? undefined : kernel.get(serviceId(key));
  const dests = entry?.dests ?? new Map<string, DestinationEntry>();
  const servers = v.servers.map((s): ServerStatus => {
    const id = serverId(v, s);
    const address = s.address?.ip ?? s.address?.text ?? null;
    const record = input.history.get(id);
    const { health, quiesced } = healthOf(input, v, s, id);
    const known = health === 'up' || health === 'down';
    return {
      name: s.name,
      address,
      port: s.port,
      active: s.active,
      configuredWeight: s.weight,
      health,
      quiesced,
      since: known && record !== undefined ? iso(record.since) : null,
      reason: known && record !== undefined ? record.reason : null,
      ...destinationCounters(lookupDestination(dests, s.address?.ip ?? null, s.port)),
    };
  });
  let sorryServer: SorryServerStatus | null = null;
  if (v.sorryServer !== null) {
    const d = lookupDestination(dests, v.sorryServer, v.port);
    const isRealServer = v.servers.some((s) => s.address?.ip === v.sorryServer && s.port === v.port);
    sorryServer = { address: v.sorryServer, port: v.port, inUse: d !== undefined && !isRealServer, ...destinationCounters(d) };
  }
  return {
    name: v.name,
    active: v.active,
    ipvs: key === null ? null : describeService(key),
    address: v.address?.host.ip ?? v.address?.host.text ?? null,
    protocol: v.protocol,
    port: v.port,
    fwmark: v.fwmark > 0 ? v.fwmark : null,
    scheduler: v.scheduler,
    persistent: v.persistent,
    pmask: v.pmask,
    monitor: usesBuiltinMonitor(v) ? 'nanny' : v.clientMonitor,
    inKernel: entry !== undefined,
    counters: entry === undefined ? null : countersOf(entry.service.stats),
    rates: entry === undefined ? null : ratesOf(entry.service.stats),
    sorryServer,
    servers,
  };
}

/** statusSnapshot builds the status document. */
export function statusSnapshot(input: StatusInput): StatusDocument {
  const kernel = new Map((input.table ?? []).map((e) => [serviceId(e.service.key), { service: e.service, dests: new Map(e.destinations.map((d) => [destinationId(d), d])) }]));
  const last = input.reconcile.last;
  return {
    version: STATUS_VERSION,
    lvsd: { version: input.lvsdVersion, pid: input.pid, startedAt: iso(input.startedAt), uptimeSeconds: Math.max(0, Math.round(input.now - input.startedAt) / 1000) },
    generatedAt: iso(input.now),
    config: {
      file: input.configFile,
      serialNo: input.config.global.serialNo,
      loadedAt: iso(input.configLoadedAt),
      hardShutdown: input.config.global.hardShutdown,
      reloads: { ok: input.reloads.ok, failed: input.reloads.failed },
    },
    kernel: { read: input.table !== null, error: input.kernelError },
    reconcile: {
      runs: input.reconcile.runs,
      failedOperations: input.reconcile.failedOperations,
      last: last === null ? null : { planned: last.planned, applied: last.applied.length, failed: last.failed.map((f) => ({ operation: f.op.kind, error: f.error instanceof Error ? f.error.message : String(f.error) })) },
    },
    checkers: input.checkers.map((c) => ({ ...c, running: c.pid !== null })),
    services: input.config.virtuals.map((v) => serviceStatus(input, v, kernel)),
  };
}
