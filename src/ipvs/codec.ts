/**
 * The IPVS codec: domain values to generic netlink attributes and back, pure (no socket).
 * Byte orders follow the kernel (reference netlink.md §1.8): ports, addresses and IPv4 netmasks
 * in network order, everything else in host order.
 */
import type { AttributeDecoder} from '../netlink/attributes.js';
import { AttributeEncoder } from '../netlink/attributes.js';
import { bytesToIp, ipToBytes, type IpFamily } from '../net/address.js';
import {
  AF_INET,
  AF_INET6,
  IP_VS_CONN_F,
  IP_VS_CONN_F_TUNNEL_TYPE,
  IP_VS_STATE,
  IP_VS_SVC_F,
  IPPROTO,
  IPVS_CMD_ATTR,
  IPVS_DAEMON_ATTR,
  IPVS_DEST_ATTR,
  IPVS_INFO_ATTR,
  IPVS_STATS_ATTR,
  IPVS_SVC_ATTR,
} from './constants.js';
import {
  isFwmark,
  type Destination,
  type DestinationEntry,
  type DestinationKey,
  type ForwardingMethod,
  type IpvsInfo,
  type Protocol,
  type Service,
  type ServiceEntry,
  type ServiceKey,
  type Stats,
  type SyncDaemon,
  type Timeouts,
  type TunnelType,
} from './types.js';

const afOf = (family: IpFamily): number => (family === 4 ? AF_INET : AF_INET6);
const familyOf = (af: number): IpFamily | null => (af === AF_INET ? 4 : af === AF_INET6 ? 6 : null);

const PROTOCOLS: Record<Protocol, number> = { tcp: IPPROTO.TCP, udp: IPPROTO.UDP, sctp: IPPROTO.SCTP };
const protocolOf = (n: number): Protocol | null => (n === IPPROTO.TCP ? 'tcp' : n === IPPROTO.UDP ? 'udp' : n === IPPROTO.SCTP ? 'sctp' : null);

const FORWARDING: Record<ForwardingMethod, number> = {
  masq: IP_VS_CONN_F.MASQ,
  local: IP_VS_CONN_F.LOCALNODE,
  tunnel: IP_VS_CONN_F.TUNNEL,
  droute: IP_VS_CONN_F.DROUTE,
  bypass: IP_VS_CONN_F.BYPASS,
};
const FORWARDING_BY_NUMBER = new Map(Object.entries(FORWARDING).map(([k, v]) => [v, k as ForwardingMethod]));

const TUNNELS: Record<TunnelType, number> = { ipip: IP_VS_CONN_F_TUNNEL_TYPE.IPIP, gue: IP_VS_CONN_F_TUNNEL_TYPE.GUE, gre: IP_VS_CONN_F_TUNNEL_TYPE.GRE };
const TUNNELS_BY_NUMBER = new Map(Object.entries(TUNNELS).map(([k, v]) => [v, k as TunnelType]));

/** addressAttr renders an address as the 16-byte union nf_inet_addr (IPv4 in the first 4 bytes), as libipvs does. */
function addressAttr(address: string): Uint8Array {
  const out = new Uint8Array(16);
  out.set(ipToBytes(address));
  return out;
}

/** putServiceKey adds the identifying attributes of a service. */
export function putServiceKey(e: AttributeEncoder, key: ServiceKey): AttributeEncoder {
  e.u16(IPVS_SVC_ATTR.AF, afOf(key.family));
  if (isFwmark(key)) return e.u32(IPVS_SVC_ATTR.FWMARK, key.fwmark);
  return e.u16(IPVS_SVC_ATTR.PROTOCOL, PROTOCOLS[key.protocol]).bytes(IPVS_SVC_ATTR.ADDR, addressAttr(key.address)).be16(IPVS_SVC_ATTR.PORT, key.port);
}

/** putService adds a full service (identity and every attribute NEW/SET_SERVICE require). */
export function putService(e: AttributeEncoder, s: Service): AttributeEncoder {
  putServiceKey(e, s.key).string(IPVS_SVC_ATTR.SCHED_NAME, s.scheduler);
  if (s.persistenceEngine !== null) e.string(IPVS_SVC_ATTR.PE_NAME, s.persistenceEngine);
  const flags = new Uint8Array(8);
  const v = new DataView(flags.buffer);
  v.setUint32(0, s.flags & ~IP_VS_SVC_F.HASHED, true);
  v.setUint32(4, 0xffffffff, true);
  e.bytes(IPVS_SVC_ATTR.FLAGS, flags).u32(IPVS_SVC_ATTR.TIMEOUT, s.timeout);
  return s.key.family === 4 ? e.be32(IPVS_SVC_ATTR.NETMASK, s.netmask) : e.u32(IPVS_SVC_ATTR.NETMASK, s.netmask);
}

