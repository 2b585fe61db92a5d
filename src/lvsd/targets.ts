/**
 * The checker targets of a configuration: one per active real server of an active virtual
 * service, with the options lvsd gave piranha's nanny (reference piranha.md §3.3), and the
 * external program to run instead of lvsd's checkers when client_monitor is not nanny.
 */
import { loadMonitorCommand } from '../config/effective.js';
import type { LvsConfig } from '../config/model.js';
import type { RawNannyOptions } from '../nanny/options.js';
import { externalMonitorOf, type ExternalMonitor } from './client-monitor.js';
import type { ServiceKey } from '../ipvs/types.js';
import { serverId, serviceKeyOf } from './desired.js';

/** CheckTarget is one real server to check. */
export interface CheckTarget {
  readonly id: string;
  /** service is the IPVS service the server belongs to (null when its virtual service has no usable address). */
  readonly service: ServiceKey | null;
  /** label is "virtual/server" as lvsd's create_monitor line names it. */
  readonly label: string;
  readonly quiesce: boolean;
  readonly options: RawNannyOptions;
  /** external is the client_monitor program that checks this server and keeps its entry, or null for lvsd's checkers. */
  readonly external: ExternalMonitor | null;
}

/** sameTarget tells whether two targets of one server would be checked the same way (no restart needed). */
export function sameTarget(a: CheckTarget, b: CheckTarget): boolean {
  return JSON.stringify([a.options, a.external]) === JSON.stringify([b.options, b.external]);
}

const METHOD = { nat: 'm', direct: 'g', tunnel: 'i' } as const;

/** checkTargets lists the targets of a configuration, in file order, without duplicates. */
export function checkTargets(config: LvsConfig): CheckTarget[] {
  const out = new Map<string, CheckTarget>();
  for (const v of config.virtuals) {
    if (!v.active || v.address === null) continue;
    for (const s of v.servers) {
      const ip = s.address?.ip ?? null;
      if (!s.active || ip === null) continue;
      const id = serverId(v, s);
      if (out.has(id)) continue;
      const load = loadMonitorCommand(v, config.global);
      const options: RawNannyOptions = {
        server: ip,
        port: String(v.port),
        rport: String(s.port),
        ...(v.fwmark > 0 ? { fwmark: String(v.fwmark) } : {}),
        ...(v.protocol === 'udp' ? { udp: true } : {}),
        ...(v.sendProgram === null ? {} : { sendProgram: v.sendProgram }),
        ...(v.send === null ? {} : { sendString: v.send }),
        ...(v.expect === null ? {} : { expectString: v.expect }),
        ...(v.quiesceServer ? { quiesceServer: true } : {}),
        ...(v.useRegex ? { regex: true } : {}),
        reentrytime: String(v.reentry),
        interval: String(v.timeout),
        weight: String(s.weight),
        virtaddress: v.address.host.ip ?? v.address.host.text,
        method: METHOD[config.global.network],
        ...(load === null ? {} : { loadcmd: load }),
      };
      out.set(id, { id, service: serviceKeyOf(v), label: `${v.name}/${s.name}`, quiesce: v.quiesceServer, options, external: externalMonitorOf(v, config) });
    }
  }
  return [...out.values()];
}
