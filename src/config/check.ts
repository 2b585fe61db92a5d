/**
 * The configuration check behind `pulse --check` and `lvsd --check`: read, parse, resolve,
 * validate, and (with --strict-piranha) hold the file to what piranha 0.8.6 itself accepts.
 */
import { finding, PiranhaError, sortDiagnostics, syntaxError, type Diagnostic } from './diagnostic.js';
import type { LvsConfig } from './model.js';
import { parseConfig, type ParseResult } from './parser.js';
import { resolveHosts, type HostLookup } from './resolve.js';
import { validateConfig, type FindingsCache, type ValidationEnv } from './validate.js';
import type { ServiceNames } from './values.js';

/** CheckOptions selects how strictly a file is judged. */
export interface CheckOptions {
  /** strictPiranha turns every extension, and every construct piranha 0.8.6 mis-reads, into an error. */
  readonly strictPiranha?: boolean;
}

/** CheckDeps are the machine facts a check needs; each has a harmless default for tests. */
export interface CheckDeps extends ValidationEnv {
  readonly services?: ServiceNames;
  readonly lookup?: HostLookup;
}

/** CheckReport is the outcome of checking one file. */
export interface CheckReport {
  readonly ok: boolean;
  readonly errors: number;
  readonly warnings: number;
  readonly diagnostics: readonly Diagnostic[];
  /** config is the parsed (and resolved) model when there were no errors. */
  readonly config: LvsConfig | null;
  readonly parsed: ParseResult;
}

/** checkText checks the text of a configuration file. */
export async function checkText(text: string, options: CheckOptions = {}, deps: CheckDeps = {}): Promise<CheckReport> {
  return checkParsed(text, parseConfig(text, deps.services === undefined ? {} : { services: deps.services }), options, deps);
}

/**
 * checkParsed is checkText after parsing: resolve, validate, apply strictness and sort. An
 * incremental check passes the parse it assembled and its cache of per-service findings.
 */
export async function checkParsed(text: string, parsed: ParseResult, options: CheckOptions = {}, deps: CheckDeps = {}, cache?: FindingsCache): Promise<CheckReport> {
  const found: Diagnostic[] = [...parsed.diagnostics];
  let config = parsed.config;
  const syntaxOk = !found.some((d) => d.severity === 'error');
  if (syntaxOk && text.length > 0) {
    if (deps.lookup !== undefined) {
      const resolved = await resolveHosts(config, parsed.sources, deps.lookup);
      config = resolved.config;
      found.push(...resolved.diagnostics);
    }
    found.push(...validateConfig(config, parsed.sources, deps, cache));
  }
  if (options.strictPiranha === true && parsed.tree.lines.some((l) => l.eol === '\r\n'))
    found.push({ ...finding('error', 'CRLF', 'CRLF line endings', 1, 1, 'piranha 0.8.6 silently reads only the first statement of a CRLF file: convert it with dos2unix'), compat: true });
  const diagnostics = sortDiagnostics(applyStrictness(found, options.strictPiranha === true));
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  return {
    ok: errors === 0,
    errors,
    warnings: diagnostics.length - errors,
    diagnostics,
    config: errors === 0 ? config : null,
    parsed,
  };
}

/**
 * applyStrictness keeps extension and compatibility findings out of a normal check (they are
 * lvs-director behaviour, not problems) and makes them errors in a strict one.
 */
function applyStrictness(list: readonly Diagnostic[], strict: boolean): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const d of list) {
    if (d.extension === undefined && d.compat !== true) out.push(d);
    else if (strict) {
      const why = d.extension !== undefined ? `${d.extension} is an lvs-director extension` : (d.hint ?? 'piranha 0.8.6 mis-reads this');
      out.push({ ...d, severity: 'error', hint: `--strict-piranha: ${why}` });
    }
  }
  return out;
}

/** readFailure turns a failure to read the configuration file into piranha's diagnostics. */
export function readFailure(file: string, err: NodeJS.ErrnoException): Diagnostic {
  if (err.code === 'ENOENT' || err.code === 'EACCES')
    return finding('error', 'OPEN_FAILED', `failed to open ${file}`, 0, 0, err.code === 'ENOENT' ? 'no such file (use -c FILE to name another)' : 'permission denied');
  return syntaxError(PiranhaError.READ, 0, 0, `${err.code ?? 'error'}: ${err.message}`);
}

/** decodeConfig turns file bytes into text: UTF-8 when valid, else Latin-1 (byte for byte). */
export function decodeConfig(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

/** summarize counts what a parsed configuration holds, for the check's closing line. */
export function summarize(config: LvsConfig): { virtualServices: number; activeVirtualServices: number; realServers: number; activeRealServers: number } {
  let realServers = 0;
  let activeRealServers = 0;
  for (const v of config.virtuals) {
    realServers += v.servers.length;
    if (v.active) activeRealServers += v.servers.filter((s) => s.active).length;
  }
  return {
    virtualServices: config.virtuals.length,
    activeVirtualServices: config.virtuals.filter((v) => v.active).length,
    realServers,
    activeRealServers,
  };
}