/** putDestinationKey adds the identifying attributes of a destination. */
export function putDestinationKey(e: AttributeEncoder, d: DestinationKey): AttributeEncoder {
  return e.u16(IPVS_DEST_ATTR.ADDR_FAMILY, afOf(d.family)).bytes(IPVS_DEST_ATTR.ADDR, addressAttr(d.address)).be16(IPVS_DEST_ATTR.PORT, d.port);
}

/** putDestination adds a full destination (every attribute NEW/SET_DEST require, tunnel ones when tunnelling). */
export function putDestination(e: AttributeEncoder, d: Destination): AttributeEncoder {
  putDestinationKey(e, d)
    .u32(IPVS_DEST_ATTR.FWD_METHOD, FORWARDING[d.forwarding])
    .u32(IPVS_DEST_ATTR.WEIGHT, d.weight)
    .u32(IPVS_DEST_ATTR.U_THRESH, d.upperThreshold)
    .u32(IPVS_DEST_ATTR.L_THRESH, d.lowerThreshold);
  if (d.forwarding === 'tunnel' && (d.tunnelType !== 'ipip' || d.tunnelPort !== 0 || d.tunnelFlags !== 0))
    e.u8(IPVS_DEST_ATTR.TUN_TYPE, TUNNELS[d.tunnelType]).be16(IPVS_DEST_ATTR.TUN_PORT, d.tunnelPort).u16(IPVS_DEST_ATTR.TUN_FLAGS, d.tunnelFlags);
  return e;
}

/** serviceAttrs renders the CMD_ATTR_SERVICE nest of a request: full or identifying only. */
export function serviceAttrs(s: Service | ServiceKey, full: boolean): AttributeEncoder {
  return new AttributeEncoder().nested(IPVS_CMD_ATTR.SERVICE, (e) => (full ? putService(e, s as Service) : putServiceKey(e, 'key' in s ? s.key : s)));
}

/** destinationAttrs renders a service key nest followed by a destination nest. */
export function destinationAttrs(key: ServiceKey, d: Destination | DestinationKey, full: boolean): AttributeEncoder {
  return new AttributeEncoder()
    .nested(IPVS_CMD_ATTR.SERVICE, (e) => putServiceKey(e, key))
    .nested(IPVS_CMD_ATTR.DEST, (e) => (full ? putDestination(e, d as Destination) : putDestinationKey(e, d)));
}

const ZERO_STATS: Stats = { conns: 0n, inpkts: 0n, outpkts: 0n, inbytes: 0n, outbytes: 0n, cps: 0n, inpps: 0n, outpps: 0n, inbps: 0n, outbps: 0n };

function readStats(d: AttributeDecoder, wide: boolean): Stats {
  const s: { -readonly [K in keyof Stats]: bigint } = { ...ZERO_STATS };
  d.nested((n) => {
    while (n.next()) {
      // In the 32-bit STATS nest only the byte counters are 64-bit.
      const value = (): bigint => (wide || n.type() === IPVS_STATS_ATTR.INBYTES || n.type() === IPVS_STATS_ATTR.OUTBYTES ? n.u64() : BigInt(n.u32()));
      switch (n.type()) {
        case IPVS_STATS_ATTR.CONNS: s.conns = value(); break;
        case IPVS_STATS_ATTR.INPKTS: s.inpkts = value(); break;
        case IPVS_STATS_ATTR.OUTPKTS: s.outpkts = value(); break;
        case IPVS_STATS_ATTR.INBYTES: s.inbytes = value(); break;
        case IPVS_STATS_ATTR.OUTBYTES: s.outbytes = value(); break;
        case IPVS_STATS_ATTR.CPS: s.cps = value(); break;
        case IPVS_STATS_ATTR.INPPS: s.inpps = value(); break;
        case IPVS_STATS_ATTR.OUTPPS: s.outpps = value(); break;
        case IPVS_STATS_ATTR.INBPS: s.inbps = value(); break;
        case IPVS_STATS_ATTR.OUTBPS: s.outbps = value(); break;
      }
    }
  });
  return s;
}

