/**
 * Logging for the daemons. The default text format is piranha's: one `ident: message` line per
 * entry on stdout, which is what log greps expect and what journald records under the unit's
 * identifier. `json` gives one JSON object per line through pino, for log pipelines.
 */
import { pino } from 'pino';

/** LogFormat selects the output format. */
export type LogFormat = 'text' | 'json';

/** Logger writes a daemon's log lines. */
export interface Logger {
  /** info logs a line that is always shown. */
  info(message: string, fields?: Record<string, unknown>): void;
  /** debug logs a line shown only with -v/--verbose. */
  debug(message: string, fields?: Record<string, unknown>): void;
}

/** LoggerOptions choose the ident, verbosity, format and destination. */
export interface LoggerOptions {
  readonly verbose?: boolean;
  readonly format?: LogFormat;
  /** write receives each text line (default: process.stdout). */
  readonly write?: (line: string) => void;
}

/** createLogger makes the logger of a program (`ident` as syslog would name it: pulse, lvsd, nanny). */
export function createLogger(ident: string, options: LoggerOptions = {}): Logger {
  const verbose = options.verbose === true;
  if (options.format === 'json') {
    const p = pino({ base: { ident, pid: process.pid }, level: verbose ? 'debug' : 'info' });
    return {
      info: (message, fields) => p.info(fields ?? {}, message),
      debug: (message, fields) => p.debug(fields ?? {}, message),
    };
  }
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  return {
    info: (message) => write(`${ident}: ${message}\n`),
    debug: (message) => {
      if (verbose) write(`${ident}: DEBUG -- ${message}\n`);
    },
  };
}
