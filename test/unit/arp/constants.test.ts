import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ARPHRD_ETHER, ARPOP, ETH_ALEN, ETH_HLEN, ETH_P, ETH_ZLEN, IPPROTO_ICMPV6, ND_NA_FLAG, ND_NEIGHBOR_ADVERT, ND_OPT_TARGET_LINKADDR } from '../../../src/arp/constants.js';
import { headerConstants, headerPath } from '../../helpers/uapi.js';

const ifEther = headerPath('if_ether.h');
const ifArp = headerPath('if_arp.h');
const in6 = headerPath('in6.h');
const icmp6 = existsSync('/usr/include/netinet/icmp6.h') ? '/usr/include/netinet/icmp6.h' : null;
const missing = [ifEther, ifArp, in6, icmp6].includes(null);

describe('ARP and NDP constants match the system headers', { skip: missing ? 'linux-libc-dev or libc6-dev headers are not installed' : false }, () => {
  const h = missing ? new Map<string, number>() : headerConstants(ifEther as string, ifArp as string, in6 as string);
  const cases: Array<[string, number]> = [
    ['ETH_ALEN', ETH_ALEN],
    ['ETH_HLEN', ETH_HLEN],
    ['ETH_ZLEN', ETH_ZLEN],
    ['ETH_P_IP', ETH_P.IP],
    ['ETH_P_ARP', ETH_P.ARP],
    ['ETH_P_IPV6', ETH_P.IPV6],
    ['ARPHRD_ETHER', ARPHRD_ETHER],
    ['ARPOP_REQUEST', ARPOP.REQUEST],
    ['ARPOP_REPLY', ARPOP.REPLY],
    ['IPPROTO_ICMPV6', IPPROTO_ICMPV6],
  ];
  for (const [name, value] of cases)
    it(`${name} = ${value}`, () => {
      assert.equal(h.get(name), value);
    });

  // glibc's netinet/icmp6.h: plain defines, and the NA flags in their little-endian spelling
  // (the flags are the first byte of the message's reserved word either way).
  it('ND_NEIGHBOR_ADVERT, ND_OPT_TARGET_LINKADDR and the NA flags', () => {
    const icmp = headerConstants(icmp6 as string);
    assert.equal(icmp.get('ND_NEIGHBOR_ADVERT'), ND_NEIGHBOR_ADVERT);
    assert.equal(icmp.get('ND_OPT_TARGET_LINKADDR'), ND_OPT_TARGET_LINKADDR);
    // headerConstants keeps whichever definition comes last; both spell the same first byte.
    for (const [name, value] of Object.entries(ND_NA_FLAG)) {
      const got = icmp.get(`ND_NA_FLAG_${name}`);
      assert.ok(got === value || got === value * 2 ** 24, `ND_NA_FLAG_${name} = ${got}`);
    }
  });
});
