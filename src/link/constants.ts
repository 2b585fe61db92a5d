/**
 * rtnetlink constants for links and addresses (include/uapi/linux/rtnetlink.h, if_addr.h,
 * if_link.h, if.h, if_arp.h). test/unit/link/constants.test.ts checks every value against the
 * machine's uapi headers.
 */

/** RTM holds the rtnetlink message types we send and receive. */
export const RTM = {
  NEWLINK: 16,
  DELLINK: 17,
  GETLINK: 18,
  NEWADDR: 20,
  DELADDR: 21,
  GETADDR: 22,
} as const;

/** RTNLGRP holds multicast group numbers, as addMembership takes them. */
export const RTNLGRP = {
  LINK: 1,
  IPV4_IFADDR: 5,
  IPV6_IFADDR: 9,
} as const;

/** RTMGRP holds the legacy multicast group bit masks (bind-time groups), kept for reference. */
export const RTMGRP = {
  LINK: 0x1,
  IPV4_IFADDR: 0x10,
  IPV6_IFADDR: 0x100,
} as const;

/** RTEXT_FILTER holds IFLA_EXT_MASK bits; SKIP_STATS leaves the counters out of link replies. */
export const RTEXT_FILTER = {
  VF: 1 << 0,
  SKIP_STATS: 1 << 3,
} as const;

/** RT_SCOPE holds address scopes. */
export const RT_SCOPE = {
  UNIVERSE: 0,
  SITE: 200,
  LINK: 253,
  HOST: 254,
  NOWHERE: 255,
} as const;

/** IFLA holds the link attributes we read (and IFLA_EXT_MASK, which we send). */
export const IFLA = {
  ADDRESS: 1,
  BROADCAST: 2,
  IFNAME: 3,
  MTU: 4,
  LINK: 5,
  MASTER: 10,
  OPERSTATE: 16,
  LINKMODE: 17,
  EXT_MASK: 29,
  CARRIER: 33,
  CARRIER_CHANGES: 35,
} as const;

/** IFA holds the address attributes. */
export const IFA = {
  ADDRESS: 1,
  LOCAL: 2,
  LABEL: 3,
  BROADCAST: 4,
  ANYCAST: 5,
  CACHEINFO: 6,
  MULTICAST: 7,
  FLAGS: 8,
  RT_PRIORITY: 9,
  TARGET_NETNSID: 10,
  PROTO: 11,
} as const;

/** IFA_F holds address flag bits (ifa_flags, extended to 32 bits by IFA_FLAGS). */
export const IFA_F = {
  SECONDARY: 0x01,
  NODAD: 0x02,
  OPTIMISTIC: 0x04,
  DADFAILED: 0x08,
  HOMEADDRESS: 0x10,
  DEPRECATED: 0x20,
  TENTATIVE: 0x40,
  PERMANENT: 0x80,
  MANAGETEMPADDR: 0x100,
  NOPREFIXROUTE: 0x200,
  MCAUTOJOIN: 0x400,
  STABLE_PRIVACY: 0x800,
} as const;

/**
 * IFAPROTO holds the address protocols the kernel itself assigns (IFA_PROTO, Linux 5.18+).
 * Values it does not define are free for user space; ours is LVS_ADDRESS_PROTO.
 */
export const IFAPROTO = {
  UNSPEC: 0,
  KERNEL_LO: 1,
  KERNEL_RA: 2,
  KERNEL_LL: 3,
} as const;

/**
 * LVS_ADDRESS_PROTO is the IFA_PROTO value lvs-director puts on every VIP it adds (0x4c, 'L'),
 * so that a later start recognises its own leftover VIPs (see stale.ts). iproute2 6.1 does not
 * display address protocols; the dump carries it (IFA_PROTO 76).
 */
export const LVS_ADDRESS_PROTO = 0x4c;

/** IFF holds the net_device flag bits of ifi_flags. */
export const IFF = {
  UP: 1 << 0,
  BROADCAST: 1 << 1,
  LOOPBACK: 1 << 3,
  POINTOPOINT: 1 << 4,
  RUNNING: 1 << 6,
  NOARP: 1 << 7,
  PROMISC: 1 << 8,
  MASTER: 1 << 10,
  SLAVE: 1 << 11,
  MULTICAST: 1 << 12,
  LOWER_UP: 1 << 16,
  DORMANT: 1 << 17,
} as const;

/** IF_OPER holds the RFC 2863 operational states of IFLA_OPERSTATE. */
export const IF_OPER = {
  UNKNOWN: 0,
  NOTPRESENT: 1,
  DOWN: 2,
  LOWERLAYERDOWN: 3,
  TESTING: 4,
  DORMANT: 5,
  UP: 6,
} as const;

/** ARPHRD holds the link types we name (ifi_type). */
export const ARPHRD = {
  ETHER: 1,
  LOOPBACK: 772,
} as const;

/** AF_UNSPEC, AF_INET and AF_INET6 as the kernel numbers them (ifi_family, ifa_family). */
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;

/** IFINFOMSG_LEN is sizeof(struct ifinfomsg); IFADDRMSG_LEN is sizeof(struct ifaddrmsg). */
export const IFINFOMSG_LEN = 16;
export const IFADDRMSG_LEN = 8;

/** IFNAMSIZ bounds interface names and address labels, NUL included. */
export const IFNAMSIZ = 16;
