import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeAttributes, AttributeEncoder } from '../../../src/netlink/attributes.js';
import { NLM_F } from '../../../src/netlink/constants.js';
import { encodeGenl } from '../../../src/netlink/genl.js';
import { encodeMessage } from '../../../src/netlink/message.js';
import { decodeDestinationNest, decodeServiceNest, destinationAttrs, putDestination, putService, serviceAttrs } from '../../../src/ipvs/codec.js';
import { IPVS_CMD } from '../../../src/ipvs/constants.js';
import type { Destination, Service } from '../../../src/ipvs/types.js';
import { destinationArb, serviceArb } from '../../helpers/ipvs-arbitraries.js';

const golden = (dump: string): string => dump.replace(/\s+/g, '');

describe('golden request bytes (reference netlink.md §1.11)', () => {
  const service: Service = {
    key: { family: 4, protocol: 'tcp', address: '192.168.1.100', port: 80 },
    scheduler: 'wlc',
    flags: 1,
    timeout: 300,
    netmask: 0xffffffff,
    persistenceEngine: null,
  };
  const frame = (cmd: number, seq: number, attributes: Uint8Array): string =>
    Buffer.from(encodeMessage({ type: 0x22, flags: NLM_F.REQUEST | NLM_F.ACK, seq, pid: 0, payload: encodeGenl({ cmd, version: 1, attributes }) })).toString('hex');

  it('NEW_SERVICE tcp 192.168.1.100:80 wlc persistent 300', () => {
    assert.equal(
      frame(IPVS_CMD.NEW_SERVICE, 1, serviceAttrs(service, true).encode()),
      golden(`68 00 00 00 22 00 05 00 01 00 00 00 00 00 00 00
        01 01 00 00 54 00 01 80 06 00 01 00 02 00 00 00
        06 00 02 00 06 00 00 00 14 00 03 00 c0 a8 01 64
        00 00 00 00 00 00 00 00 00 00 00 00 06 00 04 00
        00 50 00 00 08 00 06 00 77 6c 63 00 0c 00 07 00
        01 00 00 00 ff ff ff ff 08 00 08 00 2c 01 00 00
        08 00 09 00 ff ff ff ff`),
    );
  });

  it('NEW_DEST 10.0.0.11:80 droute weight 1', () => {
    const dest: Destination = { address: '10.0.0.11', port: 80, family: 4, forwarding: 'droute', weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnelType: 'ipip', tunnelPort: 0, tunnelFlags: 0 };
    assert.equal(
      frame(IPVS_CMD.NEW_DEST, 2, destinationAttrs(service.key, dest, true).encode()),
      golden(`8c 00 00 00 22 00 05 00 02 00 00 00 00 00 00 00
        05 01 00 00 30 00 01 80 06 00 01 00 02 00 00 00
        06 00 02 00 06 00 00 00 14 00 03 00 c0 a8 01 64
        00 00 00 00 00 00 00 00 00 00 00 00 06 00 04 00
        00 50 00 00 48 00 02 80 06 00 0b 00 02 00 00 00
        14 00 01 00 0a 00 00 0b 00 00 00 00 00 00 00 00
        00 00 00 00 06 00 02 00 00 50 00 00 08 00 03 00
        03 00 00 00 08 00 04 00 01 00 00 00 08 00 05 00
        00 00 00 00 08 00 06 00 00 00 00 00`),
    );
  });
});

describe('codec round trips (property)', () => {
  it('decode(encode(service)) is the service', () => {
    fc.assert(
      fc.property(serviceArb, (s) => {
        const bytes = new AttributeEncoder();
        putService(bytes, s);
        let got: Service | undefined;
        decodeAttributes(bytes.encode(), (d) => {
          const { stats: _stats, ...plain } = decodeServiceNest(d);
          got = plain;
        });
        assert.deepEqual(got, structuredClone(s));
      }),
      { numRuns: 500 },
    );
  });

  it('decode(encode(destination)) is the destination', () => {
    fc.assert(
      fc.property(destinationArb, (dst) => {
        const bytes = new AttributeEncoder();
        putDestination(bytes, dst);
        let got: Destination | undefined;
        decodeAttributes(bytes.encode(), (d) => {
          const { activeConns: _a, inactiveConns: _i, persistentConns: _p, stats: _s, ...plain } = decodeDestinationNest(d, dst.family);
          got = plain;
        });
        assert.deepEqual(got, structuredClone(dst));
      }),
      { numRuns: 500 },
    );
  });
});
