/**
 * IncrementalCheck: the configuration check of a file that is read again and again (lvsd on
 * SIGHUP), doing again only what the change needs. The text is compared with the previous one;
 * the top-level blocks the change touched are parsed again (as a part of the file, with their own
 * line numbers) and the rest is carried over: the blocks' models, their source positions and the
 * findings about them. Unchanged virtual services are therefore the same objects as before, which
 * lets the configuration diff skip them.
 *
 * The report is the one checkText gives for the same text. Where that could not be kept cheaply,
 * the whole text is checked again: a change outside the blocks (the global settings), a block
 * left open, a different service-name table, --strict-piranha, or no previous text.
 *
 * The file is seen as units that tile it: each top-level block, and the lines between blocks (a
 * gap; "clean" when it has only blank and comment lines).
 */
import { checkParsed, type CheckDeps, type CheckOptions, type CheckReport } from './check.js';
import type { Diagnostic } from './diagnostic.js';
import { forEachLine } from './lexer.js';
import type { GlobalSettings, LvsConfig, VirtualService } from './model.js';
import { parseConfig, type BlockSource, type BlockSpan, type ParseResult, type VirtualSource } from './parser.js';
import { buildSyntaxTree, type SyntaxTree } from './syntax.js';
import type { FindingsCache } from './validate.js';
import type { ServiceNames } from './values.js';

/** BlockEntry is what was parsed of one top-level block. */
interface BlockEntry {
  readonly kind: 'virtual' | 'failover';
  readonly model: VirtualService;
  /** source holds the positions of the block where its unit stands now. */
  readonly source: VirtualSource;
  /** structural and values are the block's parse diagnostics, in the parser's two groups. */
  readonly structural: readonly Diagnostic[];
  readonly values: readonly Diagnostic[];
}

/** Unit is a block or a gap, with its place in the text. */
interface Unit {
  readonly start: number;
  readonly end: number;
  /** line and last are the numbers of the unit's first and last lines; next is that of the line after it. */
  readonly line: number;
  readonly last: number;
  readonly next: number;
  readonly block: BlockEntry | null;
  /** clean is true for a gap of blank and comment lines only (and for every block). */
  readonly clean: boolean;
  /** gap diagnostics (a gap with global statements), in the parser's two groups. */
  readonly structural: readonly Diagnostic[];
  readonly values: readonly Diagnostic[];
}

interface State {
  readonly text: string;
  readonly services: ServiceNames;
  readonly units: readonly Unit[];
  readonly global: GlobalSettings;
  readonly globalSource: BlockSource;
}

const EMPTY: readonly Diagnostic[] = [];

/** IncrementalCheck checks successive versions of one configuration file. */
export class IncrementalCheck {
  private state: State | null = null;
  private readonly findings = new WeakMap<VirtualService, { line: number; findings: readonly Diagnostic[] }>();
  /** reused counts the checks that reused the previous one (for tests and benchmarks). */
  reused = 0;

  constructor(
    private readonly options: CheckOptions = {},
    private readonly deps: CheckDeps = {},
  ) {}

  /** check checks a version of the file, as checkText(text, options, deps) would. */
  async check(text: string, services: ServiceNames = this.deps.services ?? new Map()): Promise<CheckReport> {
    const deps: CheckDeps = { ...this.deps, services };
    const assembled = this.options.strictPiranha === true ? null : this.reuse(text, services);
    if (assembled !== null) this.reused++;
    let parsed = assembled;
    if (parsed === null) {
      parsed = parseConfig(text, { services });
      const units = unitsOf(text, 0, 1, parsed);
      this.state = units === null ? null : { text, services, units, global: parsed.config.global, globalSource: parsed.sources.global };
    }
    return checkParsed(text, parsed, this.options, deps, this.cache);
  }

  /** cache keeps each virtual service's findings; a moved block's findings are kept only when there are none. */
  private readonly cache: FindingsCache = {
    get: (v, src) => {
      const known = this.findings.get(v);
      if (known === undefined) return undefined;
      return known.line === src.line || known.findings.length === 0 ? known.findings : undefined;
    },
    set: (v, src, findings) => {
      this.findings.set(v, { line: src.line, findings });
    },
  };

