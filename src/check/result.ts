/**
 * The outcome of one check, with a stable `code` to branch on and a `reason` in the words
 * piranha's nanny logged (its texts are kept where it had one, so existing log greps work).
 */
import { errnoText } from './errors.js';

/** CheckCode names why a check passed or failed; callers branch on it, never on `reason`. */
export type CheckCode =
  | 'ok'
  | 'connect-timeout'
  | 'connect-failed'
  | 'write-timeout'
  | 'write-failed'
  | 'read-timeout'
  | 'read-failed'
  | 'read-short'
  | 'mismatch'
  | 'program-timeout'
  | 'program-failed'
  | 'program-not-run'
  | 'http-status'
  | 'http-protocol'
  | 'tls-failed'
  | 'aborted';

/** CheckResult is what one check found. `durationMs` is measured on the injected clock. */
export interface CheckResult {
  readonly ok: boolean;
  readonly code: CheckCode;
  readonly reason: string;
  readonly durationMs: number;
  /** bytesRead counts the reply bytes kept for judging (never more than the check's read bound). */
  readonly bytesRead: number;
}

/** hostPort writes an address as nanny's `%s:%d` (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** errnoOf returns the errno name carried by a Node.js error ('ECONNREFUSED'), or 'EIO'. */
export function errnoOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : 'EIO';
}

/** Reasons holds the log texts of piranha 0.8.6's nanny (and ours where it had none). */
export const Reasons = {
  connectTimedOut: (h: string, p: number): string => `CONNECT to ${hostPort(h, p)} timed out`,
  connectFailed: (h: string, p: number, err: unknown): string => `Failed to connect ${hostPort(h, p)} ping socket: ${errnoText(errnoOf(err)).text}`,
  writeFailed: (h: string, p: number, err: unknown): string => `WRITE operation for ${hostPort(h, p)} returned error: ${errnoText(errnoOf(err)).text}`,
  writeTimedOut: (h: string, p: number): string => `WRITE to ${hostPort(h, p)} timed out`,
  readTimedOut: (h: string, p: number): string => `READ to ${hostPort(h, p)} timed out`,
  readFailed: (err: unknown): string => {
    const e = errnoText(errnoOf(err));
    return `READ returned error ${e.errno}:${e.text}`;
  },
  tooShort: (h: string, p: number, got: number, want: number): string => `READ from ${hostPort(h, p)} was too short[${got}>=${want}]`,
  mismatch: (h: string, p: number): string => `Trouble. Received results are not what we expected from (${hostPort(h, p)})`,
  programTimedOut: (argv: readonly string[]): string => `timeout running the following: ${argv.join(' ')}`,
  programFailed: (argv: readonly string[], status: string): string => `The following exited abnormally: ${argv.join(' ')} (${status})`,
  programNotRun: (argv: readonly string[], err: unknown): string => `could not run the following: ${argv.join(' ')} (${errnoText(errnoOf(err)).text})`,
  aborted: (): string => 'check aborted',
} as const;
