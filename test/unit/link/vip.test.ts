import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { IFA_F, LVS_ADDRESS_PROTO } from '../../../src/link/constants.js';
import { LinkError } from '../../../src/link/errors.js';
import { broadcastOf, maskOfPrefix, parsePrefix, prefixOfMask, splitDevice, vipRequest, type VipSpec } from '../../../src/link/vip.js';
import { ipToBytes } from '../../../src/net/address.js';
import { ipv4Arb } from '../../helpers/ipvs-arbitraries.js';

describe('vipRequest derives the address as piranha brought it up', () => {
  const table: Array<[string, VipSpec, object]> = [
    ['IPv4 without netmask: /32, no broadcast (ifconfig DEV IP up)', { address: '192.0.2.10', device: 'eth0:1' }, { family: 4, link: 'eth0', label: 'eth0:1', address: '192.0.2.10', prefix: 32, broadcast: null, flags: 0 }],
    ['IPv4 with vip_nmask /24: broadcast (IP & M) | ~M', { address: '192.0.2.10', device: 'eth0:1', netmask: '255.255.255.0' }, { prefix: 24, broadcast: '192.0.2.255' }],
    ['IPv4 with vip_nmask /20', { address: '10.1.37.200', device: 'eth1:vip', netmask: '255.255.240.0' }, { link: 'eth1', label: 'eth1:vip', prefix: 20, broadcast: '10.1.47.255' }],
    ['IPv4 with vip_nmask /31: the formula gives the other address', { address: '10.0.0.4', device: 'eth0:1', netmask: '255.255.255.254' }, { prefix: 31, broadcast: '10.0.0.5' }],
    ['IPv4 with a /32 mask: no broadcast', { address: '10.0.0.4', device: 'eth0:1', netmask: '255.255.255.255' }, { prefix: 32, broadcast: null }],
    ['IPv4 with a prefix length', { address: '10.0.0.4', device: 'eth0:1', netmask: '/8' }, { prefix: 8, broadcast: '10.255.255.255' }],
    ['a device without alias is labelled as the link', { address: '192.0.2.10', device: 'eth0' }, { link: 'eth0', label: 'eth0' }],
    ['IPv6: /128, NODAD, no label', { address: '2001:DB8:0:0::10', device: 'eth0:1' }, { family: 6, link: 'eth0', label: null, address: '2001:db8::10', prefix: 128, broadcast: null, flags: IFA_F.NODAD }],
    ['IPv6 with a prefix', { address: '2001:db8::10', device: 'eth0', netmask: '64' }, { prefix: 64 }],
    ['IPv6 with an IPv6 mask', { address: '2001:db8::10', device: 'eth0', netmask: 'ffff:ffff:ffff:ff00::' }, { prefix: 56 }],
  ];
  for (const [name, spec, expected] of table)
    it(name, () => {
      const r = vipRequest(spec);
      assert.equal(r.proto, LVS_ADDRESS_PROTO);
      assert.deepEqual(Object.fromEntries(Object.keys(expected).map((k) => [k, r[k as keyof typeof r]])), expected);
    });

  const errors: Array<[string, VipSpec, string, RegExp]> = [
    ['a hostname', { address: 'www.example.com', device: 'eth0:1' }, 'BAD_VIP', /not an IP address/],
    ['a non-contiguous mask', { address: '10.0.0.1', device: 'eth0:1', netmask: '255.0.255.0' }, 'BAD_VIP', /not a contiguous IPv4 netmask/],
    ['a prefix beyond 32', { address: '10.0.0.1', device: 'eth0:1', netmask: '33' }, 'BAD_VIP', /not a contiguous/],
    ['an IPv4 mask on IPv6', { address: '2001:db8::1', device: 'eth0', netmask: '255.255.255.0' }, 'BAD_VIP', /IPv6 prefix/],
    ['two colons', { address: '10.0.0.1', device: 'eth0:1:2' }, 'BAD_DEVICE', /not an interface name/],
    ['a name too long for IFNAMSIZ', { address: '10.0.0.1', device: 'averylongname:12' }, 'BAD_DEVICE', /at most 15/],
    ['an empty alias', { address: '10.0.0.1', device: 'eth0:' }, 'BAD_DEVICE', /not an interface name/],
  ];
  for (const [name, spec, code, message] of errors)
    it(`refuses ${name} with LinkError ${code}`, () => {
      assert.throws(
        () => vipRequest(spec),
        (e: unknown) => e instanceof LinkError && e.code === code && message.test(e.message),
      );
    });
});

describe('masks and broadcasts', () => {
  it('splits devices', () => {
    assert.deepEqual(splitDevice('eth0:1'), { link: 'eth0', label: 'eth0:1' });
    assert.deepEqual(splitDevice('bond0.100'), { link: 'bond0.100', label: 'bond0.100' });
  });

  it('prefix <-> mask round trips for every length', () => {
    for (let p = 0; p <= 32; p++) assert.equal(prefixOfMask(maskOfPrefix(p, 4)), p);
    for (let p = 0; p <= 128; p++) assert.equal(prefixOfMask(maskOfPrefix(p, 16)), p);
    assert.equal(prefixOfMask(Uint8Array.of(255, 0, 255, 0)), null);
    assert.equal(parsePrefix('0.0.0.0', 4), 0);
    assert.equal(parsePrefix('24', 6), 24);
    assert.equal(parsePrefix('129', 6), null);
  });

  it('broadcast is (IP & M) | ~M for every address and prefix 0..31 (property, against 32-bit arithmetic)', () => {
    fc.assert(
      fc.property(ipv4Arb, fc.integer({ min: 0, max: 31 }), (ip, prefix) => {
        const b = ipToBytes(ip);
        const n = (((b[0] as number) << 24) | ((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number)) >>> 0;
        const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
        const want = ((n & mask) | (~mask >>> 0)) >>> 0;
        assert.equal(broadcastOf(ip, prefix), [want >>> 24, (want >>> 16) & 255, (want >>> 8) & 255, want & 255].join('.'));
      }),
      { numRuns: 500 },
    );
  });
});
