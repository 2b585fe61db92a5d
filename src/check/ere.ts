/**
 * POSIX extended regular expressions as piranha's nanny compiled them: glibc `regcomp(pattern,
 * REG_EXTENDED)` in the C locale (nanny never calls setlocale), so a pattern and a reply are
 * bytes, classes are ASCII, and glibc's GNU operators are on. test/unit/check/ere.test.ts holds
 * this to glibc itself: a recorded table, and random patterns compared live with regcomp/regexec.
 *
 * Why not JavaScript's RegExp? A translation is possible for most patterns, but V8's engine
 * backtracks: a nested quantifier such as `(a+)+$` meets a crafted reply from a hostile real
 * server and blocks the event loop (and every other check in the process) for minutes. This
 * module parses the pattern into a small tree and ere-nfa.ts runs it as a Thompson automaton,
 * in time linear in the reply. How each construct relates to a JS RegExp:
 *
 * | ERE (glibc, C locale)                  | here                              | a JS RegExp would differ by      |
 * |----------------------------------------|-----------------------------------|----------------------------------|
 * | `.`                                    | any byte but NUL                  | no newline without `s`           |
 * | `^` `$` (no REG_NEWLINE)               | start / end of the reply; also after / before a `\n` that the same match consumes (a glibc quirk, kept) | `m` or not: neither matches that |
 * | `[...]` with `\` inside                | the backslash is literal          | `\` escapes                      |
 * | `[]a]` `[^]a]` `[a-]` `[--z]`          | `]` first, `-` first or last: literal | errors or other ranges       |
 * | `[[:alpha:]]` and the 11 other classes | ASCII sets of the C locale        | no such syntax                   |
 * | `[[=a=]]` `[[.-.]]` (one byte)         | that byte                         | no such syntax                   |
 * | `[\x80-\xff]`, `é`                     | byte ranges; `é` is its 2 UTF-8 bytes | UTF-16 code units            |
 * | `\w \W \s \S \b \B`                    | ASCII word chars / `[ \t\n\v\f\r]` | `\s` also matches NBSP (0xA0)    |
 * | `\<` `\>` `` \` `` `\'`                  | word start/end, buffer start/end  | no such syntax                   |
 * | `\x` for any other x                   | the literal x (`\n` is `n`)       | `\n` newline, `\d` digit, …      |
 * | `a{,3}` `a{,}`                         | `a{0,3}` `a{0,}`                  | literal text                     |
 * | `a{1\,2}` (glibc reads tokens)         | `a{1,2}`; `\}` does not close     | literal text                     |
 * | `a**` `a+?` `a{2}{3}` (stacked)        | repetition of a repetition        | an error, or a lazy quantifier   |
 * | unmatched `)`, lone `}` `]`            | literal                           | an error for `)`                 |
 * | alternatives                           | "matches anywhere" is the same under leftmost-longest and leftmost-first | — |
 *
 * Refused, with glibc's own messages: everything glibc refuses (`*` first, `a|*b`, `^*`,
 * `[z-a]`, `[[:foo:]]`, `a{2,1}`, `(a`, a trailing backslash, `[` at the end, …). Also refused
 * although glibc runs them: back-references `\1`–`\9` (not regular: no linear engine runs
 * them) and patterns that compile to more than MAX_PROGRAM automaton instructions (glibc's
 * REG_ESIZE message; glibc allows `a{32767}`). Where glibc 2.36 is wrong we follow POSIX: it
 * loses anchors inside repeated groups (`(\<x+){2}`, `(^a){1,}`), and it hangs on some of them.
 */

/** EreErrorCode names a pattern error with glibc's REG_* names (and one of our own). */
export type EreErrorCode =
  | 'REG_ECOLLATE'
  | 'REG_ECTYPE'
  | 'REG_EESCAPE'
  | 'REG_ESUBREG'
  | 'REG_EBRACK'
  | 'REG_EPAREN'
  | 'REG_EBRACE'
  | 'REG_BADBR'
  | 'REG_ERANGE'
  | 'REG_BADRPT'
  | 'REG_ESIZE'
  | 'REG_BADPAT'
  | 'REG_UNSUPPORTED';

