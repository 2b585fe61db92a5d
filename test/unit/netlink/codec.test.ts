import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AttributeDecoder, AttributeEncoder, decodeAttributes } from '../../../src/netlink/attributes.js';
import { NLM_F, NLMSG } from '../../../src/netlink/constants.js';
import { decodeError, decodeMessages, encodeError, encodeMessage } from '../../../src/netlink/message.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('AttributeEncoder', () => {
  it('pads to 4 bytes but records the unpadded length', () => {
    assert.equal(hex(new AttributeEncoder().string(6, 'wlc').encode()), '08000600776c6300');
    assert.equal(hex(new AttributeEncoder().u8(13, 1).encode()), '05000d0001000000');
  });

  it('writes host order for u16/u32 and network order for be16/be32', () => {
    assert.equal(hex(new AttributeEncoder().u16(1, 2).encode()), '0600010002000000');
    assert.equal(hex(new AttributeEncoder().be16(4, 80).encode()), '0600040000500000');
    assert.equal(hex(new AttributeEncoder().u32(8, 300).encode()), '080008002c010000');
    assert.equal(hex(new AttributeEncoder().be32(9, 0xffffff00).encode()), '08000900ffffff00');
  });

  it('sets NLA_F_NESTED on nests unless asked not to', () => {
    assert.equal(hex(new AttributeEncoder().nested(1, (e) => e.u32(2, 1)).encode()), '0c000180080002000100000' + '0');
    assert.equal(hex(new AttributeEncoder().nested(1, (e) => e.u32(2, 1), false).encode()), '0c000100080002000100000' + '0');
  });
});

describe('AttributeEncoder growth', () => {
  it('writes every kind of value correctly when a put has to grow the buffer (found on a real kernel)', () => {
    const e = new AttributeEncoder();
    for (let i = 0; i < 40; i++) e.u8(1, i).u16(2, i).be16(3, i).u32(4, i).be32(5, i).u64(6, BigInt(i)).bytes(7, Uint8Array.of(i, i, i)).string(8, `s${i}`);
    const got: number[] = [];
    decodeAttributes(e.encode(), (d) => {
      while (d.next()) {
        const t = d.type();
        got.push(t === 1 ? d.u8() : t === 2 ? d.u16() : t === 3 ? d.be16() : t === 4 ? d.u32() : t === 5 ? d.be32() : t === 6 ? Number(d.u64()) : t === 7 ? (d.bytes()[2] as number) : Number(d.string().slice(1)));
      }
    });
    assert.deepEqual(got, Array.from({ length: 40 }, (_, i) => Array<number>(8).fill(i)).flat());
  });
});

describe('AttributeDecoder', () => {
  it('masks the flag bits off the type', () => {
    const d = new AttributeDecoder(new AttributeEncoder().nested(1, (e) => e.u16(3, 7)).encode());
    assert.equal(d.next(), true);
    assert.equal(d.type(), 1);
    let inner = 0;
    d.nested((n) => {
      while (n.next()) if (n.type() === 3) inner = n.u16();
    });
    assert.equal(inner, 7);
    assert.equal(d.next(), false);
    assert.equal(d.err(), null);
  });

  it('keeps the first error and returns zero values after it (sticky error)', () => {
    const d = new AttributeDecoder(new AttributeEncoder().u8(1, 5).u32(2, 9).encode());
    d.next();
    assert.equal(d.u32(), 0);
    assert.match(d.err()?.message ?? '', /too short for u32/);
    assert.equal(d.next(), false);
  });

  it('refuses an attribute whose length runs past the buffer', () => {
    const bytes = new AttributeEncoder().u32(2, 9).encode();
    bytes[0] = 40;
    assert.throws(() => decodeAttributes(bytes, (d) => { while (d.next()); }), /bad length 40/);
  });

  it('round-trips every kind of value (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.string({ maxLength: 40 }).filter((s) => !s.includes('\0')), (a, b, c, s) => {
        const bytes = new AttributeEncoder().u16(1, a).be16(2, a).u32(3, b).be32(4, b).u64(5, c).string(6, s).nested(7, (e) => e.u32(1, b)).encode();
        const got: unknown[] = [];
        decodeAttributes(bytes, (d) => {
          while (d.next()) {
            switch (d.type()) {
              case 1: got.push(d.u16()); break;
              case 2: got.push(d.be16()); break;
              case 3: got.push(d.u32()); break;
              case 4: got.push(d.be32()); break;
              case 5: got.push(d.u64()); break;
              case 6: got.push(d.string()); break;
              case 7: d.nested((n) => { while (n.next()) got.push(n.u32()); }); break;
            }
          }
        });
        assert.deepEqual(got, [a, a, b, b, c, s, b]);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary bytes when walking (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const d = new AttributeDecoder(bytes);
        let n = 0;
        while (d.next() && n++ < 1000) d.nested((x) => { while (x.next()) x.u64(); });
      }),
      { numRuns: 500 },
    );
  });
});

describe('messages', () => {
  it('frames and splits several messages in one datagram', () => {
    const a = encodeMessage({ type: 0x22, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 1, pid: 0, payload: Uint8Array.of(1, 1, 0, 0, 9) });
    const b = encodeMessage({ type: NLMSG.DONE, flags: NLM_F.MULTI, seq: 2, pid: 7, payload: new Uint8Array(4) });
    assert.equal(hex(a.subarray(0, 16)), '1500000022000500010000000000000' + '0');
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    const got = decodeMessages(both);
    assert.deepEqual(got.map((m) => [m.type, m.flags, m.seq, m.pid, m.payload.length]), [
      [0x22, 5, 1, 0, 5],
      [NLMSG.DONE, NLM_F.MULTI, 2, 7, 4],
    ]);
  });

  it('refuses a message whose length runs past the datagram', () => {
    const a = encodeMessage({ type: 1, flags: 0, seq: 1, pid: 0, payload: new Uint8Array(8) });
    assert.throws(() => decodeMessages(a.subarray(0, 20)), /bad length 24/);
  });

  it('decodes an error with its extended-ACK text', () => {
    const request = { type: 0x22, flags: 5, seq: 3, pid: 1, payload: new Uint8Array(0) };
    const e = encodeError(17, request, 'Service already exists');
    assert.deepEqual(decodeError({ ...request, type: NLMSG.ERROR, flags: e.flags, payload: e.payload }), { errno: 17, extAck: 'Service already exists', offset: null });
    const plain = encodeError(0, request);
    assert.deepEqual(decodeError({ ...request, type: NLMSG.ERROR, flags: plain.flags, payload: plain.payload }), { errno: 0, extAck: null, offset: null });
  });
});
