/**
 * A Thompson automaton for the patterns of ere.ts: "does the pattern match anywhere in these
 * bytes", in time proportional to bytes × instructions and with no backtracking, so that no
 * reply can make a check slow. Matching streams: bytes can arrive in pieces.
 */
import { EreError, hasByte, MAX_PROGRAM, parseEre, programSize, WORD, type AssertKind, type ByteSet, type EreNode } from './ere.js';

const OP_BYTE = 0;
const OP_SPLIT = 1;
const OP_JMP = 2;
const OP_ASSERT = 3;
const OP_MATCH = 4;

const ASSERTS: readonly AssertKind[] = ['line-start', 'line-end', 'buffer-start', 'buffer-end', 'word-boundary', 'not-word-boundary', 'word-start', 'word-end'];

/** EreProgram is a compiled pattern: plain data, safe to share between checks. */
export interface EreProgram {
  /** source is the pattern as configured (after nanny's escape conversion). */
  readonly source: string;
  readonly op: Uint8Array;
  readonly x: Int32Array;
  readonly y: Int32Array;
  readonly sets: readonly ByteSet[];
  /** anchored is true when every match must begin at the start of the subject (`^…`, `` \`… ``). */
  readonly anchored: boolean;
}

/** compileEre parses and compiles a pattern (UTF-8 encoded: the C locale sees bytes); it throws EreError. */
export function compileEre(source: string): EreProgram {
  return compileEreBytes(Buffer.from(source, 'utf8'), source);
}

/** compileEreBytes compiles a pattern given as bytes; `source` is how it is shown. It throws EreError. */
export function compileEreBytes(pattern: Uint8Array, source = Buffer.from(pattern).toString('latin1')): EreProgram {
  const node = parseEre(pattern);
  const size = programSize(node) + 1;
  if (size > MAX_PROGRAM) throw new EreError('REG_ESIZE', 0);
  const b = new Builder(size);
  b.emit(node);
  b.push(OP_MATCH, 0, 0);
  return { source, op: b.op, x: b.x, y: b.y, sets: b.sets, anchored: isAnchored(b.op, b.x, b.y) };
}

/** isAnchored tells whether no path from the start reaches a byte or the match without passing `^` or `` \` ``. */
function isAnchored(op: Uint8Array, x: Int32Array, y: Int32Array): boolean {
  const seen = new Uint8Array(op.length);
  const stack = [0];
  while (stack.length > 0) {
    const pc = stack.pop() as number;
    if (seen[pc] === 1) continue;
    seen[pc] = 1;
    switch (op[pc]) {
      case OP_BYTE:
      case OP_MATCH:
        return false;
      case OP_JMP:
        stack.push(x[pc] as number);
        break;
      case OP_SPLIT:
        stack.push(x[pc] as number, y[pc] as number);
        break;
      case OP_ASSERT: {
        const kind = ASSERTS[x[pc] as number];
        if (kind !== 'line-start' && kind !== 'buffer-start') stack.push(pc + 1);
        break;
      }
    }
  }
  return true;
}

class Builder {
  readonly op: Uint8Array;
  readonly x: Int32Array;
  readonly y: Int32Array;
  readonly sets: ByteSet[] = [];
  private n = 0;

  constructor(size: number) {
    this.op = new Uint8Array(size);
    this.x = new Int32Array(size);
    this.y = new Int32Array(size);
  }

  push(op: number, x: number, y: number): number {
    const pc = this.n++;
    this.op[pc] = op;
    this.x[pc] = x;
    this.y[pc] = y;
    return pc;
  }

  emit(node: EreNode): void {
    switch (node.t) {
      case 'set':
        this.sets.push(node.bits);
        this.push(OP_BYTE, this.sets.length - 1, 0);
        return;
      case 'assert':
        this.push(OP_ASSERT, ASSERTS.indexOf(node.kind), 0);
        return;
      case 'cat':
        for (const item of node.items) this.emit(item);
        return;
      case 'alt': {
        const jumps: number[] = [];
        node.items.forEach((item, i) => {
          if (i < node.items.length - 1) {
            const split = this.push(OP_SPLIT, this.n + 1, 0);
            this.emit(item);
            jumps.push(this.push(OP_JMP, 0, 0));
            this.y[split] = this.n;
          } else this.emit(item);
        });
        for (const j of jumps) this.x[j] = this.n;
        return;
      }
      case 'rep': {
        for (let i = 0; i < node.min; i++) this.emit(node.node);
        if (node.max === -1) {
          const split = this.push(OP_SPLIT, this.n + 1, 0);
          this.emit(node.node);
          this.push(OP_JMP, split, 0);
          this.y[split] = this.n;
          return;
        }
        const splits: number[] = [];
        for (let i = node.min; i < node.max; i++) {
          splits.push(this.push(OP_SPLIT, this.n + 1, 0));
          this.emit(node.node);
        }
        for (const s of splits) this.y[s] = this.n;
        return;
      }
    }
  }
}

const isWord = (b: number): boolean => b >= 0 && hasByte(WORD, b);

const NEWLINE = 0x0a;
/** INSIDE marks a thread that has consumed a byte in its match attempt (glibc then lets `^` hold after a newline). */
const INSIDE = 1;
/** NEED_NL marks a thread that passed `$` before a newline: it must consume that newline before it may match. */
const NEED_NL = 2;

