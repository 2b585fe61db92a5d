/**
 * The ipvsadm command line, parsed purely: argv to a typed command. `lvsadm` runs it, and
 * `lvsadm -R` parses each saved line with it, so the grammar lives in one place. It follows
 * ipvsadm 1.31: one command letter, service and server options, its defaults (scheduler wlc,
 * weight 1, gatewaying, persistence 360 s, port of the service for a server without one).
 */
import { canonicalIp, ipFamily, type IpFamily } from '../net/address.js';
import type { DaemonState, Destination, DestinationKey, ForwardingMethod, Protocol, Service, ServiceKey, SyncDaemon, Timeouts, TunnelType } from './types.js';

/** ListOptions are the display flags of -L. */
export interface ListOptions {
  readonly numeric: boolean;
  readonly stats: boolean;
  readonly rate: boolean;
  readonly exact: boolean;
  readonly thresholds: boolean;
  readonly persistentConn: boolean;
  readonly tunInfo: boolean;
  readonly timeout: boolean;
  readonly daemon: boolean;
  readonly connection: boolean;
}

/** IpvsadmCommand is one parsed command line. */
export type IpvsadmCommand =
  | { readonly kind: 'add-service' | 'edit-service'; readonly service: Service }
  | { readonly kind: 'delete-service'; readonly key: ServiceKey }
  | { readonly kind: 'add-server' | 'edit-server'; readonly key: ServiceKey; readonly destination: Destination }
  | { readonly kind: 'delete-server'; readonly key: ServiceKey; readonly destination: DestinationKey }
  | { readonly kind: 'clear' }
  | { readonly kind: 'list'; readonly key: ServiceKey | null; readonly options: ListOptions }
  | { readonly kind: 'save'; readonly numeric: boolean }
  | { readonly kind: 'restore' }
  | { readonly kind: 'zero'; readonly key: ServiceKey | null }
  | { readonly kind: 'set-timeouts'; readonly timeouts: Timeouts }
  | { readonly kind: 'start-daemon'; readonly daemon: SyncDaemon }
  | { readonly kind: 'stop-daemon'; readonly state: DaemonState }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' };

/** IpvsadmUsageError is a command line ipvsadm would refuse; its message is ipvsadm's wording where there is one. */
export class IpvsadmUsageError extends Error {
  readonly code = 'IPVSADM_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'IpvsadmUsageError';
  }
}

/** DEFAULT_PERSISTENT_TIMEOUT is libipvs's IPVS_SVC_PERSISTENT_TIMEOUT (6 minutes). */
export const DEFAULT_PERSISTENT_TIMEOUT = 360;
/** DEFAULT_SCHEDULER is ipvsadm's DEF_SCHED. */
export const DEFAULT_SCHEDULER = 'wlc';

const COMMANDS: Record<string, string> = {
  '-A': 'add-service', '--add-service': 'add-service',
  '-E': 'edit-service', '--edit-service': 'edit-service',
  '-D': 'delete-service', '--delete-service': 'delete-service',
  '-C': 'clear', '--clear': 'clear',
  '-R': 'restore', '--restore': 'restore',
  '-S': 'save', '--save': 'save',
  '-a': 'add-server', '--add-server': 'add-server',
  '-e': 'edit-server', '--edit-server': 'edit-server',
  '-d': 'delete-server', '--delete-server': 'delete-server',
  '-L': 'list', '-l': 'list', '--list': 'list',
  '-Z': 'zero', '--zero': 'zero',
  '--set': 'set-timeouts',
  '--start-daemon': 'start-daemon',
  '--stop-daemon': 'stop-daemon',
  '-h': 'help', '--help': 'help',
  '-v': 'version', '--version': 'version',
};

const WITH_VALUE = new Set([
  '-t', '--tcp-service', '-u', '--udp-service', '--sctp-service', '-f', '--fwmark-service', '-s', '--scheduler', '-M', '--netmask',
  '-b', '--sched-flags', '--pe', '-r', '--real-server', '-w', '--weight', '-x', '--u-threshold', '-y', '--l-threshold',
  '--tun-type', '--tun-port', '--mcast-interface', '--syncid', '--sync-maxlen', '--mcast-group', '--mcast-port', '--mcast-ttl',
]);

