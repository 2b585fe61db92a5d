/**
 * Pure formatters that print an IPVS table exactly as ipvsadm 1.31 does (ipvsadm.c print_title,
 * print_service_entry, print_largenum, print_sched_flags, fwd_tun_info, print_tunnel_rule,
 * list_all, list_timeout, list_daemon; libipvs.c ipvs_cmp_services, ipvs_cmp_dests).
 *
 * What is reproduced on purpose, quirks included:
 * - Order. ipvsadm sorts services and destinations with glibc qsort() and comparators that
 *   subtract unsigned 32-bit values into an int. For values 2^31 or more apart (fwmark 0x80000000
 *   against 0, 1.2.3.4 against 250.1.1.1) the sign wraps, so the "order" is not transitive and
 *   the result depends on the sort algorithm and on the input order. glibc's qsort is a top-down
 *   merge sort (msort.c, used for every array that fits in a quarter of physical memory), which
 *   glibcMergeSort reproduces comparison for comparison. Callers must therefore pass services
 *   and destinations in the kernel's dump order, as readTable returns them.
 * - The destination comparator looks only at the first destination's family: an IPv4
 *   destination against an IPv6 one (tunnels of the other family) compares one word.
 * - Service names of IPv4 services are cut at 33 characters, destination names of IPv4
 *   destinations at 28 (only for listing, not for -S).
 * - fwmarks and weights print as signed ints (%d), so fwmark 0x80000000 prints -2147483648.
 * - A forwarding method ipvsadm has no name for (bypass) prints as glibc prints a NULL %s:
 *   "(null)".
 * - IPv6 addresses are rendered as glibc inet_ntop renders them (embedded IPv4 for ::a.b.c.d and
 *   ::ffff:a.b.c.d, a single zero group not compressed).
 *
 * Not reproduced: name resolution. Without -n, ipvsadm resolves addresses (gethostbyaddr) and
 * ports (getservbyport); these functions never do I/O, so `numeric: false` prints the same as
 * `numeric: true`. -S without -n is likewise not offered.
 */
import { ipToBytes } from '../net/address.js';
import { IP_VS_SVC_F } from './constants.js';
import type { ActualTable } from './reconcile.js';
import { isFwmark, type Destination, type DestinationEntry, type DestinationKey, type ForwardingMethod, type IpvsInfo, type Protocol, type Service, type ServiceEntry, type ServiceKey, type SyncDaemon, type Timeouts, type TunnelType } from './types.js';

/** ListOptions are the ipvsadm -L options that change the listing. */
export interface ListOptions {
  /** numeric is -n. Names are never resolved here, so it makes no difference (see the module comment). */
  readonly numeric: boolean;
  /** stats is --stats. */
  readonly stats?: boolean;
  /** rate is --rate. */
  readonly rate?: boolean;
  /** exact is --exact: full numbers instead of K/M/G/T. */
  readonly exact?: boolean;
  /** thresholds is --thresholds. */
  readonly thresholds?: boolean;
  /** persistentConn is --persistent-conn. */
  readonly persistentConn?: boolean;
  /** tunInfo is --tun-info. */
  readonly tunInfo?: boolean;
}

type Entry = ActualTable[number];

const AF_INET = 2;
const AF_INET6 = 10;
const IPPROTO: Record<Protocol, number> = { tcp: 6, udp: 17, sctp: 132 };
const SCHED_FLAGS = IP_VS_SVC_F.SCHED1 | IP_VS_SVC_F.SCHED2 | IP_VS_SVC_F.SCHED3;

/** C's "(null)" for a NULL %s argument, which glibc prints. */
const NULL_STRING = '(null)';

// ---------------------------------------------------------------------------------------------
// Sorting

