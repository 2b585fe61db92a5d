import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ARPOP, ETH_P } from '../../../src/arp/constants.js';
import { FrameError } from '../../../src/arp/errors.js';
import { decodeArpFrame, encodeArpFrame, gratuitousArp, type ArpFrame } from '../../../src/arp/frame.js';
import { parseMac } from '../../../src/arp/mac.js';

const seed = process.env.FC_SEED === undefined || process.env.FC_SEED === '' ? 20240611 : Number(process.env.FC_SEED);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const mac = parseMac('00:e0:81:ab:12:cd') as Uint8Array;

describe('gratuitousArp', () => {
  it('reply form: exactly the 60-byte frame of piranha send_arp (reference piranha.md §5)', () => {
    // send_arp -i eth0 192.168.10.50 00E081AB12CD 192.168.10.255 ffffffffffff
    const frame = gratuitousArp('reply', '192.168.10.50', mac, parseMac('ffffffffffff') as Uint8Array);
    const want =
      'ffffffffffff' + // Ethernet destination = targ_hw_addr
      '00e081ab12cd' + // Ethernet source = src_hw_addr
      '0806' + // ARP
      '0001' + '0800' + '06' + '04' + // Ethernet / IPv4, hlen 6, plen 4
      '0002' + // op 2 (the original's OP_ARP_REQUEST is 2)
      '00e081ab12cd' + 'c0a80a32' + // sender = src_hw_addr, src_ip_addr
      '00e081ab12cd' + 'c0a80a32' + // target = src_hw_addr, src_ip_addr (RH #245788)
      '00'.repeat(18); // padding
    assert.equal(frame.length, 60);
    assert.equal(hex(frame), want);
  });

  it('reply form sends to the given Ethernet destination (targ_hw_addr)', () => {
    const frame = gratuitousArp('reply', '10.0.0.1', mac, Uint8Array.of(2, 0, 0, 0, 0, 1));
    assert.equal(hex(frame.subarray(0, 6)), '020000000001');
    assert.equal(hex(frame.subarray(32, 38)), '00e081ab12cd');
  });

  it('request form: op 1 and target MAC ff:ff:ff:ff:ff:ff, as keepalived and arping -U', () => {
    const frame = gratuitousArp('request', '10.1.2.3', mac);
    assert.equal(
      hex(frame),
      'ffffffffffff' + '00e081ab12cd' + '0806' + '0001080006040001' + '00e081ab12cd' + '0a010203' + 'ffffffffffff' + '0a010203' + '00'.repeat(18),
    );
  });

  it('refuses IPv6 addresses, bad MACs and unknown forms', () => {
    assert.throws(() => gratuitousArp('reply', '2001:db8::1', mac), TypeError);
    assert.throws(() => gratuitousArp('reply', 'eth0', mac), TypeError);
    assert.throws(() => gratuitousArp('reply', '10.0.0.1', new Uint8Array(4)), TypeError);
    assert.throws(() => gratuitousArp('both' as 'reply', '10.0.0.1', mac), TypeError);
  });
});

describe('decodeArpFrame', () => {
  it('reads back the reply form', () => {
    const got = decodeArpFrame(gratuitousArp('reply', '192.168.10.50', mac));
    assert.equal(got.ethernet.type, ETH_P.ARP);
    assert.equal(got.arp.op, ARPOP.REPLY);
    assert.equal(hex(got.arp.senderIp), 'c0a80a32');
    assert.equal(hex(got.arp.targetIp), 'c0a80a32');
    assert.equal(hex(got.arp.targetMac), '00e081ab12cd');
  });

  it('accepts an unpadded 42-byte frame (padding is not part of ARP)', () => {
    const got = decodeArpFrame(gratuitousArp('request', '10.0.0.1', mac).subarray(0, 42));
    assert.equal(got.arp.op, ARPOP.REQUEST);
  });

  it('fails with stable codes', () => {
    const frame = gratuitousArp('reply', '10.0.0.1', mac);
    const code = (bytes: Uint8Array): string => {
      try {
        decodeArpFrame(bytes);
        return 'ok';
      } catch (e) {
        assert.ok(e instanceof FrameError);
        return e.code;
      }
    };
    assert.equal(code(frame.subarray(0, 10)), 'ERR_FRAME_TRUNCATED');
    assert.equal(code(frame.subarray(0, 41)), 'ERR_FRAME_TRUNCATED');
    const ipv6 = frame.slice();
    ipv6[12] = 0x86;
    ipv6[13] = 0xdd;
    assert.equal(code(ipv6), 'ERR_FRAME_TYPE');
    const token = frame.slice();
    token[15] = 6; // htype 6 (IEEE 802)
    assert.equal(code(token), 'ERR_ARP_FORMAT');
  });

  it('round-trips any ARP frame (property)', () => {
    const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
    fc.assert(
      fc.property(bytes(6), bytes(6), fc.integer({ min: 0, max: 0xffff }), bytes(6), bytes(4), bytes(6), bytes(4), (dst, src, op, sha, spa, tha, tpa) => {
        const frame: ArpFrame = {
          ethernet: { destination: dst, source: src, type: ETH_P.ARP },
          arp: { op, senderMac: sha, senderIp: spa, targetMac: tha, targetIp: tpa },
        };
        const encoded = encodeArpFrame(frame);
        assert.equal(encoded.length, 60);
        assert.deepEqual(decodeArpFrame(encoded), frame);
      }),
      { seed },
    );
  });
});
