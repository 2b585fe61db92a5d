/**
 * IncrementalCheck gives, for every version of a file, exactly the report checkText gives for it,
 * while parsing again only the blocks a change touched and keeping unchanged virtual services as
 * the same objects.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkText, type CheckDeps, type CheckReport } from '../../../src/config/check.js';
import { IncrementalCheck } from '../../../src/config/incremental.js';
import { writeConfig, writeVirtual } from '../../../src/config/write.js';
import { lvsConfig, virtualService } from '../../helpers/config-arbitraries.js';
import { readSample, SERVICES } from '../../helpers/config.js';

/** DEPS answer lookups and program checks from the names alone, so both checks see the same machine. */
const DEPS: CheckDeps = {
  services: SERVICES,
  lookup: (name) => Promise.resolve(name.length % 3 === 0 ? null : `198.51.100.${name.length}`),
  programStatus: (path) => (path.includes('missing') ? 'missing' : 'unknown'),
};

/** comparable keeps what a report says (the lazily built syntax tree aside). */
function comparable(r: CheckReport): unknown {
  const p = r.parsed;
  return { ok: r.ok, errors: r.errors, warnings: r.warnings, diagnostics: r.diagnostics, config: r.config, parsed: { config: p.config, diagnostics: p.diagnostics, structural: p.structural, sources: p.sources, blocks: p.blocks } };
}

async function same(inc: IncrementalCheck, text: string): Promise<CheckReport> {
  const got = await inc.check(text);
  assert.deepStrictEqual(comparable(got), comparable(await checkText(text, {}, DEPS)), `for:\n${text}`);
  return got;
}

function block(name: string, vip: string, servers: Array<[string, number]>): string {
  return (
    `virtual ${name} {\n     active = 1\n     address = ${vip} eth0:${vip.split('.')[3] ?? ''}\n     port = 80\n     scheduler = wlc\n` +
    servers.map(([address, weight], i) => `     server s${i} {\n         address = ${address}\n         active = 1\n         weight = ${weight}\n     }\n`).join('') +
    '}\n'
  );
}

const HEAD = 'serial_no = 1\nprimary = 192.0.2.1\nservice = lvs\nnetwork = nat\n';
const BASE = `${HEAD}${block('one', '192.0.2.10', [['10.0.0.1', 1], ['10.0.0.2', 1]])}${block('two', '192.0.2.11', [['10.0.1.1', 1]])}${block('three', '192.0.2.12', [['10.0.2.1', 1]])}`;