/** decodeServiceNest reads the attributes inside a CMD_ATTR_SERVICE nest. */
export function decodeServiceNest(d: AttributeDecoder): ServiceEntry {
  let af = 0;
  let protocol = 0;
  let addr: Uint8Array = new Uint8Array(16);
  let port = 0;
  let fwmark = 0;
  let scheduler = '';
  let pe: string | null = null;
  let flags = 0;
  let timeout = 0;
  let netmask = 0;
  let stats: Stats | null = null;
  let stats64: Stats | null = null;
  while (d.next()) {
    switch (d.type()) {
      case IPVS_SVC_ATTR.AF: af = d.u16(); break;
      case IPVS_SVC_ATTR.PROTOCOL: protocol = d.u16(); break;
      case IPVS_SVC_ATTR.ADDR: addr = d.bytes(); break;
      case IPVS_SVC_ATTR.PORT: port = d.be16(); break;
      case IPVS_SVC_ATTR.FWMARK: fwmark = d.u32(); break;
      case IPVS_SVC_ATTR.SCHED_NAME: scheduler = d.string(); break;
      case IPVS_SVC_ATTR.PE_NAME: pe = d.string(); break;
      case IPVS_SVC_ATTR.FLAGS: {
        const b = d.bytes();
        if (b.length < 8) d.fail('service FLAGS shorter than 8 bytes');
        else {
          const v = new DataView(b.buffer, b.byteOffset);
          flags = v.getUint32(0, true) & v.getUint32(4, true);
        }
        break;
      }
      case IPVS_SVC_ATTR.TIMEOUT: timeout = d.u32(); break;
      case IPVS_SVC_ATTR.NETMASK: netmask = af === AF_INET6 ? d.u32() : d.be32(); break;
      case IPVS_SVC_ATTR.STATS: stats = readStats(d, false); break;
      case IPVS_SVC_ATTR.STATS64: stats64 = readStats(d, true); break;
    }
  }
  const family = familyOf(af);
  if (family === null) {
    d.fail(`service with unknown address family ${af}`);
    return { key: { family: 4, fwmark: 0 }, scheduler, flags, timeout, netmask, persistenceEngine: pe, stats: ZERO_STATS };
  }
  let key: ServiceKey;
  if (fwmark !== 0) key = { family, fwmark };
  else {
    const p = protocolOf(protocol);
    if (p === null) d.fail(`service with unknown protocol ${protocol}`);
    key = { family, protocol: p ?? 'tcp', address: bytesToIp(addr, family), port };
  }
  return { key, scheduler, flags: flags & ~IP_VS_SVC_F.HASHED, timeout, netmask, persistenceEngine: pe, stats: stats64 ?? stats ?? ZERO_STATS };
}

/** decodeDestinationNest reads the attributes inside a CMD_ATTR_DEST nest; old kernels omit ADDR_FAMILY. */
export function decodeDestinationNest(d: AttributeDecoder, serviceFamily: IpFamily): DestinationEntry {
  let af = 0;
  let addr: Uint8Array = new Uint8Array(16);
  let port = 0;
  let fwd = 0;
  let weight = 0;
  let upper = 0;
  let lower = 0;
  let active = 0;
  let inactive = 0;
  let persistent = 0;
  let tunType = 0;
  let tunPort = 0;
  let tunFlags = 0;
  let stats: Stats | null = null;
  let stats64: Stats | null = null;
  while (d.next()) {
    switch (d.type()) {
      case IPVS_DEST_ATTR.ADDR: addr = d.bytes(); break;
      case IPVS_DEST_ATTR.PORT: port = d.be16(); break;
      case IPVS_DEST_ATTR.FWD_METHOD: fwd = d.u32() & IP_VS_CONN_F.FWD_MASK; break;
      case IPVS_DEST_ATTR.WEIGHT: weight = d.u32() | 0; break;
      case IPVS_DEST_ATTR.U_THRESH: upper = d.u32(); break;
      case IPVS_DEST_ATTR.L_THRESH: lower = d.u32(); break;
      case IPVS_DEST_ATTR.ACTIVE_CONNS: active = d.u32(); break;
      case IPVS_DEST_ATTR.INACT_CONNS: inactive = d.u32(); break;
      case IPVS_DEST_ATTR.PERSIST_CONNS: persistent = d.u32(); break;
      case IPVS_DEST_ATTR.ADDR_FAMILY: af = d.u16(); break;
      case IPVS_DEST_ATTR.TUN_TYPE: tunType = d.u8(); break;
      case IPVS_DEST_ATTR.TUN_PORT: tunPort = d.be16(); break;
      case IPVS_DEST_ATTR.TUN_FLAGS: tunFlags = d.u16(); break;
      case IPVS_DEST_ATTR.STATS: stats = readStats(d, false); break;
      case IPVS_DEST_ATTR.STATS64: stats64 = readStats(d, true); break;
    }
  }
  const family = af === 0 ? serviceFamily : familyOf(af);
  if (family === null) d.fail(`destination with unknown address family ${af}`);
  return {
    address: bytesToIp(addr, family ?? serviceFamily),
    port,
    family: family ?? serviceFamily,
    forwarding: FORWARDING_BY_NUMBER.get(fwd) ?? 'masq',
    weight,
    upperThreshold: upper,
    lowerThreshold: lower,
    tunnelType: TUNNELS_BY_NUMBER.get(tunType) ?? 'ipip',
    tunnelPort: tunPort,
    tunnelFlags: tunFlags,
    activeConns: active,
    inactiveConns: inactive,
    persistentConns: persistent,
    stats: stats64 ?? stats ?? ZERO_STATS,
  };
}

