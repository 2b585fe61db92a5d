/**
 * FakeIpvsKernel: an in-memory IPVS table answering generic netlink the way ip_vs_ctl.c does,
 * errno for errno (reference netlink.md §1.3, §1.10), for unit tests of the client and the
 * reconciler. It proves nothing about the real kernel; the VM suites do that.
 */
import { constants } from 'node:os';
import { AttributeDecoder, AttributeEncoder, decodeAttributes } from '../netlink/attributes.js';
import { NLM_F } from '../netlink/constants.js';
import type { GenlMessage } from '../netlink/genl.js';
import type { NetlinkMessage } from '../netlink/message.js';
import { decodeDaemonNest, decodeDestinationNest, decodeServiceNest, decodeTimeouts, putDestination, putServiceKey } from '../ipvs/codec.js';
import { IP_VS_SVC_F, IPVS_CMD, IPVS_CMD_ATTR, IPVS_DEST_ATTR, IPVS_GENL_NAME, IPVS_INFO_ATTR, IPVS_STATS_ATTR, IPVS_SVC_ATTR } from '../ipvs/constants.js';
import {
  describeService,
  hostPort,
  type Destination,
  type DestinationEntry,
  type DestinationKey,
  type Service,
  type ServiceKey,
  type Stats,
  type SyncDaemon,
  type Timeouts,
} from '../ipvs/types.js';
import { genlReply, serveFamily } from './genltest.js';
import { ack, errno, multipart, type NetlinkFunc } from './nltest.js';

const E = constants.errno;

/** KERNEL_SCHEDULERS are the scheduler modules the fake kernel "has". */
export const FAKE_SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'];

/** FakeIpvsOptions tune the fake. */
export interface FakeIpvsOptions {
  readonly familyId?: number;
  /** interruptDumps marks the next N dumps with NLM_F_DUMP_INTR. */
  interruptDumps?: number;
}

/** FakeCounters are what the fake reports of a service or destination: counters, rates and (destinations) connections. */
export interface FakeCounters {
  readonly stats?: Partial<Stats>;
  readonly activeConns?: number;
  readonly inactiveConns?: number;
  readonly persistentConns?: number;
}

class KernelError extends Error {
  constructor(readonly errno: number) {
    super(String(errno));
  }
}

/** FakeIpvsKernel holds the table and counts the commands it served. */
export class FakeIpvsKernel {
  readonly services = new Map<string, { service: Service; dests: Map<string, Destination> }>();
  timeouts: Timeouts = { tcp: 900, tcpFin: 120, udp: 300 };
  readonly daemons: SyncDaemon[] = [];
  /** commands counts requests by IPVS command number. */
  readonly commands = new Map<number, number>();
  /** counters are reported with services and destinations (by "service" or "service -> destination"); all zero when unset. */
  private readonly counters = new Map<string, FakeCounters>();

  constructor(private readonly options: FakeIpvsOptions = {}) {}

  /** func is the NetlinkFunc to dial. */
  get func(): NetlinkFunc {
    return serveFamily({ name: IPVS_GENL_NAME, id: this.options.familyId ?? 0x22, version: 1 }, (m, r) => this.handle(m, r));
  }

  /** setCounters makes the fake report counters for a service, or for one of its destinations. */
  setCounters(key: ServiceKey, counters: FakeCounters, destination?: DestinationKey): void {
    this.counters.set(countersId(key, destination), counters);
  }

  /** writes counts the table-changing commands served so far. */
  writes(): number {
    let n = 0;
    for (const cmd of [IPVS_CMD.NEW_SERVICE, IPVS_CMD.SET_SERVICE, IPVS_CMD.DEL_SERVICE, IPVS_CMD.NEW_DEST, IPVS_CMD.SET_DEST, IPVS_CMD.DEL_DEST, IPVS_CMD.FLUSH])
      n += this.commands.get(cmd) ?? 0;
    return n;
  }

  private handle(m: GenlMessage, request: NetlinkMessage): NetlinkMessage[] {
    this.commands.set(m.cmd, (this.commands.get(m.cmd) ?? 0) + 1);
    const dump = (request.flags & NLM_F.DUMP) === NLM_F.DUMP;
    try {
      const bodies = this.dispatch(m, dump);
      if (dump) {
        const parts = multipart(request, bodies.map((b) => encodeBody(b)));
        if ((this.options.interruptDumps ?? 0) > 0 && parts.length > 1) {
          this.options.interruptDumps = (this.options.interruptDumps ?? 0) - 1;
          parts[0] = { ...(parts[0] as NetlinkMessage), flags: (parts[0] as NetlinkMessage).flags | NLM_F.DUMP_INTR };
        }
        return parts;
      }
      return [...bodies.map((b) => genlReply(request, b)), ack(request)];
    } catch (e) {
      if (e instanceof KernelError) return [errno(request, e.errno)];
      throw e;
    }
  }

