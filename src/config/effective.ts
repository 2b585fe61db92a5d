/**
 * Values the daemons act on that piranha 0.8.6 derives from the file after parsing
 * (lvsconfig.c post-processing, pulse start-up), kept apart so the model stays as written.
 */
import type { GlobalSettings, HostAddress, VirtualService } from './model.js';

/** HeartbeatAddresses are the partner addresses of the public and private heartbeat channels. */
export interface HeartbeatAddresses {
  readonly primary: HostAddress | null;
  readonly primaryPrivate: HostAddress | null;
  readonly backup: HostAddress | null;
  readonly backupPrivate: HostAddress | null;
}

/**
 * heartbeatAddresses applies piranha's rule: when `primary` is set but `primary_private` is
 * not, the private addresses are the public ones, so `backup_private` is ignored.
 */
export function heartbeatAddresses(g: GlobalSettings): HeartbeatAddresses {
  if (g.primary !== null && g.primaryPrivate === null)
    return { primary: g.primary, primaryPrivate: g.primary, backup: g.backup, backupPrivate: g.backup };
  return { primary: g.primary, primaryPrivate: g.primaryPrivate, backup: g.backup, backupPrivate: g.backupPrivate };
}

/** isUnset tells whether an address is absent or 0.0.0.0 / ::. */
export function isUnset(h: HostAddress | null): boolean {
  return h === null || h.ip === '0.0.0.0' || h.ip === '::';
}

/** backupIsActive is `backup_active`, forced off when `backup` is unset (as pulse does at start). */
export function backupIsActive(g: GlobalSettings): boolean {
  return g.backupActive && !isUnset(g.backup);
}

/** loadMonitorCommand is what lvsd passes to nanny as `-U`: `rsh_command` for `uptime`, else the value. */
export function loadMonitorCommand(v: VirtualService, g: GlobalSettings): string | null {
  if (v.loadMonitor === null) return null;
  return v.loadMonitor === 'uptime' ? g.rshCommand : v.loadMonitor;
}

/** effectivePmask is the persistence netmask ipvsadm gets: only with persistence, never 255.255.255.255. */
export function effectivePmask(v: VirtualService): string | null {
  return v.persistent > 0 ? v.pmask : null;
}

/**
 * usesBuiltinMonitor tells whether a virtual service's client_monitor names nanny (any path whose
 * last component is `nanny`, the default /usr/sbin/nanny included): lvsd's own checkers check its
 * servers and lvsd keeps their destinations. Any other program is run per real server instead.
 */
export function usesBuiltinMonitor(v: VirtualService): boolean {
  return v.clientMonitor.split('/').pop() === 'nanny';
}