  /** reuse assembles the parse of `text` from the previous one and the changed part, or returns null. */
  private reuse(text: string, services: ServiceNames): ParseResult | null {
    const old = this.state;
    if (old === null || !sameServices(old.services, services) || text.length === 0) return null;
    if (text === old.text) return assemble(old);
    const p = commonPrefix(old.text, text);
    const s = commonSuffix(old.text, text, Math.min(old.text.length, text.length) - p);
    const oldEnd = old.text.length - s;
    const delta = text.length - old.text.length;
    const units = old.units;

    // The changed units [ui, uj): those the changed old range touches or, for a pure insertion,
    // the unit it falls into (none when it falls between two units).
    let ui = units.findIndex((u) => u.end > p);
    if (ui < 0) ui = units.length;
    let uj = ui;
    if (oldEnd > p) while (uj < units.length && (units[uj] as Unit).start < oldEnd) uj++;
    else if (ui < units.length && (units[ui] as Unit).start < p) uj = ui + 1;
    const a = ui < uj ? (units[ui] as Unit).start : p;
    const b = ui < uj ? (units[uj - 1] as Unit).end : p;
    if (!isLineStart(old.text, a) || !isLineStart(text, a) || !(b + delta === text.length || isLineStart(text, b + delta))) return null;
    for (let i = ui; i < uj; i++) if (!(units[i] as Unit).clean) return null;

    const firstLine = ui < units.length ? (units[ui] as Unit).line : (units[units.length - 1]?.next ?? 1);
    const part = text.slice(a, b + delta);
    let fresh: Unit[] = [];
    if (part.length > 0) {
      const parsed = parseConfig(part, { services, firstLine });
      const got = unitsOf(part, a, firstLine, parsed);
      if (got === null || got.some((u) => !u.clean)) return null;
      fresh = got;
    }
    const oldNext = ui < uj ? (units[uj - 1] as Unit).next : firstLine;
    const newNext = fresh.length > 0 ? (fresh[fresh.length - 1] as Unit).next : firstLine;
    const lines = newNext - oldNext;
    const after = units.slice(uj);
    if (lines !== 0 && after.some((u) => !u.clean)) return null;
    const moved: Unit[] = [];
    for (const u of after) {
      const m = move(u, text, delta, lines, services);
      if (m === null) return null;
      moved.push(m);
    }
    const next: State = { text, services, units: [...units.slice(0, ui), ...fresh, ...moved], global: old.global, globalSource: old.globalSource };
    this.state = next;
    return assemble(next);
  }
}

/** unitsOf cuts a parsed text (which stands at offset `from`, line `firstLine` of the file) into units, or returns null when a block was left open. */
function unitsOf(text: string, from: number, firstLine: number, parsed: ParseResult): Unit[] | null {
  const spans = parsed.blocks;
  if (spans.some((b) => b.end < 0)) return null;
  const units: Unit[] = [];
  let offset = 0;
  let line = firstLine;
  let virtual = 0;
  let failover = 0;
  const gap = (end: number): void => {
    if (end <= offset) return;
    const { lines, terminated, clean } = scanGap(text.slice(offset, end));
    units.push({ start: from + offset, end: from + end, line, last: line + lines - 1, next: line + terminated, block: null, clean, structural: EMPTY, values: EMPTY });
    line += terminated;
  };
  for (const span of spans) {
    gap(span.start);
    const index = span.kind === 'virtual' ? virtual++ : failover++;
    const model = (span.kind === 'virtual' ? parsed.config.virtuals : parsed.config.failovers)[index];
    const source = (span.kind === 'virtual' ? parsed.sources.virtuals : parsed.sources.failovers)[index];
    if (model === undefined || source === undefined) return null;
    const next = span.end === text.length && !endsWithTerminator(text) ? span.endLine : span.endLine + 1;
    units.push({ start: from + span.start, end: from + span.end, line: span.line, last: span.endLine, next, block: { kind: span.kind, model, source, structural: EMPTY, values: EMPTY }, clean: true, structural: EMPTY, values: EMPTY });
    offset = span.end;
    line = next;
  }
  gap(text.length);
  return withDiagnostics(units, parsed);
}

/** withDiagnostics hands each parse diagnostic to the unit of its line, keeping the parser's order and groups. */
function withDiagnostics(units: Unit[], parsed: ParseResult): Unit[] | null {
  if (parsed.diagnostics.length === 0) return units;
  const groups = units.map(() => ({ structural: [] as Diagnostic[], values: [] as Diagnostic[] }));
  for (const [i, d] of parsed.diagnostics.entries()) {
    const group = groups[unitOfLine(units, d.line)];
    if (group === undefined) return null;
    (i < parsed.structural ? group.structural : group.values).push(d);
  }
  return units.map((u, i) => {
    const g = groups[i] as { structural: Diagnostic[]; values: Diagnostic[] };
    if (g.structural.length + g.values.length === 0) return u;
    return u.block === null ? { ...u, structural: g.structural, values: g.values } : { ...u, block: { ...u.block, structural: g.structural, values: g.values } };
  });
}

