/**
 * nanny's command line (reference piranha.md §4.1) turned into a typed configuration, with the
 * original's defaults and refusals ('No address supplied', 'bad IP address', 'unknown service type').
 */
import { ipFamily } from '../net/address.js';
import type { ForwardingMethod, ServiceKey } from '../ipvs/types.js';

/** RawNannyOptions are the parsed flags as commander gives them (strings where a value was given). */
export interface RawNannyOptions {
  readonly interval?: string;
  readonly ipvsadm?: string;
  readonly loadcmd?: string;
  readonly method?: string;
  readonly nodaemon?: boolean;
  readonly nofork?: boolean;
  readonly testStart?: boolean;
  readonly norun?: boolean;
  readonly port?: string;
  readonly rport?: string;
  readonly reentrytime?: string;
  readonly scale?: string;
  readonly server?: string;
  readonly sendProgram?: string;
  readonly sendString?: string;
  readonly expectString?: string;
  readonly regex?: boolean;
  readonly suppress?: boolean;
  readonly quiesceServer?: boolean;
  readonly udp?: boolean;
  readonly verbose?: boolean;
  readonly virtaddress?: string;
  readonly fwmark?: string;
  readonly weight?: string;
  readonly lvs?: boolean;
  readonly fos?: boolean;
  readonly fall?: string;
  readonly rise?: string;
}

/** NannyConfig is one nanny's complete configuration. */
export interface NannyConfig {
  readonly server: string;
  readonly virtualAddress: string | null;
  readonly virtualPort: number;
  readonly realPort: number;
  readonly fwmark: number;
  readonly udp: boolean;
  readonly intervalMs: number;
  readonly reentryMs: number;
  readonly weight: number;
  readonly scale: number;
  readonly method: ForwardingMethod;
  readonly quiesce: boolean;
  readonly send: string | null;
  readonly expect: string | null;
  readonly regex: boolean;
  readonly suppressEscapes: boolean;
  readonly sendProgram: string | null;
  readonly loadCommand: string;
  readonly testStart: boolean;
  readonly verbose: boolean;
  readonly foreground: boolean;
  readonly fall: number;
  readonly rise: number | null;
}

/** NannyUsageError is a command line nanny refuses, with the original's message. */
export class NannyUsageError extends Error {
  readonly code = 'NANNY_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'NannyUsageError';
  }
}

function int(value: string | undefined, fallback: number, what: string, min = 0): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value) || Number(value) < min) throw new NannyUsageError(`bad argument ${what}: ${value}`);
  return Number(value);
}

/** methodOf reads -M as the code does: m, g or i, a leading '-' allowed, anything else masquerading. */
export function methodOf(value: string | undefined): ForwardingMethod {
  const letter = (value ?? 'm').replace(/^-/, '');
  return letter === 'g' ? 'droute' : letter === 'i' ? 'tunnel' : 'masq';
}

/** nannyConfig validates raw options into a configuration. */
export function nannyConfig(raw: RawNannyOptions): NannyConfig {
  if (raw.lvs !== true && raw.fos !== true) throw new NannyUsageError('unknown service type');
  if (raw.fos === true) throw new NannyUsageError('--fos (failover services) is not supported by lvs-director');
  if (raw.server === undefined) throw new NannyUsageError("No address supplied. Use '--help' for help.");
  if (ipFamily(raw.server) === null) throw new NannyUsageError(`bad IP address -- ${raw.server}`);
  if (raw.virtaddress !== undefined && ipFamily(raw.virtaddress) === null) throw new NannyUsageError(`bad IP address -- ${raw.virtaddress}`);
  const intervalS = int(raw.interval, 10, '-t', 1);
  const virtualPort = int(raw.port, 80, '-p');
  const reentry = int(raw.reentrytime, 180, '-a');
  return {
    server: raw.server,
    virtualAddress: raw.virtaddress ?? null,
    virtualPort,
    realPort: int(raw.rport, virtualPort, '-r'),
    fwmark: int(raw.fwmark, 0, '-f'),
    udp: raw.udp === true,
    intervalMs: intervalS * 1000,
    // -a 0 means "use the default".
    reentryMs: (reentry === 0 ? 180 : reentry) * 1000,
    weight: int(raw.weight, 1, '-w'),
    scale: int(raw.scale, 10, '-S', 1),
    method: methodOf(raw.method),
    quiesce: raw.quiesceServer === true,
    send: raw.sendString ?? null,
    expect: raw.expectString ?? null,
    regex: raw.regex === true,
    suppressEscapes: raw.suppress === true,
    sendProgram: raw.sendProgram ?? null,
    loadCommand: raw.loadcmd ?? 'none',
    testStart: raw.testStart === true || raw.norun === true,
    verbose: raw.verbose === true,
    foreground: raw.nodaemon === true || raw.nofork === true,
    fall: int(raw.fall, 1, '--fall', 1),
    rise: raw.rise === undefined ? null : int(raw.rise, 1, '--rise', 1),
  };
}

/** serviceKeyOf is the IPVS service a nanny's real server belongs to (-V/-p/-u, or -f). */
export function serviceKeyOf(c: NannyConfig): ServiceKey | null {
  const family = ipFamily(c.virtualAddress ?? c.server) ?? 4;
  if (c.fwmark > 0) return { family, fwmark: c.fwmark };
  if (c.virtualAddress === null) return null;
  return { family, protocol: c.udp ? 'udp' : 'tcp', address: c.virtualAddress, port: c.virtualPort };
}

/** loadArgv is the load command nanny runs (reference §4.7): rsh/ssh RIP uptime, rup/ruptime RIP, or CMD RIP. */
export function loadArgv(command: string, server: string): string[] | null {
  if (command === 'none' || command === '') return null;
  const words = command.split(' ').filter((w) => w !== '');
  const program = words[0] ?? '';
  const base = program.split('/').pop() ?? program;
  return base === 'rsh' || base === 'ssh' ? [...words, server, 'uptime'] : [...words, server];
}
