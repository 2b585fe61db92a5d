/**
 * Diagnostics produced while reading lvs.cf: the original piranha error texts
 * (lvsStrerror in piranha 0.8.6) plus our own semantic findings.
 */

/** PiranhaError lists piranha 0.8.6's parser error numbers (lvsconfig.h). */
export const PiranhaError = {
  EMPTY: 1,
  READ: 2,
  BAD_QUOTING: 3,
  EOF: 4,
  EXTRA_ARGS: 5,
  EQUAL_EXPECTED: 6,
  MISSING_ARGS: 7,
  BAD_HOSTNAME: 8,
  BAD_ARGUMENT: 9,
  INT_EXPECTED: 10,
  BOOL_EXPECTED: 11,
  BAD_COMMAND: 12,
  LIST_EXPECTED: 13,
  ONLY_ONE_SERVICE: 15,
  BAD_NETMASK: 16,
} as const;

/** PiranhaErrorNumber is one of the numbers in {@link PiranhaError}. */
export type PiranhaErrorNumber = (typeof PiranhaError)[keyof typeof PiranhaError];

const piranhaTexts: Record<PiranhaErrorNumber, string> = {
  1: 'Empty configuration',
  2: 'I/O error while reading configuration',
  3: 'quotation mismatch',
  4: 'unexpected end of file',
  5: 'unexpected arguments',
  6: 'equal (=) expected after command',
  7: 'missing arguments',
  8: 'invalid host name or ip address',
  9: 'invalid argument',
  10: 'integer expected',
  11: 'boolean expected',
  12: 'unknown command',
  13: 'list expected',
  15: 'Cannot use both virtual AND failover services',
  16: 'Bad subnet mask specified',
};

/** piranhaText returns the exact message piranha's lvsStrerror gives for an error number. */
export function piranhaText(n: number): string {
  return (piranhaTexts as Record<number, string>)[n] ?? 'unknown error';
}

/** Severity says whether a diagnostic makes the file unusable (error) or only suspicious (warning). */
export type Severity = 'error' | 'warning';

/**
 * Diagnostic is one finding about a configuration file. `code` is a stable identifier
 * callers may branch on; `message` is the human text (for syntax errors, the original
 * piranha text); `piranha` is the original error number where piranha reports the same.
 * Line and column are 1-based; line 0 means the finding is about the whole file.
 */
export interface Diagnostic {
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly line: number;
  readonly col: number;
  readonly piranha?: PiranhaErrorNumber;
  /** extension names the lvs-director extension used here; `--strict-piranha` turns it into an error. */
  readonly extension?: string;
  /** compat marks a construct we accept that piranha 0.8.6 mis-reads; `--strict-piranha` makes it an error. */
  readonly compat?: boolean;
}

/** syntaxError builds an error diagnostic carrying piranha's own text for error number `n`. */
export function syntaxError(n: PiranhaErrorNumber, line: number, col: number, hint?: string): Diagnostic {
  return withHint({ severity: 'error', code: codeOf(n), message: piranhaText(n), line, col, piranha: n }, hint);
}

/** finding builds a semantic diagnostic with our own code and message. */
export function finding(
  severity: Severity,
  code: string,
  message: string,
  line: number,
  col: number,
  hint?: string,
): Diagnostic {
  return withHint({ severity, code, message, line, col }, hint);
}

function withHint(d: Diagnostic, hint: string | undefined): Diagnostic {
  return hint === undefined ? d : { ...d, hint };
}

function codeOf(n: PiranhaErrorNumber): string {
  for (const [name, value] of Object.entries(PiranhaError)) if (value === n) return name;
  return 'UNKNOWN';
}

/** formatDiagnostic renders `FILE:LINE:COL: severity: message` and, when there is one, an indented hint line. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  const where = d.line > 0 ? `${file}:${d.line}:${d.col}` : file;
  const head = `${where}: ${d.severity}: ${d.message}`;
  return d.hint === undefined ? head : `${head}\n    hint: ${d.hint}`;
}

/** sortDiagnostics orders findings by position, errors before warnings on the same spot. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) => a.line - b.line || a.col - b.col || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1),
  );
}
