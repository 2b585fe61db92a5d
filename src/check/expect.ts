/**
 * The pure judge of a socket reply: bytes in (as they arrive), a verdict out. No I/O, no time.
 *
 * Semantics are nanny's (§4.2 of the reference), with one fix: nanny judged a single read(),
 * so a reply split across TCP segments failed when the first segment was short. This judge
 * keeps reading, within the same bounds, until it can decide:
 *
 * - `none`: nothing is read.
 * - `any` (expect `*`): the first byte passes; so does a close without data (nanny's quirk,
 *   kept: the wildcard ignored the byte count). Only a timeout or an error fails.
 * - `prefix`: the first `bytes.length` bytes (at most 254) must equal the expect string.
 *   A difference fails at once; a close or the deadline before enough bytes is "too short".
 * - `regex`: the reply so far (at most 254 bytes, up to the first NUL, as regexec saw a C
 *   string) is matched after every piece, as if it ended there (as nanny's single read did);
 *   a match passes; a full window, a NUL, a close or the deadline without one fails, and so
 *   does a pattern anchored with `^` that can no longer match (nanny failed those at once too).
 *   Otherwise a regex that does not match yet waits, up to the deadline, for more bytes.
 */
import { EreStream } from './ere-nfa.js';
import type { ExpectSpec } from './spec.js';

/** REGEX_WINDOW is how much of a reply a regular expression sees (nanny read at most 254 bytes). */
export const REGEX_WINDOW = 254;

/** Judgement is the verdict so far. `short` and `timeout` come only once the reply can grow no more. */
export type Judgement =
  | { readonly kind: 'more' }
  | { readonly kind: 'pass' }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'short'; readonly got: number; readonly want: number }
  | { readonly kind: 'timeout' };

const MORE: Judgement = { kind: 'more' };
const PASS: Judgement = { kind: 'pass' };
const MISMATCH: Judgement = { kind: 'mismatch' };
const TIMEOUT: Judgement = { kind: 'timeout' };

/** ReplyJudge takes at most `budget` reply bytes and judges them against an ExpectSpec, holding no copy of them. */
export class ReplyJudge {
  /** budget is the most reply bytes this judge will ever look at. */
  readonly budget: number;
  private n = 0;
  private eof = false;
  private final: Judgement | null = null;
  private readonly stream: EreStream | null;

  constructor(private readonly expect: ExpectSpec) {
    this.budget = expect.kind === 'none' ? 0 : expect.kind === 'any' ? 1 : expect.kind === 'prefix' ? expect.bytes.length : REGEX_WINDOW;
    this.stream = expect.kind === 'regex' ? new EreStream(expect.program) : null;
  }

  /** received is how many reply bytes have been taken. */
  get received(): number {
    return this.n;
  }

  /** push adds reply bytes (beyond the budget they are ignored) and returns the verdict so far. */
  push(chunk: Uint8Array): Judgement {
    if (this.final !== null) return this.final;
    const take = Math.min(chunk.length, this.budget - this.n);
    const piece = chunk.subarray(0, take);
    const from = this.n;
    this.n += take;
    return this.settle(this.judge(piece, from, chunk.length > take));
  }

  /** close notes that the peer ended the reply (TCP end of stream, or a whole UDP datagram) and returns the final verdict. */
  close(): Judgement {
    this.eof = true;
    return this.current();
  }

  /** current returns the verdict on what has arrived, final if the reply has ended. */
  current(): Judgement {
    if (this.final !== null) return this.final;
    if (!this.eof) return MORE;
    return this.settle(this.ended(false));
  }

  /** timeout returns the final verdict when the deadline passes with the reply still open. */
  timeout(): Judgement {
    if (this.final !== null) return this.final;
    return this.settle(this.ended(true));
  }

  private settle(j: Judgement): Judgement {
    if (j.kind !== 'more') this.final = j;
    return j;
  }

  private judge(piece: Uint8Array, from: number, overflow: boolean): Judgement {
    const e = this.expect;
    switch (e.kind) {
      case 'none':
        return PASS;
      case 'any':
        return this.n > 0 ? PASS : MORE;
      case 'prefix':
        for (let i = 0; i < piece.length; i++) if (piece[i] !== e.bytes[from + i]) return MISMATCH;
        return this.n >= e.bytes.length ? PASS : MORE;
      case 'regex': {
        const stream = this.stream as EreStream;
        const nul = piece.indexOf(0);
        stream.push(nul === -1 ? piece : piece.subarray(0, nul));
        if (stream.matchesIfEndedHere()) return PASS;
        return nul !== -1 || this.n >= this.budget || overflow || stream.dead ? MISMATCH : MORE;
      }
    }
  }

  private ended(deadline: boolean): Judgement {
    const e = this.expect;
    if (deadline && this.n === 0 && e.kind !== 'none') return TIMEOUT;
    switch (e.kind) {
      case 'none':
      case 'any':
        return PASS;
      case 'prefix':
        return this.n >= e.bytes.length ? PASS : { kind: 'short', got: this.n, want: e.bytes.length };
      case 'regex':
        return (this.stream as EreStream).matchesIfEndedHere() ? PASS : MISMATCH;
    }
  }
}
