import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toJson } from '../../../src/lvsd/status-json.js';

describe('toJson', () => {
  it('writes what JSON.stringify writes for plain data, indented by two', () => {
    const value = { a: 1, b: 'x"\\\n\u0001é', c: [true, false, null, { d: [] }, {}], e: undefined, f: 0.5, g: -0, h: NaN };
    const text = toJson(value);
    assert.equal(text, JSON.stringify(value, null, 2));
  });

  it('writes bigints as exact integer literals', () => {
    const text = toJson({ bytes: 2n ** 64n - 1n, list: [1n, -2n] });
    assert.equal(text, '{\n  "bytes": 18446744073709551615,\n  "list": [\n    1,\n    -2\n  ]\n}');
    assert.equal((JSON.parse(text) as { list: number[] }).list[1], -2);
  });

  it('refuses what is not JSON data, naming where', () => {
    assert.throws(() => toJson({ a: [() => 1] }), /\$\.a\[0\] is a function/);
    assert.throws(() => toJson(Symbol('s')), TypeError);
  });
});
