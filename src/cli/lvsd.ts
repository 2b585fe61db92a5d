/** lvsd (also `lvs`): owns the IPVS table and the health checkers (command line of piranha 0.8.6 lvsd). */
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG_FILE, type LvsConfig } from '../config/model.js';
import { IpvsClient } from '../ipvs/client.js';
import { formatSave } from '../ipvs/format.js';
import { serviceId } from '../ipvs/reconcile.js';
import { createLogger, type Logger } from '../log.js';
import { CheckerSet } from '../lvsd/checker-set.js';
import { LvsDaemon } from '../lvsd/daemon.js';
import { desiredTable } from '../lvsd/desired.js';
import { LvsdError } from '../lvsd/errors.js';
import { ExternalMonitors, removeLeftovers } from '../lvsd/external-monitors.js';
import { HealthHistory } from '../lvsd/health-history.js';
import { CheckerHub, type CheckerEvent } from '../lvsd/hub.js';
import { parseMetricsAddress } from '../lvsd/metrics-address.js';
import { loadValidConfig, Reloader } from '../lvsd/reloader.js';
import { StatusService } from '../lvsd/status-service.js';
import { DEFAULT_STATUS_SOCKET, readStatusSocket } from '../lvsd/status-socket.js';
import { checkTargets } from '../lvsd/targets.js';
import { addCheckOptions, createProgram, EXIT_USAGE, incrementalConfigLoader, runConfigCheck, versionBanner, type CheckCliOptions } from './common.js';

interface LvsdOptions extends CheckCliOptions {
  readonly check?: boolean;
  readonly version?: boolean;
  readonly verbose?: boolean;
  readonly nodaemon?: boolean;
  readonly testStart?: boolean;
  readonly pidfile: string;
  readonly checkers: string;
  readonly nanny?: string;
  readonly status?: boolean;
  readonly statusSocket: string | false;
  readonly metrics?: string;
  readonly metricsAllowRemote?: boolean;
  readonly drainTimeout: string;
}

