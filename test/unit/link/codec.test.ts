import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AttributeEncoder } from '../../../src/netlink/attributes.js';
import { NetlinkProtocolError } from '../../../src/netlink/errors.js';
import {
  decodeAddress,
  decodeLink,
  deleteAddressRequest,
  encodeAddress,
  encodeIfaddrmsg,
  encodeIfinfomsg,
  encodeLink,
  linkEventOf,
  linkRequest,
  macBytes,
  macText,
  newAddressRequest,
} from '../../../src/link/codec.js';
import { AF_INET, IFA, IFF, IFLA, RTM } from '../../../src/link/constants.js';
import type { AddressEntry, Link, OperState } from '../../../src/link/types.js';
import { vipRequest } from '../../../src/link/vip.js';
import { ipv4Arb, ipv6Arb } from '../../helpers/ipvs-arbitraries.js';

const seed = process.env.FC_SEED === undefined || process.env.FC_SEED === '' ? 20260405 : Number(process.env.FC_SEED);
fc.configureGlobal({ seed });

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** bytes reads a strace `-xx` dump ("\x02\x18...") as hex. */
const strace = (s: string): string => s.replace(/\\x/g, '');

describe('requests as iproute2 6.1 sends them (captured with strace from `ip addr`)', () => {
  it('IPv4 VIP with netmask: `ip addr add 192.0.2.5/24 brd 192.0.2.255 dev d0 label d0:2`, then our IFA_PROTO', () => {
    const ip = strace('\\x02\\x18\\x00\\x00\\x03\\x00\\x00\\x00\\x08\\x00\\x02\\x00\\xc0\\x00\\x02\\x05\\x08\\x00\\x04\\x00\\xc0\\x00\\x02\\xff\\x09\\x00\\x03\\x00\\x64\\x30\\x3a\\x32\\x00\\x00\\x00\\x00\\x08\\x00\\x01\\x00\\xc0\\x00\\x02\\x05');
    const ours = newAddressRequest(vipRequest({ address: '192.0.2.5', device: 'd0:2', netmask: '255.255.255.0' }), 3);
    assert.equal(hex(ours), `${ip}05000b004c000000`);
  });

  it('IPv6 VIP: `ip addr add 2001:db8::5/128 dev d0 nodad`, then our IFA_PROTO', () => {
    const ip = strace(
      '\\x0a\\x80\\x02\\x00\\x03\\x00\\x00\\x00\\x14\\x00\\x02\\x00\\x20\\x01\\x0d\\xb8\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x05\\x14\\x00\\x01\\x00\\x20\\x01\\x0d\\xb8\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x05',
    );
    const ours = newAddressRequest(vipRequest({ address: '2001:db8::5', device: 'd0:3' }), 3);
    assert.equal(hex(ours), `${ip}05000b004c000000`);
  });

  it('IPv4 removal: `ip addr del 192.0.2.5/24 dev d0 label d0:2` without its IFA_ADDRESS (we match any prefix)', () => {
    const ip = strace('\\x02\\x18\\x00\\x00\\x03\\x00\\x00\\x00\\x08\\x00\\x02\\x00\\xc0\\x00\\x02\\x05\\x09\\x00\\x03\\x00\\x64\\x30\\x3a\\x32\\x00\\x00\\x00\\x00');
    assert.equal(hex(deleteAddressRequest(vipRequest({ address: '192.0.2.5', device: 'd0:2', netmask: '24' }), 3)), ip);
  });

  it('IPv6 removal: `ip addr del 2001:db8::5/128 dev d0`', () => {
    const ip = strace(
      '\\x0a\\x80\\x00\\x00\\x03\\x00\\x00\\x00\\x14\\x00\\x02\\x00\\x20\\x01\\x0d\\xb8\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x05\\x14\\x00\\x01\\x00\\x20\\x01\\x0d\\xb8\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x05',
    );
    assert.equal(hex(deleteAddressRequest(vipRequest({ address: '2001:db8::5', device: 'd0' }), 3)), ip);
  });

  it('link by name: `ip link show d0` sends ifinfomsg zeros, IFLA_EXT_MASK and IFLA_IFNAME; we skip stats only', () => {
    assert.equal(hex(linkRequest({ name: 'd0' })), `${'00'.repeat(16)}07000300643000000800${'1d00'}08000000`);
  });
});