describe('IncrementalCheck', () => {
  it('parses only the changed block of a weight change, and keeps the other virtual services as they were', async () => {
    const inc = new IncrementalCheck({}, DEPS);
    const first = await same(inc, BASE);
    const next = await same(inc, BASE.replace('address = 10.0.1.1\n         active = 1\n         weight = 1', 'address = 10.0.1.1\n         active = 1\n         weight = 5'));
    assert.equal(inc.reused, 1);
    const [a, b, c] = next.config?.virtuals ?? [];
    assert.equal(a, first.config?.virtuals[0]);
    assert.notEqual(b, first.config?.virtuals[1]);
    assert.equal(b?.servers[0]?.weight, 5);
    assert.equal(c, first.config?.virtuals[2]);
    assert.equal(next.config?.global, first.config?.global);
  });

  it('follows servers and blocks added and removed (lines moving), comments between blocks, and an unchanged file', async () => {
    const inc = new IncrementalCheck({}, DEPS);
    let text = BASE;
    await same(inc, text);
    const steps: Array<(t: string) => string> = [
      (t) => t.replace('     server s1 {', '     server s9 {\n         address = 10.0.0.9\n         active = 1\n     }\n     server s1 {'),
      (t) => t.replace(block('two', '192.0.2.11', [['10.0.1.1', 1]]), ''),
      (t) => `${t}# a comment\n\n${block('four', '192.0.2.13', [['10.0.3.1', 2]])}`,
      (t) => t.replace('virtual three {', `${block('between', '192.0.2.14', [])}\n# note\nvirtual three {`),
      (t) => t,
      (t) => t.replace('# note\n', ''),
      (t) => t.replace('port = 80\n', 'port = 80\n     port = 81\n'),
      (t) => t.replace('virtual four {', '# moved\nvirtual four {'),
    ];
    for (const step of steps) {
      text = step(text);
      await same(inc, text);
    }
    assert.equal(inc.reused, steps.length);
  });

  it('checks the whole text again for a change of the global settings, a block left open or a new service-name table', async () => {
    const inc = new IncrementalCheck({}, DEPS);
    await same(inc, BASE);
    await same(inc, BASE.replace('network = nat', 'network = direct'));
    assert.equal(inc.reused, 0);
    const open = `${BASE}virtual five {\n     active = 1\n`;
    await same(inc, open);
    await same(inc, `${open}     port = 80\n`);
    assert.equal(inc.reused, 0);
    await same(inc, BASE);
    const other = new Map([...SERVICES, ['gopher', 70]]);
    await inc.check(BASE.replace('weight = 1', 'weight = 2'), other);
    assert.equal(inc.reused, 0);
  });

  it('reports errors and warnings of the changed block exactly where a whole check puts them, CRLF files too', async () => {
    const inc = new IncrementalCheck({}, DEPS);
    const crlf = BASE.replace(/\n/g, '\r\n');
    await same(inc, crlf);
    const broken = await same(inc, crlf.replace('weight = 1\r\n     }\r\n}\r\nvirtual three', 'weight = x\r\n     }\r\n}\r\nvirtual three'));
    assert.equal(broken.ok, false);
    await same(inc, crlf.replace('port = 80', 'port = 80\r\n     port = 80'));
    assert.ok(inc.reused >= 2);
  });

  it('gives checkText\'s report for any sequence of edits of generated and sample files', async () => {
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('line' as const), at: fc.nat(), text: fc.constantFrom('     weight = 3', '     port = http', '     active = 0', '# c', '', '}', '     server x {', 'keepalive = 4', '     address = 10.9.9.9', '     send_program = "/missing/x"', '     expect = "a\\qb"') }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ kind: fc.constant('block' as const), at: fc.nat(), v: virtualService }),
      fc.record({ kind: fc.constant('char' as const), at: fc.nat(), text: fc.constantFrom('1', 'x', ' ', '"', '{', '\n', '\r\n') }),
    );
    const samples = ['lvs.cf.example', 'sample-direct-routing.cf', 'sample-gui.cf', 'sample-nat-fwmark.cf', 'sample-single-director.cf'].map(readSample);
    const base = fc.oneof(lvsConfig.map(writeConfig), fc.constantFrom(...samples, BASE));
    let edited = 0;
    let reused = 0;
    await fc.assert(
      fc.asyncProperty(base, fc.array(edit, { minLength: 1, maxLength: 6 }), async (start, edits) => {
        const inc = new IncrementalCheck({}, DEPS);
        edited += edits.length;
        let text = start;
        await same(inc, text);
        for (const e of edits) {
          const lines = text.split('\n');
          if (e.kind === 'line') lines.splice(e.at % (lines.length + 1), 0, e.text);
          else if (e.kind === 'delete') lines.splice(e.at % lines.length, e.count);
          else if (e.kind === 'block') lines.splice(e.at % (lines.length + 1), 0, ...writeVirtual(e.v).split('\n').slice(0, -1));
          if (e.kind === 'char') {
            const at = e.at % (text.length + 1);
            text = text.slice(0, at) + e.text + text.slice(at);
          } else text = lines.join('\n');
          await same(inc, text);
        }
        reused += inc.reused;
      }),
      { numRuns: 150 },
    );
    assert.ok(reused > edited / 5, `only ${reused} of ${edited} edits were checked incrementally`);
  });
});