  private dispatch(m: GenlMessage, dump: boolean): GenlMessage[] {
    const top = readTop(m.attributes);
    switch (m.cmd) {
      case IPVS_CMD.GET_INFO:
        if (dump) throw new KernelError(E.EOPNOTSUPP);
        return [{ cmd: IPVS_CMD.SET_INFO, version: 1, attributes: new AttributeEncoder().u32(IPVS_INFO_ATTR.VERSION, 0x010201).u32(IPVS_INFO_ATTR.CONN_TAB_SIZE, 4096).encode() }];
      case IPVS_CMD.GET_CONFIG:
        return [{ cmd: IPVS_CMD.SET_CONFIG, version: 1, attributes: new AttributeEncoder().u32(IPVS_CMD_ATTR.TIMEOUT_TCP, this.timeouts.tcp).u32(IPVS_CMD_ATTR.TIMEOUT_TCP_FIN, this.timeouts.tcpFin).u32(IPVS_CMD_ATTR.TIMEOUT_UDP, this.timeouts.udp).encode() }];
      case IPVS_CMD.SET_CONFIG: {
        let t: Timeouts = { tcp: 0, tcpFin: 0, udp: 0 };
        decodeAttributes(m.attributes, (d) => (t = decodeTimeouts(d)));
        this.timeouts = { tcp: t.tcp || this.timeouts.tcp, tcpFin: t.tcpFin || this.timeouts.tcpFin, udp: t.udp || this.timeouts.udp };
        return [];
      }
      case IPVS_CMD.FLUSH:
        this.services.clear();
        return [];
      case IPVS_CMD.ZERO:
        if (top.service !== null) this.lookup(top.service);
        return [];
      case IPVS_CMD.GET_SERVICE:
        if (dump) return [...this.services.values()].map((s) => serviceBody(s.service, this.counters.get(countersId(s.service.key))));
        {
          const { service } = this.lookup(top.service);
          return [serviceBody(service, this.counters.get(countersId(service.key)))];
        }
      case IPVS_CMD.NEW_SERVICE:
      case IPVS_CMD.SET_SERVICE:
      case IPVS_CMD.DEL_SERVICE:
        return this.serviceCommand(m.cmd, top.service);
      case IPVS_CMD.GET_DEST: {
        if (!dump) throw new KernelError(E.EOPNOTSUPP);
        const key = top.service === null ? null : identify(top.service);
        const entry = key === null ? undefined : this.services.get(key.id);
        return entry === undefined ? [] : [...entry.dests.values()].map((d) => destBody(d, this.counters.get(countersId(entry.service.key, d))));
      }
      case IPVS_CMD.NEW_DEST:
      case IPVS_CMD.SET_DEST:
      case IPVS_CMD.DEL_DEST:
        return this.destCommand(m.cmd, top.service, top.dest);
      case IPVS_CMD.GET_DAEMON:
        return this.daemons.map((d) => ({ cmd: IPVS_CMD.NEW_DAEMON, version: 1, attributes: daemonBody(d) }));
      case IPVS_CMD.NEW_DAEMON:
      case IPVS_CMD.DEL_DAEMON: {
        if (top.daemon === null) throw new KernelError(E.EINVAL);
        let d: SyncDaemon | undefined;
        decodeAttributes(top.daemon, (x) => (d = decodeDaemonNest(x)));
        const daemon = d as SyncDaemon;
        const at = this.daemons.findIndex((x) => x.state === daemon.state);
        if (m.cmd === IPVS_CMD.NEW_DAEMON) {
          if (at >= 0) throw new KernelError(E.EEXIST);
          if (daemon.interface === '' || daemon.interface === 'nosuchdev0') throw new KernelError(E.ENODEV);
          this.daemons.push(daemon);
        } else {
          if (at < 0) throw new KernelError(E.ESRCH);
          this.daemons.splice(at, 1);
        }
        return [];
      }
      default:
        throw new KernelError(E.EOPNOTSUPP);
    }
  }

  private lookup(nest: Uint8Array | null): { service: Service; dests: Map<string, Destination> } {
    const key = nest === null ? null : identify(nest);
    if (key === null) throw new KernelError(E.EINVAL);
    const entry = this.services.get(key.id);
    if (entry === undefined) throw new KernelError(E.ESRCH);
    return entry;
  }