const SCHED_FLAGS: Record<string, number> = { 'flag-1': 0x8, 'flag-2': 0x10, 'flag-3': 0x20, 'sh-fallback': 0x8, 'sh-port': 0x10, 'mh-fallback': 0x8, 'mh-port': 0x10 };

/** parseIpvsadmArgs parses the arguments after the program name. */
export function parseIpvsadmArgs(argv: readonly string[]): IpvsadmCommand {
  let command: string | null = null;
  const opts = new Map<string, string>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i] as string;
    let attached: string | null = null;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    if (eq > 0) {
      attached = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    } else if (/^-[a-zA-Z]./.test(arg) && !arg.startsWith('--')) {
      // Bundled short options: -Ln, -Sn, -p300 ...
      const letter = arg.slice(0, 2);
      const rest = arg.slice(2);
      if (WITH_VALUE.has(letter) || letter === '-p') {
        attached = rest;
        arg = letter;
      } else {
        argv = [...argv.slice(0, i), letter, ...rest.split('').map((c) => `-${c}`), ...argv.slice(i + 1)];
        arg = letter;
      }
    }
    const cmd = COMMANDS[arg];
    if (cmd !== undefined) {
      if (command !== null) throw new IpvsadmUsageError(`multiple commands specified`);
      command = cmd;
      if (cmd === 'set-timeouts') {
        const values = argv.slice(i + 1, i + 4);
        if (values.length < 3) throw new IpvsadmUsageError("--set needs three values: tcp tcpfin udp");
        positional.push(...values);
        i += 3;
      } else if (cmd === 'start-daemon' || cmd === 'stop-daemon') {
        const value = attached ?? argv[++i];
        if (value === undefined) throw new IpvsadmUsageError(`${arg} needs master or backup`);
        positional.push(value);
      }
      continue;
    }
    if (arg === '-p' || arg === '--persistent') {
      const next = attached ?? argv[i + 1];
      if (attached === null && next !== undefined && /^\d+$/.test(next)) i++;
      opts.set('-p', next !== undefined && /^\d+$/.test(next) ? next : String(DEFAULT_PERSISTENT_TIMEOUT));
      continue;
    }
    if (WITH_VALUE.has(arg)) {
      const value = attached ?? argv[++i];
      if (value === undefined) throw new IpvsadmUsageError(`option ${arg} requires an argument`);
      if (opts.has(canonical(arg))) throw new IpvsadmUsageError(`multiple '${arg}' options specified`);
      opts.set(canonical(arg), value);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      flags.add(canonical(arg));
      continue;
    }
    positional.push(arg);
  }
  if (command === null) {
    if (argv.length === 0) return { kind: 'list', key: null, options: listOptions(flags) };
    throw new IpvsadmUsageError('no command specified');
  }
  return build(command, opts, flags, positional);
}

const ALIASES: Record<string, string> = {
  '--tcp-service': '-t', '--udp-service': '-u', '--fwmark-service': '-f', '--scheduler': '-s', '--netmask': '-M', '--sched-flags': '-b',
  '--real-server': '-r', '--weight': '-w', '--u-threshold': '-x', '--l-threshold': '-y', '--gatewaying': '-g', '--ipip': '-i',
  '--masquerading': '-m', '--numeric': '-n', '--ipv6': '-6', '--ops': '-o', '--connection': '-c',
};

function canonical(arg: string): string {
  return ALIASES[arg] ?? arg;
}

function listOptions(flags: Set<string>): ListOptions {
  return {
    numeric: flags.has('-n'),
    stats: flags.has('--stats'),
    rate: flags.has('--rate'),
    exact: flags.has('--exact'),
    thresholds: flags.has('--thresholds'),
    persistentConn: flags.has('--persistent-conn'),
    tunInfo: flags.has('--tun-info'),
    timeout: flags.has('--timeout'),
    daemon: flags.has('--daemon'),
    connection: flags.has('-c'),
  };
}

