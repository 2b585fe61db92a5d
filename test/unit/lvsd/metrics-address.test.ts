import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LvsdError } from '../../../src/lvsd/errors.js';
import { isLoopback, parseMetricsAddress } from '../../../src/lvsd/metrics-address.js';

const code = (text: string, allowRemote = false): string => {
  try {
    parseMetricsAddress(text, allowRemote);
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof LvsdError);
    return e.code;
  }
};

describe('--metrics address', () => {
  it('binds a bare port to 127.0.0.1 and accepts loopback addresses', () => {
    assert.deepEqual(parseMetricsAddress('9100', false), { host: '127.0.0.1', port: 9100 });
    assert.deepEqual(parseMetricsAddress('127.0.0.2:9100', false), { host: '127.0.0.2', port: 9100 });
    assert.deepEqual(parseMetricsAddress('localhost:0', false), { host: '127.0.0.1', port: 0 });
    assert.deepEqual(parseMetricsAddress('[::1]:9100', false), { host: '::1', port: 9100 });
  });

  it('refuses an address that is not loopback unless remote serving is allowed', () => {
    assert.equal(code('0.0.0.0:9100'), 'METRICS_NOT_LOOPBACK');
    assert.equal(code('[::]:9100'), 'METRICS_NOT_LOOPBACK');
    assert.equal(code('192.0.2.5:9100'), 'METRICS_NOT_LOOPBACK');
    assert.match((() => { try { parseMetricsAddress('192.0.2.5:9100', false); } catch (e) { return (e as Error).message; } return ''; })(), /--metrics-allow-remote/);
    assert.deepEqual(parseMetricsAddress('192.0.2.5:9100', true), { host: '192.0.2.5', port: 9100 });
    assert.deepEqual(parseMetricsAddress('[2001:db8::5]:9100', true), { host: '2001:db8::5', port: 9100 });
  });

  it('refuses what is not an address and a port', () => {
    for (const bad of ['', 'x', ':9100', '65536', '9100:', 'example.com:9100', '::1:9100', '[127.0.0.1]:9100', '1.2.3.4:99999', '-1'])
      assert.equal(code(bad, true), 'METRICS_ADDRESS', bad);
  });

  it('knows loopback addresses', () => {
    assert.deepEqual(['127.0.0.1', '127.255.0.9', '::1', '0.0.0.0', '::', '128.0.0.1', '::2', 'x'].map(isLoopback), [true, true, true, false, false, false, false, false]);
  });
});
