/**
 * The block structure of lvs.cf: lexed lines grouped into the global block, `virtual` and
 * `failover` blocks, and their `server` blocks, with piranha 0.8.6's rules for block headers
 * and closing braces. The parser reads values from it; the edit API rewrites lines in it.
 */
import { PiranhaError, syntaxError, type Diagnostic } from './diagnostic.js';
import type { BlockKind } from './keywords.js';
import { forEachLine, type Line } from './lexer.js';

/** Block is one block of the file; the global block has no header and no name. */
export interface Block {
  readonly kind: BlockKind;
  readonly name: string;
  readonly header: Line | null;
  close: Line | null;
  /** statements are the block's own `keyword = value` lines, in file order. */
  readonly statements: Line[];
  /** children are the nested blocks, in file order. */
  readonly children: Block[];
}

/** SyntaxTree is a lexed file with its blocks and the structural problems found. */
export interface SyntaxTree {
  readonly text: string;
  readonly lines: readonly Line[];
  readonly root: Block;
  readonly diagnostics: readonly Diagnostic[];
}

const newBlock = (kind: BlockKind, name: string, header: Line | null): Block => ({
  kind,
  name,
  header,
  close: null,
  statements: [],
  children: [],
});

const HEADER_WORDS: ReadonlySet<string> = new Set(['virtual', 'failover', 'server']);

function childKindOf(parent: BlockKind, word: string): BlockKind | null {
  if (parent === 'global' && (word === 'virtual' || word === 'failover')) return word;
  if ((parent === 'virtual' || parent === 'failover') && word === 'server') return 'server';
  return null;
}

/** headerProblem checks a `KIND NAME {` line the way piranha does (exactly three tokens, the last `{`). */
function headerProblem(line: Line): Diagnostic | null {
  const t = line.tokens;
  const kind = t[0]?.text ?? '';
  if (t.length < 3)
    return syntaxError(PiranhaError.MISSING_ARGS, line.number, (t[t.length - 1]?.col ?? 1), `write '${kind} NAME {' with the brace on the same line`);
  if (t.length > 3)
    return syntaxError(PiranhaError.EXTRA_ARGS, line.number, (t[3]?.col ?? 1), `a block header is '${kind} NAME {'; quote a NAME that contains blanks`);
  if (t[2]?.text !== '{')
    return syntaxError(PiranhaError.MISSING_ARGS, line.number, (t[2]?.col ?? 1), `write '${kind} NAME {' with the brace on the same line`);
  return null;
}

/** BlockVisitor receives the structure of a file as it is read, line by line. */
export interface BlockVisitor {
  /** line is called for every line, before any other call about it. */
  line?(line: Line): void;
  /** open starts a nested block. */
  open(kind: BlockKind, name: string, header: Line): void;
  /** close ends the innermost block; `line` is null for a block left open at end of file. */
  close(line: Line | null): void;
  /** statement is a `keyword ...` line of the innermost block. */
  statement(line: Line): void;
  /** diagnostic reports a structural problem. */
  diagnostic(d: Diagnostic): void;
}

interface OpenBlock {
  readonly kind: BlockKind;
  readonly name: string;
  readonly header: Line | null;
}

/**
 * walkBlocks reads `text` and reports its block structure to `visitor`, applying piranha's
 * rules for headers and braces and recovering from mistakes so later lines keep their context.
 * Lines are numbered from `firstLine` (for a part of a file that starts at the top level).
 */
export function walkBlocks(text: string, visitor: BlockVisitor, firstLine = 1): void {
  const stack: OpenBlock[] = [{ kind: 'global', name: '', header: null }];
  const top = (): OpenBlock => stack[stack.length - 1] as OpenBlock;
  let lastLine = 0;

  const open = (kind: BlockKind, line: Line): void => {
    // A well-formed header has three tokens; a broken one opened for recovery may lack a name.
    const name = line.tokens.length >= 3 ? (line.tokens[1]?.text ?? '') : '';
    stack.push({ kind, name, header: line });
    visitor.open(kind, name, line);
  };

  forEachLine(text, (line) => {
    lastLine = line.number;
    visitor.line?.(line);
    if (line.error !== undefined) {
      visitor.diagnostic(line.error);
      return;
    }
    if (line.quirk !== undefined) visitor.diagnostic(line.quirk);
    const first = line.tokens[0];
    if (first === undefined) return;
    const current = top();

    if (first.text === '}') {
      if (stack.length === 1) {
        visitor.diagnostic(syntaxError(PiranhaError.BAD_COMMAND, line.number, first.col, 'no block is open here'));
        return;
      }
      stack.pop();
      visitor.close(line);
      const extra = line.tokens[1];
      if (extra !== undefined)
        visitor.diagnostic(syntaxError(PiranhaError.EXTRA_ARGS, line.number, extra.col, "a closing '}' must be alone on its line"));
      return;
    }

    const childKind = childKindOf(current.kind, first.text);
    if (childKind === null && !HEADER_WORDS.has(first.text)) {
      visitor.statement(line);
      return;
    }
    const hasBrace = line.tokens.some((t, i) => i > 0 && t.text === '{');
    if (childKind !== null) {
      const problem = headerProblem(line);
      if (problem !== null) visitor.diagnostic(problem);
      // Open the block anyway when the line has a '{' so that later lines are read in the right context.
      if (problem === null || hasBrace) open(childKind, line);
      return;
    }

    // A header that belongs to an outer block: piranha calls it an unknown command. Most
    // likely a '}' is missing, so report that and carry on as if it had been there.
    const outer = stack.findLastIndex((b, i) => i < stack.length - 1 && childKindOf(b.kind, first.text) !== null);
    if (outer >= 0 && hasBrace) {
      const where = current.header === null ? '' : ` (line ${current.header.number})`;
      visitor.diagnostic(
        syntaxError(PiranhaError.BAD_COMMAND, line.number, first.col, `'${first.text}' is not allowed inside a ${current.kind} block: is the '}' closing ${current.kind} ${current.name}${where} missing?`),
      );
      while (stack.length > outer + 1) {
        stack.pop();
        visitor.close(null);
      }
      open(childKindOf(top().kind, first.text) as BlockKind, line);
      return;
    }

    visitor.statement(line);
  }, firstLine);

  while (stack.length > 1) {
    const b = stack.pop() as OpenBlock;
    visitor.diagnostic({
      ...syntaxError(
        PiranhaError.EOF,
        Math.max(lastLine, 1),
        1,
        `${b.kind} ${b.name} opened at line ${b.header?.number ?? 0} is never closed with '}' (piranha accepts this; add the '}')`,
      ),
      severity: 'warning',
      code: 'UNCLOSED_BLOCK',
    });
    visitor.close(null);
  }
}

/** buildSyntaxTree lexes `text` and keeps its lines grouped into blocks (for the edit API). */
export function buildSyntaxTree(text: string): SyntaxTree {
  const lines: Line[] = [];
  const diagnostics: Diagnostic[] = [];
  const root = newBlock('global', '', null);
  const stack: Block[] = [root];
  const top = (): Block => stack[stack.length - 1] as Block;
  walkBlocks(text, {
    line: (l) => lines.push(l),
    open: (kind, name, header) => {
      const block = newBlock(kind, name, header);
      top().children.push(block);
      stack.push(block);
    },
    close: (line) => {
      const block = stack.pop() as Block;
      block.close = line;
    },
    statement: (line) => top().statements.push(line),
    diagnostic: (d) => diagnostics.push(d),
  });
  return { text, lines, root, diagnostics };
}