  private serviceCommand(cmd: number, nest: Uint8Array | null): GenlMessage[] {
    if (nest === null) throw new KernelError(E.EINVAL);
    const key = identify(nest);
    if (key === null) throw new KernelError(E.EINVAL);
    if (cmd === IPVS_CMD.DEL_SERVICE) {
      if (!this.services.delete(key.id)) throw new KernelError(E.ESRCH);
      return [];
    }
    const present = attributeTypes(nest);
    for (const required of [IPVS_SVC_ATTR.SCHED_NAME, IPVS_SVC_ATTR.FLAGS, IPVS_SVC_ATTR.TIMEOUT, IPVS_SVC_ATTR.NETMASK])
      if (!present.has(required)) throw new KernelError(E.EINVAL);
    let service: Service | undefined;
    decodeAttributes(nest, (d) => (service = stripStats(decodeServiceNest(d))));
    const s = service as Service;
    const existing = this.services.get(key.id);
    if (cmd === IPVS_CMD.NEW_SERVICE && existing !== undefined) throw new KernelError(E.EEXIST);
    if (cmd === IPVS_CMD.SET_SERVICE && existing === undefined) throw new KernelError(E.ESRCH);
    if (!FAKE_SCHEDULERS.includes(s.scheduler)) throw new KernelError(E.ENOENT);
    if (s.key.family === 6 && (s.netmask < 1 || s.netmask > 128)) throw new KernelError(E.EINVAL);
    this.services.set(key.id, { service: s, dests: existing?.dests ?? new Map<string, Destination>() });
    return [];
  }

  private destCommand(cmd: number, serviceNest: Uint8Array | null, destNest: Uint8Array | null): GenlMessage[] {
    if (serviceNest === null || destNest === null) throw new KernelError(E.EINVAL);
    const entry = this.lookup(serviceNest);
    const present = attributeTypes(destNest);
    if (!present.has(IPVS_DEST_ATTR.ADDR) || !present.has(IPVS_DEST_ATTR.PORT)) throw new KernelError(E.EINVAL);
    let dest: DestinationEntry | undefined;
    decodeAttributes(destNest, (d) => (dest = decodeDestinationNest(d, entry.service.key.family)));
    const d = dest as DestinationEntry;
    const id = `${d.family} ${hostPort(d.address, d.port)}`;
    if (cmd === IPVS_CMD.DEL_DEST) {
      if (!entry.dests.delete(id)) throw new KernelError(E.ENOENT);
      return [];
    }
    for (const required of [IPVS_DEST_ATTR.FWD_METHOD, IPVS_DEST_ATTR.WEIGHT, IPVS_DEST_ATTR.U_THRESH, IPVS_DEST_ATTR.L_THRESH])
      if (!present.has(required)) throw new KernelError(E.EINVAL);
    if (d.weight < 0 || d.lowerThreshold > d.upperThreshold) throw new KernelError(E.ERANGE);
    if (d.family !== entry.service.key.family && d.forwarding !== 'tunnel') throw new KernelError(E.EINVAL);
    if (d.forwarding === 'tunnel' && d.tunnelType === 'gue' && d.tunnelPort === 0) throw new KernelError(E.EINVAL);
    const exists = entry.dests.has(id);
    if (cmd === IPVS_CMD.NEW_DEST && exists) throw new KernelError(E.EEXIST);
    if (cmd === IPVS_CMD.SET_DEST && !exists) throw new KernelError(E.ENOENT);
    const { activeConns: _a, inactiveConns: _i, persistentConns: _p, stats: _s, ...plain } = d;
    entry.dests.set(id, plain);
    return [];
  }

  /** describe lists the table as "service -> dest weight" lines, for assertions. */
  describe(): string[] {
    const out: string[] = [];
    for (const { service, dests } of this.services.values()) {
      out.push(`${describeService(service.key)} ${service.scheduler} flags=${service.flags} timeout=${service.timeout}`);
      for (const d of dests.values()) out.push(`  -> ${hostPort(d.address, d.port)} ${d.forwarding} w=${d.weight}`);
    }
    return out.sort();
  }
}

function stripStats(s: Service & { stats?: unknown }): Service {
  const { stats: _stats, ...rest } = s;
  return rest;
}

function readTop(attributes: Uint8Array): { service: Uint8Array | null; dest: Uint8Array | null; daemon: Uint8Array | null } {
  const out = { service: null as Uint8Array | null, dest: null as Uint8Array | null, daemon: null as Uint8Array | null };
  decodeAttributes(attributes, (d) => {
    while (d.next()) {
      if (d.type() === IPVS_CMD_ATTR.SERVICE) out.service = d.bytes();
      else if (d.type() === IPVS_CMD_ATTR.DEST) out.dest = d.bytes();
      else if (d.type() === IPVS_CMD_ATTR.DAEMON) out.daemon = d.bytes();
    }
  });
  return out;
}

function attributeTypes(nest: Uint8Array): Set<number> {
  const types = new Set<number>();
  const d = new AttributeDecoder(nest);
  while (d.next()) types.add(d.type());
  return types;
}