describe('decoding kernel messages', () => {
  it('reads a link: name, MAC, broadcast, MTU, operstate, carrier, admin state', () => {
    const attrs = new AttributeEncoder()
      .string(IFLA.IFNAME, 'eth0')
      .u32(IFLA.MTU, 9000)
      .bytes(IFLA.ADDRESS, macBytes('52:54:00:AB:cd:01'))
      .bytes(IFLA.BROADCAST, macBytes('ff:ff:ff:ff:ff:ff'))
      .u8(IFLA.OPERSTATE, 3)
      .u8(IFLA.CARRIER, 0)
      .encode();
    const link = decodeLink(encodeIfinfomsg({ family: 0, type: 1, index: 7, flags: IFF.UP | IFF.BROADCAST, change: 0 }, attrs));
    assert.deepEqual(link, { index: 7, name: 'eth0', type: 1, mac: '52:54:00:ab:cd:01', broadcast: 'ff:ff:ff:ff:ff:ff', mtu: 9000, flags: IFF.UP | IFF.BROADCAST, up: true, carrier: false, operstate: 'lowerlayerdown' });
  });

  it('takes carrier from IFF_LOWER_UP when the kernel sends no IFLA_CARRIER', () => {
    const attrs = new AttributeEncoder().string(IFLA.IFNAME, 'eth1').encode();
    assert.equal(decodeLink(encodeIfinfomsg({ family: 0, type: 1, index: 2, flags: IFF.UP | IFF.LOWER_UP, change: 0 }, attrs)).carrier, true);
    assert.equal(decodeLink(encodeIfinfomsg({ family: 0, type: 1, index: 2, flags: IFF.UP, change: 0 }, attrs)).carrier, false);
  });

  it('turns RTM_NEWLINK and RTM_DELLINK notifications into events and ignores other types', () => {
    const link: Link = { index: 4, name: 'veth0', type: 1, mac: null, broadcast: null, mtu: 1500, flags: IFF.UP, up: true, carrier: false, operstate: 'down' };
    const m = (type: number) => ({ type, flags: 0, seq: 0, pid: 0, payload: encodeLink(link) });
    assert.deepEqual(linkEventOf(m(RTM.NEWLINK)), { name: 'veth0', index: 4, carrier: false, operstate: 'down', up: true, removed: false });
    assert.equal(linkEventOf(m(RTM.DELLINK))?.removed, true);
    assert.equal(linkEventOf(m(RTM.NEWADDR)), null);
  });

  it('reads a point-to-point IPv4 address: IFA_LOCAL is ours, IFA_ADDRESS the peer', () => {
    const attrs = new AttributeEncoder().bytes(IFA.ADDRESS, Uint8Array.of(10, 0, 0, 2)).bytes(IFA.LOCAL, Uint8Array.of(10, 0, 0, 1)).string(IFA.LABEL, 'tun0').encode();
    const a = decodeAddress(encodeIfaddrmsg({ family: AF_INET, prefix: 32, flags: 0x80, scope: 0, index: 9 }, attrs));
    assert.deepEqual(a, { family: 4, index: 9, address: '10.0.0.1', peer: '10.0.0.2', prefix: 32, broadcast: null, label: 'tun0', flags: 0x80, scope: 0, proto: 0 });
  });

  it('prefers IFA_FLAGS over the 8-bit ifa_flags', () => {
    const attrs = new AttributeEncoder().bytes(IFA.LOCAL, Uint8Array.of(10, 0, 0, 1)).u32(IFA.FLAGS, 0x280).encode();
    assert.equal(decodeAddress(encodeIfaddrmsg({ family: AF_INET, prefix: 8, flags: 0x80, scope: 0, index: 1 }, attrs))?.flags, 0x280);
  });

  it('skips families other than IPv4 and IPv6', () => {
    assert.equal(decodeAddress(encodeIfaddrmsg({ family: 17, prefix: 0, flags: 0, scope: 0, index: 1 })), null);
  });

  it('rejects malformed messages with NetlinkProtocolError (short header, wrong address length, no address, bad attribute)', () => {
    const protocolError = (e: unknown): boolean => e instanceof NetlinkProtocolError || (e instanceof Error && /attribute|address/.test(e.message));
    assert.throws(() => decodeLink(new Uint8Array(10)), NetlinkProtocolError);
    assert.throws(() => decodeAddress(new Uint8Array(7)), NetlinkProtocolError);
    assert.throws(() => decodeAddress(encodeIfaddrmsg({ family: AF_INET, prefix: 8, flags: 0, scope: 0, index: 1 }, new AttributeEncoder().bytes(IFA.LOCAL, new Uint8Array(16)).encode())), protocolError);
    assert.throws(() => decodeAddress(encodeIfaddrmsg({ family: AF_INET, prefix: 8, flags: 0, scope: 0, index: 1 })), NetlinkProtocolError);
    const broken = encodeIfaddrmsg({ family: AF_INET, prefix: 8, flags: 0, scope: 0, index: 1 }, Uint8Array.of(40, 0, 2, 0, 1, 2, 3, 4));
    assert.throws(() => decodeAddress(broken), protocolError);
  });

  it('renders and parses hardware addresses', () => {
    assert.equal(macText(Uint8Array.of(0, 0x1b, 0x21, 0xa, 0xbc, 0xff)), '00:1b:21:0a:bc:ff');
    assert.deepEqual(macBytes('00:1B:21:0a:bc:ff'), Uint8Array.of(0, 0x1b, 0x21, 0xa, 0xbc, 0xff));
    assert.deepEqual(macBytes('001b210abcff'), Uint8Array.of(0, 0x1b, 0x21, 0xa, 0xbc, 0xff));
    assert.throws(() => macBytes('00:1b:2'), TypeError);
    assert.throws(() => macBytes('zz:00'), TypeError);
  });
});

