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

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';

/** splitLines cuts text into lines at LF, CRLF or CR, keeping offsets and terminators. */
export function splitLines(text: string): Array<{ start: number; end: number; next: number; eol: string }> {
  const out: Array<{ start: number; end: number; next: number; eol: string }> = [];
  let start = 0;
  const n = text.length;
  while (start < n) {
    let i = start;
    while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
    let eol = '';
    if (i < n) eol = text[i] === '\r' && text[i + 1] === '\n' ? '\r\n' : (text[i] as string);
    out.push({ start, end: i, next: i + eol.length, eol });
    start = i + eol.length;
  }
  return out;
}

/** lex tokenizes a whole file. It never throws; problems are reported on the lines. */
export function lex(text: string): Line[] {
  return splitLines(text).map((l, index) => lexLine(text, index + 1, l.start, l.end, l.next, l.eol));
}

function lexLine(text: string, number: number, start: number, end: number, next: number, eol: string): Line {
  let i = start;
  while (i < end && isBlank(text[i])) i++;
  if (i === end) return { number, start, end, next, eol, tokens: [], comment: false };
  if (text[i] === '#') return { number, start, end, next, eol, tokens: [], comment: true };

  const tokens: Token[] = [];
  let quirk: Diagnostic | undefined;
  while (i < end && tokens.length < MAX_TOKENS) {
    const c = text[i];
    const col = i - start + 1;
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0 || close >= end) {
        const error = syntaxError(PiranhaError.BAD_QUOTING, number, col, `no closing ${c} on this line`);
        return { number, start, end, next, eol, tokens, comment: false, error };
      }
      const after = close + 1;
      if (after < end && !isBlank(text[after])) {
        const error = syntaxError(
          PiranhaError.BAD_QUOTING,
          number,
          after - start + 1,
          `put a blank after the closing ${c}`,
        );
        return { number, start, end, next, eol, tokens, comment: false, error };
      }
      const inner = text.slice(i + 1, close);
      tokens.push({ text: inner, quote: c, start: i, end: after, col });
      // piranha scans for the closing quote from the first blank after the opening one, so a
      // quoted word without blanks followed by anything on the line reads as a mismatch there.
      if (quirk === undefined && !/[ \t]/.test(inner) && after < end) {
        quirk = {
          ...syntaxError(
            PiranhaError.BAD_QUOTING,
            number,
            col,
            'piranha 0.8.6 reports this line as a quotation mismatch: a quoted value without blanks must end the line (remove what follows, including trailing blanks)',
          ),
          severity: 'warning',
          code: 'PIRANHA_QUOTE_SCAN',
          compat: true,
        };
      }
      i = after;
    } else {
      let j = i;
      while (j < end && !isBlank(text[j])) j++;
      tokens.push({ text: text.slice(i, j), quote: null, start: i, end: j, col });
      i = j;
    }
    while (i < end && isBlank(text[i])) i++;
  }
  const line: Line = { number, start, end, next, eol, tokens, comment: false };
  return quirk === undefined ? line : { ...line, quirk };
}
