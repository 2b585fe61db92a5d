/** fast-check generators for IPVS services and destinations. */
import fc from 'fast-check';
import { bytesToIp } from '../../src/net/address.js';
import type { Destination, Service, ServiceKey } from '../../src/ipvs/types.js';

/** ipv4Arb generates dotted quads. */
export const ipv4Arb = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
/** ipv6Arb generates canonical IPv6 text. */
export const ipv6Arb = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => bytesToIp(b, 6));

const portArb = fc.integer({ min: 0, max: 65535 });

/** serviceKeyArb generates keys of both kinds and families. */
export const serviceKeyArb: fc.Arbitrary<ServiceKey> = fc.oneof(
  fc.record({ family: fc.constant(4 as const), protocol: fc.constantFrom('tcp' as const, 'udp' as const, 'sctp' as const), address: ipv4Arb, port: portArb }),
  fc.record({ family: fc.constant(6 as const), protocol: fc.constantFrom('tcp' as const, 'udp' as const), address: ipv6Arb, port: portArb }),
  fc.record({ family: fc.constantFrom(4 as const, 6 as const), fwmark: fc.integer({ min: 1, max: 0xffffffff }) }),
);

/** serviceArb generates full services. */
export const serviceArb: fc.Arbitrary<Service> = serviceKeyArb.chain((key) =>
  fc.record({
    key: fc.constant(key),
    scheduler: fc.constantFrom('rr', 'wrr', 'lc', 'wlc', 'sh', 'mh'),
    flags: fc.constantFrom(0, 1, 4, 1 | 8, 1 | 8 | 16),
    timeout: fc.nat(31 * 24 * 3600),
    netmask: key.family === 4 ? fc.integer({ min: 0, max: 0xffffffff }) : fc.integer({ min: 1, max: 128 }),
    persistenceEngine: fc.constantFrom(null, 'sip'),
  }),
);

/** destinationArb generates full destinations. */
export const destinationArb: fc.Arbitrary<Destination> = fc.constantFrom(4 as const, 6 as const).chain((family) =>
  fc.record({
    address: family === 4 ? ipv4Arb : ipv6Arb,
    port: portArb,
    family: fc.constant(family),
    forwarding: fc.constantFrom('masq' as const, 'droute' as const, 'tunnel' as const),
    weight: fc.integer({ min: 0, max: 0x7fffffff }),
    upperThreshold: fc.nat(100000),
    lowerThreshold: fc.nat(100000),
    tunnelType: fc.constant('ipip' as const),
    tunnelPort: fc.constant(0),
    tunnelFlags: fc.constant(0),
  }),
);
