/**
 * The block structure of lvs.cf: lexed lines grouped into the global block, `virtual` and
 * `failover` blocks, and their `server` blocks, with piranha 0.8.6's rules for block headers
 * and closing braces. The parser reads values from it; the edit API rewrites lines in it.
 */
import { PiranhaError, syntaxError, type Diagnostic } from './diagnostic.js';
import type { BlockKind } from './keywords.js';
import { lex, type Line } from './lexer.js';

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

/** buildSyntaxTree lexes `text` and groups its lines into blocks. It never throws. */
export function buildSyntaxTree(text: string): SyntaxTree {
  const lines = lex(text);
  const diagnostics: Diagnostic[] = [];
  const root = newBlock('global', '', null);
  const stack: Block[] = [root];
  const top = (): Block => stack[stack.length - 1] as Block;

  const open = (kind: BlockKind, line: Line): void => {
    const block = newBlock(kind, line.tokens[1]?.text ?? '', line);
    top().children.push(block);
    stack.push(block);
  };

  for (const line of lines) {
    if (line.error !== undefined) {
      diagnostics.push(line.error);
      continue;
    }
    if (line.quirk !== undefined) diagnostics.push(line.quirk);
    const first = line.tokens[0];
    if (first === undefined) continue;
    const current = top();

    if (first.text === '}') {
      if (stack.length === 1) {
        diagnostics.push(syntaxError(PiranhaError.BAD_COMMAND, line.number, first.col, 'no block is open here'));
        continue;
      }
      current.close = line;
      stack.pop();
      const extra = line.tokens[1];
      if (extra !== undefined)
        diagnostics.push(syntaxError(PiranhaError.EXTRA_ARGS, line.number, extra.col, "a closing '}' must be alone on its line"));
      continue;
    }

    const childKind = childKindOf(current.kind, first.text);
    if (childKind !== null) {
      const problem = headerProblem(line);
      if (problem !== null) diagnostics.push(problem);
      // Open the block anyway when the line ends in '{' so that later lines are read in the right context.
      if (problem === null || line.tokens[line.tokens.length - 1]?.text === '{') open(childKind, line);
      continue;
    }

    // A header that belongs to an outer block: piranha calls it an unknown command. Most
    // likely a '}' is missing, so report that and carry on as if it had been there.
    const outer = stack.findLastIndex((b, i) => i < stack.length - 1 && childKindOf(b.kind, first.text) !== null);
    if (outer >= 0 && line.tokens[line.tokens.length - 1]?.text === '{') {
      const where = current.header === null ? '' : ` (line ${current.header.number})`;
      diagnostics.push(
        syntaxError(PiranhaError.BAD_COMMAND, line.number, first.col, `'${first.text}' is not allowed inside a ${current.kind} block: is the '}' closing ${current.kind} ${current.name}${where} missing?`),
      );
      stack.length = outer + 1;
      open(childKindOf(top().kind, first.text) as BlockKind, line);
      continue;
    }

    current.statements.push(line);
  }

  for (let i = stack.length - 1; i > 0; i--) {
    const b = stack[i] as Block;
    const last = lines[lines.length - 1];
    diagnostics.push({
      ...syntaxError(
        PiranhaError.EOF,
        last?.number ?? 1,
        1,
        `${b.kind} ${b.name} opened at line ${b.header?.number ?? 0} is never closed with '}' (piranha accepts this; add the '}')`,
      ),
      severity: 'warning',
      code: 'UNCLOSED_BLOCK',
    });
  }
  return { text, lines, root, diagnostics };
}
