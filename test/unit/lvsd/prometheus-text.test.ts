import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHelp, escapeLabelValue, Exposition, formatValue } from '../../../src/lvsd/prometheus-text.js';
import { parseExposition } from '../../helpers/prometheus.js';

describe('Prometheus text format', () => {
  it('escapes backslash, double quote and line feed in label values, and nothing else', () => {
    assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    assert.equal(escapeLabelValue('tcp [2001:db8::1]:80 {x=y}, é\t'), 'tcp [2001:db8::1]:80 {x=y}, é\t');
  });

  it('escapes backslash and line feed in HELP, not double quotes', () => {
    assert.equal(escapeHelp('say "hi"\\now\nthen'), 'say "hi"\\\\now\\nthen');
  });

  it('writes integers exactly, and NaN and the infinities as the format spells them', () => {
    assert.equal(formatValue(2n ** 64n - 1n), '18446744073709551615');
    assert.equal(formatValue(0.25), '0.25');
    assert.equal(formatValue(NaN), 'NaN');
    assert.equal(formatValue(Infinity), '+Inf');
    assert.equal(formatValue(-Infinity), '-Inf');
  });

  it('groups each family\'s samples under its HELP and TYPE, in declaration order, and leaves out empty families', () => {
    const x = new Exposition();
    const a = x.family('lvs_a_total', 'counter', 'A.');
    const b = x.family('lvs_b', 'gauge', 'B.');
    x.family('lvs_empty', 'gauge', 'Never set.');
    b({}, 1);
    a({ k: 'one' }, 5n);
    a({ k: 'two' }, 6n);
    assert.equal(x.text(), '# HELP lvs_a_total A.\n# TYPE lvs_a_total counter\nlvs_a_total{k="one"} 5\nlvs_a_total{k="two"} 6\n# HELP lvs_b B.\n# TYPE lvs_b gauge\nlvs_b 1\n');
    assert.equal(new Exposition().text(), '');
  });

  it('round-trips hostile label values through an independent reader', () => {
    const x = new Exposition();
    const add = x.family('lvs_x', 'gauge', 'Help with \\ and\nnewline.');
    const hostile = ['"', '\\', '\n', '\\"', '\\n', 'a"b\\c\nd', '} 1\nlvs_x{a="', ''];
    hostile.forEach((v, i) => add({ v, i: String(i) }, i));
    const scrape = parseExposition(x.text());
    assert.deepEqual(scrape.samples.map((s) => s.labels['v']), hostile);
    assert.equal(scrape.help.get('lvs_x'), 'Help with \\ and\nnewline.');
  });

  it('refuses names the format does not allow', () => {
    const x = new Exposition();
    assert.throws(() => x.family('lvs-bad', 'gauge', ''), TypeError);
    const add = x.family('lvs_ok', 'gauge', '');
    assert.throws(() => x.family('lvs_ok', 'gauge', ''), /declared twice/);
    assert.throws(() => add({ 'bad-label': 'x' }, 1), TypeError);
    assert.throws(() => add({ __reserved: 'x' }, 1), TypeError);
  });
});
