/** Physical lines of a text found independently of the project's lexer, for tests that check it. */

/** LineInfo is one physical line: offsets, content and terminator. */
export interface LineInfo {
  readonly start: number;
  readonly end: number;
  readonly next: number;
  readonly content: string;
  readonly eol: string;
}

/** linesOf splits a text at LF, CRLF and CR with a regular expression. */
export function linesOf(text: string): LineInfo[] {
  const out: LineInfo[] = [];
  const re = /([^\r\n]*)(\r\n|\n|\r|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m.index < text.length) {
    const content = m[1] as string;
    const eol = m[2] as string;
    out.push({ start: m.index, end: m.index + content.length, next: m.index + m[0].length, content, eol });
    re.lastIndex = m.index + m[0].length;
  }
  return out;
}
