/**
 * The lvs.cf lexer: text to lines of blank-separated tokens, with the quoting rules of
 * piranha 0.8.6 (tokenizeString in lvsconfig.c) and correct handling of LF, CRLF and CR
 * line endings. It keeps every token's offsets so that edits can preserve all other bytes.
 */
import { PiranhaError, syntaxError, type Diagnostic } from './diagnostic.js';

/** Token is one word of a line; `text` has its quotes removed, offsets cover the quotes. */
export interface Token {
  readonly text: string;
  readonly quote: '"' | "'" | null;
  /** start is the offset of the token's first character (the opening quote, if any) in the file. */
  readonly start: number;
  /** end is the offset just past the token (past the closing quote, if any). */
  readonly end: number;
  /** col is the 1-based column of the token. */
  readonly col: number;
}

/** Line is one physical line of the file. Comment and blank lines have no tokens. */
export interface Line {
  /** number is the 1-based line number. */
  readonly number: number;
  /** start is the offset of the line's first character. */
  readonly start: number;
  /** end is the offset of the line terminator (or end of file). */
  readonly end: number;
  /** next is the offset of the following line (past the terminator). */
  readonly next: number;
  /** eol is the terminator itself: '\n', '\r\n', '\r' or '' on a last line without one. */
  readonly eol: string;
  readonly tokens: readonly Token[];
  /** comment is true for a line whose first non-blank character is '#'. */
  readonly comment: boolean;
  /** error is set when the line could not be tokenized (quotation mismatch). */
  readonly error?: Diagnostic;
  /** quirk is set when piranha 0.8.6 would mis-read this line although it is well formed. */
  readonly quirk?: Diagnostic;
}

/** MAX_TOKENS is piranha's limit of tokens per line (LVS_MAX_TOKENS - 1); later ones are ignored. */
export const MAX_TOKENS = 99;

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const DQUOTE = 34;
const HASH = 35;
const SQUOTE = 39;

const isBlankCode = (c: number): boolean => c === SPACE || c === TAB;

/**
 * forEachLine lexes `text` line by line (LF, CRLF or CR endings) without keeping the lines,
 * numbering them from `firstLine` (a part of a file is lexed with its own line numbers).
 */
export function forEachLine(text: string, visit: (line: Line) => void, firstLine = 1): void {
  const n = text.length;
  let start = 0;
  let number = firstLine - 1;
  while (start < n) {
    // A plain scan: V8's optimized String.prototype.indexOf(from) turned quadratic on big decoded files.
    let end = start;
    let c = 0;
    while (end < n && (c = text.charCodeAt(end)) !== LF && c !== CR) end++;
    let eol = '';
    if (end < n) eol = c === CR ? (text.charCodeAt(end + 1) === LF ? '\r\n' : '\r') : '\n';
    const next = end + eol.length;
    visit(lexLine(text, ++number, start, end, next, eol));
    start = next;
  }
}

/** splitLines cuts text into lines at LF, CRLF or CR, keeping offsets and terminators. */
export function splitLines(text: string): Array<{ start: number; end: number; next: number; eol: string }> {
  const out: Array<{ start: number; end: number; next: number; eol: string }> = [];
  forEachLine(text, (l) => out.push({ start: l.start, end: l.end, next: l.next, eol: l.eol }));
  return out;
}

/** lex tokenizes a whole file. It never throws; problems are reported on the lines. */
export function lex(text: string): Line[] {
  const lines: Line[] = [];
  forEachLine(text, (l) => lines.push(l));
  return lines;
}

function lexLine(text: string, number: number, start: number, end: number, next: number, eol: string): Line {
  let i = start;
  while (i < end && isBlankCode(text.charCodeAt(i))) i++;
  if (i === end) return { number, start, end, next, eol, tokens: [], comment: false };
  if (text.charCodeAt(i) === HASH) return { number, start, end, next, eol, tokens: [], comment: true };

  const tokens: Token[] = [];
  let quirk: Diagnostic | undefined;
  while (i < end && tokens.length < MAX_TOKENS) {
    const c = text.charCodeAt(i);
    const col = i - start + 1;
    if (c === DQUOTE || c === SQUOTE) {
      const q = c === DQUOTE ? '"' : "'";
      let close = i + 1;
      let blankInside = false;
      while (close < end && text.charCodeAt(close) !== c) {
        if (isBlankCode(text.charCodeAt(close))) blankInside = true;
        close++;
      }
      if (close >= end) {
        const error = syntaxError(PiranhaError.BAD_QUOTING, number, col, `no closing ${q} on this line`);
        return { number, start, end, next, eol, tokens, comment: false, error };
      }
      const after = close + 1;
      if (after < end && !isBlankCode(text.charCodeAt(after))) {
        const error = syntaxError(PiranhaError.BAD_QUOTING, number, after - start + 1, `put a blank after the closing ${q}`);
        return { number, start, end, next, eol, tokens, comment: false, error };
      }
      tokens.push({ text: text.slice(i + 1, close), quote: q, start: i, end: after, col });
      // piranha scans for the closing quote from the first blank after the opening one, so a
      // quoted word without blanks followed by anything on the line reads as a mismatch there.
      if (quirk === undefined && !blankInside && after < end) quirk = quoteScanQuirk(number, col);
      i = after;
    } else {
      let j = i + 1;
      while (j < end && !isBlankCode(text.charCodeAt(j))) j++;
      tokens.push({ text: text.slice(i, j), quote: null, start: i, end: j, col });
      i = j;
    }
    while (i < end && isBlankCode(text.charCodeAt(i))) i++;
  }
  if (quirk === undefined) return { number, start, end, next, eol, tokens, comment: false };
  return { number, start, end, next, eol, tokens, comment: false, quirk };
}

function quoteScanQuirk(line: number, col: number): Diagnostic {
  return {
    ...syntaxError(
      PiranhaError.BAD_QUOTING,
      line,
      col,
      'piranha 0.8.6 reports this line as a quotation mismatch: a quoted value without blanks must end the line (remove what follows, including trailing blanks)',
    ),
    severity: 'warning',
    code: 'PIRANHA_QUOTE_SCAN',
    compat: true,
  };
}