/** unitOfLine finds the index of the unit holding a line (binary search), or -1. */
function unitOfLine(units: readonly Unit[], line: number): number {
  let lo = 0;
  let hi = units.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const u = units[mid] as Unit;
    if (line < u.line) hi = mid - 1;
    else if (line > u.last) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/**
 * move places a unit after a change that shifted it by `delta` characters and `lines` lines. A
 * block with parse diagnostics is parsed again where it now stands (their texts may name lines);
 * its model, which the same text gives again, stays the same object. Null: it parsed differently.
 */
function move(u: Unit, text: string, delta: number, lines: number, services: ServiceNames): Unit | null {
  if (delta === 0 && lines === 0) return u;
  const placed = { ...u, start: u.start + delta, end: u.end + delta, line: u.line + lines, last: u.last + lines, next: u.next + lines };
  const block = u.block;
  if (block === null || lines === 0) return placed;
  if (block.structural.length + block.values.length === 0) return { ...placed, block: { ...block, source: shiftSource(block.source, lines) } };
  const part = text.slice(placed.start, placed.end);
  const again = unitsOf(part, placed.start, placed.line, parseConfig(part, { services, firstLine: placed.line }));
  const entry = again?.length === 1 ? again[0]?.block : null;
  return entry === undefined || entry === null ? null : { ...placed, block: { ...entry, model: block.model } };
}

/** assemble builds the parse of the whole text from its units. */
function assemble(state: State): ParseResult {
  const virtuals: VirtualService[] = [];
  const failovers: VirtualService[] = [];
  const virtualSources: VirtualSource[] = [];
  const failoverSources: VirtualSource[] = [];
  const structural: Diagnostic[] = [];
  const values: Diagnostic[] = [];
  const blocks: BlockSpan[] = [];
  for (const u of state.units) {
    const b = u.block;
    structural.push(...(b?.structural ?? u.structural));
    values.push(...(b?.values ?? u.values));
    if (b === null) continue;
    (b.kind === 'virtual' ? virtuals : failovers).push(b.model);
    (b.kind === 'virtual' ? virtualSources : failoverSources).push(b.source);
    blocks.push({ kind: b.kind, start: u.start, end: u.end, line: u.line, endLine: u.last });
  }
  const config: LvsConfig = { global: state.global, virtuals, failovers };
  let tree: SyntaxTree | undefined;
  return {
    config,
    diagnostics: [...structural, ...values],
    structural: structural.length,
    sources: { global: state.globalSource, virtuals: virtualSources, failovers: failoverSources },
    blocks,
    get tree(): SyntaxTree {
      tree ??= buildSyntaxTree(state.text);
      return tree;
    },
  };
}

function shiftSource(src: VirtualSource, lines: number): VirtualSource {
  const shift = (b: BlockSource): BlockSource => ({ line: b.line + lines, keys: new Map([...b.keys].map(([k, p]) => [k, { line: p.line + lines, col: p.col }])) });
  return { ...shift(src), servers: src.servers.map(shift) };
}

/** scanGap counts the lines of a gap (and those with a terminator) and tells whether they are all blank or comments. */
function scanGap(text: string): { lines: number; terminated: number; clean: boolean } {
  let lines = 0;
  let terminated = 0;
  let clean = true;
  forEachLine(text, (l) => {
    lines++;
    if (l.eol !== '') terminated++;
    if (l.tokens.length > 0 || l.error !== undefined) clean = false;
  });
  return { lines, terminated, clean };
}

function endsWithTerminator(text: string): boolean {
  const last = text.charCodeAt(text.length - 1);
  return last === 10 || last === 13;
}

/** isLineStart tells whether offset i of text begins a line (or is the end of a text whose last line is terminated). */
function isLineStart(text: string, i: number): boolean {
  if (i === 0) return true;
  const before = text.charCodeAt(i - 1);
  return before === 10 || (before === 13 && text.charCodeAt(i) !== 10);
}

function sameServices(a: ServiceNames, b: ServiceNames): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [name, port] of a) if (b.get(name) !== port) return false;
  return true;
}

const CHUNK = 4096;

/** commonPrefix is the length of the longest common prefix of a and b (compared in chunks). */
function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i + CHUNK <= n && a.slice(i, i + CHUNK) === b.slice(i, i + CHUNK)) i += CHUNK;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** commonSuffix is the length of the longest common suffix of a and b, at most `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  let k = 0;
  while (k + CHUNK <= max && a.slice(a.length - k - CHUNK, a.length - k) === b.slice(b.length - k - CHUNK, b.length - k)) k += CHUNK;
  while (k < max && a.charCodeAt(a.length - k - 1) === b.charCodeAt(b.length - k - 1)) k++;
  return k;
}
