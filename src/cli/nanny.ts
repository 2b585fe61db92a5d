/** nanny: health checker for one real server (piranha-compatible), or many for lvsd (--multi). */
import { systemClock } from '../clock.js';
import { CheckSpecError } from '../check/errors.js';
import type { CheckSetup } from '../check/spec.js';
import { tcpFallbackNotice } from '../check/tcp.js';
import { IpvsClient } from '../ipvs/client.js';
import { createLogger } from '../log.js';
import { ipvsApplier, testStartApplier, type Applier } from '../nanny/ipvs-apply.js';
import { runMulti } from '../nanny/multi.js';
import { NannyUsageError, nannyConfig, serviceKeyOf, type NannyConfig, type RawNannyOptions } from '../nanny/options.js';
import { MonitorPool } from '../nanny/pool.js';
import { checkSetupOf, poolTargetOf, targetName } from '../nanny/target.js';
import { ipFamily } from '../net/address.js';
import { createProgram, versionBanner } from './common.js';

interface Flags extends RawNannyOptions {
  readonly version?: boolean;
  readonly multi?: boolean;
}

/** main runs nanny with an argv and resolves with its exit code (a monitor runs until a signal). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = createProgram('nanny', 'Checks one real server and keeps its IPVS entry in step (piranha-compatible).')
    .option('-t, --interval <seconds>', 'seconds between checks, and the time limit of each', '10')
    .option('-I, --ipvsadm <path>', "ignored: lvs-director changes IPVS over netlink, not with ipvsadm")
    .option('-U, --loadcmd <command>', 'load command: none, rup, ruptime, rsh, ssh or any command (run with the server address)', 'none')
    .option('-M, --method <m|g|i>', 'forwarding method: m (NAT), g (direct routing), i (tunnel)', 'm')
    .option('-n, --nodaemon', 'stay in the foreground (nanny always does; logs go to stdout)')
    .option('-c, --nofork', 'same as --nodaemon')
    .option('--test-start', 'change nothing in IPVS; say what would be done')
    .option('--norun', 'same as --test-start')
    .option('-p, --port <port>', 'virtual port (80 selects the HTTP check when nothing else is given)', '80')
    .option('-r, --rport <port>', 'real server port checked (default: the virtual port)')
    .option('-a, --reentrytime <seconds>', 'a failed server must pass checks for this long to return', '180')
    .option('-S, --scale <n>', 'load may raise the weight up to n times its value', '10')
    .option('-h, --server <address>', 'real server address (required)')
    .option('-e, --send_program <command>', 'check program (%h: server address, %p: port); takes precedence over -s')
    .option('-s, --send_string <text>', 'text sent after connecting (escapes \\\\ \\r \\n \\t \\\' \\")')
    .option('-x, --expect_string <text>', 'expected reply: a prefix, "*" for anything, or a regex with --regex')
    .option('--regex', 'the expect string is a POSIX extended regular expression')
    .option('-T, --suppress', 'do not convert backslash escapes')
    .option('-q, --quiesce_server', 'on failure set weight 0 instead of removing the server')
    .option('-u, --udp', 'check over UDP (and the service is UDP)')
    .option('-v, --verbose', 'log every check')
    .option('-V, --virtaddress <address>', 'virtual address (the IPVS service)')
    .option('-f, --fwmark <mark>', 'firewall-mark service instead of -V/-p/-u')
    .option('-w, --weight <n>', 'configured weight', '1')
    .option('--lvs', 'LVS mode (required, as in piranha)')
    .option('--fos', 'failover-service mode (not supported)')
    .option('--fall <n>', 'extension: failed checks in a row before a server is taken out (piranha: 1)')
    .option('--rise <n>', 'extension: good checks in a row before it returns (piranha: reentry / interval)')
    .option('--multi', 'lvsd mode: targets as JSON lines on stdin, state changes as JSON lines on stdout');
  program.parse(argv);
  const flags = program.opts<Flags & { send_program?: string; send_string?: string; expect_string?: string; quiesce_server?: boolean }>();
  if (flags.version === true) {
    process.stdout.write(versionBanner('nanny'));
    return 0;
  }
  if (flags.multi === true) {
    // lvsd reads our output; when it is gone (killed), there is nobody left to check for.
    process.stdout.on('error', () => process.exit(0));
    await runMulti(process.stdin, (line) => process.stdout.write(line), flags.verbose === true);
    return 0;
  }
  const raw: RawNannyOptions = {
    ...flags,
    ...(flags.send_program === undefined ? {} : { sendProgram: flags.send_program }),
    ...(flags.send_string === undefined ? {} : { sendString: flags.send_string }),
    ...(flags.expect_string === undefined ? {} : { expectString: flags.expect_string }),
    ...(flags.quiesce_server === undefined ? {} : { quiesceServer: flags.quiesce_server }),
  };
  let config: NannyConfig;
  let setup: CheckSetup;
  try {
    config = nannyConfig(raw);
    setup = checkSetupOf(config);
  } catch (e) {
    if (!(e instanceof NannyUsageError) && !(e instanceof CheckSpecError)) throw e;
    process.stderr.write(`nanny: ${e.message}\n`);
    return 1;
  }
  return monitor(config, setup);
}

async function monitor(config: NannyConfig, setup: CheckSetup): Promise<number> {
  const logger = createLogger('nanny', { verbose: config.verbose });
  for (const text of setup.notices) logger.info(text);
  const fallback = tcpFallbackNotice(setup.spec);
  if (fallback !== null) logger.info(fallback);
  const key = serviceKeyOf(config);
  const dest = { address: config.server, port: config.realPort, family: ipFamily(config.server) ?? 4 };
  let client: IpvsClient | null = null;
  let apply: Applier;
  if (config.testStart) apply = testStartApplier(key, dest, config.method, (line) => logger.info(line));
  else {
    if (key === null) {
      process.stderr.write('nanny: --lvs needs the virtual service: -V VIP (with -p, -u) or -f MARK\n');
      return 1;
    }
    try {
      client = await IpvsClient.open();
    } catch (e) {
      process.stderr.write(`nanny: ${(e as Error).message}\n`);
      return 1;
    }
    apply = ipvsApplier(client, key, dest, config.method);
  }
  logger.info(`starting LVS client monitor for ${targetName(config)}`);
  const pool = new MonitorPool({
    clock: systemClock,
    handlers: {
      apply: (_t, action) => apply(action),
      log: (_t, text, verbose) => (verbose ? logger.debug(text) : logger.info(text)),
    },
  });
  pool.add(poolTargetOf('server', config, setup));
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals, n: number): void => {
      logger.info(`Terminating due to signal ${n}`);
      void pool.stop().finally(() => {
        client?.close();
        resolve(0);
      });
      process.removeAllListeners(signal);
    };
    process.once('SIGTERM', () => stop('SIGTERM', 15));
    process.once('SIGINT', () => stop('SIGINT', 2));
    process.on('SIGUSR1', () => void pool.force('server', false));
    process.on('SIGUSR2', () => void pool.force('server', true));
    process.on('SIGHUP', () => void pool.release());
  });
}