/** main runs lvsd with an argv and resolves with its exit code when it stops. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = addCheckOptions(
    createProgram('lvsd', 'Programs the IPVS table from lvs.cf and supervises the health checkers (piranha-compatible).')
      .option('-c, --configfile <file>', 'configuration file', DEFAULT_CONFIG_FILE)
      .option('-v, --verbose', 'verbose logging; passes -v to the checkers')
      .option('-n, --nodaemon', 'stay in the foreground (lvsd always does) and write no pid file')
      .option('-t, --test-start', 'change nothing: print the table and the checkers it would run, and exit')
      .option('--nofork', 'as piranha: run without forking (lvsd never forks)')
      .option('--pidfile <path>', 'extension: pid file', '/var/run/lvs.pid')
      .option('--checkers <n>', 'extension: checker processes the real servers are spread over', '2')
      .option('--nanny <path>', 'extension: the checker program (default: this install\'s nanny)')
      .option('--status', 'extension: print the running lvsd\'s status (JSON, from its status socket) and exit')
      .option('--status-socket <path>', 'extension: the status socket (mode 0600)', DEFAULT_STATUS_SOCKET)
      .option('--no-status-socket', 'extension: serve no status socket')
      .option('--metrics <[address:]port>', 'extension: serve Prometheus metrics at http://ADDRESS:PORT/metrics (address 127.0.0.1 unless given)')
      .option('--metrics-allow-remote', 'extension: allow --metrics on an address that is not loopback (the endpoint has no authentication)')
      .option('--drain-timeout <seconds>', 'extension: on reload, a removed real server drains at weight 0 until it has no connections, at most this long (0: remove at once)', '60'),
  );
  program.parse(argv);
  const opts = program.opts<LvsdOptions>();
  if (opts.version === true) {
    process.stdout.write(versionBanner('lvsd'));
    return 0;
  }
  if (opts.check === true) return runConfigCheck(opts);
  if (opts.status === true) return printStatus(opts.statusSocket === false ? DEFAULT_STATUS_SOCKET : opts.statusSocket);
  const drainTimeout = Number(opts.drainTimeout);
  if (opts.drainTimeout.trim() === '' || !Number.isFinite(drainTimeout) || drainTimeout < 0) {
    process.stderr.write(`lvsd: --drain-timeout takes a number of seconds, 0 or more, not '${opts.drainTimeout}'\n`);
    return EXIT_USAGE;
  }
  const file = opts.configfile ?? DEFAULT_CONFIG_FILE;
  const log = createLogger('lvs', { verbose: opts.verbose === true });
  // The file is checked at start and on each SIGHUP, the later times incrementally.
  const read = incrementalConfigLoader();
  const load = (): Promise<LvsConfig | null> => loadValidConfig(file, read, log, (line) => process.stderr.write(`${line}\n`));
  const config = await load();
  if (config === null) return 1;
  if (opts.testStart === true) {
    process.stdout.write(formatSave(desiredTable(config, new Map()).map((e) => ({ service: { ...e.service, stats: ZERO }, destinations: [] }))));
    for (const t of checkTargets(config)) process.stdout.write(`checker ${t.label}: ${t.id}\n`);
    return 0;
  }
  return run(config, file, load, opts, log);
}

const ZERO = { conns: 0n, inpkts: 0n, outpkts: 0n, inbytes: 0n, outbytes: 0n, cps: 0n, inpps: 0n, outpps: 0n, inbps: 0n, outbps: 0n };

async function printStatus(path: string): Promise<number> {
  try {
    process.stdout.write(await readStatusSocket(path));
    return 0;
  } catch (e) {
    process.stderr.write(`lvsd: ${(e as Error).message}\n`);
    return 1;
  }
}

async function run(config: LvsConfig, file: string, load: () => Promise<LvsConfig | null>, opts: LvsdOptions, log: Logger): Promise<number> {
  let metrics = null;
  try {
    metrics = opts.metrics === undefined ? null : parseMetricsAddress(opts.metrics, opts.metricsAllowRemote === true);
  } catch (e) {
    process.stderr.write(`lvs: ${(e as Error).message}\n`);
    return 1;
  }
  let client: IpvsClient;
  try {
    client = await IpvsClient.open();
  } catch (e) {
    process.stderr.write(`lvs: ${(e as Error).message}\n`);
    return 1;
  }
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finish = resolve));
  const nanny = opts.nanny ?? fileURLToPath(new URL('../../../bin/nanny.js', import.meta.url));
  let stopping = false;
  let daemon: LvsDaemon | null = null;
  let status: StatusService | null = null;
  const history = new HealthHistory();
  const onEvent = (e: CheckerEvent): void => {
    history.record(e);
    daemon?.onChecker(e);
  };
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await daemon?.stop();
    await status?.close();
    client.close();
    if (opts.nodaemon !== true) rmSync(opts.pidfile, { force: true });
    // A 'disconnect' listener keeps the IPC channel, and so the process, alive.
    process.off('disconnect', parentGone);
    finish(code);
  };
  function parentGone(): void {
    log.info('pulse went away: shutting down');
    void stop(0);
  }
  const hub = new CheckerHub({
    command: [...(nanny.endsWith('.js') ? [process.execPath] : []), nanny, '--multi', ...(opts.verbose === true ? ['-v'] : [])],
    shards: Math.max(1, Number(opts.checkers) || 1),
    onEvent,
    onLog: (text) => log.info(text),
    onDeath: (shard, code, signal) => {
      const how = signal === null ? `exit ${code ?? '?'}` : `signal ${signal}`;
      if (config.global.hardShutdown) {
        log.info(`nanny died! shutting down lvs (checker ${shard}, ${how})`);
        void stop(1);
        return false;
      }
      log.info(`nanny for checker ${shard} died (${how})! restarting it`);
      return true;
    },
  });
  const external = new ExternalMonitors({
    flags: { verbose: opts.verbose === true, nodaemon: opts.nodaemon === true },
    onEvent,
    onLog: (text) => log.info(text),
    onDeath: (target, code, signal) => {
      const how = signal === null ? `exit ${code ?? '?'}` : `signal ${signal}`;
      if (config.global.hardShutdown) {
        log.info(`nanny for child ${target.label} died! shutting down lvs (${how})`);
        void stop(1);
        return false;
      }
      log.info(`nanny for child ${target.label} died (${how})! restarting it`);
      return true;
    },
    // A client_monitor keeps a destination of its service: the service must exist before it starts.
    prepare: async (targets) => {
      const services = new Map(targets.flatMap((t) => (t.service === null ? [] : [[serviceId(t.service), t.service] as const])));
      await daemon?.reconcileServices([...services.values()]);
      for (const failure of await removeLeftovers(client, targets)) log.info(`client_monitor set-up: ${failure}`);
    },
  });
  const checkers = new CheckerSet(hub, external);
  daemon = new LvsDaemon(config, client, checkers, log, { drainTimeoutMs: Number(opts.drainTimeout) * 1000 });
  status = new StatusService({ client, daemon, checkers, history, file, config, socketPath: opts.statusSocket === false ? null : opts.statusSocket, metrics, log });
  try {
    await status.open();
  } catch (e) {
    if (!(e instanceof LvsdError)) throw e;
    // Status and metrics are for looking; they never keep the table from being programmed
    // (a failover must not fail because a socket or port is taken).
    log.info(`${e.message}: running without the status socket and metrics`);
  }
  if (opts.nodaemon !== true) writeFileSync(opts.pidfile, `${process.pid}\n`);
  await daemon.start();
  process.send?.({ type: 'ready' });
  // Started by pulse: if pulse goes away without stopping us (kill -9), the table must not stay up.
  if (process.connected) process.once('disconnect', parentGone);
  const reloader = new Reloader({
    load,
    apply: async (next) => {
      config = next;
      status?.reloaded(next);
      await daemon?.reload(next);
    },
    refused: () => status?.reloadFailed(),
    log,
  });
  process.on('SIGHUP', () => void reloader.reload());
  for (const [signal, n] of [['SIGTERM', 15], ['SIGINT', 2]] as const)
    process.once(signal, () => {
      log.info(`shutting down due to signal ${n}`);
      void stop(0);
    });
  return done;
}
