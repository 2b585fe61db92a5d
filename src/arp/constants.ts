/**
 * Link-layer and neighbour-discovery constants used to build announcement frames.
 * Ethernet and ARP values come from uapi `linux/if_ether.h` and `linux/if_arp.h`, the ICMPv6
 * ones from `linux/in6.h` and glibc's `netinet/icmp6.h`; test/unit/arp/constants.test.ts checks
 * every value against the machine's headers.
 */

/** ETH_ALEN is the length of an Ethernet (MAC) address. */
export const ETH_ALEN = 6;
/** ETH_HLEN is the length of an Ethernet header: destination, source, EtherType. */
export const ETH_HLEN = 14;
/** ETH_ZLEN is the shortest Ethernet frame without its FCS; shorter frames are zero-padded. */
export const ETH_ZLEN = 60;

/** ETH_P holds the EtherTypes used here. */
export const ETH_P = {
  IP: 0x0800,
  ARP: 0x0806,
  IPV6: 0x86dd,
} as const;

/** ARPHRD_ETHER is the ARP hardware type of Ethernet. */
export const ARPHRD_ETHER = 1;

/** ARPOP holds the ARP operation codes. */
export const ARPOP = {
  REQUEST: 1,
  REPLY: 2,
} as const;

/** IPPROTO_ICMPV6 is the IPv6 next-header value of ICMPv6. */
export const IPPROTO_ICMPV6 = 58;

/** ND_NEIGHBOR_ADVERT is the ICMPv6 type of a neighbour advertisement (RFC 4861 §4.4). */
export const ND_NEIGHBOR_ADVERT = 136;

/** ND_OPT_TARGET_LINKADDR is the neighbour-discovery option type of the target link-layer address. */
export const ND_OPT_TARGET_LINKADDR = 2;

/** ND_NA_FLAG holds the flag bits of a neighbour advertisement's first reserved byte. */
export const ND_NA_FLAG = {
  ROUTER: 0x80,
  SOLICITED: 0x40,
  OVERRIDE: 0x20,
} as const;
