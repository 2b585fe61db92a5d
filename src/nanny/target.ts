/** From a nanny configuration to what the check, the monitor and the log lines need. */
import { runCheck } from '../check/run.js';
import { checkSpecFromOptions, type CheckSetup } from '../check/spec.js';
import { hostPort } from '../ipvs/types.js';
import { readLoad } from './load.js';
import type { MonitorConfig } from './monitor.js';
import { loadArgv, type NannyConfig } from './options.js';
import type { PoolTarget } from './pool.js';

/** checkSetupOf builds the check of a nanny configuration (throws CheckSpecError as nanny would refuse it). */
export function checkSetupOf(c: NannyConfig): CheckSetup {
  return checkSpecFromOptions({
    server: c.server,
    port: c.virtualPort,
    rport: c.realPort,
    udp: c.udp,
    sendString: c.send,
    expectString: c.expect,
    sendProgram: c.sendProgram,
    regex: c.regex,
    suppress: c.suppressEscapes,
    interval: c.intervalMs / 1000,
  });
}

/** poolTargetOf is the monitored target of a configuration: its check and, with -U, its load reading. */
export function poolTargetOf(id: string, c: NannyConfig, setup: CheckSetup): PoolTarget {
  const load = loadArgv(c.loadCommand, c.server);
  return {
    id,
    config: monitorConfigOf(c),
    check: (signal) => runCheck(setup.spec, { signal }),
    ...(load === null ? {} : { readLoad: (signal: AbortSignal) => readLoad(load, signal) }),
  };
}

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
