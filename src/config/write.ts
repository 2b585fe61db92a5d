/**
 * The lvs.cf writer: model to text in the original GUI's keyword order and indentation
 * (piranha 0.8.6 parse.php write_config), without its 80-column truncation. Its output is
 * accepted by piranha's own parser and parses back to the same model.
 */
import {
  GLOBAL_KEYWORDS,
  SERVER_KEYWORDS,
  VIRTUAL_KEYWORDS,
  type KeywordSpec,
} from './keywords.js';
import {
  defaultGlobals,
  defaultServer,
  defaultVirtual,
  type AddressDevice,
  type HostAddress,
  type LvsConfig,
  type RealServer,
  type VirtualService,
} from './model.js';

/** WriteError is thrown for a value the lvs.cf syntax cannot express (a newline, or both quote kinds with blanks). */
export class WriteError extends Error {
  readonly code = 'LVSCF_UNREPRESENTABLE';
  constructor(
    readonly keyword: string,
    readonly value: string,
  ) {
    super(`cannot write ${keyword} = ${JSON.stringify(value)}: lvs.cf has no way to quote it`);
    this.name = 'WriteError';
  }
}

/** INDENT_KEY and INDENT_SERVER_KEY are the GUI's indentations inside virtual and server blocks. */
export const INDENT_KEY = '     ';
export const INDENT_SERVER_KEY = '         ';

/** quoteToken renders one token: bare when it can be, else in the quotes it does not contain. */
export function quoteToken(keyword: string, s: string, alwaysQuote = false): string {
  if (/[\r\n]/.test(s)) throw new WriteError(keyword, s);
  const needs = alwaysQuote || s === '' || /[ \t]/.test(s) || s.startsWith('"') || s.startsWith("'");
  if (!needs) return s;
  if (!s.includes('"')) return `"${s}"`;
  if (!s.includes("'")) return `'${s}'`;
  throw new WriteError(keyword, s);
}

/** formatValue renders a model value for a keyword, or null when the keyword should be left out. */
export function formatValue(spec: KeywordSpec<string>, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (spec.kind) {
    case 'int':
    case 'seconds':
    case 'port':
      return String(value as number);
    case 'bool':
      return value === true ? '1' : '0';
    case 'host':
    case 'host-nonzero':
      return (value as HostAddress).text;
    case 'address-device': {
      const a = value as AddressDevice;
      return `${a.host.text} ${quoteToken(spec.keyword, a.device)}`;
    }
    case 'list':
      return `[ ${(value as string[]).map((s) => quoteToken(spec.keyword, s)).join(' ')} ]`.replace('[  ]', '[ ]');
    case 'ip':
    case 'mask':
    case 'pmask':
    case 'enum':
    case 'string':
    case 'check-string':
      return quoteToken(spec.keyword, value as string, spec.quoted === true);
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function keyLines(specs: readonly KeywordSpec<string>[], values: object, defaults: object, indent: string): string[] {
  const out: string[] = [];
  const v = values as Record<string, unknown>;
  const d = defaults as Record<string, unknown>;
  for (const spec of specs) {
    const value = v[spec.field];
    if (spec.always !== true && sameValue(value, d[spec.field])) continue;
    const text = formatValue(spec, value);
    if (text !== null) out.push(`${indent}${spec.keyword} = ${text}\n`);
  }
  return out;
}

/** writeServer renders a `server NAME { }` block as the GUI indents it inside a virtual block. */
export function writeServer(s: RealServer, indent = INDENT_KEY, keyIndent = INDENT_SERVER_KEY): string {
  const lines = keyLines(SERVER_KEYWORDS, s, defaultServer(s.name, s.port), keyIndent);
  return `${indent}server ${quoteToken('server', s.name)} {\n${lines.join('')}${indent}}\n`;
}

/** writeVirtual renders a `virtual NAME { }` (or `failover`) block with its servers. */
export function writeVirtual(v: VirtualService, kind: 'virtual' | 'failover' = 'virtual', indent = ''): string {
  const keys = keyLines(VIRTUAL_KEYWORDS, v, defaultVirtual(v.name), indent + INDENT_KEY);
  const servers = v.servers.map((s) => writeServer(s, indent + INDENT_KEY, indent + INDENT_SERVER_KEY));
  return `${indent}${kind} ${quoteToken(kind, v.name)} {\n${keys.join('')}${servers.join('')}${indent}}\n`;
}

/** writeConfig renders a whole configuration: globals, failover blocks, then virtual blocks. */
export function writeConfig(config: LvsConfig): string {
  const globals = keyLines(GLOBAL_KEYWORDS, config.global, defaultGlobals(), '');
  return [
    ...globals,
    ...config.failovers.map((f) => writeVirtual(f, 'failover')),
    ...config.virtuals.map((v) => writeVirtual(v, 'virtual')),
  ].join('');
}