/** identify finds the identity of a service nest the way the kernel requires: AF plus fwmark or proto+addr+port. */
function identify(nest: Uint8Array): { id: string; key: ServiceKey } | null {
  const present = attributeTypes(nest);
  if (!present.has(IPVS_SVC_ATTR.AF)) return null;
  if (!present.has(IPVS_SVC_ATTR.FWMARK) && !(present.has(IPVS_SVC_ATTR.PROTOCOL) && present.has(IPVS_SVC_ATTR.ADDR) && present.has(IPVS_SVC_ATTR.PORT))) return null;
  let key: ServiceKey | undefined;
  decodeAttributes(nest, (d) => (key = decodeServiceNest(d).key));
  return key === undefined ? null : { id: `${key.family} ${describeService(key)}`, key };
}

function encodeBody(b: GenlMessage): Uint8Array {
  const out = new Uint8Array(4 + b.attributes.length);
  out[0] = b.cmd;
  out[1] = b.version;
  out.set(b.attributes, 4);
  return out;
}

function countersId(key: ServiceKey, d?: DestinationKey): string {
  return d === undefined ? describeService(key) : `${describeService(key)} -> ${hostPort(d.address, d.port)}`;
}

const STATS_ORDER: ReadonlyArray<[keyof Stats, number]> = [
  ['conns', IPVS_STATS_ATTR.CONNS],
  ['inpkts', IPVS_STATS_ATTR.INPKTS],
  ['outpkts', IPVS_STATS_ATTR.OUTPKTS],
  ['inbytes', IPVS_STATS_ATTR.INBYTES],
  ['outbytes', IPVS_STATS_ATTR.OUTBYTES],
  ['cps', IPVS_STATS_ATTR.CPS],
  ['inpps', IPVS_STATS_ATTR.INPPS],
  ['outpps', IPVS_STATS_ATTR.OUTPPS],
  ['inbps', IPVS_STATS_ATTR.INBPS],
  ['outbps', IPVS_STATS_ATTR.OUTBPS],
];

function putStats64(e: AttributeEncoder, stats: Partial<Stats> | undefined): void {
  for (const [field, type] of STATS_ORDER) e.u64(type, stats?.[field] ?? 0n);
}

function serviceBody(s: Service, counters: FakeCounters | undefined): GenlMessage {
  // The kernel nests without NLA_F_NESTED and reports HASHED in the flags of every service.
  const flags = new Uint8Array(8);
  new DataView(flags.buffer).setUint32(0, s.flags | IP_VS_SVC_F.HASHED, true);
  new DataView(flags.buffer).setUint32(4, 0xffffffff, true);
  const attributes = new AttributeEncoder()
    .nested(IPVS_CMD_ATTR.SERVICE, (e) => {
      putServiceKey(e, s.key).string(IPVS_SVC_ATTR.SCHED_NAME, s.scheduler);
      if (s.persistenceEngine !== null) e.string(IPVS_SVC_ATTR.PE_NAME, s.persistenceEngine);
      e.bytes(IPVS_SVC_ATTR.FLAGS, flags).u32(IPVS_SVC_ATTR.TIMEOUT, s.timeout);
      if (s.key.family === 4) e.be32(IPVS_SVC_ATTR.NETMASK, s.netmask);
      else e.u32(IPVS_SVC_ATTR.NETMASK, s.netmask);
      e.nested(IPVS_SVC_ATTR.STATS64, (st) => putStats64(st, counters?.stats), false);
    }, false)
    .encode();
  return { cmd: IPVS_CMD.NEW_SERVICE, version: 1, attributes };
}

function destBody(d: Destination, counters: FakeCounters | undefined): GenlMessage {
  const attributes = new AttributeEncoder()
    .nested(IPVS_CMD_ATTR.DEST, (e) => {
      putDestination(e, d)
        .u32(IPVS_DEST_ATTR.ACTIVE_CONNS, counters?.activeConns ?? 0)
        .u32(IPVS_DEST_ATTR.INACT_CONNS, counters?.inactiveConns ?? 0)
        .u32(IPVS_DEST_ATTR.PERSIST_CONNS, counters?.persistentConns ?? 0)
        .nested(IPVS_DEST_ATTR.STATS64, (st) => putStats64(st, counters?.stats), false);
    }, false)
    .encode();
  return { cmd: IPVS_CMD.NEW_DEST, version: 1, attributes };
}

function daemonBody(d: SyncDaemon): Uint8Array {
  // Reuse the request encoding; the reply carries the same attributes.
  const e = new AttributeEncoder();
  e.nested(IPVS_CMD_ATTR.DAEMON, (n) => {
    n.u32(1, d.state === 'master' ? 1 : 2).string(2, d.interface).u32(3, d.syncId);
  }, false);
  return e.encode();
}
