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
import { MAX_TOKENS } from './lexer.js';
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

/** WriteError is thrown for a value lvs.cf cannot express or one of the wrong type for its keyword. */
export class WriteError extends Error {
  constructor(
    readonly code: 'LVSCF_UNREPRESENTABLE' | 'LVSCF_VALUE_TYPE',
    readonly keyword: string,
    message: string,
  ) {
    super(message);
    this.name = 'WriteError';
  }
}

function unrepresentable(keyword: string, value: string, why = 'lvs.cf has no way to quote it'): WriteError {
  return new WriteError('LVSCF_UNREPRESENTABLE', keyword, `cannot write ${keyword} = ${JSON.stringify(value)}: ${why}`);
}

function wrongType(keyword: string, expected: string, value: unknown): WriteError {
  return new WriteError('LVSCF_VALUE_TYPE', keyword, `${keyword} needs ${expected}, not ${JSON.stringify(value)}`);
}

function isHost(v: unknown): v is HostAddress {
  return typeof v === 'object' && v !== null && typeof (v as HostAddress).text === 'string' && (v as HostAddress).text !== '';
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
/** MAX_LIST_ITEMS is how many words fit in `KEY = [ ... ]` within the lexer's MAX_TOKENS. */
const MAX_LIST_ITEMS = MAX_TOKENS - 4;

/** INDENT_KEY and INDENT_SERVER_KEY are the GUI's indentations inside virtual and server blocks. */
export const INDENT_KEY = '     ';
export const INDENT_SERVER_KEY = '         ';

/** quoteToken renders one token: bare when it can be, else in the quotes it does not contain. */
export function quoteToken(keyword: string, s: string, alwaysQuote = false): string {
  if (/[\r\n]/.test(s)) throw unrepresentable(keyword, s);
  const mustQuote = s === '' || /[ \t]/.test(s) || s.startsWith('"') || s.startsWith("'");
  if (!mustQuote && !alwaysQuote) return s;
  if (!s.includes('"')) return `"${s}"`;
  if (!s.includes("'")) return `'${s}'`;
  // Both quote kinds: no quotes can hold it, but a single word reads back bare.
  if (!mustQuote) return s;
  throw unrepresentable(keyword, s);
}

/** formatValue renders a model value for a keyword, or null when the keyword should be left out. */
export function formatValue(spec: KeywordSpec<string>, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (spec.kind) {
    case 'int':
    case 'port':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < INT_MIN || value > INT_MAX)
        throw wrongType(spec.keyword, 'a whole number that fits in 32 bits', value);
      return String(value);
    case 'seconds': {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < INT_MIN || value > INT_MAX) throw wrongType(spec.keyword, 'a number of seconds', value);
      // The parser reads whole numbers (any sign) and plain unsigned decimal fractions, never exponents.
      const text = String(value);
      if (!/^-?\d+$|^\d+\.\d+$/.test(text)) throw unrepresentable(spec.keyword, text, 'the parser reads no exponent notation');
      return text;
    }
    case 'bool':
      if (typeof value !== 'boolean') throw wrongType(spec.keyword, 'true or false', value);
      return value ? '1' : '0';
    case 'host':
    case 'host-nonzero':
      if (!isHost(value)) throw wrongType(spec.keyword, 'a host address', value);
      return quoteToken(spec.keyword, value.text);
    case 'address-device': {
      const a = value as AddressDevice;
      if (!isHost(a.host) || typeof a.device !== 'string' || a.device === '') throw wrongType(spec.keyword, 'an address and a device', value);
      return `${quoteToken(spec.keyword, a.host.text)} ${quoteToken(spec.keyword, a.device)}`;
    }
    case 'list':
      if (!Array.isArray(value) || !value.every((x) => typeof x === 'string')) throw wrongType(spec.keyword, 'a list of words', value);
      // The parser ends the list at the first ']' word and reads at most MAX_TOKENS words per line.
      for (const x of value) if (x === ']') throw unrepresentable(spec.keyword, x, "a ']' word would end the list");
      if (value.length > MAX_LIST_ITEMS) throw unrepresentable(spec.keyword, `${value.length} words`, `a line holds at most ${MAX_LIST_ITEMS} list words`);
      return value.length === 0 ? '[ ]' : `[ ${value.map((x) => quoteToken(spec.keyword, x)).join(' ')} ]`;
    case 'enum':
      if (typeof value !== 'string' || !(spec.values ?? []).concat(spec.extensionValues ?? []).includes(value))
        throw wrongType(spec.keyword, `one of ${(spec.values ?? []).join(', ')}`, value);
      return value;
    case 'ip':
    case 'mask':
    case 'pmask':
    case 'string':
    case 'check-string':
      if (typeof value !== 'string') throw wrongType(spec.keyword, 'text', value);
      return quoteToken(spec.keyword, value, spec.quoted === true);
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