const MESSAGES: Record<EreErrorCode, string> = {
  REG_ECOLLATE: 'Invalid collation character',
  REG_ECTYPE: 'Invalid character class name',
  REG_EESCAPE: 'Trailing backslash',
  REG_ESUBREG: 'Invalid back reference',
  REG_EBRACK: 'Unmatched [, [^, [:, [., or [=',
  REG_EPAREN: 'Unmatched ( or \\(',
  REG_EBRACE: 'Unmatched \\{',
  REG_BADBR: 'Invalid content of \\{\\}',
  REG_ERANGE: 'Invalid range end',
  REG_BADRPT: 'Invalid preceding regular expression',
  REG_ESIZE: 'Regular expression too big',
  REG_BADPAT: 'Invalid regular expression',
  REG_UNSUPPORTED: 'Back references are not supported (lvs-director matches in linear time)',
};

/** EreError is a pattern that does not compile; `message` is glibc's regerror() text where glibc has one. */
export class EreError extends Error {
  constructor(
    readonly code: EreErrorCode,
    readonly offset: number,
  ) {
    super(MESSAGES[code]);
    this.name = 'EreError';
  }
}

/** RE_DUP_MAX is glibc's largest repetition count. */
export const RE_DUP_MAX = 0x7fff;

/** MAX_PROGRAM bounds the compiled automaton, so that matching stays cheap (cost = reply bytes × instructions). */
export const MAX_PROGRAM = 10_000;

/** ByteSet is a 256-bit set of byte values. */
export type ByteSet = Uint8Array;

/** AssertKind names a zero-width assertion. */
export type AssertKind = 'line-start' | 'line-end' | 'buffer-start' | 'buffer-end' | 'word-boundary' | 'not-word-boundary' | 'word-start' | 'word-end';

/** EreNode is a parsed pattern. `rep.max` is -1 for "no upper bound". */
export type EreNode =
  | { readonly t: 'set'; readonly bits: ByteSet }
  | { readonly t: 'cat'; readonly items: readonly EreNode[] }
  | { readonly t: 'alt'; readonly items: readonly EreNode[] }
  | { readonly t: 'rep'; readonly node: EreNode; readonly min: number; readonly max: number }
  | { readonly t: 'assert'; readonly kind: AssertKind };

/** byteSet builds a set from single bytes and inclusive [lo, hi] ranges. */
export function byteSet(...parts: readonly (number | readonly [number, number])[]): ByteSet {
  const bits = new Uint8Array(32);
  for (const p of parts) {
    const [lo, hi] = typeof p === 'number' ? [p, p] : p;
    for (let b = lo; b <= hi; b++) bits[b >> 3] = (bits[b >> 3] as number) | (1 << (b & 7));
  }
  return bits;
}

/** hasByte tells whether byte `b` is in `set`. */
export function hasByte(set: ByteSet, b: number): boolean {
  return (((set[b >> 3] as number) >> (b & 7)) & 1) === 1;
}

function invert(set: ByteSet): ByteSet {
  return set.map((v) => ~v & 0xff);
}

function union(a: ByteSet, b: ByteSet): void {
  for (let i = 0; i < 32; i++) a[i] = (a[i] as number) | (b[i] as number);
}

const c = (ch: string): number => ch.charCodeAt(0);

/** CLASSES are the C locale's character classes. */
const CLASSES: Readonly<Record<string, ByteSet>> = {
  alpha: byteSet([c('A'), c('Z')], [c('a'), c('z')]),
  upper: byteSet([c('A'), c('Z')]),
  lower: byteSet([c('a'), c('z')]),
  digit: byteSet([c('0'), c('9')]),
  xdigit: byteSet([c('0'), c('9')], [c('A'), c('F')], [c('a'), c('f')]),
  alnum: byteSet([c('0'), c('9')], [c('A'), c('Z')], [c('a'), c('z')]),
  space: byteSet(0x20, [0x09, 0x0d]),
  blank: byteSet(0x20, 0x09),
  punct: byteSet([0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]),
  print: byteSet([0x20, 0x7e]),
  graph: byteSet([0x21, 0x7e]),
  cntrl: byteSet([0x00, 0x1f], 0x7f),
};

