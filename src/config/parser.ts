/**
 * The lvs.cf parser: text to the typed model with piranha 0.8.6's acceptance rules
 * (lvsconfig.c), reporting every problem at once instead of stopping at the first.
 */
import { finding, PiranhaError, syntaxError, type Diagnostic, type PiranhaErrorNumber } from './diagnostic.js';
import { blockKindsOf, keywordsOf, lookupKeyword, type BlockKind, type KeywordSpec } from './keywords.js';
import type { Line, Token } from './lexer.js';
import {
  defaultGlobals,
  defaultServer,
  defaultVirtual,
  type HostAddress,
  type LvsConfig,
  type VirtualService,
} from './model.js';
import { buildSyntaxTree, walkBlocks, type SyntaxTree } from './syntax.js';
import {
  findBadEscape,
  isHostnameSyntax,
  parseBoolean,
  parseInetAton,
  parseInteger,
  parseIPv6,
  parsePort,
  parseSeconds,
  type ServiceNames,
} from './values.js';

/** ParseOptions tunes the parser. */
export interface ParseOptions {
  /** services maps tcp service names to ports, for `port = http`; empty when not given. */
  readonly services?: ServiceNames;
  /** firstLine is the number of the text's first line (default 1), for a part of a file read on its own. */
  readonly firstLine?: number;
}

/** KeySource is where a keyword's value stands in the file. */
export interface KeySource {
  readonly line: number;
  readonly col: number;
}

/** BlockSource records where a block and each of its keywords stand. */
export interface BlockSource {
  readonly line: number;
  readonly keys: ReadonlyMap<string, KeySource>;
}

/** VirtualSource is the BlockSource of a virtual or failover block, with its servers'. */
export interface VirtualSource extends BlockSource {
  readonly servers: readonly BlockSource[];
}

/** SourceMap mirrors the model's shape with positions, for diagnostics about the model. */
export interface SourceMap {
  readonly global: BlockSource;
  readonly virtuals: readonly VirtualSource[];
  readonly failovers: readonly VirtualSource[];
}

/**
 * BlockSpan is where a top-level `virtual` or `failover` block stands in the text: from the start
 * of its header line to past its closing line (offsets), and those two lines' numbers.
 */
export interface BlockSpan {
  readonly kind: 'virtual' | 'failover';
  readonly start: number;
  /** end is the offset just past the closing '}' line's terminator; -1 when no '}' closed the block. */
  readonly end: number;
  readonly line: number;
  /** endLine is the number of the closing line (the last line read, when no '}' closed it). */
  readonly endLine: number;
}

/** ParseResult is the model, everything found wrong with it, and where things stand. */
export interface ParseResult {
  readonly config: LvsConfig;
  readonly diagnostics: readonly Diagnostic[];
  /** structural counts the first diagnostics, about the file's structure and its lines' syntax; the rest are about values. */
  readonly structural: number;
  readonly sources: SourceMap;
  /** blocks are the top-level blocks, in file order. */
  readonly blocks: readonly BlockSpan[];
  /** tree is the file's block structure with every line, built on first use (for edits). */
  readonly tree: SyntaxTree;
}

type Read<T> = { ok: true; value: T; notes?: Diagnostic[] } | { ok: false; diagnostic: Diagnostic };

const EMPTY_SERVICES: ServiceNames = new Map();
/** SINGLE is reused for the common one-value statement, so no array is made per line. */
const SINGLE: Token[] = [undefined as unknown as Token];

interface Context {
  readonly kind: BlockKind;
  readonly target: Record<string, unknown>;
  readonly keys: Map<string, KeySource>;
  readonly service?: VirtualService;
  readonly servers?: BlockSource[];
}

