/**
 * Properties of the lvs.cf reader and writer. Runs are reproducible: the seed is FC_SEED when
 * set, else a fixed one; fast-check prints the seed and the shrunk counterexample on failure.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Diagnostic } from '../../../src/config/diagnostic.js';
import { editConfig, type BlockPath } from '../../../src/config/edit.js';
import { keywordsOf, type BlockKind, type KeywordSpec } from '../../../src/config/keywords.js';
import { parseConfig } from '../../../src/config/parser.js';
import { formatValue, writeConfig } from '../../../src/config/write.js';
import { lvsConfig, valueFor } from '../../helpers/config-arbitraries.js';
import { parse, readSample, SAMPLES } from '../../helpers/config.js';
import { linesOf, type LineInfo } from '../../helpers/lines.js';

const seed = process.env.FC_SEED === undefined || process.env.FC_SEED === '' ? 20240611 : Number(process.env.FC_SEED);
fc.configureGlobal({ seed });

function errorsOf(text: string): string[] {
  return parse(text)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => `${d.line}:${d.col} ${d.message} (${d.hint ?? ''})`);
}

describe('write then parse', () => {
  it('parse(writeConfig(m)) gives back m, without errors', () => {
    fc.assert(
      fc.property(lvsConfig, (model) => {
        const text = writeConfig(model);
        const parsed = parse(text);
        assert.deepEqual(errorsOf(text), []);
        assert.deepEqual(parsed.config, model);
      }),
      { numRuns: 200 },
    );
  });

  it('write is stable: writing the re-parsed model gives the same text', () => {
    fc.assert(
      fc.property(lvsConfig, (model) => {
        const text = writeConfig(model);
        assert.equal(writeConfig(parse(text).config), text);
      }),
      { numRuns: 100 },
    );
  });

  /** A soup of lvs.cf words and lines, to reach the parser's deeper paths more often than random text. */
  const soupLine = fc.oneof(
    fc
      .tuple(
        fc.constantFrom('serial_no', 'primary', 'backup', 'keepalive', 'deadtime', 'network', 'nat_router', 'rsh_command', 'heartbeat_port', 'active', 'address', 'port', 'send', 'expect', 'weight', 'dirs', 'pmask', 'sorry_server', 'fwmark', 'scheduler', 'master', 'send_program'),
        fc.constantFrom(' = ', '\t=\t', '=', ' '),
        fc.array(
          fc.constantFrom('1', '0', '80', '-3', 'http', '1.2.3.4', '010.0.0.1', '0x7f.1', '255.255.255.255', '::1', '2001:DB8::1', 'eth0:1', 'host-a', '"a b"', "'c d'", `a"'b`, '[', ']', 'x', '.5', '1.', 'nat', 'rr', 'mh', '"\\\\n"', '"\\q"', '""', '#'),
          { maxLength: 4 },
        ),
      )
      .map(([k, eq, v]) => k + eq + v.join(' ')),
    fc.constantFrom('virtual v {', 'virtual "v w" {', 'failover f {', 'server s {', "server 's t' {", '}', '  }  ', '# c', '', '   ', 'virtual {', 'server x y {'),
  );
  const soup = fc.tuple(fc.array(soupLine, { maxLength: 30 }), fc.constantFrom('\n', '\r\n', '\r')).map(([lines, eol]) => lines.join(eol));

  it('any text that parses without errors is written back to the same model', () => {
    fc.assert(
      fc.property(soup, (text) => {
        const parsed = parse(text);
        fc.pre(!parsed.diagnostics.some((d) => d.severity === 'error'));
        // Known writer refusals of values the parser accepts (reported, not bugs of the writer's output).
        fc.pre(parsed.config.global.keepalive >= 0 && parsed.config.global.deadtime >= 0);
        const devices = [parsed.config.global.natRouter, ...parsed.config.virtuals.map((v) => v.address), ...parsed.config.failovers.map((v) => v.address)];
        fc.pre(devices.every((a) => a === null || a.device !== ''));
        const written = writeConfig(parsed.config);
        assert.deepEqual(errorsOf(written), []);
        assert.deepEqual(parse(written).config, parsed.config);
      }),
      { numRuns: 2000 },
    );
  });
});