function build(command: string, opts: Map<string, string>, flags: Set<string>, positional: string[]): IpvsadmCommand {
  switch (command) {
    case 'clear':
      return { kind: 'clear' };
    case 'restore':
      return { kind: 'restore' };
    case 'help':
      return { kind: 'help' };
    case 'version':
      return { kind: 'version' };
    case 'save':
      return { kind: 'save', numeric: flags.has('-n') };
    case 'list':
      return { kind: 'list', key: serviceKeyOf(opts, flags, false), options: listOptions(flags) };
    case 'zero':
      return { kind: 'zero', key: serviceKeyOf(opts, flags, false) };
    case 'set-timeouts': {
      const [tcp, tcpFin, udp] = positional.map((v) => number(v, 'timeout', 0, 2678400));
      return { kind: 'set-timeouts', timeouts: { tcp: tcp ?? 0, tcpFin: tcpFin ?? 0, udp: udp ?? 0 } };
    }
    case 'start-daemon':
    case 'stop-daemon': {
      const state = positional[0];
      if (state !== 'master' && state !== 'backup') throw new IpvsadmUsageError(`illegal daemon state '${state ?? ''}': use master or backup`);
      if (command === 'stop-daemon') return { kind: 'stop-daemon', state };
      const daemon: SyncDaemon = {
        state,
        interface: opts.get('--mcast-interface') ?? 'eth0',
        syncId: number(opts.get('--syncid') ?? '0', 'syncid', 0, 255),
        ...(opts.has('--sync-maxlen') ? { maxLength: number(opts.get('--sync-maxlen') as string, 'sync-maxlen', 1, 65535) } : {}),
        ...(opts.has('--mcast-group') ? { group: canonicalIp(opts.get('--mcast-group') as string) } : {}),
        ...(opts.has('--mcast-port') ? { port: number(opts.get('--mcast-port') as string, 'mcast-port', 1, 65535) } : {}),
        ...(opts.has('--mcast-ttl') ? { ttl: number(opts.get('--mcast-ttl') as string, 'mcast-ttl', 1, 255) } : {}),
      };
      return { kind: 'start-daemon', daemon };
    }
    case 'add-service':
    case 'edit-service':
    case 'delete-service': {
      const key = serviceKeyOf(opts, flags, true) as ServiceKey;
      if (command === 'delete-service') return { kind: 'delete-service', key };
      return { kind: command, service: serviceOf(key, opts, flags) };
    }
    default: {
      const key = serviceKeyOf(opts, flags, true) as ServiceKey;
      const server = opts.get('-r');
      if (server === undefined) throw new IpvsadmUsageError(`You need to supply the 'real-server' option for the '${command}' command`);
      const address = parseAddress(server, 'port' in key ? key.port : 0, 'illegal real server address');
      const destKey: DestinationKey = { address: address.address, port: address.port, family: address.family };
      if (command === 'delete-server') return { kind: 'delete-server', key, destination: destKey };
      return { kind: command as 'add-server' | 'edit-server', key, destination: destinationOf(key, destKey, opts, flags) };
    }
  }
}

function number(v: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new IpvsadmUsageError(`illegal ${what} specified: ${v}`);
  return Number(v);
}

/** parseAddress reads host[:port] or [v6]:port (numeric addresses only). */
function parseAddress(text: string, defaultPort: number, what: string): { address: string; port: number; family: IpFamily } {
  let host = text;
  let port: string | null = null;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (v6 !== null) {
    host = v6[1] as string;
    port = v6[2] ?? null;
  } else if ((text.match(/:/g) ?? []).length === 1) {
    [host, port] = text.split(':') as [string, string];
  }
  const family = ipFamily(host);
  if (family === null) throw new IpvsadmUsageError(`${what} '${text}' (lvsadm takes numeric addresses)`);
  const p = port === null || port === '' ? defaultPort : number(port, 'port', 0, 65535);
  return { address: canonicalIp(host), port: p, family };
}