/** WORD is glibc's word-character set in the C locale: alphanumerics and underscore. */
export const WORD: ByteSet = byteSet([c('0'), c('9')], [c('A'), c('Z')], [c('a'), c('z')], c('_'));
const SPACE = CLASSES.space as ByteSet;
const bytesOf = (chars: string): ReadonlySet<number> => new Set([...chars].map(c));
/** SPECIAL are the bytes that are operators, not characters, outside brackets. */
const SPECIAL = bytesOf('|*+?{}()[].^$');
/** ESCAPED_SPECIAL are the bytes that make an operator after a backslash (back-references and GNU operators). */
const ESCAPED_SPECIAL = bytesOf("123456789wWsSbB<>`'");
const ANY_BUT_NUL = byteSet([1, 255]);

/** parseEre parses an extended regular expression given as bytes; it throws EreError. */
export function parseEre(pattern: Uint8Array): EreNode {
  return new Parser(pattern).alternation();
}

class Parser {
  private i = 0;
  private depth = 0;
  private opened = 0;
  private readonly completed = new Set<number>();

  constructor(private readonly p: Uint8Array) {}

  private fail(code: EreErrorCode, at = this.i): never {
    throw new EreError(code, at);
  }

  private peek(k = 0): number {
    return this.i + k < this.p.length ? (this.p[this.i + k] as number) : -1;
  }

  alternation(): EreNode {
    const branches: EreNode[] = [this.branch()];
    while (this.peek() === c('|')) {
      this.i++;
      branches.push(this.branch());
    }
    return branches.length === 1 ? (branches[0] as EreNode) : { t: 'alt', items: branches };
  }

  private branch(): EreNode {
    const items: EreNode[] = [];
    for (;;) {
      const ch = this.peek();
      if (ch === -1 || ch === c('|') || (ch === c(')') && this.depth > 0)) break;
      items.push(this.piece());
    }
    return items.length === 1 ? (items[0] as EreNode) : { t: 'cat', items };
  }

  private isDup(ch: number): boolean {
    return ch === c('*') || ch === c('+') || ch === c('?') || ch === c('{');
  }

  private piece(): EreNode {
    if (this.isDup(this.peek())) this.fail('REG_BADRPT');
    const bare = this.peek() !== c('(');
    let node = this.atom();
    if (bare && node.t === 'assert') {
      // glibc: an anchor cannot be repeated (a group holding one can).
      if (this.isDup(this.peek())) this.fail('REG_BADRPT');
      return node;
    }
    while (this.isDup(this.peek())) {
      const ch = this.peek();
      this.i++;
      if (ch === c('*')) node = { t: 'rep', node, min: 0, max: -1 };
      else if (ch === c('+')) node = { t: 'rep', node, min: 1, max: -1 };
      else if (ch === c('?')) node = { t: 'rep', node, min: 0, max: 1 };
      else node = this.interval(node);
    }
    return node;
  }

  /**
   * interval reads `{m}`, `{m,}`, `{m,n}` or `{,n}` after the `{`, scanning glibc's tokens (so
   * `\,` counts as a comma and `\}` does not close) and reporting its errors in glibc's order.
   */
  private interval(node: EreNode): EreNode {
    const first = this.number();
    if (first.stop === 'end') this.fail('REG_EBRACE');
    let min = first.value;
    if (min === -1) {
      if (first.stop !== 'comma') this.fail('REG_BADBR');
      min = 0;
    }
    let max = min;
    let stop: 'comma' | 'close' | 'end' = first.stop;
    if (min !== -2 && stop === 'comma') {
      const second = this.number();
      max = second.value;
      stop = second.stop;
    }
    if (min === -2 || max === -2) this.fail(stop === 'end' ? 'REG_EBRACE' : 'REG_BADBR');
    if ((max !== -1 && min > max) || stop !== 'close') this.fail('REG_BADBR');
    if ((max === -1 ? min : max) > RE_DUP_MAX) this.fail('REG_ESIZE');
    return { t: 'rep', node, min, max };
  }

