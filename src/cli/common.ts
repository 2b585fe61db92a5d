/**
 * What every executable shares: commander set-up with piranha's exit conventions,
 * the three-line --version banner, and the configuration check.
 */
import type { CommanderError } from 'commander';
import { Command } from 'commander';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { checkText, decodeConfig, readFailure, summarize, type CheckReport } from '../config/check.js';
import { formatDiagnostic, type Diagnostic } from '../config/diagnostic.js';
import { DEFAULT_CONFIG_FILE } from '../config/model.js';
import { loadServices } from '../config/services.js';
import type { ProgramStatus } from '../config/validate.js';
import { inspectHeartbeatKeyFile } from '../pulse/key.js';
import { VERSION } from '../version.js';

/** EXIT_USAGE is the exit code for a command line that cannot be run. */
export const EXIT_USAGE = 2;

/** versionBanner prints piranha's three-line version text for a program. */
export function versionBanner(program: string): string {
  return `Program Version:\t${program} ${VERSION}\nBuilt:\t\t\tlvs-director\nA component of:\t\tlvs-director-${VERSION}\n`;
}

/** createProgram makes a commander program that exits 2 on usage errors and 0 after --help. */
export function createProgram(name: string, description: string): Command {
  const program = new Command(name)
    .description(description)
    .helpOption('-?, --help', 'show this help')
    .option('--version', 'print the version banner and exit')
    .showHelpAfterError(`(run '${name} --help' for usage)`)
    .exitOverride((err: CommanderError) => {
      process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
    });
  program.configureOutput({ outputError: (s, write) => write(`${name}: ${s.replace(/^error: /, '')}`) });
  return program;
}

/** CheckCliOptions are the flags of a `--check` run. */
export interface CheckCliOptions {
  readonly configfile?: string;
  readonly json?: boolean;
  readonly strictPiranha?: boolean;
}

/** addCheckOptions adds --check, --json and --strict-piranha to a daemon's command line. */
export function addCheckOptions(program: Command): Command {
  return program
    .option('--check', 'check the configuration file, print what is wrong, and exit (0 valid, 1 errors, 2 usage)')
    .option('--json', 'with --check: print the result as JSON')
    .option('--strict-piranha', 'with --check: also reject lvs-director extensions and what piranha 0.8.6 mis-reads');
}

function programStatus(path: string): ProgramStatus {
  if (!path.startsWith('/')) return 'unknown';
  try {
    if (!statSync(path).isFile()) return 'not-executable';
    accessSync(path, constants.X_OK);
    return 'executable';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'not-executable';
  }
}

async function lookupIPv4(name: string): Promise<string | null> {
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000).unref());
  const answer = lookup(name, { family: 4 }).then((r) => r.address).catch(() => null);
  return Promise.race([answer, timeout]);
}

/** loadConfigFile reads and checks a configuration file, as the daemons do at start and on SIGHUP and as --check does. */
export async function loadConfigFile(file: string, options: { strictPiranha?: boolean } = {}): Promise<{ diagnostics: readonly Diagnostic[]; report: CheckReport | null }> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return { diagnostics: [readFailure(file, e as NodeJS.ErrnoException)], report: null };
  }
  const report = await checkText(decodeConfig(bytes), { strictPiranha: options.strictPiranha === true }, { services: loadServices(), lookup: lookupIPv4, programStatus, keyFileStatus: inspectHeartbeatKeyFile });
  return { diagnostics: report.diagnostics, report };
}

/** runConfigCheck checks a configuration file and prints the result; it returns the exit code. */
export async function runConfigCheck(opts: CheckCliOptions): Promise<number> {
  const file = opts.configfile ?? DEFAULT_CONFIG_FILE;
  const { diagnostics, report } = await loadConfigFile(file, { strictPiranha: opts.strictPiranha === true });
  return print(file, opts, diagnostics, report);
}

function print(file: string, opts: CheckCliOptions, diagnostics: readonly Diagnostic[], report: CheckReport | null): number {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const summary = report?.config ? summarize(report.config) : null;
  if (opts.json === true) {
    process.stdout.write(`${JSON.stringify({ file, ok: errors === 0, errors, warnings, diagnostics, summary }, null, 2)}\n`);
  } else {
    for (const d of diagnostics) process.stdout.write(`${formatDiagnostic(file, d)}\n`);
    const counts = `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
    if (summary !== null && errors === 0)
      process.stdout.write(
        `${file}: OK: ${plural(summary.virtualServices, 'virtual service')} (${summary.activeVirtualServices} active), ${plural(summary.realServers, 'real server')} (${summary.activeRealServers} active); ${counts}\n`,
      );
    else process.stdout.write(`${file}: ${counts}\n`);
  }
  return errors === 0 ? 0 : 1;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
