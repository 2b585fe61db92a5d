/**
 * The pure reply judge: every expect mode, fed in pieces, closed, or timed out. No sockets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileEre } from '../../../src/check/ere-nfa.js';
import { REGEX_WINDOW, ReplyJudge, type Judgement } from '../../../src/check/expect.js';
import type { ExpectSpec } from '../../../src/check/spec.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const prefix = (s: string): ExpectSpec => ({ kind: 'prefix', bytes: b(s) });
const regex = (s: string): ExpectSpec => ({ kind: 'regex', program: compileEre(s) });

/** feed pushes pieces and returns every intermediate verdict's kind. */
function feed(expect: ExpectSpec, pieces: readonly string[]): { judge: ReplyJudge; kinds: Judgement['kind'][] } {
  const judge = new ReplyJudge(expect);
  return { judge, kinds: pieces.map((p) => judge.push(b(p)).kind) };
}

describe('ReplyJudge: prefix (plain expect)', () => {
  it('passes once the reply starts with the expect string', () => {
    assert.deepEqual(feed(prefix('220'), ['220 mail ESMTP']).kinds, ['pass']);
  });

  it('waits for more when the first segment is short (nanny failed here: §7.2 item 7)', () => {
    assert.deepEqual(feed(prefix('HTTP'), ['H', 'TT', 'P/1.0 200']).kinds, ['more', 'more', 'pass']);
  });

  it('fails at once on the first differing byte', () => {
    assert.deepEqual(feed(prefix('HTTP'), ['HX']).kinds, ['mismatch']);
  });

  it('is too short when the peer closes early, with nanny\u2019s numbers', () => {
    const { judge } = feed(prefix('HTTP'), ['HT']);
    assert.deepEqual(judge.close(), { kind: 'short', got: 2, want: 4 });
  });

  it('is too short at the deadline with part of the reply, and a timeout with none', () => {
    const { judge } = feed(prefix('HTTP'), ['HTT']);
    assert.deepEqual(judge.timeout(), { kind: 'short', got: 3, want: 4 });
    assert.deepEqual(new ReplyJudge(prefix('HTTP')).timeout(), { kind: 'timeout' });
  });

  it('is too short, [0>=n], when the peer closes without a byte', () => {
    assert.deepEqual(new ReplyJudge(prefix('220')).close(), { kind: 'short', got: 0, want: 3 });
  });

  it('takes no more bytes than the expect string is long', () => {
    const { judge } = feed(prefix('OK'), ['OK and a very long rest']);
    assert.equal(judge.received, 2);
    assert.equal(judge.budget, 2);
  });

  it('compares bytes (NUL included) exactly', () => {
    assert.deepEqual(feed(prefix('a\u00e9'), ['a\u00e9']).kinds, ['pass']);
    assert.deepEqual(feed(prefix('ab'), ['a\0']).kinds, ['mismatch']);
  });
});

describe('ReplyJudge: any (expect "*")', () => {
  const any: ExpectSpec = { kind: 'any' };
  it('passes on the first byte', () => {
    assert.deepEqual(feed(any, ['x']).kinds, ['pass']);
  });

  it('passes when the peer closes without data (nanny\u2019s quirk, kept: §7.2 item 6)', () => {
    assert.deepEqual(new ReplyJudge(any).close(), { kind: 'pass' });
  });

  it('fails only by timeout', () => {
    assert.deepEqual(new ReplyJudge(any).timeout(), { kind: 'timeout' });
  });

  it('reads one byte', () => {
    assert.equal(new ReplyJudge(any).budget, 1);
  });
});

describe('ReplyJudge: regex (--regex)', () => {
  it('matches anywhere in the reply', () => {
    assert.deepEqual(feed(regex('ESMTP'), ['220 mail ESMTP Postfix']).kinds, ['pass']);
  });

  it('judges each piece as if the reply ended there, as nanny\u2019s single read did', () => {
    assert.deepEqual(feed(regex('^OK$'), ['OK']).kinds, ['pass']);
    assert.deepEqual(feed(regex('^OK$'), ['O', 'K']).kinds, ['more', 'pass']);
  });

  it('keeps reading until a match across pieces (nanny failed on a short first segment)', () => {
    assert.deepEqual(feed(regex('^HTTP/1\\.[01] 200'), ['HTTP/1', '.1 2', '00 OK']).kinds, ['more', 'more', 'pass']);
  });

  it(`sees at most ${REGEX_WINDOW} bytes: a match beyond them fails`, () => {
    const { kinds, judge } = feed(regex('needle'), ['x'.repeat(300) + 'needle']);
    assert.deepEqual(kinds, ['mismatch']);
    assert.equal(judge.received, REGEX_WINDOW);
    assert.deepEqual(feed(regex('needle'), ['x'.repeat(248) + 'needle']).kinds, ['pass']);
  });

  it('stops at a NUL, as regexec on a C string did', () => {
    assert.deepEqual(feed(regex('OK'), ['\0OK']).kinds, ['mismatch']);
    assert.deepEqual(feed(regex('OK$'), ['OK\0junk']).kinds, ['pass']);
  });

  it('fails on close or deadline without a match, and times out without data', () => {
    assert.deepEqual(feed(regex('^2'), ['5']).judge.close(), { kind: 'mismatch' });
    assert.deepEqual(feed(regex('^2'), ['5']).judge.timeout(), { kind: 'mismatch' });
    assert.deepEqual(new ReplyJudge(regex('^2')).timeout(), { kind: 'timeout' });
  });

  it('fails at once when a pattern anchored at the start can no longer match', () => {
    assert.deepEqual(feed(regex('^220'), ['554 go away']).kinds, ['mismatch']);
    assert.deepEqual(feed(regex('^220|ESMTP'), ['554 go away']).kinds, ['more']);
    assert.deepEqual(feed(regex('^(220|554) '), ['5', '54 ']).kinds, ['more', 'pass']);
    assert.deepEqual(feed(regex('a\n^b'), ['a\n']).kinds, ['more']);
  });

  it('passes on close without data when the pattern matches the empty reply', () => {
    assert.deepEqual(new ReplyJudge(regex('^$')).close(), { kind: 'pass' });
  });
});

describe('ReplyJudge: none', () => {
  it('reads nothing and passes', () => {
    const j = new ReplyJudge({ kind: 'none' });
    assert.equal(j.budget, 0);
    assert.deepEqual(j.timeout(), { kind: 'pass' });
  });
});

describe('ReplyJudge: verdicts are final', () => {
  it('ignores bytes after a verdict and keeps it', () => {
    const j = new ReplyJudge(prefix('AB'));
    assert.deepEqual(j.push(b('AX')), { kind: 'mismatch' });
    assert.deepEqual(j.push(b('AB')), { kind: 'mismatch' });
    assert.deepEqual(j.close(), { kind: 'mismatch' });
    assert.deepEqual(j.current(), { kind: 'mismatch' });
  });

  it('current() waits until the reply has ended', () => {
    const j = new ReplyJudge(prefix('ABC'));
    j.push(b('AB'));
    assert.deepEqual(j.current(), { kind: 'more' });
    j.close();
    assert.deepEqual(j.current(), { kind: 'short', got: 2, want: 3 });
  });
});