/** randomBytes is a seeded xorshift32 byte stream, so the big input is the same on every run. */
function randomBytes(n: number, seedValue: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seedValue >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

describe('parseConfig on arbitrary input', () => {
  const BOUND_MS = 200;

  function checkTotal(text: string): void {
    const t0 = performance.now();
    const result = parseConfig(text);
    const ms = performance.now() - t0;
    assert.ok(ms < BOUND_MS, `parsing ${text.length} characters took ${ms.toFixed(1)} ms`);
    assert.equal(typeof result.config, 'object');
    assert.ok(Array.isArray(result.config.virtuals) && Array.isArray(result.config.failovers));
    const diagnostics: readonly Diagnostic[] = result.diagnostics;
    assert.ok(Array.isArray(diagnostics));
    const lastLine = Math.max(1, text.split(/\r\n|\n|\r/).length);
    for (const d of result.diagnostics) {
      assert.ok(d.severity === 'error' || d.severity === 'warning');
      assert.ok(d.message.length > 0);
      assert.ok(Number.isInteger(d.line) && d.line >= 0 && d.line <= lastLine, `diagnostic line ${d.line} within 0..${lastLine}`);
      assert.ok(Number.isInteger(d.col) && d.col >= 0, `diagnostic column ${d.col}`);
    }
    if (text.length === 0) assert.ok(result.diagnostics.some((d) => d.code === 'EMPTY'));
  }

  it('never throws and returns promptly for arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), checkTotal), { numRuns: 300 });
  });

  it('never throws and returns promptly for arbitrary bytes read as latin1', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4000 }), (bytes) => checkTotal(Buffer.from(bytes).toString('latin1'))),
      { numRuns: 300 },
    );
  });

  it('never throws and returns promptly for lvs.cf-like word soup', () => {
    const word = fc.constantFrom('virtual', 'failover', 'server', 'x', '{', '}', '=', 'port', 'address', 'dirs', '[', ']', '"', "'", '"a b"', '#', '1.2.3.4', 'eth0:1', '80', ' ', '\t', '\n', '\r\n', '\r');
    fc.assert(fc.property(fc.array(word, { maxLength: 400 }), (words) => checkTotal(words.join(''))), { numRuns: 300 });
  });

  it('parses 1 MB of random input in under 2 s', () => {
    const bytes = randomBytes(1 << 20, seed);
    const alphabet = ' \t\n\r{}="\'#[]';
    for (const text of [Buffer.from(bytes).toString('latin1'), Array.from(bytes, (b) => alphabet[b % alphabet.length] as string).join('')]) {
      const t0 = performance.now();
      const result = parseConfig(text);
      const ms = performance.now() - t0;
      assert.ok(ms < 2000, `parsing 1 MB took ${ms.toFixed(0)} ms`);
      assert.ok(result.diagnostics.length > 0);
    }
  });
});

/** Sample texts the edit property works on: each sample as shipped and with CRLF line endings. */
const TEXTS = SAMPLES.flatMap((name) => {
  const text = readSample(name);
  return [
    { name, text },
    { name: `${name} (CRLF)`, text: text.replace(/\n/g, '\r\n') },
  ];
});

interface Target {
  readonly path: BlockPath;
  readonly kind: BlockKind;
}

/** targets lists every block of a sample: the top level, each virtual and each server. */
function targets(text: string): Target[] {
  const config = parse(text).config;
  const out: Target[] = [{ path: [], kind: 'global' }];
  config.virtuals.forEach((v, i) => {
    out.push({ path: [{ kind: 'virtual', index: i }], kind: 'virtual' });
    v.servers.forEach((_s, j) => out.push({ path: [{ kind: 'virtual', index: i }, { kind: 'server', index: j }], kind: 'server' }));
  });
  return out;
}

interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * ownStatements finds a block's own `keyword = value` lines before its nested blocks, by
 * counting braces (the samples are well formed): the top level, virtual #i, or its server #j.
 */