  /**
   * number reads tokens up to `,` or `}` as glibc's fetch_number does: -1 when there were none,
   * -2 when one was not a digit (or at the end of the pattern), else the value (capped above RE_DUP_MAX).
   */
  private number(): { value: number; stop: 'comma' | 'close' | 'end' } {
    let value = -1;
    for (;;) {
      const tok = this.token();
      if (tok === null) return { value: -2, stop: 'end' };
      if (tok.close) return { value, stop: 'close' };
      if (tok.char === c(',')) return { value, stop: 'comma' };
      const digit = tok.plain && tok.char >= c('0') && tok.char <= c('9');
      value = !digit || value === -2 ? -2 : Math.min((value === -1 ? 0 : value * 10) + tok.char - c('0'), RE_DUP_MAX + 1);
    }
  }

  /** token consumes one glibc token: `plain` when it is an ordinary character, `close` for an unescaped `}`. */
  private token(): { char: number; plain: boolean; close: boolean } | null {
    const ch = this.peek();
    if (ch === -1) return null;
    this.i++;
    if (ch !== c('\\')) return { char: ch, plain: !SPECIAL.has(ch), close: ch === c('}') };
    const next = this.peek();
    if (next === -1) return { char: ch, plain: false, close: false };
    this.i++;
    return { char: next, plain: !ESCAPED_SPECIAL.has(next), close: false };
  }

  private atom(): EreNode {
    const ch = this.peek();
    this.i++;
    switch (ch) {
      case c('('): {
        this.depth++;
        const open = this.i - 1;
        const index = ++this.opened;
        const inner = this.alternation();
        if (this.peek() !== c(')')) this.fail('REG_EPAREN', open);
        this.i++;
        this.depth--;
        this.completed.add(index);
        return inner;
      }
      case c('^'):
        return { t: 'assert', kind: 'line-start' };
      case c('$'):
        return { t: 'assert', kind: 'line-end' };
      case c('.'):
        return { t: 'set', bits: ANY_BUT_NUL };
      case c('['):
        return { t: 'set', bits: this.bracket() };
      case c('\\'):
        return this.escape();
      default:
        return { t: 'set', bits: byteSet(ch) };
    }
  }

  private escape(): EreNode {
    const ch = this.peek();
    if (ch === -1) this.fail('REG_EESCAPE', this.i - 1);
    this.i++;
    if (ch >= c('1') && ch <= c('9')) this.fail(this.completed.has(ch - c('0')) ? 'REG_UNSUPPORTED' : 'REG_ESUBREG', this.i - 2);
    switch (String.fromCharCode(ch)) {
      case 'w':
        return { t: 'set', bits: WORD };
      case 'W':
        return { t: 'set', bits: invert(WORD) };
      case 's':
        return { t: 'set', bits: SPACE };
      case 'S':
        return { t: 'set', bits: invert(SPACE) };
      case 'b':
        return { t: 'assert', kind: 'word-boundary' };
      case 'B':
        return { t: 'assert', kind: 'not-word-boundary' };
      case '<':
        return { t: 'assert', kind: 'word-start' };
      case '>':
        return { t: 'assert', kind: 'word-end' };
      case '`':
        return { t: 'assert', kind: 'buffer-start' };
      case "'":
        return { t: 'assert', kind: 'buffer-end' };
      default:
        return { t: 'set', bits: byteSet(ch) };
    }
  }

