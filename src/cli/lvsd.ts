/** lvsd (also `lvs`): owns the IPVS table and the health checkers (command line of piranha 0.8.6 lvsd). */
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic } from '../config/diagnostic.js';
import { DEFAULT_CONFIG_FILE, type LvsConfig } from '../config/model.js';
import { IpvsClient } from '../ipvs/client.js';
import { formatSave } from '../ipvs/format.js';
import { createLogger, type Logger } from '../log.js';
import { LvsDaemon } from '../lvsd/daemon.js';
import { desiredTable } from '../lvsd/desired.js';
import { CheckerHub } from '../lvsd/hub.js';
import { checkTargets } from '../lvsd/targets.js';
import { addCheckOptions, createProgram, loadConfigFile, runConfigCheck, versionBanner, type CheckCliOptions } from './common.js';

interface LvsdOptions extends CheckCliOptions {
  readonly check?: boolean;
  readonly version?: boolean;
  readonly verbose?: boolean;
  readonly nodaemon?: boolean;
  readonly testStart?: boolean;
  readonly pidfile: string;
  readonly checkers: string;
  readonly nanny?: string;
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
      .option('--nanny <path>', 'extension: the checker program (default: this install\'s nanny)'),
  );
  program.parse(argv);
  const opts = program.opts<LvsdOptions>();
  if (opts.version === true) {
    process.stdout.write(versionBanner('lvsd'));
    return 0;
  }
  if (opts.check === true) return runConfigCheck(opts);
  const file = opts.configfile ?? DEFAULT_CONFIG_FILE;
  const log = createLogger('lvs', { verbose: opts.verbose === true });
  const config = await load(file, log);
  if (config === null) return 1;
  if (opts.testStart === true) {
    process.stdout.write(formatSave(desiredTable(config, new Map()).map((e) => ({ service: { ...e.service, stats: ZERO }, destinations: [] }))));
    for (const t of checkTargets(config)) process.stdout.write(`checker ${t.label}: ${t.id}\n`);
    return 0;
  }
  return run(config, file, opts, log);
}

const ZERO = { conns: 0n, inpkts: 0n, outpkts: 0n, inbytes: 0n, outbytes: 0n, cps: 0n, inpps: 0n, outpps: 0n, inbps: 0n, outbps: 0n };

async function load(file: string, log: Logger): Promise<LvsConfig | null> {
  const { diagnostics, report } = await loadConfigFile(file);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(file, d)}\n`);
  if (report?.config === undefined || report.config === null || errors.length > 0) {
    const first = errors[0];
    log.info(first === undefined || first.line === 0 ? `failed to open ${file}` : `error parsing ${file} on line ${first.line}.`);
    return null;
  }
  return report.config;
}

async function run(config: LvsConfig, file: string, opts: LvsdOptions, log: Logger): Promise<number> {
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
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await daemon?.stop();
    client.close();
    if (opts.nodaemon !== true) rmSync(opts.pidfile, { force: true });
    finish(code);
  };
  const hub = new CheckerHub({
    command: [...(nanny.endsWith('.js') ? [process.execPath] : []), nanny, '--multi', ...(opts.verbose === true ? ['-v'] : [])],
    shards: Math.max(1, Number(opts.checkers) || 1),
    onEvent: (e) => daemon?.onChecker(e),
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
  daemon = new LvsDaemon(config, client, hub, log);
  if (opts.nodaemon !== true) writeFileSync(opts.pidfile, `${process.pid}\n`);
  await daemon.start();
  process.send?.({ type: 'ready' });
  // Started by pulse: if pulse goes away without stopping us (kill -9), the table must not stay up.
  if (process.connected)
    process.once('disconnect', () => {
      log.info('pulse went away: shutting down');
      void stop(0);
    });
  process.on('SIGHUP', () => {
    void (async () => {
      const next = await load(file, log);
      if (next === null) log.info('configuration not reloaded: the running one is kept');
      else {
        config = next;
        await daemon?.reload(next);
      }
    })();
  });
  for (const [signal, n] of [['SIGTERM', 15], ['SIGINT', 2]] as const)
    process.once(signal, () => {
      log.info(`shutting down due to signal ${n}`);
      void stop(0);
    });
  return done;
}