function serviceKeyOf(opts: Map<string, string>, flags: Set<string>, required: boolean): ServiceKey | null {
  const given = (['-t', '-u', '--sctp-service', '-f'] as const).filter((o) => opts.has(o));
  if (given.length > 1) throw new IpvsadmUsageError('more than one service specified');
  const which = given[0];
  if (which === undefined) {
    if (required) throw new IpvsadmUsageError('You need to supply the service option (-t, -u, --sctp-service or -f)');
    return null;
  }
  const value = opts.get(which) as string;
  if (which === '-f') return { family: flags.has('-6') ? 6 : 4, fwmark: number(value, 'fwmark value', 1, 0xffffffff) };
  const protocol: Protocol = which === '-t' ? 'tcp' : which === '-u' ? 'udp' : 'sctp';
  const a = parseAddress(value, 0, 'illegal virtual server address');
  return { family: a.family, protocol, address: a.address, port: a.port };
}

function serviceOf(key: ServiceKey, opts: Map<string, string>, flags: Set<string>): Service {
  let svcFlags = 0;
  const persistent = opts.get('-p');
  if (persistent !== undefined) svcFlags |= 0x1;
  if (flags.has('-o')) svcFlags |= 0x4;
  for (const f of (opts.get('-b') ?? '').split(',').filter((x) => x !== '')) {
    const bit = SCHED_FLAGS[f];
    if (bit === undefined) throw new IpvsadmUsageError(`invalid scheduler flag '${f}'`);
    svcFlags |= bit;
  }
  if ('port' in key && key.port === 0 && persistent === undefined) throw new IpvsadmUsageError('Zero port specified for non-persistent service');
  const mask = opts.get('-M');
  let netmask = key.family === 4 ? 0xffffffff : 128;
  if (mask !== undefined) {
    if (key.family === 6) netmask = number(mask, 'virtual server persistent mask', 1, 128);
    else {
      const parts = mask.split('.').map(Number);
      if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new IpvsadmUsageError('illegal virtual server persistent mask specified');
      netmask = (((parts[0] as number) << 24) | ((parts[1] as number) << 16) | ((parts[2] as number) << 8) | (parts[3] as number)) >>> 0;
    }
  }
  return {
    key,
    scheduler: opts.get('-s') ?? DEFAULT_SCHEDULER,
    flags: svcFlags,
    timeout: persistent === undefined ? 0 : number(persistent, 'timeout value', 1, 2678400),
    netmask,
    persistenceEngine: opts.get('--pe') ?? null,
  };
}

function destinationOf(key: ServiceKey, d: DestinationKey, opts: Map<string, string>, flags: Set<string>): Destination {
  const methods = (['-g', '-i', '-m'] as const).filter((f) => flags.has(f));
  if (methods.length > 1) throw new IpvsadmUsageError('The forwarding method options conflict');
  const forwarding: ForwardingMethod = methods[0] === '-i' ? 'tunnel' : methods[0] === '-m' ? 'masq' : 'droute';
  const tunnelType = (opts.get('--tun-type') ?? 'ipip') as TunnelType;
  if (!['ipip', 'gue', 'gre'].includes(tunnelType)) throw new IpvsadmUsageError(`invalid tunnel type '${tunnelType}'`);
  if (forwarding !== 'tunnel' && (opts.has('--tun-type') || opts.has('--tun-port'))) throw new IpvsadmUsageError('Tunnel options conflict with forward method');
  let tunnelFlags = 0;
  if (flags.has('--tun-csum')) tunnelFlags = 1;
  if (flags.has('--tun-remcsum')) tunnelFlags = 2;
  // ipvsadm uses the service port for direct routing and tunnelling (the packet's port cannot change).
  const port = 'port' in key && forwarding !== 'masq' ? key.port : d.port;
  return {
    ...d,
    port,
    forwarding,
    weight: number(opts.get('-w') ?? '1', 'weight', 0, 2147483647),
    upperThreshold: number(opts.get('-x') ?? '0', 'upper threshold', 0, 2147483647),
    lowerThreshold: number(opts.get('-y') ?? '0', 'lower threshold', 0, 2147483647),
    tunnelType,
    tunnelPort: number(opts.get('--tun-port') ?? '0', 'tunnel port', 0, 65535),
    tunnelFlags,
  };
}

/** splitSavedLine splits one line of `ipvsadm -S` output into argv (no quoting is needed in that format). */
export function splitSavedLine(line: string): string[] {
  return line.trim().split(/\s+/).filter((w) => w !== '');
}
