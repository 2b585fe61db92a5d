/**
 * The edit API: change, add or remove one value or block of an lvs.cf file while keeping
 * every other byte (comments, blank lines, order, indentation, line endings). Each edit is
 * checked by parsing the result; an edit that would break the file is refused, never written.
 */
import type { Diagnostic } from './diagnostic.js';
import { lookupKeyword, type BlockKind } from './keywords.js';
import type { Line } from './lexer.js';
import type { RealServer, VirtualService } from './model.js';
import { parseConfig, type ParseOptions, type ParseResult } from './parser.js';
import type { Block } from './syntax.js';
import { formatValue, quoteToken, writeServer, writeVirtual, INDENT_KEY } from './write.js';

/** BlockSelector picks a block of one kind by name (the first of that name) or by position. */
export type BlockSelector =
  | { readonly kind: 'virtual' | 'failover' | 'server'; readonly name: string }
  | { readonly kind: 'virtual' | 'failover' | 'server'; readonly index: number };

/** BlockPath leads from the top level to a block: [], [virtual], or [virtual, server]. */
export type BlockPath = readonly BlockSelector[];

/** ConfigEdit is one change to make. Values are model values (as in LvsConfig) for the keyword. */
export type ConfigEdit =
  | { readonly op: 'set'; readonly block: BlockPath; readonly key: string; readonly value: unknown }
  | { readonly op: 'unset'; readonly block: BlockPath; readonly key: string }
  | { readonly op: 'add-virtual'; readonly service: VirtualService; readonly kind?: 'virtual' | 'failover' }
  | { readonly op: 'add-server'; readonly block: BlockPath; readonly server: RealServer }
  | { readonly op: 'remove-block'; readonly block: BlockPath }
  | { readonly op: 'rename-block'; readonly block: BlockPath; readonly name: string };

/** EditError says why an edit was refused; the file text is left as it was. */
export class EditError extends Error {
  constructor(
    readonly code: 'LVSCF_NO_SUCH_BLOCK' | 'LVSCF_NO_SUCH_KEYWORD' | 'LVSCF_EDIT_BREAKS_FILE' | 'LVSCF_BAD_VALUE',
    message: string,
    readonly diagnostics: readonly Diagnostic[] = [],
  ) {
    super(message);
    this.name = 'EditError';
  }
}

/** EditResult is the new text and its parse. */
export interface EditResult {
  readonly text: string;
  readonly parsed: ParseResult;
}

/** editConfig applies edits in order to the text of an lvs.cf file. */
export function editConfig(text: string, edits: ConfigEdit | readonly ConfigEdit[], options: ParseOptions = {}): EditResult {
  let current = text;
  let parsed = parseConfig(current, options);
  const errorsBefore = errorCounts(parsed.diagnostics);
  for (const edit of Array.isArray(edits) ? (edits as readonly ConfigEdit[]) : [edits as ConfigEdit]) {
    current = applyOne(current, parsed, edit);
    parsed = parseConfig(current, options);
    // An error is fresh when there are more of its kind than the original text had.
    const seen = new Map<string, number>();
    const fresh = parsed.diagnostics.filter((d) => {
      if (d.severity !== 'error') return false;
      const key = errorKey(d);
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      return n > (errorsBefore.get(key) ?? 0);
    });
    if (fresh.length > 0)
      throw new EditError('LVSCF_EDIT_BREAKS_FILE', `edit ${edit.op} would make the file invalid: ${fresh[0]?.message ?? ''}`, fresh);
  }
  return { text: current, parsed };
}

function errorKey(d: Diagnostic): string {
  return `${d.code} ${d.message}`;
}

/** errorCounts counts the errors of each kind, so that one more of an existing kind is still noticed. */
function errorCounts(list: readonly Diagnostic[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of list) if (d.severity === 'error') counts.set(errorKey(d), (counts.get(errorKey(d)) ?? 0) + 1);
  return counts;
}