/** daemonAttrs renders a CMD_ATTR_DAEMON nest: full for NEW_DAEMON, state only for DEL_DAEMON. */
export function daemonAttrs(daemon: SyncDaemon | { state: SyncDaemon['state'] }, full: boolean): AttributeEncoder {
  return new AttributeEncoder().nested(IPVS_CMD_ATTR.DAEMON, (e) => {
    e.u32(IPVS_DAEMON_ATTR.STATE, daemon.state === 'master' ? IP_VS_STATE.MASTER : IP_VS_STATE.BACKUP);
    if (!full) return;
    const d = daemon as SyncDaemon;
    e.string(IPVS_DAEMON_ATTR.MCAST_IFN, d.interface).u32(IPVS_DAEMON_ATTR.SYNC_ID, d.syncId);
    if (d.maxLength !== undefined) e.u16(IPVS_DAEMON_ATTR.SYNC_MAXLEN, d.maxLength);
    if (d.group !== undefined) {
      const bytes = ipToBytes(d.group);
      if (bytes.length === 4) e.bytes(IPVS_DAEMON_ATTR.MCAST_GROUP, bytes);
      else e.bytes(IPVS_DAEMON_ATTR.MCAST_GROUP6, bytes);
    }
    if (d.port !== undefined) e.u16(IPVS_DAEMON_ATTR.MCAST_PORT, d.port);
    if (d.ttl !== undefined) e.u8(IPVS_DAEMON_ATTR.MCAST_TTL, d.ttl);
  });
}

/** decodeDaemonNest reads a CMD_ATTR_DAEMON nest of a GET_DAEMON reply. */
export function decodeDaemonNest(d: AttributeDecoder): SyncDaemon {
  let state = 0;
  let ifname = '';
  let syncId = 0;
  const extra: { maxLength?: number; group?: string; port?: number; ttl?: number } = {};
  while (d.next()) {
    switch (d.type()) {
      case IPVS_DAEMON_ATTR.STATE: state = d.u32(); break;
      case IPVS_DAEMON_ATTR.MCAST_IFN: ifname = d.string(); break;
      case IPVS_DAEMON_ATTR.SYNC_ID: syncId = d.u32(); break;
      case IPVS_DAEMON_ATTR.SYNC_MAXLEN: extra.maxLength = d.u16(); break;
      case IPVS_DAEMON_ATTR.MCAST_GROUP: extra.group = bytesToIp(d.bytes(), 4); break;
      case IPVS_DAEMON_ATTR.MCAST_GROUP6: extra.group = bytesToIp(d.bytes(), 6); break;
      case IPVS_DAEMON_ATTR.MCAST_PORT: extra.port = d.u16(); break;
      case IPVS_DAEMON_ATTR.MCAST_TTL: extra.ttl = d.u8(); break;
    }
  }
  return { state: state === IP_VS_STATE.BACKUP ? 'backup' : 'master', interface: ifname, syncId, ...extra };
}

/** timeoutAttrs renders the top-level timeout attributes of SET_CONFIG. */
export function timeoutAttrs(t: Timeouts): AttributeEncoder {
  return new AttributeEncoder().u32(IPVS_CMD_ATTR.TIMEOUT_TCP, t.tcp).u32(IPVS_CMD_ATTR.TIMEOUT_TCP_FIN, t.tcpFin).u32(IPVS_CMD_ATTR.TIMEOUT_UDP, t.udp);
}

/** decodeTimeouts reads a GET_CONFIG reply's top-level attributes. */
export function decodeTimeouts(d: AttributeDecoder): Timeouts {
  let tcp = 0;
  let tcpFin = 0;
  let udp = 0;
  while (d.next()) {
    if (d.type() === IPVS_CMD_ATTR.TIMEOUT_TCP) tcp = d.u32();
    else if (d.type() === IPVS_CMD_ATTR.TIMEOUT_TCP_FIN) tcpFin = d.u32();
    else if (d.type() === IPVS_CMD_ATTR.TIMEOUT_UDP) udp = d.u32();
  }
  return { tcp, tcpFin, udp };
}

/** decodeInfo reads a GET_INFO reply's top-level attributes. */
export function decodeInfo(d: AttributeDecoder): IpvsInfo {
  let version = 0;
  let connTableSize = 0;
  while (d.next()) {
    if (d.type() === IPVS_INFO_ATTR.VERSION) version = d.u32();
    else if (d.type() === IPVS_INFO_ATTR.CONN_TAB_SIZE) connTableSize = d.u32();
  }
  return { version, connTableSize };
}
