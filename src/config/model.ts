/**
 * The typed model of lvs.cf. Field values are what the file says, with piranha 0.8.6's
 * defaults filled in for absent keywords; `null` marks an optional keyword that is absent.
 * Effective values derived by piranha's post-processing are computed by functions in
 * effective.ts, so that the model round-trips through the writer unchanged.
 */

/** IpFamily is 4 or 6. */
export type IpFamily = 4 | 6;

/**
 * HostAddress is an address as written (`text`: a literal or a hostname) and, when known,
 * the IP it denotes: set by the parser for literals, by resolveHosts() for hostnames.
 */
export interface HostAddress {
  readonly text: string;
  readonly ip: string | null;
  readonly family: IpFamily | null;
}

/** AddressDevice is an `IP device` pair: a VIP or NAT router address and its interface alias. */
export interface AddressDevice {
  readonly host: HostAddress;
  readonly device: string;
}

/** ForwardingMethod is the lvs.cf `network` value. */
export type ForwardingMethod = 'nat' | 'direct' | 'tunnel';

/** Protocol is the lvs.cf `protocol` value. */
export type Protocol = 'tcp' | 'udp';

/** ServiceType is the lvs.cf `service` value: which block kind pulse runs. */
export type ServiceType = 'lvs' | 'fos';

/** GlobalSettings holds every top-level keyword of lvs.cf. */
export interface GlobalSettings {
  serialNo: number;
  primary: HostAddress | null;
  primaryPrivate: HostAddress | null;
  primaryShared: string | null;
  backup: HostAddress | null;
  backupPrivate: HostAddress | null;
  backupShared: string | null;
  backupActive: boolean;
  heartbeat: boolean;
  heartbeatPort: number;
  keepalive: number;
  deadtime: number;
  network: ForwardingMethod;
  natRouter: AddressDevice | null;
  natNmask: string | null;
  service: ServiceType;
  rshCommand: string;
  debugLevel: string;
  ipvsadm: string;
  reservationConflictAction: 'nothing' | 'preempt' | null;
  activeCmd: string | null;
  inactiveCmd: string | null;
  monitorLinks: number;
  syncdaemon: boolean;
  syncdIface: string;
  syncdId: number;
  tcpTimeout: number;
  tcpfinTimeout: number;
  udpTimeout: number;
  hardShutdown: boolean;
  sync: boolean;
  /** heartbeatKeyFile is the key that authenticates heartbeats (extension `heartbeat_key_file`); null: none. */
  heartbeatKeyFile: string | null;
}

/** RealServer is a `server NAME { }` block inside a virtual service. */
export interface RealServer {
  name: string;
  address: HostAddress | null;
  active: boolean;
  weight: number;
  port: number;
}

/** VirtualService is a `virtual NAME { }` block (or, with the same keywords, a `failover NAME { }` block). */
export interface VirtualService {
  name: string;
  active: boolean;
  address: AddressDevice | null;
  sorryServer: string | null;
  vipNmask: string | null;
  fwmark: number;
  port: number;
  protocol: Protocol;
  scheduler: string;
  persistent: number;
  pmask: string | null;
  send: string | null;
  expect: string | null;
  useRegex: boolean;
  sendProgram: string | null;
  timeout: number;
  reentry: number;
  quiesceServer: boolean;
  loadMonitor: string | null;
  clientMonitor: string;
  startCmd: string | null;
  stopCmd: string | null;
  master: HostAddress | null;
  dirs: string[] | null;
  servers: RealServer[];
}

/** LvsConfig is a whole lvs.cf file. */
export interface LvsConfig {
  global: GlobalSettings;
  virtuals: VirtualService[];
  failovers: VirtualService[];
}

/** DEFAULT_IPVSADM is piranha's compiled-in ipvsadm path. */
export const DEFAULT_IPVSADM = '/sbin/ipvsadm';
/** DEFAULT_CLIENT_MONITOR is piranha's compiled-in health checker path. */
export const DEFAULT_CLIENT_MONITOR = '/usr/sbin/nanny';
/** DEFAULT_CONFIG_FILE is where every daemon looks for lvs.cf. */
export const DEFAULT_CONFIG_FILE = '/etc/sysconfig/ha/lvs.cf';

/** defaultGlobals returns the values piranha 0.8.6 assumes for absent top-level keywords. */
export function defaultGlobals(): GlobalSettings {
  return {
    serialNo: 0,
    primary: null,
    primaryPrivate: null,
    primaryShared: null,
    backup: null,
    backupPrivate: null,
    backupShared: null,
    backupActive: false,
    heartbeat: false,
    heartbeatPort: 539,
    keepalive: 2,
    deadtime: 5,
    network: 'nat',
    natRouter: null,
    natNmask: null,
    service: 'lvs',
    rshCommand: 'rsh',
    debugLevel: 'NONE',
    ipvsadm: DEFAULT_IPVSADM,
    reservationConflictAction: null,
    activeCmd: null,
    inactiveCmd: null,
    monitorLinks: 0,
    syncdaemon: false,
    syncdIface: 'eth0',
    syncdId: 0,
    tcpTimeout: 0,
    tcpfinTimeout: 0,
    udpTimeout: 0,
    hardShutdown: true,
    sync: false,
    heartbeatKeyFile: null,
  };
}

/** defaultVirtual returns a virtual service as lvsInitVirtualServer leaves it. */
export function defaultVirtual(name: string): VirtualService {
  return {
    name,
    active: false,
    address: null,
    sorryServer: null,
    vipNmask: null,
    fwmark: 0,
    port: 80,
    protocol: 'tcp',
    scheduler: 'wlc',
    persistent: 0,
    pmask: null,
    send: null,
    expect: null,
    useRegex: false,
    sendProgram: null,
    timeout: 10,
    reentry: 180,
    quiesceServer: false,
    loadMonitor: null,
    clientMonitor: DEFAULT_CLIENT_MONITOR,
    startCmd: null,
    stopCmd: null,
    master: null,
    dirs: null,
    servers: [],
  };
}

/** defaultServer returns a real server as piranha starts it: weight 1, the virtual port in effect. */
export function defaultServer(name: string, port: number): RealServer {
  return { name, address: null, active: false, weight: 1, port };
}

/** emptyConfig returns a configuration with only defaults. */
export function emptyConfig(): LvsConfig {
  return { global: defaultGlobals(), virtuals: [], failovers: [] };
}

/** hostKey returns the address a HostAddress denotes (its text while unresolved; 0.0.0.0 when absent). */
export function hostKey(h: HostAddress | null): string {
  if (h === null) return '0.0.0.0';
  return h.ip ?? h.text;
}
