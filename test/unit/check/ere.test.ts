/**
 * The POSIX ERE engine against glibc: a recorded table (always), and random patterns compared
 * live with glibc's regcomp/regexec when a C compiler is present. Plus the two properties that
 * justify our own engine: linear time on hostile replies, and streaming that equals one piece.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { EreError, parseEre } from '../../../src/check/ere.js';
import { compileEre, compileEreBytes, EreStream, matchEre } from '../../../src/check/ere-nfa.js';
import { repoPath } from '../../helpers/config.js';
import { buildOracle, type GlibcOracle, type OracleCase } from './support/glibc-oracle.js';

const seed = process.env.FC_SEED === undefined || process.env.FC_SEED === '' ? 20240611 : Number(process.env.FC_SEED);
const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/** ours answers like the oracle: "1", "0", "E <message>", or "U" for what we refuse and glibc runs. */
function ours(pattern: Uint8Array, subject: Uint8Array): string {
  try {
    return matchEre(compileEreBytes(pattern), subject) ? '1' : '0';
  } catch (e) {
    if (!(e instanceof EreError)) throw e;
    return e.code === 'REG_UNSUPPORTED' || e.code === 'REG_ESIZE' ? `U ${e.message}` : `E ${e.message}`;
  }
}

/** agrees tells whether our answer is glibc's, or a documented refusal of something glibc runs. */
function agrees(mine: string, glibc: string): boolean {
  if (glibc === 'T') return true; // glibc itself took over a second: nothing to compare
  if (mine.startsWith('U ')) return glibc === '0' || glibc === '1' || glibc === 'E Regular expression too big';
  return mine === glibc;
}

interface Recorded {
  readonly glibc: string;
  readonly cases: readonly (readonly [string, string, string])[];
}
const recorded = JSON.parse(readFileSync(repoPath('test/unit/check/fixtures/ere-glibc-cases.json'), 'utf8')) as Recorded;

describe('ERE: recorded glibc answers', () => {
  it(`agrees with glibc ${recorded.glibc} on ${recorded.cases.length} chosen cases`, () => {
    const wrong = recorded.cases.filter(([p, s, want]) => !agrees(ours(latin1(p), latin1(s)), want)).map(([p, s, want]) => ({ p, s, want, got: ours(latin1(p), latin1(s)) }));
    assert.deepEqual(wrong, []);
  });

  it('refuses back-references, which glibc runs (not regular: no linear engine runs them)', () => {
    assert.equal(ours(latin1('(a)\\1'), latin1('aa')).slice(0, 2), 'U ');
    assert.equal(ours(latin1('\\1'), latin1('x')), 'E Invalid back reference');
  });

  it('refuses patterns that compile past MAX_PROGRAM instructions with glibc\u2019s REG_ESIZE text', () => {
    assert.throws(() => compileEre('a{32767}'), (e: unknown) => e instanceof EreError && e.code === 'REG_ESIZE' && e.message === 'Regular expression too big');
    assert.throws(() => compileEre('(a{100}){101}'), (e: unknown) => e instanceof EreError && e.code === 'REG_ESIZE');
    assert.doesNotThrow(() => compileEre('(a{100}){99}'));
  });

  it('keeps glibc\u2019s newline quirk: ^ after a consumed \\n, $ before one the match consumes', () => {
    const m = (p: string, s: string): boolean => matchEre(compileEre(p), Buffer.from(s));
    assert.equal(m('a\n^b', 'a\nb'), true);
    assert.equal(m('a$\nb', 'a\nb'), true);
    assert.equal(m('^b', 'a\nb'), false);
    assert.equal(m('a$', 'a\nb'), false);
    assert.equal(m('a\n\\`b', 'a\nb'), false);
  });

  it('follows POSIX where glibc loses anchors inside repeated groups', () => {
    // glibc 2.36 answers 1 here: its copy of the group for {2} forgets the second \< .
    assert.equal(matchEre(compileEre('(\\<[^\n]+){2}'), Buffer.from('ab\n_a')), false);
  });

  it('reports where a pattern fails to parse', () => {
    assert.throws(
      () => parseEre(latin1('ab(cd')),
      (e: unknown) => e instanceof EreError && e.code === 'REG_EPAREN' && e.offset === 2,
    );
  });
});

describe('ERE: live comparison with glibc', () => {
  let oracle: GlibcOracle | string = 'not built';
  before(() => {
    oracle = buildOracle();
  });
  after(() => {
    if (typeof oracle !== 'string') oracle.close();
  });

  const compare = async (t: { skip: (why: string) => void }, cases: OracleCase[]): Promise<void> => {
    if (typeof oracle === 'string') return t.skip(oracle);
    const answers = await oracle.run(cases);
    const wrong = cases
      .map(([p, s], i) => ({ p: latin1Of(p), s: latin1Of(s), glibc: answers[i] ?? '?', ours: ours(p, s) }))
      .filter((c) => !agrees(c.ours, c.glibc));
    assert.deepEqual(wrong.slice(0, 10), []);
  };

  it('agrees on 4000 token-soup patterns (mostly errors and edge syntax)', async (t) => {
    await compare(t, fc.sample(fc.tuple(soupPattern, subject), { seed, numRuns: 4000 }));
  });

  it('agrees on 4000 well-formed patterns (matching, anchors, newlines, classes, high bytes)', async (t) => {
    await compare(t, fc.sample(fc.tuple(grammarPattern, subject), { seed: seed + 1, numRuns: 4000 }));
  });
});