const operStates: OperState[] = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'];
const macArb = fc.uint8Array({ minLength: 6, maxLength: 6 }).map(macText);
const linkArb: fc.Arbitrary<Link> = fc
  .record({
    index: fc.integer({ min: 1, max: 0x7fffffff }),
    name: fc.stringMatching(/^[a-z][a-z0-9.@_-]{0,14}$/),
    type: fc.constantFrom(1, 772, 65534, 768),
    mac: fc.option(macArb, { nil: null }),
    broadcast: fc.option(macArb, { nil: null }),
    mtu: fc.integer({ min: 0, max: 0xffffffff }),
    flags: fc.integer({ min: 0, max: 0x7ffff }),
    carrier: fc.boolean(),
    operstate: fc.constantFrom(...operStates),
  })
  .map((l) => ({ ...l, up: (l.flags & IFF.UP) !== 0 }));

const addressArb: fc.Arbitrary<AddressEntry> = fc.oneof(
  fc.record({
    family: fc.constant(4 as const),
    index: fc.integer({ min: 1, max: 0xffffffff }),
    address: ipv4Arb,
    peer: fc.option(ipv4Arb, { nil: null }),
    prefix: fc.integer({ min: 0, max: 32 }),
    broadcast: fc.option(ipv4Arb, { nil: null }),
    label: fc.option(fc.stringMatching(/^[a-z][a-z0-9]{0,5}(:[0-9a-z]{1,4})?$/), { nil: null }),
    flags: fc.integer({ min: 0, max: 0xfff }),
    scope: fc.constantFrom(0, 200, 253, 254),
    proto: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    family: fc.constant(6 as const),
    index: fc.integer({ min: 1, max: 0xffffffff }),
    address: ipv6Arb,
    peer: fc.option(ipv6Arb, { nil: null }),
    prefix: fc.integer({ min: 0, max: 128 }),
    broadcast: fc.constant(null),
    label: fc.constant(null),
    flags: fc.integer({ min: 0, max: 0xfff }),
    scope: fc.constantFrom(0, 253, 254),
    proto: fc.integer({ min: 0, max: 255 }),
  }),
).filter((a) => a.peer !== a.address);

describe('codec round trips (property)', () => {
  it('decodeLink(encodeLink(link)) is the link', () => {
    fc.assert(
      fc.property(linkArb, (l) => {
        assert.deepEqual(decodeLink(encodeLink(l)), l);
      }),
      { numRuns: 500 },
    );
  });

  it('decodeAddress(encodeAddress(address)) is the address', () => {
    fc.assert(
      fc.property(addressArb, (a) => {
        assert.deepEqual(decodeAddress(encodeAddress(a)), { ...a });
      }),
      { numRuns: 500 },
    );
  });

  it('an add request decodes to the address it asked for (what the kernel stores before it adds its own flags)', () => {
    const specArb = fc.oneof(
      fc.record({ address: ipv4Arb, device: fc.constantFrom('eth0', 'eth0:1', 'bond0:vip'), netmask: fc.option(fc.integer({ min: 0, max: 32 }).map(String), { nil: null }) }),
      fc.record({ address: ipv6Arb, device: fc.constantFrom('eth0', 'eth1:2'), netmask: fc.option(fc.integer({ min: 0, max: 128 }).map((n) => `/${n}`), { nil: null }) }),
    );
    fc.assert(
      fc.property(specArb, fc.integer({ min: 1, max: 0xffff }), (spec, index) => {
        const r = vipRequest(spec);
        const a = decodeAddress(newAddressRequest(r, index));
        assert.deepEqual(a, { family: r.family, index, address: r.address, peer: null, prefix: r.prefix, broadcast: r.broadcast, label: r.label, flags: r.flags, scope: 0, proto: r.proto });
      }),
      { numRuns: 500 },
    );
  });
});