function ownStatements(text: string, path: BlockPath): { statements: LineInfo[]; header: LineInfo | null } {
  const lines = linesOf(text);
  const want = path.map((sel) => ('index' in sel ? sel.index : -1));
  const seen = [0, 0];
  const stack: number[] = []; // index of each open block at its depth
  let header: LineInfo | null = null;
  const statements: LineInfo[] = [];
  let childSeen = false;
  for (const line of lines) {
    const t = line.content.trim();
    if (t === '' || t.startsWith('#')) continue;
    if (t.endsWith('{')) {
      const depth = stack.length;
      const index = seen[depth] ?? 0;
      seen[depth] = index + 1;
      if (depth === 0) seen[1] = 0;
      stack.push(index);
      const inside = stack.length === want.length && stack.every((x, k) => x === want[k]);
      if (inside) header = line;
      else if (stack.length === want.length + 1 && stack.slice(0, -1).every((x, k) => x === want[k])) childSeen = true;
      continue;
    }
    if (t === '}') {
      stack.pop();
      continue;
    }
    if (stack.length === want.length && stack.every((x, k) => x === want[k]) && !childSeen) statements.push(line);
  }
  return { statements, header };
}

/** valueSpan is where a statement's value stands: from the first token after '=' to the last non-blank. */
function valueSpan(line: LineInfo): Span {
  const eq = line.content.indexOf(' = ') >= 0 ? line.content.indexOf(' = ') + 1 : line.content.indexOf('=');
  let start = eq + 1;
  while (line.content[start] === ' ' || line.content[start] === '\t') start++;
  let end = line.content.length;
  while (end > start && (line.content[end - 1] === ' ' || line.content[end - 1] === '\t')) end--;
  return { start: line.start + start, end: line.start + end };
}

describe('editConfig set keeps every other byte', () => {
  const setCase = fc
    .constantFrom(...TEXTS)
    .chain((sample) => fc.record({ sample: fc.constant(sample), target: fc.constantFrom(...targets(sample.text)) }))
    .chain(({ sample, target }) =>
      fc.record({
        sample: fc.constant(sample),
        target: fc.constant(target),
        spec: fc.constantFrom(...(keywordsOf(target.kind) as KeywordSpec<string>[])),
      }),
    )
    .chain(({ sample, target, spec }) =>
      fc.record({ sample: fc.constant(sample), target: fc.constant(target), spec: fc.constant(spec), value: valueFor(spec) }),
    );

  it('replaces only the value bytes of an existing keyword, or inserts exactly one line', () => {
    fc.assert(
      fc.property(setCase, ({ sample, target, spec, value }) => {
        const before = sample.text;
        const rendered = formatValue(spec, value) as string;
        const result = editConfig(before, { op: 'set', block: target.path, key: spec.keyword, value });
        const { statements, header } = ownStatements(before, target.path);
        const existing = statements.filter((l) => l.content.trim().split(/[ \t]+/)[0] === spec.keyword);
        const last = existing[existing.length - 1];
        if (last !== undefined) {
          const span = valueSpan(last);
          assert.equal(result.text.slice(0, span.start), before.slice(0, span.start));
          assert.equal(result.text.slice(result.text.length - (before.length - span.end)), before.slice(span.end));
          assert.equal(result.text, before.slice(0, span.start) + rendered + before.slice(span.end));
        } else {
          const eol = before.includes('\r\n') ? '\r\n' : '\n';
          const anchor = statements[statements.length - 1];
          const indent = anchor !== undefined ? (/^[ \t]*/.exec(anchor.content) as RegExpExecArray)[0] : `${/^[ \t]*/.exec(header?.content ?? '')?.[0] ?? ''}     `;
          const at = anchor !== undefined ? anchor.next : (header as LineInfo).next;
          assert.equal(result.text, `${before.slice(0, at)}${indent}${spec.keyword} = ${rendered}${eol}${before.slice(at)}`);
        }
        assert.deepEqual(errorsOf(result.text), []);
      }),
      { numRuns: 300 },
    );
  });
});
