/**
 * What the IPVS table should hold, from the configuration and the checkers' findings: a service
 * for each active virtual service; a destination for each active real server that is up (at the
 * weight its monitor gave), or quiesced (weight 0, entry kept); the sorry server while no real
 * server of the service is up (reference piranha.md §3.5, working here unlike 0.8.6). Servers of
 * a service with an external client_monitor count for the sorry server but their destinations
 * are their program's (client-monitor.ts), so none is listed for them. Pure.
 */
import { effectivePmask, usesBuiltinMonitor } from '../config/effective.js';
import type { ForwardingMethod as ConfigForwarding, LvsConfig, RealServer, VirtualService } from '../config/model.js';
import { serviceIdentity } from '../config/validate.js';
import { serverIdentity } from '../config/diff.js';
import type { DesiredTable, TableEntry } from '../ipvs/reconcile.js';
import type { Destination, ForwardingMethod, Service, ServiceKey } from '../ipvs/types.js';
import { ipFamily } from '../net/address.js';

/** ServerHealth is what the checkers last said of a real server. */
export interface ServerHealth {
  /** up: the server passes its checks (it is in the table at `weight`). */
  readonly up: boolean;
  readonly weight: number;
  /** quiesced: down, but its entry stays at weight 0 (quiesce_server = 1). */
  readonly quiesced: boolean;
}

/** HealthMap maps a real server's id (serverId) to its health; a missing id is not up. */
export type HealthMap = ReadonlyMap<string, ServerHealth>;

/** serverId names a real server within its virtual service, stably across reloads. */
export function serverId(v: VirtualService, s: RealServer): string {
  return `${serviceIdentity(v)} ${serverIdentity(s)}`;
}

const FORWARDING: Record<ConfigForwarding, ForwardingMethod> = { nat: 'masq', direct: 'droute', tunnel: 'tunnel' };

/** forwardingOf maps lvs.cf `network` to an IPVS forwarding method. */
export function forwardingOf(network: ConfigForwarding): ForwardingMethod {
  return FORWARDING[network];
}

function maskNumber(mask: string): number {
  const p = mask.split('.').map(Number);
  return ((((p[0] ?? 0) << 24) | ((p[1] ?? 0) << 16) | ((p[2] ?? 0) << 8) | (p[3] ?? 0)) >>> 0);
}

/** serviceKeyOf is the IPVS identity of a virtual service, or null while its VIP is unknown. */
export function serviceKeyOf(v: VirtualService): ServiceKey | null {
  const ip = v.address?.host.ip ?? null;
  const family = ip === null ? (v.fwmark > 0 ? 4 : null) : ipFamily(ip);
  if (family === null) return null;
  if (v.fwmark > 0) return { family, fwmark: v.fwmark };
  if (ip === null) return null;
  return { family, protocol: v.protocol, address: ip, port: v.port };
}

/** activeServiceKey is the IPVS identity of an active virtual service, or null for an inactive one (or one without a usable address). */
export function activeServiceKey(v: VirtualService): ServiceKey | null {
  return v.active ? serviceKeyOf(v) : null;
}

/** serviceOf is the IPVS service of a virtual service (scheduler, persistence, netmask). */
export function serviceOf(v: VirtualService, key: ServiceKey): Service {
  const persistent = v.persistent > 0;
  const pmask = effectivePmask(v);
  return {
    key,
    scheduler: v.scheduler,
    flags: persistent ? 0x1 : 0,
    timeout: persistent ? v.persistent : 0,
    netmask: key.family === 6 ? 128 : pmask === null ? 0xffffffff : maskNumber(pmask),
    persistenceEngine: null,
  };
}

function destination(address: string, port: number, forwarding: ForwardingMethod, weight: number): Destination | null {
  const family = ipFamily(address);
  if (family === null) return null;
  return { address, port, family, forwarding, weight, upperThreshold: 0, lowerThreshold: 0, tunnelType: 'ipip', tunnelPort: 0, tunnelFlags: 0 };
}

/** desiredTable computes the table for a configuration and the servers' health. */
export function desiredTable(config: LvsConfig, health: HealthMap): DesiredTable {
  const forwarding = forwardingOf(config.global.network);
  const out: TableEntry[] = [];
  for (const v of config.virtuals) {
    if (!v.active) continue;
    const key = serviceKeyOf(v);
    if (key === null) continue;
    const destinations: Destination[] = [];
    const builtin = usesBuiltinMonitor(v);
    let anyUp = false;
    for (const s of v.servers) {
      const ip = s.address?.ip ?? null;
      if (!s.active || ip === null) continue;
      const h = health.get(serverId(v, s));
      if (h === undefined || (!h.up && !h.quiesced)) continue;
      anyUp ||= h.up;
      if (!builtin) continue;
      const d = destination(ip, s.port, forwarding, h.up ? h.weight : 0);
      if (d !== null) destinations.push(d);
    }
    if (!anyUp && v.sorryServer !== null) {
      const sorry = destination(v.sorryServer, v.port, forwarding, 1);
      if (sorry !== null && !destinations.some((d) => d.address === sorry.address && d.port === sorry.port)) destinations.push(sorry);
    }
    out.push({ service: serviceOf(v, key), destinations });
  }
  return out;
}