/** parseConfig parses the text of an lvs.cf file in one pass, keeping no lines. It never throws. */
export function parseConfig(text: string, options: ParseOptions = {}): ParseResult {
  const reader = new ConfigReader(options.services ?? EMPTY_SERVICES);
  const diagnostics: Diagnostic[] = [];
  if (text.length === 0) diagnostics.push(syntaxError(PiranhaError.EMPTY, 0, 0, 'the file is empty'));
  const config: LvsConfig = { global: defaultGlobals(), virtuals: [], failovers: [] };
  const globalKeys = new Map<string, KeySource>();
  const virtualSources: VirtualSource[] = [];
  const failoverSources: VirtualSource[] = [];
  const stack: Context[] = [{ kind: 'global', target: config.global as unknown as Record<string, unknown>, keys: globalKeys }];
  const blocks: BlockSpan[] = [];
  let opened: { kind: 'virtual' | 'failover'; start: number; line: number } | null = null;
  let lastLine = 0;

  walkBlocks(text, {
    line(l) {
      lastLine = l.number;
    },
    open(kind, name, header) {
      const parent = stack[stack.length - 1] as Context;
      if (stack.length === 1 && kind !== 'server' && kind !== 'global') opened = { kind, start: header.start, line: header.number };
      if (kind === 'server') {
        // The server's port defaults to the virtual port in effect where its block starts.
        const service = parent.service as VirtualService;
        const server = defaultServer(name, service.port);
        const keys = new Map<string, KeySource>();
        service.servers.push(server);
        parent.servers?.push({ line: header.number, keys });
        stack.push({ kind, target: server as unknown as Record<string, unknown>, keys });
        return;
      }
      const service = defaultVirtual(name);
      const keys = new Map<string, KeySource>();
      const servers: BlockSource[] = [];
      (kind === 'failover' ? config.failovers : config.virtuals).push(service);
      (kind === 'failover' ? failoverSources : virtualSources).push({ line: header.number, keys, servers });
      stack.push({ kind, target: service as unknown as Record<string, unknown>, keys, service, servers });
    },
    close(line) {
      if (stack.length === 2 && opened !== null) {
        blocks.push({ ...opened, end: line === null ? -1 : line.next, endLine: line?.number ?? lastLine });
        opened = null;
      }
      stack.pop();
    },
    statement(line) {
      const ctx = stack[stack.length - 1] as Context;
      reader.statement(ctx.kind, line, ctx.target, ctx.keys);
    },
    diagnostic(d) {
      diagnostics.push(d);
    },
  }, options.firstLine ?? 1);

  const sources: SourceMap = { global: { line: 1, keys: globalKeys }, virtuals: virtualSources, failovers: failoverSources };
  let tree: SyntaxTree | undefined;
  return {
    config,
    diagnostics: [...diagnostics, ...reader.diagnostics],
    structural: diagnostics.length,
    sources,
    blocks,
    get tree(): SyntaxTree {
      tree ??= buildSyntaxTree(text);
      return tree;
    },
  };
}

