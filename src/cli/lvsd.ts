/** lvsd (also `lvs`): owns the IPVS table and the health checkers (command line of piranha 0.8.6 lvsd). */
import { addCheckOptions, createProgram, notImplemented, runConfigCheck, versionBanner, type CheckCliOptions } from './common.js';
import { DEFAULT_CONFIG_FILE } from '../config/model.js';

interface LvsdOptions extends CheckCliOptions {
  readonly check?: boolean;
  readonly version?: boolean;
}

/** main runs lvsd with an argv and returns its exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = addCheckOptions(
    createProgram('lvsd', 'Programs the IPVS table from lvs.cf and supervises the health checkers (piranha-compatible).')
      .option('-c, --configfile <file>', 'configuration file', DEFAULT_CONFIG_FILE)
      .option('-v, --verbose', 'verbose logging; passes -v to the checkers')
      .option('-n, --nodaemon', 'stay in the foreground and log to stdout as "lvs: <msg>"')
      .option('-t, --test-start', 'change nothing: no IPVS changes, no checkers')
      .option('--nofork', 'daemonize without forking (pid file, stdio to /dev/null)'),
  );
  program.parse(argv);
  const opts = program.opts<LvsdOptions>();
  if (opts.version === true) {
    process.stdout.write(versionBanner('lvsd'));
    return 0;
  }
  if (opts.check === true) return runConfigCheck(opts);
  return notImplemented('lvsd', 'the IPVS daemon');
}
