/**
 * The `client_monitor` rule (reference piranha.md §3.3): a virtual service whose client_monitor
 * names a program other than nanny gets that program run once per active real server, with the
 * argv piranha's lvsd gave nanny, and that program keeps the server's IPVS destination itself, as
 * piranha's nanny did. lvsd still owns the service (creates, edits and deletes it) and the sorry
 * server, but never adds, edits or removes those servers' destinations; the one exception is that
 * before it starts such a program it removes a leftover destination of that server, the state a
 * piranha monitor assumes at start (piranha flushed the table first). The program's up/down is
 * read from its output as piranha did for the sorry server (§3.5): a line with `[ active ]`
 * means up, one with `[inactive]` down. Pure.
 */
import { usesBuiltinMonitor } from '../config/effective.js';
import type { LvsConfig, VirtualService } from '../config/model.js';
import { serviceDestinationId } from '../ipvs/reconcile.js';
import type { DestinationKey, ServiceKey } from '../ipvs/types.js';
import { nannyConfig, serviceKeyOf as nannyServiceKey } from '../nanny/options.js';
import type { RawNannyOptions } from '../nanny/options.js';
import { ipFamily } from '../net/address.js';
import { serviceKeyOf } from './desired.js';

/** ExternalMonitor is what lvsd needs to run a client_monitor program for one real server. */
export interface ExternalMonitor {
  /** program is the client_monitor path, run as is (argv[0]). */
  readonly program: string;
  /** ipvsadm is the global `ipvsadm` path, passed as -I. */
  readonly ipvsadm: string;
  /** sorryServer: the service has a sorry server, so the program gets --nodaemon (its output is read). */
  readonly sorryServer: boolean;
}

/** LvsdFlags are lvsd's own flags that reach the monitor's argv. */
export interface LvsdFlags {
  readonly verbose: boolean;
  /** nodaemon is lvsd's -n: every monitor gets --nodaemon. */
  readonly nodaemon: boolean;
}

/** externalMonitorOf is the external program of a virtual service, or null when nanny checks it. */
export function externalMonitorOf(v: VirtualService, config: LvsConfig): ExternalMonitor | null {
  if (usesBuiltinMonitor(v)) return null;
  return { program: v.clientMonitor, ipvsadm: config.global.ipvsadm, sorryServer: v.sorryServer !== null };
}

/**
 * clientMonitorArgv is the argv (program first) in piranha's exact order:
 * `-c -h RIP -p VPORT -r RPORT [-f MARK] [-u] [-e PROG] [-s SEND] [-x EXPECT] [-q] [--regex] [-v]
 * -a REENTRY -I IPVSADM -t TIMEOUT -w WEIGHT -V VIP -M m|g|i [-U LOADCMD] [--nodaemon] --lvs`.
 */
export function clientMonitorArgv(monitor: ExternalMonitor, o: RawNannyOptions, flags: LvsdFlags): string[] {
  const opt = (flag: string, value: string | undefined): string[] => (value === undefined ? [] : [flag, value]);
  const on = (flag: string, value: boolean | undefined): string[] => (value === true ? [flag] : []);
  return [
    monitor.program,
    '-c',
    ...opt('-h', o.server),
    ...opt('-p', o.port),
    ...opt('-r', o.rport),
    ...opt('-f', o.fwmark),
    ...on('-u', o.udp),
    ...opt('-e', o.sendProgram),
    ...opt('-s', o.sendString),
    ...opt('-x', o.expectString),
    ...on('-q', o.quiesceServer),
    ...on('--regex', o.regex),
    ...on('-v', flags.verbose),
    ...opt('-a', o.reentrytime),
    '-I',
    monitor.ipvsadm,
    ...opt('-t', o.interval),
    ...opt('-w', o.weight),
    ...opt('-V', o.virtaddress),
    ...opt('-M', o.method),
    ...opt('-U', o.loadcmd),
    ...on('--nodaemon', flags.nodaemon || monitor.sorryServer),
    '--lvs',
  ];
}

/** monitorLineState reads a monitor's output line as piranha's lvsd did: `[ active ]` is up, `[inactive]` down, anything else says nothing. */
export function monitorLineState(line: string): 'up' | 'down' | null {
  if (line.includes('[ active ]')) return 'up';
  if (line.includes('[inactive]')) return 'down';
  return null;
}

/** monitorDestination is the IPVS destination a monitor keeps, from the options it was given, or null if they name none. */
export function monitorDestination(options: RawNannyOptions): { key: ServiceKey; destination: DestinationKey } | null {
  try {
    const c = nannyConfig({ ...options, lvs: true });
    const key = nannyServiceKey(c);
    const family = ipFamily(c.server);
    if (key === null || family === null) return null;
    return { key, destination: { address: c.server, port: c.realPort, family } };
  } catch {
    return null;
  }
}

/**
 * externalDestinations returns the predicate the reconciler uses to leave alone the destinations
 * external monitors keep: active real servers of active virtual services with an external
 * client_monitor. Any other destination of an owned service is lvsd's.
 */
export function externalDestinations(config: LvsConfig): (key: ServiceKey, d: DestinationKey) => boolean {
  const ids = new Set<string>();
  for (const v of config.virtuals) {
    if (!v.active || usesBuiltinMonitor(v)) continue;
    const key = serviceKeyOf(v);
    if (key === null) continue;
    for (const s of v.servers) {
      const ip = s.address?.ip ?? null;
      const family = ip === null ? null : ipFamily(ip);
      if (s.active && ip !== null && family !== null) ids.add(serviceDestinationId(key, { address: ip, port: s.port, family }));
    }
  }
  return (key, d) => ids.size > 0 && ids.has(serviceDestinationId(key, d));
}
