/** Small helpers for config tests: parse text and pick out findings. */
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../../src/config/diagnostic.js';
import { parseConfig, type ParseResult } from '../../src/config/parser.js';

/** SERVICES is a fixed tcp service table, so tests do not depend on the machine's /etc/services. */
export const SERVICES: ReadonlyMap<string, number> = new Map([
  ['http', 80],
  ['www', 80],
  ['https', 443],
  ['smtp', 25],
  ['domain', 53],
]);

/** parse parses lvs.cf text with the fixed service table. */
export function parse(text: string): ParseResult {
  return parseConfig(text, { services: SERVICES });
}

/** brief reduces a diagnostic to what tests usually assert: severity, line and message. */
export function brief(d: Diagnostic): { severity: string; line: number; message: string } {
  return { severity: d.severity, line: d.line, message: d.message };
}

/** errors lists the error diagnostics of a parse, briefly. */
export function errors(text: string): Array<{ severity: string; line: number; message: string }> {
  return parse(text)
    .diagnostics.filter((d) => d.severity === 'error')
    .map(brief);
}

/** repoPath resolves a path inside the repository from a compiled test (dist/test/...). */
export function repoPath(relative: string): string {
  return new URL(`../../../${relative}`, import.meta.url).pathname;
}

/** readSample reads one of the sample configurations under etc/. */
export function readSample(name: string): string {
  return readFileSync(repoPath(`etc/${name}`), 'utf8');
}

/** SAMPLES lists the sample configuration files under etc/. */
export const SAMPLES = ['sample-direct-routing.cf', 'sample-nat-fwmark.cf', 'sample-single-director.cf'] as const;
