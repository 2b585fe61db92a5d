/** pulse: heartbeat and failover daemon (command line of piranha 0.8.6 pulse). */
import { addCheckOptions, createProgram, notImplemented, runConfigCheck, versionBanner, type CheckCliOptions } from './common.js';
import { DEFAULT_CONFIG_FILE } from '../config/model.js';

interface PulseOptions extends CheckCliOptions {
  readonly check?: boolean;
  readonly version?: boolean;
}

/** main runs pulse with an argv and returns its exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = addCheckOptions(
    createProgram('pulse', 'Heartbeat and failover for an LVS director pair (piranha-compatible).')
      .option('-c, --configfile <file>', 'configuration file', DEFAULT_CONFIG_FILE)
      .option('-n, --nodaemon', 'stay in the foreground and log to stdout as "pulse: <msg>"')
      .option('-t, --test-start', 'do not start lvsd or run active/inactive commands')
      .option('--norun', 'same as --test-start')
      .option('-v, --verbose', 'log debug lines; passes -v to lvsd')
      .option('--forceactive', 'start in the active state')
      .option('--lvsd <path>', 'lvsd program to run', '/usr/sbin/lvsd')
      .option('--lvs <path>', "the man page's spelling of --lvsd")
      .option('--fos <path>', 'fos program (failover services are not supported)'),
  );
  program.parse(argv);
  const opts = program.opts<PulseOptions>();
  if (opts.version === true) {
    process.stdout.write(versionBanner('pulse'));
    return 0;
  }
  if (opts.check === true) return runConfigCheck(opts);
  return notImplemented('pulse', 'the heartbeat daemon');
}