/**
 * EreStream feeds bytes to a compiled pattern. `matched` becomes true, for good, once a match
 * is found that no later byte can undo; {@link EreStream.matchesIfEndedHere} also tries the
 * anchors that need the end of the subject (`$`, `\'`, `\b` after the last byte).
 *
 * Threads are (instruction, flags) pairs. The flags reproduce a glibc quirk that the reference
 * test pins down: without REG_NEWLINE, `^` and `$` mean start and end of the subject, except
 * that glibc's automaton gives a newline it has just consumed "newline context", so inside one
 * match `^` also holds right after a `\n` the match consumed and `$` right before a `\n` the
 * match goes on to consume (`a\n^b` and `a$\nb` both match "a\nb"; `^b` and `a$` do not).
 */
export class EreStream {
  private cur: Int32Array;
  private curN = 0;
  private next: Int32Array;
  private nextN = 0;
  private readonly mark: Int32Array;
  private readonly stack: Int32Array;
  private gen = 0;
  private prev = -1;
  private matchedNow = false;

  constructor(private readonly prog: EreProgram) {
    const n = prog.op.length * 4;
    this.cur = new Int32Array(n);
    this.next = new Int32Array(n);
    this.mark = new Int32Array(n);
    this.stack = new Int32Array(n * 3 + 2);
  }

  /** matched tells whether a match has been found that later bytes cannot undo. */
  get matched(): boolean {
    return this.matchedNow;
  }

  /**
   * dead tells whether no continuation can match any more: the pattern is anchored at the start,
   * at least one byte has gone by, and no thread is left (a fresh start fails `^` after byte 0).
   */
  get dead(): boolean {
    return !this.matchedNow && this.prog.anchored && this.prev !== -1 && this.curN === 0;
  }

  /** push consumes bytes and returns `matched`. */
  push(bytes: Uint8Array): boolean {
    for (let i = 0; i < bytes.length && !this.matchedNow; i++) this.step(bytes[i] as number);
    return this.matchedNow;
  }

  /** matchesIfEndedHere tells whether the pattern matches if the subject ends after the bytes pushed so far. */
  matchesIfEndedHere(): boolean {
    if (this.matchedNow) return true;
    return this.closure(-1, false);
  }

  private step(b: number): void {
    if (this.closure(b, true)) {
      this.matchedNow = true;
      return;
    }
    const swap = this.cur;
    this.cur = this.next;
    this.next = swap;
    this.curN = this.nextN;
    this.prev = b;
  }

  /**
   * closure follows every empty transition from the current threads (plus a fresh thread at the
   * program start, which makes the search unanchored) with `nextByte` as the following byte (-1:
   * the end). It returns true on reaching the match instruction; with `advance` it fills `next`
   * with the threads that consume `nextByte`.
   */
  private closure(nextByte: number, advance: boolean): boolean {
    const { op, x, y, sets } = this.prog;
    const mark = this.mark;
    const stack = this.stack;
    const gen = ++this.gen;
    let sp = 0;
    stack[sp++] = 0;
    for (let i = this.curN - 1; i >= 0; i--) stack[sp++] = this.cur[i] as number;
    this.nextN = 0;
    const prev = this.prev;
    const pw = isWord(prev);
    const nw = isWord(nextByte);
    while (sp > 0) {
      const t = stack[--sp] as number;
      if (mark[t] === gen) continue;
      mark[t] = gen;
      const pc = t >> 2;
      const flags = t & 3;
      switch (op[pc]) {
        case OP_MATCH:
          if ((flags & NEED_NL) === 0) return true;
          break;
        case OP_BYTE:
          if (advance && hasByte(sets[x[pc] as number] as ByteSet, nextByte)) this.next[this.nextN++] = ((pc + 1) << 2) | INSIDE;
          break;
        case OP_JMP:
          stack[sp++] = ((x[pc] as number) << 2) | flags;
          break;
        case OP_SPLIT:
          stack[sp++] = ((y[pc] as number) << 2) | flags;
          stack[sp++] = ((x[pc] as number) << 2) | flags;
          break;
        case OP_ASSERT: {
          const kind = ASSERTS[x[pc] as number];
          let to = -1;
          if (kind === 'line-start') {
            if (prev === -1 || ((flags & INSIDE) !== 0 && prev === NEWLINE)) to = flags;
          } else if (kind === 'line-end') {
            if (nextByte === -1) to = flags;
            else if (nextByte === NEWLINE) to = flags | NEED_NL;
          } else if (assertHolds(kind, prev, nextByte, pw, nw)) to = flags;
          if (to !== -1) stack[sp++] = ((pc + 1) << 2) | to;
          break;
        }
      }
    }
    return false;
  }
}

function assertHolds(kind: AssertKind | undefined, prev: number, next: number, pw: boolean, nw: boolean): boolean {
  switch (kind) {
    case 'buffer-start':
      return prev === -1;
    case 'buffer-end':
      return next === -1;
    case 'word-boundary':
      return pw !== nw;
    case 'not-word-boundary':
      return pw === nw;
    case 'word-start':
      return !pw && nw;
    case 'word-end':
      return pw && !nw;
    default:
      return false;
  }
}

/** matchEre tells whether `prog` matches anywhere in `subject` (taken as the whole string, as regexec does). */
export function matchEre(prog: EreProgram, subject: Uint8Array): boolean {
  const s = new EreStream(prog);
  s.push(subject);
  return s.matchesIfEndedHere();
}