/** glibcMergeSort sorts a copy of `items` exactly as glibc's qsort (msort_with_tmp) does. */
export function glibcMergeSort<T>(items: readonly T[], cmp: (a: T, b: T) => number): T[] {
  const a = [...items];
  const tmp: T[] = new Array<T>(a.length);
  const sort = (start: number, n: number): void => {
    if (n <= 1) return;
    let n1 = Math.floor(n / 2);
    let n2 = n - n1;
    sort(start, n1);
    sort(start + n1, n2);
    let i1 = start;
    let i2 = start + n1;
    let t = 0;
    while (n1 > 0 && n2 > 0) {
      if (cmp(a[i1] as T, a[i2] as T) <= 0) {
        tmp[t++] = a[i1++] as T;
        n1--;
      } else {
        tmp[t++] = a[i2++] as T;
        n2--;
      }
    }
    while (n1 > 0) {
      tmp[t++] = a[i1++] as T;
      n1--;
    }
    // The n2 elements not taken are already in place at the end.
    for (let k = 0; k < t; k++) a[start + k] = tmp[k] as T;
  };
  sort(0, a.length);
  return a;
}

/** addressWords is the 16-byte nf_inet_addr union as four host-order words (IPv4 in the first). */
function addressWords(address: string): [number, number, number, number] {
  const b = ipToBytes(address);
  const word = (i: number): number => (((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0)) >>> 0;
  return b.length === 4 ? [word(0), 0, 0, 0] : [word(0), word(4), word(8), word(12)];
}

/** intDiff is C's `int r = (u32)a - (u32)b`: the difference wrapped to a signed 32-bit int. */
const intDiff = (a: number, b: number): number => (a - b) | 0;

const afOf = (family: 4 | 6): number => (family === 6 ? AF_INET6 : AF_INET);

/** compareServices is libipvs ipvs_cmp_services, wrap-around included. */
export function compareServices(s1: ServiceEntry, s2: ServiceEntry): number {
  const k1 = s1.key;
  const k2 = s2.key;
  let r = intDiff(isFwmark(k1) ? k1.fwmark >>> 0 : 0, isFwmark(k2) ? k2.fwmark >>> 0 : 0);
  if (r !== 0) return r;
  r = afOf(k1.family) - afOf(k2.family);
  if (r !== 0) return r;
  r = (isFwmark(k1) ? 0 : IPPROTO[k1.protocol]) - (isFwmark(k2) ? 0 : IPPROTO[k2.protocol]);
  if (r !== 0) return r;
  const w1 = isFwmark(k1) ? [0, 0, 0, 0] : addressWords(k1.address);
  const w2 = isFwmark(k2) ? [0, 0, 0, 0] : addressWords(k2.address);
  if (k1.family === 6) for (let i = 0; r === 0 && i < 4; i++) r = intDiff(w1[i] ?? 0, w2[i] ?? 0);
  else r = intDiff(w1[0] ?? 0, w2[0] ?? 0);
  if (r !== 0) return r;
  return (isFwmark(k1) ? 0 : k1.port) - (isFwmark(k2) ? 0 : k2.port);
}

/** compareDestinations is libipvs ipvs_cmp_dests: the first destination's family decides how many words count. */
export function compareDestinations(d1: DestinationEntry, d2: DestinationEntry): number {
  const w1 = addressWords(d1.address);
  const w2 = addressWords(d2.address);
  let r = 0;
  if (d1.family === 6) for (let i = 0; r === 0 && i < 4; i++) r = intDiff(w1[i] ?? 0, w2[i] ?? 0);
  else r = intDiff(w1[0], w2[0]);
  if (r !== 0) return r;
  return d1.port - d2.port;
}

/** sortTable orders services and each one's destinations as ipvsadm lists them (input in dump order). */
export function sortTable(table: ActualTable): Entry[] {
  return glibcMergeSort(table, (a, b) => compareServices(a.service, b.service)).map((e) => ({
    service: e.service,
    destinations: glibcMergeSort(e.destinations, compareDestinations),
  }));
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/** inet6Ntop renders 16 bytes as glibc's inet_ntop(AF_INET6) does. */
export function inet6Ntop(bytes: Uint8Array): string {
  const words = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  let best = { base: -1, len: 0 };
  let cur = { base: -1, len: 0 };
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (cur.base === -1) cur = { base: i, len: 1 };
      else cur.len++;
    } else if (cur.base !== -1) {
      if (best.base === -1 || cur.len > best.len) best = cur;
      cur = { base: -1, len: 0 };
    }
  }
  if (cur.base !== -1 && (best.base === -1 || cur.len > best.len)) best = cur;
  if (best.base !== -1 && best.len < 2) best = { base: -1, len: 0 };
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best.base !== -1 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
      out += `${bytes[12] ?? 0}.${bytes[13] ?? 0}.${bytes[14] ?? 0}.${bytes[15] ?? 0}`;
      return out;
    }
    out += (words[i] ?? 0).toString(16);
  }
  if (best.base !== -1 && best.base + best.len === 8) out += ':';
  return out;
}