describe('ERE: properties of our engine', () => {
  it('runs in linear time where a backtracking engine explodes', () => {
    // 4 KiB of 'a' then '!': V8's backtracking needs 2^n steps for (a+)+$ on this; we need one pass.
    const hostile = Buffer.concat([Buffer.alloc(4095, 'a'), Buffer.from('!')]);
    for (const p of ['(a+)+$', '(a|a)*b', '(a*)*b', '(a|aa)+c', '((a+)+)+x']) {
      const prog = compileEre(p);
      const t0 = performance.now();
      assert.equal(matchEre(prog, hostile), false, p);
      const ms = performance.now() - t0;
      assert.ok(ms < 500, `${p} took ${ms.toFixed(1)} ms on 4 KiB`);
    }
  });

  it('gives the same answer however the subject is split', () => {
    fc.assert(
      fc.property(grammarPattern, subject, fc.array(fc.nat(), { maxLength: 4 }), (pattern, s, cuts) => {
        let prog;
        try {
          prog = compileEreBytes(pattern);
        } catch {
          return;
        }
        const whole = matchEre(prog, s);
        const stream = new EreStream(prog);
        let at = 0;
        for (const c of [...cuts.map((x) => x % (s.length + 1))].sort((a, b) => a - b)) {
          stream.push(s.subarray(at, Math.max(at, c)));
          at = Math.max(at, c);
        }
        stream.push(s.subarray(at));
        assert.equal(stream.matchesIfEndedHere(), whole);
      }),
      { seed, numRuns: 2000 },
    );
  });

  it('knows when an anchored pattern can no longer match, and never says so wrongly', () => {
    const dead = (p: string, s: string): boolean => {
      const st = new EreStream(compileEre(p));
      st.push(Buffer.from(s));
      return st.dead;
    };
    assert.deepEqual([dead('^ab', 'x'), dead('^ab', 'a'), dead('^ab', ''), dead('ab', 'x'), dead('^a|b', 'x'), dead('\\`a', 'b')], [true, false, false, false, false, true]);
    fc.assert(
      fc.property(grammarPattern, subject, subject, (pattern, s, rest) => {
        let prog;
        try {
          prog = compileEreBytes(pattern);
        } catch {
          return;
        }
        const st = new EreStream(prog);
        st.push(s);
        if (st.dead) assert.equal(matchEre(prog, Buffer.concat([s, rest])), false);
      }),
      { seed, numRuns: 3000 },
    );
  });

  it('reads the pattern as UTF-8 bytes (the C locale sees bytes)', () => {
    assert.equal(matchEre(compileEre('é'), Buffer.from('café')), true);
    assert.equal(matchEre(compileEre('^caf.$'), Buffer.from('café')), false);
    assert.equal(matchEre(compileEre('^caf..$'), Buffer.from('café')), true);
  });
});

function latin1Of(b: Uint8Array): string {
  return Buffer.from(b).toString('latin1');
}

const SOUP = ['a', 'b', '-', ']', '[', '(', ')', '{', '}', '|', '*', '+', '?', '^', '$', '.', '\\', ',', '1', '0', 'w', 's', 'B', '<', '>', '`', "'", ':', '=', '[:alpha:]', '[.a.]', '[=a=]', '{1}', '{,2}', '{1,}', '[^', '[a-c]', '\\w', '\\b'];
const soupPattern = fc.array(fc.constantFrom(...SOUP), { minLength: 1, maxLength: 7 }).map((t) => latin1(t.join('')));

const LITERALS = ['a', 'b', '\n', ' ', '_', '\xe9', '\\.', '.', '[ab]', '[^a]', '[^\n]', '[[:alpha:]]', '[[:space:]]', '[\x80-\xff]', '[a\xe9]', '\\w', '\\W', '\\s', '\\S', '[]a]', '[a-]', '\\n'];
const ANCHORS = ['^', '$', '\\b', '\\B', '\\<', '\\>', '\\`', "\\'"];
const QUANTIFIERS = ['*', '+', '?', '{2}', '{0,1}', '{1,}', '{,2}'];

/** grammarPattern builds well-formed patterns; groups that repeat hold no anchors (glibc mis-handles those, see above). */
const grammarPattern: fc.Arbitrary<Buffer> = fc
  .letrec<{ alt: [string, boolean]; branch: [string, boolean]; piece: [string, boolean] }>((tie) => ({
    alt: fc.array(tie('branch'), { minLength: 1, maxLength: 3 }).map((bs) => [bs.map((b) => b[0]).join('|'), bs.some((b) => b[1])]),
    branch: fc.array(tie('piece'), { maxLength: 4, depthIdentifier: 'ere' }).map((ps) => [ps.map((p) => p[0]).join(''), ps.some((p) => p[1])]),
    piece: fc.oneof(
      { depthSize: 'small', withCrossShrink: true, depthIdentifier: 'ere' },
      fc.tuple(fc.constantFrom(...LITERALS), fc.constantFrom('', '', ...QUANTIFIERS, '*?', '+*')).map(([l, q]): [string, boolean] => [l + q, false]),
      fc.constantFrom(...ANCHORS).map((a): [string, boolean] => [a, true]),
      fc.tuple(tie('alt'), fc.constantFrom('', '', ...QUANTIFIERS)).map(([[inner, anchored], q]): [string, boolean] => [`(${inner})${anchored ? '' : q}`, anchored]),
    ),
  }))
  .alt.map(([p]) => latin1(p));

const subject = fc.array(fc.constantFrom('a', 'b', '\n', ' ', '_', '\xe9', '.', 'n', '\x01', '\xff', ']', '-', ','), { maxLength: 7 }).map((cs) => latin1(cs.join('')));
