import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ETH_P } from '../../../src/arp/constants.js';
import { FrameError } from '../../../src/arp/errors.js';
import { parseMac } from '../../../src/arp/mac.js';
import {
  ALL_NODES_ADDRESS,
  decodeNeighborAdvertisementFrame,
  encodeNeighborAdvertisementFrame,
  icmpv6Checksum,
  unsolicitedNeighborAdvertisement,
  type NeighborAdvertisementFrame,
} from '../../../src/arp/ndp.js';
import { bytesToIp, ipToBytes } from '../../../src/net/address.js';

const seed = process.env.FC_SEED === undefined || process.env.FC_SEED === '' ? 20240611 : Number(process.env.FC_SEED);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const mac = parseMac('02:1a:2b:3c:4d:5e') as Uint8Array;

function code(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof FrameError, String(e));
    return e.code;
  }
}

describe('unsolicitedNeighborAdvertisement', () => {
  it('builds the 86-byte frame with a known checksum (0x8059, computed independently)', () => {
    const frame = unsolicitedNeighborAdvertisement('2001:db8::10', mac);
    const want =
      '333300000001' + '021a2b3c4d5e' + '86dd' + // Ethernet: all-nodes multicast, own MAC, IPv6
      '60000000' + '0020' + '3a' + 'ff' + // IPv6: version 6, payload 32, next header 58, hop limit 255
      '20010db8000000000000000000000010' + // source: the address itself
      'ff020000000000000000000000000001' + // destination: ff02::1
      '88' + '00' + '8059' + // ICMPv6 type 136, code 0, checksum
      '20000000' + // flags: Override only (not Router, not Solicited)
      '20010db8000000000000000000000010' + // target
      '02' + '01' + '021a2b3c4d5e'; // option: target link-layer address, 8 bytes
    assert.equal(frame.length, 86);
    assert.equal(hex(frame), want);
  });

  it('sets the Router flag on request', () => {
    const frame = unsolicitedNeighborAdvertisement('2001:db8::10', mac, { router: true });
    assert.equal(frame[14 + 40 + 4], 0xa0);
    assert.equal(decodeNeighborAdvertisementFrame(frame).advertisement.router, true);
  });

  it('refuses IPv4 addresses and bad MACs', () => {
    assert.throws(() => unsolicitedNeighborAdvertisement('10.0.0.1', mac), TypeError);
    assert.throws(() => unsolicitedNeighborAdvertisement('2001:db8::1', new Uint8Array(8)), TypeError);
  });
});

describe('icmpv6Checksum', () => {
  it('is 0 over a message that carries its correct checksum', () => {
    const frame = unsolicitedNeighborAdvertisement('fe80::1', mac);
    assert.equal(icmpv6Checksum(frame.subarray(22, 38), frame.subarray(38, 54), frame.subarray(54)), 0);
  });

  it('matches RFC 1071 arithmetic on an odd-length message (padded with a zero byte)', () => {
    const zero = new Uint8Array(16);
    // sum = length 3 + next header 58 + 0x0102 + 0x0300 = 0x043f; its complement is 0xfbc0
    assert.equal(icmpv6Checksum(zero, zero, Uint8Array.of(1, 2, 3)), 0xfbc0);
  });
});

describe('decodeNeighborAdvertisementFrame', () => {
  const good = unsolicitedNeighborAdvertisement('2001:db8::10', mac);

  it('reads back what was built', () => {
    const got = decodeNeighborAdvertisementFrame(good);
    assert.equal(got.ethernet.type, ETH_P.IPV6);
    assert.equal(bytesToIp(got.source, 6), '2001:db8::10');
    assert.equal(bytesToIp(got.destination, 6), 'ff02::1');
    assert.equal(got.hopLimit, 255);
    assert.deepEqual(got.advertisement, { router: false, solicited: false, override: true, target: ipToBytes('2001:db8::10'), targetMac: mac });
  });

  it('checks what a receiver checks (RFC 4861 §7.1.2)', () => {
    const edit = (at: number, value: number): Uint8Array => {
      const f = good.slice();
      f[at] = value;
      return f;
    };
    assert.equal(code(() => decodeNeighborAdvertisementFrame(edit(21, 64))), 'ERR_NDP_FORMAT'); // hop limit 64
    assert.equal(code(() => decodeNeighborAdvertisementFrame(edit(55, 1))), 'ERR_NDP_FORMAT'); // code 1
    assert.equal(code(() => decodeNeighborAdvertisementFrame(edit(62, 0x11))), 'ERR_NDP_CHECKSUM'); // a changed target byte
    assert.equal(code(() => decodeNeighborAdvertisementFrame(edit(54, 135))), 'ERR_FRAME_TYPE'); // a solicitation
    assert.equal(code(() => decodeNeighborAdvertisementFrame(good.subarray(0, 80))), 'ERR_FRAME_TRUNCATED');
    assert.equal(code(() => decodeNeighborAdvertisementFrame(Uint8Array.of(...good.subarray(0, 12), 8, 6, ...good.subarray(14)))), 'ERR_FRAME_TYPE');
  });

  it('rejects an option of length zero', () => {
    const f = encodeNeighborAdvertisementFrame({
      ethernet: { destination: mac, source: mac, type: ETH_P.IPV6 },
      source: ipToBytes('fe80::1'),
      destination: ALL_NODES_ADDRESS,
      hopLimit: 255,
      advertisement: { router: false, solicited: false, override: true, target: ipToBytes('fe80::1'), targetMac: mac },
    });
    f[14 + 40 + 25] = 0;
    // re-checksum so that only the option is wrong
    f[56] = 0;
    f[57] = 0;
    const sum = icmpv6Checksum(f.subarray(22, 38), f.subarray(38, 54), f.subarray(54));
    f[56] = sum >> 8;
    f[57] = sum & 0xff;
    assert.equal(code(() => decodeNeighborAdvertisementFrame(f)), 'ERR_NDP_FORMAT');
  });

  it('round-trips any advertisement (property)', () => {
    const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
    fc.assert(
      fc.property(bytes(6), bytes(6), bytes(16), bytes(16), bytes(16), fc.boolean(), fc.boolean(), fc.boolean(), fc.option(bytes(6)), (dst, src, from, to, target, router, solicited, override, targetMac) => {
        const frame: NeighborAdvertisementFrame = {
          ethernet: { destination: dst, source: src, type: ETH_P.IPV6 },
          source: from,
          destination: to,
          hopLimit: 255,
          advertisement: { router, solicited, override, target, targetMac },
        };
        assert.deepEqual(decodeNeighborAdvertisementFrame(encodeNeighborAdvertisementFrame(frame)), frame);
      }),
      { seed },
    );
  });
});