/** ntop renders an address literal as glibc's inet_ntop does for its family. */
function ntop(address: string): string {
  const b = ipToBytes(address);
  return b.length === 4 ? `${b[0]}.${b[1]}.${b[2]}.${b[3]}` : inet6Ntop(b);
}

/** addrPort is addrport_to_anyname with FMT_NUMERIC: IPv6 in brackets. */
function addrPort(family: 4 | 6, address: string, port: number): string {
  return family === 4 ? `${ntop(address)}:${port}` : `[${ntop(address)}]:${port}`;
}

/** int32 renders a number as C's %d of an int. */
const int32 = (n: number): string => String(n | 0);
/** uint32 renders a number as C's %u of an unsigned int. */
const uint32 = (n: number): string => String(n >>> 0);
const left = (s: string, width: number): string => s.padEnd(width);
const right = (s: string, width: number): string => s.padStart(width);

/** formatLargeNumber is print_largenum: 9 columns, scaled to K/M/G/T unless exact. */
export function formatLargeNumber(i: bigint, exact: boolean): string {
  if (exact) {
    const digits = i.toString();
    return right(digits, digits.length <= 8 ? 9 : digits.length + 1);
  }
  if (i < 100_000_000n) return right(i.toString(), 9);
  if (i < 1_000_000_000n) return `${right((i / 1000n).toString(), 8)}K`;
  if (i < 100_000_000_000n) return `${right((i / 1_000_000n).toString(), 8)}M`;
  if (i < 100_000_000_000_000n) return `${right((i / 1_000_000_000n).toString(), 8)}G`;
  return `${right((i / 1_000_000_000_000n).toString(), 8)}T`;
}

