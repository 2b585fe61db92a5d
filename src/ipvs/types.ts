/**
 * IPVS domain types. Identity and configuration (ServiceKey, Service, Destination) are kept
 * apart from what the kernel reports on top (ServiceEntry, DestinationEntry with counters).
 */
import type { IpFamily } from '../net/address.js';

export type { IpFamily };

/** Protocol is the transport protocol of a non-fwmark service. */
export type Protocol = 'tcp' | 'udp' | 'sctp';

/** ForwardingMethod is how packets reach a destination (ipvsadm -m, -g, -i; local/bypass are kernel-only). */
export type ForwardingMethod = 'masq' | 'local' | 'tunnel' | 'droute' | 'bypass';

/** TunnelType is the encapsulation of a tunnel destination. */
export type TunnelType = 'ipip' | 'gue' | 'gre';

/** ServiceKey identifies a service: a firewall mark, or protocol + address + port, per family. */
export type ServiceKey =
  | { readonly family: IpFamily; readonly fwmark: number }
  | { readonly family: IpFamily; readonly protocol: Protocol; readonly address: string; readonly port: number };

/** Service is a service's identity and configuration, as NEW/SET_SERVICE take it. */
export interface Service {
  readonly key: ServiceKey;
  readonly scheduler: string;
  /** flags are IP_VS_SVC_F bits without HASHED (PERSISTENT, ONEPACKET, SCHED1..3). */
  readonly flags: number;
  /** timeout is the persistence timeout in seconds. */
  readonly timeout: number;
  /** netmask is, for IPv4, the persistence mask as a 32-bit number (0xffffffff = /32); for IPv6 a prefix length. */
  readonly netmask: number;
  /** persistenceEngine is the PE name ("sip") or null. */
  readonly persistenceEngine: string | null;
}

/** Stats are the counters the kernel keeps for a service or destination (64-bit). */
export interface Stats {
  readonly conns: bigint;
  readonly inpkts: bigint;
  readonly outpkts: bigint;
  readonly inbytes: bigint;
  readonly outbytes: bigint;
  readonly cps: bigint;
  readonly inpps: bigint;
  readonly outpps: bigint;
  readonly inbps: bigint;
  readonly outbps: bigint;
}

/** ServiceEntry is a service as the kernel reports it. */
export interface ServiceEntry extends Service {
  readonly stats: Stats;
}

/** DestinationKey identifies a destination within its service. */
export interface DestinationKey {
  readonly address: string;
  readonly port: number;
  /** family is the destination's own family; it differs from the service's only for tunnels. */
  readonly family: IpFamily;
}

/** Destination is a real server's configuration, as NEW/SET_DEST take it. */
export interface Destination extends DestinationKey {
  readonly forwarding: ForwardingMethod;
  readonly weight: number;
  readonly upperThreshold: number;
  readonly lowerThreshold: number;
  readonly tunnelType: TunnelType;
  readonly tunnelPort: number;
  readonly tunnelFlags: number;
}

/** DestinationEntry is a destination as the kernel reports it. */
export interface DestinationEntry extends Destination {
  readonly activeConns: number;
  readonly inactiveConns: number;
  readonly persistentConns: number;
  readonly stats: Stats;
}

/** Timeouts are the IPVS connection timeouts in seconds; 0 in a request means "leave unchanged". */
export interface Timeouts {
  readonly tcp: number;
  readonly tcpFin: number;
  readonly udp: number;
}

/** DaemonState is the role of a connection sync daemon. */
export type DaemonState = 'master' | 'backup';

/** SyncDaemon is a connection sync daemon's configuration. */
export interface SyncDaemon {
  readonly state: DaemonState;
  readonly interface: string;
  readonly syncId: number;
  readonly maxLength?: number;
  readonly group?: string;
  readonly port?: number;
  readonly ttl?: number;
}

/** IpvsInfo is the GET_INFO reply: version and connection table size. */
export interface IpvsInfo {
  /** version is the raw number (major << 16 | minor << 8 | patch). */
  readonly version: number;
  readonly connTableSize: number;
}

/** isFwmark narrows a ServiceKey to a firewall-mark service. */
export function isFwmark(key: ServiceKey): key is Extract<ServiceKey, { fwmark: number }> {
  return 'fwmark' in key;
}

/** describeService renders a key as operators read it: "tcp 10.0.0.1:80", "tcp [::1]:80", "fwmark 5". */
export function describeService(key: ServiceKey): string {
  if (isFwmark(key)) return `fwmark ${key.fwmark}${key.family === 6 ? ' (IPv6)' : ''}`;
  return `${key.protocol} ${hostPort(key.address, key.port)}`;
}

/** hostPort renders address:port, bracketing IPv6. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