class ConfigReader {
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly services: ServiceNames) {}

  statement(kind: BlockKind, line: Line, target: Record<string, unknown>, keys: Map<string, KeySource>): void {
    const tokens = line.tokens;
    const word = tokens[0] as Token;
    const equal = tokens[1];
    const spec = lookupKeyword(kind, word.text);
    const fail = (n: PiranhaErrorNumber, col: number, hint?: string): void => {
      this.diagnostics.push(syntaxError(n, line.number, col, hint));
    };
    if (spec === undefined) return fail(PiranhaError.BAD_COMMAND, word.col, unknownHint(word.text, kind));
    if (equal?.text !== '=')
      return fail(
        PiranhaError.EQUAL_EXPECTED,
        equal?.col ?? endCol(line),
        `write '${word.text} = VALUE' with blanks around '='`,
      );

    const values = tokens.length === 3 ? SINGLE.fill(tokens[2] as Token) : tokens.slice(2);
    const arity = spec.kind === 'address-device' ? 2 : spec.kind === 'list' ? -1 : 1;
    if (arity > 0 && values.length < arity)
      return fail(
        PiranhaError.MISSING_ARGS,
        endCol(line),
        arity === 2 ? `'${word.text}' takes an address and a device, e.g. '${word.text} = 192.0.2.10 eth0:1'` : `'${word.text}' needs a value`,
      );
    if (arity > 0 && values.length > arity) {
      const extra = values[arity] as Token;
      const hint = extra.text.startsWith('#')
        ? 'piranha has no comments after a value: put the comment on a line of its own'
        : 'quote a value that contains blanks';
      return fail(PiranhaError.EXTRA_ARGS, extra.col, hint);
    }

    const result = this.readValue(spec, values, line);
    if (!result.ok) {
      this.diagnostics.push(result.diagnostic);
      return;
    }
    if (result.notes !== undefined) this.diagnostics.push(...result.notes);
    if (spec.extension !== undefined) this.diagnostics.push(extensionNote(spec.extension, PiranhaError.BAD_COMMAND, line.number, word.col));
    const previous = keys.get(spec.keyword);
    if (previous !== undefined)
      this.diagnostics.push(
        finding('warning', 'REPEATED_KEYWORD', `'${spec.keyword}' is set again; the value on line ${previous.line} is overridden`, line.number, word.col, 'remove one of them (the last one wins, as in piranha)'),
      );
    target[spec.field] = result.value;
    keys.set(spec.keyword, { line: line.number, col: values[0]?.col ?? word.col });
  }

  private readValue(spec: KeywordSpec<string>, values: Token[], line: Line): Read<unknown> {
    const tok = values[0] as Token;
    const at = (n: PiranhaErrorNumber, hint: string, t: Token = tok): Read<never> => ({
      ok: false,
      diagnostic: syntaxError(n, line.number, t.col, hint),
    });
    const extension = (name: string, n: PiranhaErrorNumber, t: Token = tok): Diagnostic => extensionNote(name, n, line.number, t.col);

    switch (spec.kind) {
      case 'int': {
        const n = parseInteger(tok.text);
        return n.ok ? { ok: true, value: n.value } : at(PiranhaError.INT_EXPECTED, n.reason);
      }
      case 'seconds': {
        const s = parseSeconds(tok.text);
        if (!s.ok) return at(PiranhaError.INT_EXPECTED, s.reason);
        const notes = s.value.fractional ? [extension('fractional seconds', PiranhaError.INT_EXPECTED)] : undefined;
        return withNotes(s.value.seconds, notes);
      }
      case 'bool': {
        const b = parseBoolean(tok.text);
        if (b.ok) return { ok: true, value: b.value };
        return 'notInteger' in b ? at(PiranhaError.INT_EXPECTED, 'use 0 or 1') : at(PiranhaError.BOOL_EXPECTED, 'use 0 or 1');
      }
      case 'host':
      case 'host-nonzero':
        return this.readHost(tok, line, spec.kind === 'host-nonzero', extension);
      case 'ip': {
        const v4 = parseInetAton(tok.text);
        if (v4 !== null) return { ok: true, value: v4 };
        const v6 = parseIPv6(tok.text);
        if (v6 !== null) return withNotes(v6, [extension('IPv6 address', PiranhaError.BAD_HOSTNAME)]);
        return at(PiranhaError.BAD_HOSTNAME, 'an IP address is needed here (no host names)');
      }
      case 'mask':
      case 'pmask': {
        const m = parseInetAton(tok.text);
        if (m === null) return at(PiranhaError.BAD_NETMASK, 'write the mask as a dotted quad, e.g. 255.255.255.0');
        if (spec.kind === 'pmask' && m === '255.255.255.255') return { ok: true, value: null };
        return { ok: true, value: m };
      }
      case 'port': {
        const p = parsePort(tok.text, this.services);
        return p.ok ? { ok: true, value: p.value.port } : at(PiranhaError.BAD_ARGUMENT, p.reason);
      }
      case 'enum': {
        if (spec.values?.includes(tok.text)) return { ok: true, value: tok.text };
        if (spec.extensionValues?.includes(tok.text))
          return withNotes(tok.text, [extension(`${spec.keyword} '${tok.text}'`, PiranhaError.BAD_ARGUMENT)]);
        const all = [...(spec.values ?? []), ...(spec.extensionValues ?? [])];
        return at(PiranhaError.BAD_ARGUMENT, `${spec.keyword} must be one of: ${all.join(', ')}`);
      }
      case 'string':
        return withNotes(tok.text, this.quoteNotes(spec, tok, line));
      case 'check-string': {
        const badEscape = findBadEscape(tok.text);
        if (badEscape !== null) {
          const col = tok.col + (tok.quote === null ? 0 : 1) + badEscape.offset;
          return {
            ok: false,
            diagnostic: syntaxError(
              PiranhaError.BAD_ARGUMENT,
              line.number,
              col,
              `unknown escape '${badEscape.sequence}' (piranha's nanny hangs on it): use \\\\ \\r \\n \\t \\' \\" only; write \\\\. for a literal \\. in a regex`,
            ),
          };
        }
        return withNotes(tok.text, this.quoteNotes(spec, tok, line));
      }
      case 'address-device': {
        const host = this.readHost(tok, line, false, extension);
        if (!host.ok) return host;
        const device = values[1] as Token;
        if (device.text === '') return at(PiranhaError.BAD_ARGUMENT, 'the device name is empty', device);
        return withNotes({ host: host.value, device: device.text }, host.notes);
      }
      case 'list': {
        if (tok === undefined || tok.text !== '[') return at(PiranhaError.LIST_EXPECTED, "write 'dirs = [ a b c ]'", tok ?? (line.tokens[1]));
        const close = values.findIndex((t) => t.text === ']');
        if (close < 0) return at(PiranhaError.LIST_EXPECTED, "the list needs a closing ']'");
        return { ok: true, value: values.slice(1, close).map((t) => t.text) };
      }
    }
  }

  private readHost(
    tok: Token,
    line: Line,
    nonZero: boolean,
    extension: (name: string, n: PiranhaErrorNumber, t?: Token) => Diagnostic,
  ): Read<HostAddress> {
    const v4 = parseInetAton(tok.text);
    if (v4 !== null) {
      if (nonZero && v4 === '0.0.0.0')
        return { ok: false, diagnostic: syntaxError(PiranhaError.BAD_HOSTNAME, line.number, tok.col, 'this address must not be 0.0.0.0') };
      const notes = v4 === tok.text
        ? undefined
        : [finding('warning', 'NONCANONICAL_ADDRESS', `'${tok.text}' is read as ${v4} (inet_aton rules)`, line.number, tok.col, `write ${v4}`)];
      return withNotes({ text: tok.text, ip: v4, family: 4 }, notes);
    }
    const v6 = parseIPv6(tok.text);
    if (v6 !== null) {
      if (nonZero && v6 === '::')
        return { ok: false, diagnostic: syntaxError(PiranhaError.BAD_HOSTNAME, line.number, tok.col, 'this address must not be ::') };
      return withNotes({ text: tok.text, ip: v6, family: 6 }, [extension('IPv6 address', PiranhaError.BAD_ARGUMENT)]);
    }
    if (isHostnameSyntax(tok.text)) return { ok: true, value: { text: tok.text, ip: null, family: null } };
    return {
      ok: false,
      diagnostic: syntaxError(PiranhaError.BAD_ARGUMENT, line.number, tok.col, `'${tok.text}' is neither an IP address nor a host name`),
    };
  }

  private quoteNotes(spec: KeywordSpec<string>, tok: Token, line: Line): Diagnostic[] | undefined {
    const notes: Diagnostic[] = [];
    if (spec.quoted === true && tok.quote === "'")
      notes.push({
        ...finding('warning', 'SINGLE_QUOTED', `piranha 0.8.6 passes the single quotes of '${spec.keyword}' on to the checker as part of the value`, line.number, tok.col, 'use double quotes (lvs-director strips both kinds)'),
        compat: true,
      });
    if (spec.quoted === true && tok.text.length > 255)
      notes.push({
        ...finding('warning', 'LONG_VALUE', `'${spec.keyword}' is ${tok.text.length} characters long; piranha's nanny and GUI handle at most 255`, line.number, tok.col),
        compat: true,
      });
    return notes.length > 0 ? notes : undefined;
  }
}

