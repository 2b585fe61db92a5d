/** From a nanny configuration to what the monitor and the log lines need. */
import { hostPort } from '../ipvs/types.js';
import type { MonitorConfig } from './monitor.js';
import type { NannyConfig } from './options.js';

/** monitorConfigOf is the monitor's part of a nanny configuration. */
export function monitorConfigOf(c: NannyConfig): MonitorConfig {
  return {
    name: hostPort(c.server, c.realPort),
    weight: c.weight,
    intervalMs: c.intervalMs,
    reentryMs: c.reentryMs,
    quiesce: c.quiesce,
    loadMonitor: c.loadCommand !== 'none' && c.loadCommand !== '',
    scale: c.scale,
    fall: c.fall,
    rise: c.rise,
  };
}

/** targetName is "VIP:vport -> RIP:rport" as nanny's start line writes it. */
export function targetName(c: NannyConfig): string {
  const virtual = c.fwmark > 0 ? `fwmark ${c.fwmark}` : hostPort(c.virtualAddress ?? '0.0.0.0', c.virtualPort);
  return `${virtual} -> ${hostPort(c.server, c.realPort)}`;
}