/** dottedMask is inet_ntoa of an IPv4 netmask held as a 32-bit number. */
function dottedMask(n: number): string {
  return `${(n >>> 24) & 0xff}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

/** schedFlags is print_sched_flags (without the surrounding parentheses). */
function schedFlags(s: Service): string {
  const names: string[] = [];
  if (s.scheduler === 'sh') {
    if (s.flags & IP_VS_SVC_F.SCHED1) names.push('sh-fallback');
    if (s.flags & IP_VS_SVC_F.SCHED2) names.push('sh-port');
  } else if (s.scheduler === 'mh') {
    if (s.flags & IP_VS_SVC_F.SCHED1) names.push('mh-fallback');
    if (s.flags & IP_VS_SVC_F.SCHED2) names.push('mh-port');
  } else {
    if (s.flags & IP_VS_SVC_F.SCHED1) names.push('flag-1');
    if (s.flags & IP_VS_SVC_F.SCHED2) names.push('flag-2');
    if (s.flags & IP_VS_SVC_F.SCHED3) names.push('flag-3');
  }
  return names.join(',');
}

const PROTOCOL_NAMES: Record<Protocol, string> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' };
const PROTOCOL_OPTIONS: Record<Protocol, string> = { tcp: '-t', udp: '-u', sctp: '--sctp-service' };
const FORWARD_NAMES: Record<ForwardingMethod, string> = { masq: 'Masq', local: 'Local', tunnel: 'Tunnel', droute: 'Route', bypass: NULL_STRING };
const FORWARD_SWITCHES: Record<ForwardingMethod, string> = { masq: '-m', local: '-g', tunnel: '-i', droute: '-g', bypass: NULL_STRING };
/** TUNNEL_FLAG_NAMES and TUNNEL_FLAG_OPTIONS are indexed by the tunnel flags value (0 nocsum, 1 csum, 2 remcsum). */
const TUNNEL_FLAG_NAMES = ['-c', '+c', 'r+c'];
const TUNNEL_FLAG_OPTIONS = ['--tun-nocsum', '--tun-csum', '--tun-remcsum'];
/** ipvsadm indexes its arrays with the raw value; for a value it has no entry for we print "(null)". */
const tunnelFlag = (names: readonly string[], flags: number): string => names[flags] ?? NULL_STRING;

/** serviceName is svc_name: "TCP  1.2.3.4:80" / "FWM  5" when listing, "-t 1.2.3.4:80" / "-f 5" for -S. */
function serviceName(s: Service, rule: boolean): string {
  return keyName(s.key, rule);
}

function keyName(k: ServiceKey, rule: boolean): string {
  if (isFwmark(k)) {
    if (rule) return k.family === 6 ? `-f ${int32(k.fwmark)} -6` : `-f ${int32(k.fwmark)}`;
    return k.family === 6 ? `FWM  ${int32(k.fwmark)} IPv6` : `FWM  ${int32(k.fwmark)}`;
  }
  const vname = addrPort(k.family, k.address, k.port);
  if (rule) return `${PROTOCOL_OPTIONS[k.protocol]} ${vname}`;
  const name = `${left(PROTOCOL_NAMES[k.protocol], 4)} ${vname}`;
  return k.family !== 6 ? name.slice(0, 33) : name;
}

/** destinationName is dname: cut at 28 characters for IPv4 destinations when listing. */
function destinationName(d: DestinationKey, rule: boolean): string {
  const name = addrPort(d.family, d.address, d.port);
  return !rule && d.family !== 6 ? name.slice(0, 28) : name;
}

/** tunnelInfo is fwd_tun_info, or null (printed "n/a") for a destination that does not tunnel. */
function tunnelInfo(d: Destination): string | null {
  if (d.forwarding !== 'tunnel') return null;
  const info = ((type: TunnelType): string => {
    switch (type) {
      case 'ipip':
        return 'ipip';
      case 'gue':
        return `gue:${d.tunnelPort}:${tunnelFlag(TUNNEL_FLAG_NAMES, d.tunnelFlags)}`;
      case 'gre':
        return `gre:${tunnelFlag(TUNNEL_FLAG_NAMES, d.tunnelFlags)}`;
    }
  })(d.tunnelType);
  return info.slice(0, 15); // snprintf(info, 16, ...)
}

// ---------------------------------------------------------------------------------------------
// Listing

type Layout = 'stats' | 'rate' | 'thresholds' | 'persistent' | 'tunnel' | 'plain';

function layoutOf(o: ListOptions): Layout {
  if (o.stats === true) return 'stats';
  if (o.rate === true) return 'rate';
  if (o.thresholds === true) return 'thresholds';
  if (o.persistentConn === true) return 'persistent';
  if (o.tunInfo === true) return 'tunnel';
  return 'plain';
}

function title(layout: Layout): string {
  const columns = (...names: string[]): string => `${left('Prot LocalAddress:Port', 33)} ${names.join(' ')}\n  -> RemoteAddress:Port\n`;
  switch (layout) {
    case 'stats':
      return columns(...['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map((n) => right(n, 8)));
    case 'rate':
      return columns(...['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS'].map((n) => right(n, 8)));
    case 'thresholds':
      return columns(...['Uthreshold', 'Lthreshold', 'ActiveConn', 'InActConn'].map((n) => left(n, 10)));
    case 'persistent':
      return columns(left('Weight', 9), left('PersistConn', 11), left('ActiveConn', 10), left('InActConn', 10));
    case 'tunnel':
      return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n';
    case 'plain':
      return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
  }
}

function serviceLine(s: ServiceEntry, layout: Layout, exact: boolean): string {
  const name = serviceName(s, false);
  const big = (v: bigint): string => formatLargeNumber(v, exact);
  if (layout === 'stats') return `${left(name, 33)}${big(s.stats.conns)}${big(s.stats.inpkts)}${big(s.stats.outpkts)}${big(s.stats.inbytes)}${big(s.stats.outbytes)}\n`;
  if (layout === 'rate') return `${left(name, 33)}${big(s.stats.cps)}${big(s.stats.inpps)}${big(s.stats.outpps)}${big(s.stats.inbps)}${big(s.stats.outbps)}\n`;
  let line = `${name} ${s.scheduler}`;
  if (s.flags & SCHED_FLAGS) line += ` (${schedFlags(s)})`;
  if (s.flags & IP_VS_SVC_F.PERSISTENT) {
    line += ` persistent ${uint32(s.timeout)}`;
    if (s.key.family === 4 && s.netmask >>> 0 !== 0xffffffff) line += ` mask ${dottedMask(s.netmask)}`;
    if (s.key.family === 6 && s.netmask >>> 0 !== 128) line += ` mask ${int32(s.netmask)}`;
    if (s.persistenceEngine !== null && s.persistenceEngine !== '') line += ` pe ${s.persistenceEngine}`;
  }
  if (s.flags & IP_VS_SVC_F.ONEPACKET) line += ' ops';
  return `${line}\n`;
}

function destinationLine(d: DestinationEntry, layout: Layout, exact: boolean): string {
  const name = left(destinationName(d, false), 28);
  const big = (v: bigint): string => formatLargeNumber(v, exact);
  switch (layout) {
    case 'stats':
      return `  -> ${name}${big(d.stats.conns)}${big(d.stats.inpkts)}${big(d.stats.outpkts)}${big(d.stats.inbytes)}${big(d.stats.outbytes)}\n`;
    case 'rate':
      return `  -> ${name} ${right(d.stats.cps.toString(), 8)} ${right(d.stats.inpps.toString(), 8)} ${right(d.stats.outpps.toString(), 8)}${big(d.stats.inbps)}${big(d.stats.outbps)}\n`;
    case 'thresholds':
      return `  -> ${name} ${left(uint32(d.upperThreshold), 10)} ${left(uint32(d.lowerThreshold), 10)} ${left(uint32(d.activeConns), 10)} ${left(uint32(d.inactiveConns), 10)}\n`;
    case 'persistent':
      return `  -> ${name} ${left(uint32(d.weight), 9)} ${left(uint32(d.persistentConns), 11)} ${left(uint32(d.activeConns), 10)} ${left(uint32(d.inactiveConns), 10)}\n`;
    case 'tunnel':
      return `  -> ${name} ${left(FORWARD_NAMES[d.forwarding], 7)} ${left(tunnelInfo(d) ?? 'n/a', 13)} ${left(int32(d.weight), 6)} ${left(uint32(d.activeConns), 10)} ${left(uint32(d.inactiveConns), 10)}\n`;
    case 'plain':
      return `  -> ${name} ${left(FORWARD_NAMES[d.forwarding], 7)} ${left(int32(d.weight), 6)} ${left(uint32(d.activeConns), 10)} ${left(uint32(d.inactiveConns), 10)}\n`;
  }
}

/** versionText is NVERSION: major.minor.patch of the raw IPVS version number. */
function versionText(version: number): string {
  return `${(version >>> 16) & 0xff}.${(version >>> 8) & 0xff}.${version & 0xff}`;
}

/**
 * formatList is what `ipvsadm -L` (with options) prints for the whole table. `table` must be in
 * the kernel's dump order (see the module comment); it is sorted here as ipvsadm sorts it.
 */
export function formatList(info: IpvsInfo, table: ActualTable, options: ListOptions): string {
  const layout = layoutOf(options);
  const exact = options.exact === true;
  let out = `IP Virtual Server version ${versionText(info.version)} (size=${int32(info.connTableSize)})\n${title(layout)}`;
  for (const { service, destinations } of sortTable(table)) {
    out += serviceLine(service, layout, exact);
    for (const d of destinations) out += destinationLine(d, layout, exact);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Save

/** serviceOption is how ipvsadm's command line names a service: "-t 1.2.3.4:80", "-u [::1]:53", "-f 5". */
export function serviceOption(key: ServiceKey): string {
  return keyName(key, true);
}

/** serviceRule is the ipvsadm arguments that create a service as it is: "-t 1.2.3.4:80 -s wlc -p 300". */
export function serviceRule(s: Service): string {
  let line = `${serviceName(s, true)} -s ${s.scheduler}`;
  if (s.flags & IP_VS_SVC_F.PERSISTENT) {
    line += ` -p ${uint32(s.timeout)}`;
    if (s.key.family === 4 && s.netmask >>> 0 !== 0xffffffff) line += ` -M ${dottedMask(s.netmask)}`;
    if (s.key.family === 6 && s.netmask >>> 0 !== 128) line += ` -M ${int32(s.netmask)}`;
  }
  if (s.persistenceEngine !== null && s.persistenceEngine !== '') line += ` --pe ${s.persistenceEngine}`;
  if (s.flags & IP_VS_SVC_F.ONEPACKET) line += ' -o';
  if (s.flags & SCHED_FLAGS) line += ` -b ${schedFlags(s)}`;
  return line;
}

/** destinationAddress is how ipvsadm's command line names a real server: "10.0.0.1:80", "[::1]:80". */
export function destinationAddress(d: DestinationKey): string {
  return destinationName(d, true);
}

/** destinationRule is the ipvsadm arguments after the service that add a real server as it is: "-r 10.0.0.1:80 -m -w 1". */
export function destinationRule(d: Destination): string {
  const base = `-r ${destinationName(d, true)} ${FORWARD_SWITCHES[d.forwarding]} -w ${int32(d.weight)}`;
  if (d.forwarding !== 'tunnel') return base;
  switch (d.tunnelType) {
    case 'gre':
      return `${base} --tun-type gre ${tunnelFlag(TUNNEL_FLAG_OPTIONS, d.tunnelFlags)}`;
    case 'gue':
      return `${base} --tun-type gue --tun-port ${int32(d.tunnelPort)} ${tunnelFlag(TUNNEL_FLAG_OPTIONS, d.tunnelFlags)}`;
    case 'ipip':
      return `${base} --tun-type ipip`;
  }
}

/**
 * formatSave is what `ipvsadm -S -n` prints: one -A line per service followed by its -a lines,
 * in ipvsadm's order. Like ipvsadm, it carries no thresholds (-x/-y).
 */
export function formatSave(table: ActualTable): string {
  let out = '';
  for (const { service, destinations } of sortTable(table)) {
    out += `-A ${serviceRule(service)}\n`;
    const name = serviceName(service, true);
    for (const d of destinations) out += `-a ${name} ${destinationRule(d)}\n`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Timeouts and daemons

/** formatTimeouts is what `ipvsadm -L --timeout` prints. */
export function formatTimeouts(t: Timeouts): string {
  return `Timeout (tcp tcpfin udp): ${int32(t.tcp)} ${int32(t.tcpFin)} ${int32(t.udp)}\n`;
}

/** formatDaemons is what `ipvsadm -L --daemon` prints, one line per daemon in the order given (the dump order). */
export function formatDaemons(list: readonly SyncDaemon[]): string {
  let out = '';
  for (const d of list.slice(0, 2)) {
    let line = `${d.state} sync daemon (mcast=${d.interface.slice(0, 15)}, syncid=${int32(d.syncId)}`;
    if (d.maxLength !== undefined && d.maxLength !== 0) line += `, maxlen=${uint32(d.maxLength)}`;
    if (d.group !== undefined) line += `, group=${ntop(d.group)}`;
    if (d.port !== undefined && d.port !== 0) line += `, port=${uint32(d.port)}`;
    if (d.ttl !== undefined && d.ttl !== 0) line += `, ttl=${uint32(d.ttl)}`;
    out += `${line})\n`;
  }
  return out;
}