/** extensionNote marks the use of an extension, with the error piranha 0.8.6 gives for it there. */
function extensionNote(name: string, n: PiranhaErrorNumber, line: number, col: number): Diagnostic {
  return {
    ...syntaxError(n, line, col, `${name} is an lvs-director extension that piranha 0.8.6 rejects`),
    severity: 'warning',
    code: 'EXTENSION',
    extension: name,
  };
}

function withNotes<T>(value: T, notes: Diagnostic[] | undefined): Read<T> {
  return notes === undefined ? { ok: true, value } : { ok: true, value, notes };
}

function endCol(line: Line): number {
  const last = line.tokens[line.tokens.length - 1];
  return last === undefined ? 1 : last.col + (last.end - last.start) + 1;
}

const SPECIAL_HINTS: Readonly<Record<string, string>> = {
  debug: "the keyword is 'debug_level'",
  nmask: "piranha 0.8.6 does not accept 'nmask'; remove it",
  expect_program: "piranha 0.8.6 does not accept 'expect_program'; remove it",
  '{': "a block's '{' must be on the same line as its header",
};

function unknownHint(word: string, kind: BlockKind): string {
  const special = SPECIAL_HINTS[word];
  if (special !== undefined) return special;
  if (word.includes('=')) return "put blanks around '=' (write 'keyword = value')";
  const elsewhere = blockKindsOf(word).filter((k) => k !== kind && !(kind === 'failover' && k === 'virtual'));
  if (elsewhere.length > 0) return `'${word}' belongs in a ${elsewhere.join(' or ')} block, not in a ${kind} block`;
  if (word === 'virtual' || word === 'failover' || word === 'server')
    return `a ${word} block cannot stand inside a ${kind} block`;
  const near = closest(word, keywordsOf(kind).map((s) => s.keyword));
  return near === null ? `not a keyword of a ${kind} block` : `did you mean '${near}'?`;
}

function closest(word: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length] as number;
}