function applyOne(text: string, parsed: ParseResult, edit: ConfigEdit): string {
  const eol = dominantEol(parsed.tree.lines);
  switch (edit.op) {
    case 'set': {
      const block = findBlock(parsed.tree.root, edit.block);
      const spec = lookupKeyword(block.kind, edit.key);
      if (spec === undefined) throw new EditError('LVSCF_NO_SUCH_KEYWORD', `'${edit.key}' is not a keyword of a ${block.kind} block`);
      let value: string | null;
      try {
        value = formatValue(spec, edit.value);
      } catch (e) {
        throw new EditError('LVSCF_BAD_VALUE', (e as Error).message);
      }
      if (value === null) return applyOne(text, parsed, { op: 'unset', block: edit.block, key: edit.key });
      const existing = block.statements.filter((l) => l.tokens[0]?.text === edit.key);
      const last = existing[existing.length - 1];
      if (last !== undefined && last.tokens.length >= 3) {
        const from = (last.tokens[2] as { start: number }).start;
        const to = (last.tokens[last.tokens.length - 1] as { end: number }).end;
        return text.slice(0, from) + value + text.slice(to);
      }
      if (last !== undefined) return replaceLine(text, last, `${indentOf(text, last)}${edit.key} = ${value}`);
      return insertStatement(text, block, `${edit.key} = ${value}`, eol);
    }
    case 'unset': {
      const block = findBlock(parsed.tree.root, edit.block);
      const lines = block.statements.filter((l) => l.tokens[0]?.text === edit.key);
      return removeLines(text, lines.map((l) => [l.start, l.next]));
    }
    case 'add-virtual': {
      const kind = edit.kind ?? 'virtual';
      const rendered = convertEol(writeVirtual(edit.service, kind), eol);
      const sep = text.length > 0 && !text.endsWith('\n') && !text.endsWith('\r') ? eol : '';
      return text + sep + rendered;
    }
    case 'add-server': {
      const block = findBlock(parsed.tree.root, edit.block);
      if (block.kind !== 'virtual' && block.kind !== 'failover')
        throw new EditError('LVSCF_NO_SUCH_BLOCK', 'servers can only be added to a virtual block');
      const indent = block.header === null ? INDENT_KEY : indentOf(text, block.header) + INDENT_KEY;
      const rendered = convertEol(writeServer(edit.server, indent, indent + '    '), eol);
      return insertBeforeClose(text, block, rendered, eol);
    }
    case 'remove-block': {
      const block = findBlock(parsed.tree.root, edit.block);
      if (block.header === null) throw new EditError('LVSCF_NO_SUCH_BLOCK', 'the top level cannot be removed');
      const end = lastLineOf(block);
      return removeLines(text, [[block.header.start, end.next]]);
    }
    case 'rename-block': {
      const block = findBlock(parsed.tree.root, edit.block);
      const nameToken = block.header?.tokens[1];
      if (nameToken === undefined) throw new EditError('LVSCF_NO_SUCH_BLOCK', 'the top level has no name');
      let name: string;
      try {
        name = quoteToken(block.kind, edit.name);
      } catch (e) {
        throw new EditError('LVSCF_BAD_VALUE', (e as Error).message);
      }
      return text.slice(0, nameToken.start) + name + text.slice(nameToken.end);
    }
  }
}

function findBlock(root: Block, path: BlockPath): Block {
  let block = root;
  for (const sel of path) {
    const candidates = block.children.filter((c) => c.kind === sel.kind);
    const found = 'name' in sel ? candidates.find((c) => c.name === sel.name) : candidates[sel.index];
    if (found === undefined)
      throw new EditError('LVSCF_NO_SUCH_BLOCK', `no ${sel.kind} ${'name' in sel ? sel.name : `#${sel.index}`} in ${describe(block.kind, block.name)}`);
    block = found;
  }
  return block;
}

function describe(kind: BlockKind, name: string): string {
  return kind === 'global' ? 'the file' : `${kind} ${name}`;
}

function dominantEol(lines: readonly Line[]): string {
  const counts = new Map<string, number>();
  for (const l of lines) if (l.eol !== '') counts.set(l.eol, (counts.get(l.eol) ?? 0) + 1);
  let best = '\n';
  let n = 0;
  for (const [eol, c] of counts) if (c > n) [best, n] = [eol, c];
  return best;
}

function convertEol(s: string, eol: string): string {
  return eol === '\n' ? s : s.replace(/\n/g, eol);
}

function indentOf(text: string, line: Line): string {
  return /^[ \t]*/.exec(text.slice(line.start, line.end))?.[0] ?? '';
}

function lastLineOf(block: Block): Line {
  if (block.close !== null) return block.close;
  const candidates: Line[] = [...block.statements, ...block.children.map(lastLineOf)];
  if (block.header !== null) candidates.push(block.header);
  return candidates.reduce((a, b) => (b.number > a.number ? b : a));
}

function replaceLine(text: string, line: Line, content: string): string {
  return text.slice(0, line.start) + content + text.slice(line.end);
}

function removeLines(text: string, ranges: Array<[number, number]>): string {
  let out = text;
  for (const [from, to] of [...ranges].sort((a, b) => b[0] - a[0])) out = out.slice(0, from) + out.slice(to);
  return out;
}

/** insertAfter puts a new line after `line`, giving `line` a terminator if it was the unterminated last one. */
function insertAfter(text: string, line: Line, content: string, eol: string): string {
  if (line.eol === '') return text.slice(0, line.end) + eol + content + eol + text.slice(line.end);
  return text.slice(0, line.next) + content + eol + text.slice(line.next);
}

/** insertStatement adds `key = value` among a block's own keywords, before its nested blocks. */
function insertStatement(text: string, block: Block, statement: string, eol: string): string {
  const firstChild = block.children[0]?.header?.number ?? Infinity;
  const before = block.statements.filter((l) => l.number < firstChild);
  const anchor = before[before.length - 1];
  if (anchor !== undefined) return insertAfter(text, anchor, indentOf(text, anchor) + statement, eol);
  if (block.header !== null) return insertAfter(text, block.header, indentOf(text, block.header) + INDENT_KEY + statement, eol);
  // Top level with no statement yet: before the first block, else at the end.
  const child = block.children[0]?.header;
  if (child !== undefined && child !== null) return text.slice(0, child.start) + statement + eol + text.slice(child.start);
  const sep = text.length > 0 && !text.endsWith('\n') && !text.endsWith('\r') ? eol : '';
  return text + sep + statement + eol;
}

function insertBeforeClose(text: string, block: Block, rendered: string, eol: string): string {
  if (block.close !== null) return text.slice(0, block.close.start) + rendered + text.slice(block.close.start);
  const last = lastLineOf(block);
  const at = last.eol === '' ? last.end : last.next;
  return text.slice(0, at) + (last.eol === '' ? eol : '') + rendered + text.slice(at);
}
