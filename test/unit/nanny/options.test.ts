import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadArgv, methodOf, nannyConfig, NannyUsageError, serviceKeyOf } from '../../../src/nanny/options.js';

describe('nannyConfig', () => {
  it('applies the original defaults', () => {
    const c = nannyConfig({ server: '10.0.0.1', lvs: true });
    assert.deepEqual([c.intervalMs, c.reentryMs, c.virtualPort, c.realPort, c.weight, c.scale, c.method, c.loadCommand, c.fall, c.rise], [10000, 180000, 80, 80, 1, 10, 'masq', 'none', 1, null]);
  });

  it('takes the real port from the virtual port unless -r is given, and -a 0 as the default', () => {
    assert.equal(nannyConfig({ server: '10.0.0.1', lvs: true, port: '443' }).realPort, 443);
    assert.equal(nannyConfig({ server: '10.0.0.1', lvs: true, port: '443', rport: '8443' }).realPort, 8443);
    assert.equal(nannyConfig({ server: '10.0.0.1', lvs: true, reentrytime: '0' }).reentryMs, 180000);
  });

  it('refuses what the original refuses, in its words', () => {
    const refuses = (raw: Parameters<typeof nannyConfig>[0], message: string) =>
      assert.throws(() => nannyConfig(raw), (e: unknown) => e instanceof NannyUsageError && e.message === message);
    refuses({ server: '10.0.0.1' }, 'unknown service type');
    refuses({ lvs: true }, "No address supplied. Use '--help' for help.");
    refuses({ lvs: true, server: 'web1' }, 'bad IP address -- web1');
    refuses({ lvs: true, server: '10.0.0.1', interval: '0' }, 'bad argument -t: 0');
  });

  it('reads -M as the code does (the man page says t; only i tunnels)', () => {
    assert.deepEqual(['m', 'g', 'i', '-g', 't', 'x'].map(methodOf), ['masq', 'droute', 'tunnel', 'droute', 'masq', 'masq']);
  });

  it('finds the service of the real server from -V/-p/-u or -f', () => {
    assert.deepEqual(serviceKeyOf(nannyConfig({ lvs: true, server: '10.0.0.1', virtaddress: '192.0.2.10', port: '53', udp: true })), { family: 4, protocol: 'udp', address: '192.0.2.10', port: 53 });
    assert.deepEqual(serviceKeyOf(nannyConfig({ lvs: true, server: '10.0.0.1', fwmark: '80' })), { family: 4, fwmark: 80 });
    assert.equal(serviceKeyOf(nannyConfig({ lvs: true, server: '10.0.0.1' })), null);
  });

  it('builds the load command as the original: uptime only after rsh/ssh', () => {
    assert.deepEqual(loadArgv('rsh', '10.0.0.1'), ['rsh', '10.0.0.1', 'uptime']);
    assert.deepEqual(loadArgv('/usr/bin/ssh -l mon', '10.0.0.1'), ['/usr/bin/ssh', '-l', 'mon', '10.0.0.1', 'uptime']);
    assert.deepEqual(loadArgv('rup', '10.0.0.1'), ['rup', '10.0.0.1']);
    assert.equal(loadArgv('none', '10.0.0.1'), null);
  });
});
