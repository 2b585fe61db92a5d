/** pulse: heartbeat and failover daemon (command line of piranha 0.8.6 pulse). */
import { rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { NativeArpSender } from '../arp/sender.js';
import { systemClock } from '../clock.js';
import { formatDiagnostic } from '../config/diagnostic.js';
import { backupIsActive, heartbeatAddresses, isUnset } from '../config/effective.js';
import { DEFAULT_CONFIG_FILE, type LvsConfig } from '../config/model.js';
import { IpvsClient } from '../ipvs/client.js';
import { Announcer } from '../link/announce.js';
import { RouteClient } from '../link/client.js';
import { describeRequest } from '../link/vip.js';
import { createLogger, type Logger } from '../log.js';
import { HeartbeatBindError, HeartbeatChannels, type ChannelSpec } from '../pulse/channels.js';
import { PulseDaemon } from '../pulse/daemon.js';
import { Director } from '../pulse/director.js';
import { VipGuard } from '../pulse/guard.js';
import { readHeartbeatKey } from '../pulse/key.js';
import { watchLinks } from '../pulse/links.js';
import type { MachineConfig, Role } from '../pulse/machine.js';
import { restartNotice, restartSettingsChanged } from '../pulse/restart-settings.js';
import { heartbeatEndpoints, roleOf } from '../pulse/role.js';
import { pulseAddresses } from '../pulse/vips.js';
import { addCheckOptions, createProgram, loadConfigFile, runConfigCheck, versionBanner, type CheckCliOptions } from './common.js';

interface PulseOptions extends CheckCliOptions {
  readonly check?: boolean;
  readonly version?: boolean;
  readonly nodaemon?: boolean;
  readonly testStart?: boolean;
  readonly norun?: boolean;
  readonly verbose?: boolean;
  readonly forceactive?: boolean;
  readonly lvsd?: string;
  readonly lvs?: string;
  readonly pidfile: string;
  readonly announceCount: string;
  readonly lvsdTimeout: string;
  readonly announceInterval: string;
}

/** main runs pulse with an argv and resolves with its exit code when it stops. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = addCheckOptions(
    createProgram('pulse', 'Heartbeat and failover for an LVS director pair (piranha-compatible).')
      .option('-c, --configfile <file>', 'configuration file', DEFAULT_CONFIG_FILE)
      .option('-n, --nodaemon', 'stay in the foreground and write no pid file (pulse never forks; logs go to stdout as "pulse: <msg>")')
      .option('-t, --test-start', 'do not start lvsd or run active/inactive commands (VIPs still move and are announced)')
      .option('--norun', 'same as --test-start')
      .option('-v, --verbose', 'log debug lines; passes -v to lvsd')
      .option('--forceactive', 'start in the active state (the master then wins)')
      .option('--lvsd <path>', "lvsd program to run (default: this install's lvsd)")
      .option('--lvs <path>', "the man page's spelling of --lvsd")
      .option('--fos <path>', 'fos program (failover services are not supported)')
      .option('--pidfile <path>', 'extension: pid file', '/var/run/pulse.pid')
      .option('--lvsd-timeout <seconds>', 'extension: how long lvsd may take to program the table (piranha: 10)', '10')
      .option('--announce-count <n>', 'extension: gratuitous ARPs per VIP on activation', '5')
      .option('--announce-interval <seconds>', 'extension: time between them', '1'),
  );
  program.parse(argv);
  const opts = program.opts<PulseOptions>();
  if (opts.version === true) {
    process.stdout.write(versionBanner('pulse'));
    return 0;
  }
  if (opts.check === true) return runConfigCheck(opts);
  const count = Number(opts.announceCount);
  const interval = Number(opts.announceInterval);
  if (!Number.isInteger(count) || count < 1) return usage(`--announce-count must be a positive integer, got '${opts.announceCount}'`);
  if (!Number.isFinite(interval) || interval < 0) return usage(`--announce-interval must be a number of seconds, got '${opts.announceInterval}'`);
  const lvsdTimeout = Number(opts.lvsdTimeout);
  if (!Number.isFinite(lvsdTimeout) || lvsdTimeout <= 0) return usage(`--lvsd-timeout must be a positive number of seconds, got '${opts.lvsdTimeout}'`);
  const file = opts.configfile ?? DEFAULT_CONFIG_FILE;
  const log = createLogger('pulse', { verbose: opts.verbose === true });
  const config = await load(file);
  if (config === null) return 1;
  if (config.global.service === 'fos') {
    process.stderr.write(`pulse: ${file}: service = fos (failover services) is not supported by lvs-director\n`);
    return 1;
  }
  if (!config.virtuals.some((v) => v.active)) {
    process.stderr.write(`pulse: no active lvs services defined in ${file}\n`);
    return 1;
  }
  const g = config.global;
  const role = roleOf(g.primary?.ip ?? null, localAddresses());
  if (g.backupActive && isUnset(g.backup)) log.info('Undefined backup node marked as active? -- clearing that!');
  const heartbeats = backupIsActive(g);
  if (role === 'backup' && !heartbeats) {
    log.info('We are backup node and backup is marked inactive -- exiting pulse');
    return 0;
  }
  let key: Uint8Array | null = null;
  if (g.heartbeatKeyFile !== null) {
    try {
      key = await readHeartbeatKey(g.heartbeatKeyFile);
    } catch (e) {
      process.stderr.write(`pulse: ${(e as Error).message}\n`);
      return 1;
    }
  }
  const lvsdProgram = opts.lvsd ?? opts.lvs ?? fileURLToPath(new URL('../../../bin/lvsd.js', import.meta.url));
  return run({ config, file, opts, log, role, heartbeats, key, lvsdProgram, count, intervalMs: interval * 1000 });
}

function usage(message: string): number {
  process.stderr.write(`pulse: ${message}\n`);
  return 2;
}

function localAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
}

/** load reads the configuration; on failure it prints piranha's message (and ours) and returns null. */
async function load(file: string): Promise<LvsConfig | null> {
  const { diagnostics, report } = await loadConfigFile(file);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(file, d)}\n`);
  if (report?.config === undefined || report.config === null || errors.length > 0) {
    const first = errors[0];
    if (first?.code === 'NO_ACTIVE_SERVICES') process.stderr.write(`pulse: no active lvs services defined in ${file}\n`);
    else process.stderr.write(first === undefined || first.line === 0 ? `pulse: failed to open ${file}\n` : `pulse: error parsing ${file} at line ${first.line}: ${first.message}\n`);
    return null;
  }
  return report.config;
}

/** machineConfig is the state machine's view of a configuration. */
function machineConfig(config: LvsConfig, role: Role, heartbeats: boolean, forceActive: boolean): MachineConfig {
  return { role, heartbeats, keepaliveMs: config.global.keepalive * 1000, deadtimeMs: config.global.deadtime * 1000, forceActive };
}

interface RunArgs {
  config: LvsConfig;
  file: string;
  opts: PulseOptions;
  log: Logger;
  role: Role;
  heartbeats: boolean;
  key: Uint8Array | null;
  lvsdProgram: string;
  count: number;
  intervalMs: number;
}

async function run(a: RunArgs): Promise<number> {
  const { opts, log } = a;
  let config = a.config;
  const hb = heartbeatAddresses(config.global);
  const ends = heartbeatEndpoints(a.role, { primary: hb.primary?.ip ?? null, primaryPrivate: hb.primaryPrivate?.ip ?? null, backup: hb.backup?.ip ?? null, backupPrivate: hb.backupPrivate?.ip ?? null });
  const specs: ChannelSpec[] = [];
  if (ends.public !== null) specs.push({ name: 'public', ...ends.public });
  if (ends.private !== null) specs.push({ name: 'private', ...ends.private });

  let daemon: PulseDaemon | null = null;
  let channels: HeartbeatChannels | null = null;
  if (a.heartbeats) {
    try {
      channels = await HeartbeatChannels.open(specs, config.global.heartbeatPort, {
        onDatagram: (d) => daemon?.datagram(d),
        onForeign: (d) => daemon?.foreign(d),
        onSendError: (channel, err) => log.debug(`Warning -- failed to send heartbeat (${channel} if): ${err.message}`),
      });
    } catch (e) {
      if (!(e instanceof HeartbeatBindError)) throw e;
      log.info(e.message);
      process.stderr.write('pulse: cannot create heartbeat socket. running as root?\n');
      return 1;
    }
  }

  const routes = RouteClient.open();
  let sender: NativeArpSender;
  try {
    sender = NativeArpSender.open();
  } catch (e) {
    process.stderr.write(`pulse: cannot open a packet socket for gratuitous ARP: ${(e as Error).message}. running as root?\n`);
    channels?.close();
    routes.close();
    return 1;
  }
  const cleanup: Array<() => void> = [() => routes.close(), () => sender.close(), () => channels?.close()];
  try {
    // Before anything else: addresses a crashed earlier run left behind.
    for (const s of await routes.removeStale({ aliasLabels: pulseAddresses(config).aliasLabels })) {
      const what = describeRequest({ ...s.entry, link: s.link });
      if (s.error !== null) log.info(`cannot remove stale floating address ${what}: ${(s.error as Error).message}`);
      else log.info(`removed stale floating address ${what} left by an earlier run`);
    }
    const guard = await VipGuard.start();
    cleanup.push(() => guard.close());
    let ipvs: Promise<IpvsClient> | null = null;
    const director = new Director(config, {
      configFile: a.file,
      norun: opts.testStart === true || opts.norun === true,
      foreground: opts.nodaemon === true,
      verbose: opts.verbose === true,
      lvsdProgram: a.lvsdProgram,
      lvsdReadyTimeoutMs: Number(opts.lvsdTimeout) * 1000,
      log,
      routes,
      announcer: new Announcer({ routes, sender, clock: systemClock }),
      announceCount: a.count,
      announceIntervalMs: a.intervalMs,
      guard,
      syncDaemons: () => (ipvs ??= IpvsClient.open()),
      onChildFailure: (end) => daemon?.childFailed(end),
      now: () => systemClock.now(),
    });
    cleanup.push(() => void ipvs?.then((c) => c.close(), () => undefined));
    await director.prepare();
    daemon = new PulseDaemon({
      machine: machineConfig(config, a.role, a.heartbeats, opts.forceactive === true),
      clock: systemClock,
      realtime: () => Date.now(),
      log,
      director,
      channels,
      key: a.key,
      config,
    });
    if (opts.nodaemon !== true) writeFileSync(opts.pidfile, `${process.pid}\n`);
    log.info(a.role === 'master' ? 'STARTING PULSE AS MASTER' : 'STARTING PULSE AS BACKUP');
    if (a.heartbeats && config.global.monitorLinks !== 0) {
      const watch = await watchLinks(routes, specs, (down) => daemon?.links(down), log);
      cleanup.push(() => watch.close());
    }
    const pulse = daemon;
    for (const [signal, n] of [['SIGTERM', 15], ['SIGINT', 2]] as const) process.on(signal, () => pulse.terminate(n));
    process.on('SIGHUP', () => {
      void (async () => {
        const next = await load(a.file);
        if (next === null) log.info('configuration not reloaded: the running one is kept');
        else if (!next.virtuals.some((v) => v.active)) log.info(`configuration not reloaded: no active lvs services defined in ${a.file}`);
        else {
          const notice = restartNotice(restartSettingsChanged(config.global, next.global));
          if (notice !== null) log.info(notice);
          config = next;
          pulse.reconfigure(machineConfig(next, a.role, a.heartbeats, false), next);
          director.reconfigure(next);
        }
        director.hup();
      })();
    });
    pulse.start();
    const code = await pulse.done;
    if (opts.nodaemon !== true) rmSync(opts.pidfile, { force: true });
    return code;
  } finally {
    for (const c of cleanup.reverse()) c();
  }
}