  /** bracket reads a bracket expression after its `[`, with glibc's rules and error order. */
  private bracket(): ByteSet {
    const open = this.i - 1;
    const set = new Uint8Array(32);
    if (this.peek() === -1) this.fail('REG_BADPAT', open);
    const negate = this.peek() === c('^');
    if (negate) {
      this.i++;
      if (this.peek() === -1) this.fail('REG_BADPAT', open);
    }
    let first = true;
    for (;;) {
      const start = this.element(first);
      first = false;
      let end: BracketElement | null = null;
      if (start.kind !== 'class' && start.kind !== 'equiv') {
        if (this.peek() === -1) this.fail('REG_EBRACK', open);
        if (this.peek() === c('-')) {
          const after = this.peek(1);
          if (after === -1) this.fail('REG_EBRACK', open);
          if (after !== c(']')) {
            this.i++;
            end = this.element(true);
          }
        }
      }
      if (end !== null) union(set, rangeOf(start, end, this.i));
      else union(set, single(start, this.i));
      const next = this.peek();
      if (next === -1) this.fail('REG_EBRACK', open);
      if (next === c(']')) {
        this.i++;
        break;
      }
    }
    return negate ? invert(set) : set;
  }

  /**
   * element reads one bracket element: a byte (a `]` first, a `-` only first or last), or a
   * `[.x.]`, `[=x=]`, `[:name:]` whose name is checked later, as glibc does.
   */
  private element(acceptHyphen: boolean): BracketElement {
    const ch = this.peek();
    const kind = this.peek(1);
    if (ch === c('[') && (kind === c(':') || kind === c('.') || kind === c('='))) {
      this.i += 2;
      if (this.peek() === -1) this.fail('REG_EBRACK');
      const name: number[] = [];
      for (;;) {
        if (name.length >= 32) this.fail('REG_EBRACK');
        const b = this.peek();
        this.i++;
        if (this.peek() === -1) this.fail('REG_EBRACK');
        if (b === kind && this.peek() === c(']')) break;
        name.push(b);
      }
      this.i++;
      return { kind: kind === c(':') ? 'class' : kind === c('.') ? 'collating' : 'equiv', name };
    }
    this.i++;
    if (ch === c('-') && !acceptHyphen && this.peek() !== c(']')) this.fail('REG_ERANGE');
    return { kind: 'byte', name: [ch] };
  }
}

/** BracketElement is one element of a bracket expression, before it is checked. */
interface BracketElement {
  readonly kind: 'byte' | 'collating' | 'equiv' | 'class';
  readonly name: readonly number[];
}

function single(e: BracketElement, at: number): ByteSet {
  if (e.kind === 'class') {
    const set = CLASSES[String.fromCharCode(...e.name)];
    if (set === undefined) throw new EreError('REG_ECTYPE', at);
    return set;
  }
  if (e.name.length !== 1) throw new EreError('REG_ECOLLATE', at);
  return byteSet(e.name[0] as number);
}

function rangeOf(start: BracketElement, end: BracketElement, at: number): ByteSet {
  if (start.kind === 'class' || start.kind === 'equiv' || end.kind === 'class' || end.kind === 'equiv') throw new EreError('REG_ERANGE', at);
  if (start.name.length > 1 || end.name.length > 1) throw new EreError('REG_ECOLLATE', at);
  const lo = start.name[0] ?? 0;
  const hi = end.name[0] ?? 0;
  if (lo > hi) throw new EreError('REG_ERANGE', at);
  return byteSet([lo, hi]);
}

/** programSize returns how many automaton instructions `node` compiles to (without the final match). */
export function programSize(node: EreNode): number {
  switch (node.t) {
    case 'set':
    case 'assert':
      return 1;
    case 'cat':
      return node.items.reduce((n, x) => n + programSize(x), 0);
    case 'alt':
      return node.items.reduce((n, x) => n + programSize(x), 0) + 2 * (node.items.length - 1);
    case 'rep': {
      const body = programSize(node.node);
      if (node.max === -1) return node.min * body + body + 2;
      return node.min * body + (node.max - node.min) * (body + 1);
    }
  }
}
