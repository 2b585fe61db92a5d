/**
 * Netlink and generic-netlink constants (include/uapi/linux/netlink.h, genetlink.h).
 * test/unit/netlink/constants.test.ts checks them against the machine's uapi headers.
 */

/** NETLINK_ROUTE is the rtnetlink protocol (addresses, links). */
export const NETLINK_ROUTE = 0;
/** NETLINK_GENERIC is the generic netlink protocol (IPVS, nlctrl). */
export const NETLINK_GENERIC = 16;

/** NLM_F holds nlmsghdr flag bits. */
export const NLM_F = {
  REQUEST: 0x1,
  MULTI: 0x2,
  ACK: 0x4,
  ECHO: 0x8,
  DUMP_INTR: 0x10,
  ROOT: 0x100,
  MATCH: 0x200,
  DUMP: 0x300,
  /** CAPPED and ACK_TLVS only appear on NLMSG_ERROR messages. */
  CAPPED: 0x100,
  ACK_TLVS: 0x200,
  /** EXCL, CREATE and REPLACE are modifiers of NEW requests (rtnetlink). */
  REPLACE: 0x100,
  EXCL: 0x200,
  CREATE: 0x400,
} as const;

/** NLMSG holds the control message types. */
export const NLMSG = {
  NOOP: 1,
  ERROR: 2,
  DONE: 3,
  OVERRUN: 4,
} as const;

/** NLMSGERR_ATTR holds the extended-ACK attribute types. */
export const NLMSGERR_ATTR = {
  MSG: 1,
  OFFS: 2,
} as const;

/** NLA_F holds the flag bits of an attribute type; NLA_TYPE_MASK strips them. */
export const NLA_F = {
  NESTED: 0x8000,
  NET_BYTEORDER: 0x4000,
} as const;
export const NLA_TYPE_MASK = 0x3fff;

/** GENL_ID_CTRL is the fixed family id of the generic netlink controller (nlctrl). */
export const GENL_ID_CTRL = 0x10;

/** CTRL_CMD holds nlctrl commands. */
export const CTRL_CMD = {
  GETFAMILY: 3,
} as const;

/** CTRL_ATTR holds nlctrl attributes. */
export const CTRL_ATTR = {
  FAMILY_ID: 1,
  FAMILY_NAME: 2,
  VERSION: 3,
  HDRSIZE: 4,
  MAXATTR: 5,
  OPS: 6,
  MCAST_GROUPS: 7,
} as const;

/** SOL_NETLINK options used on our sockets. */
export const NETLINK_EXT_ACK = 11;

/** NLMSG_HDRLEN is the size of struct nlmsghdr; GENL_HDRLEN of struct genlmsghdr. */
export const NLMSG_HDRLEN = 16;
export const GENL_HDRLEN = 4;

/** align rounds a length up to netlink's 4-byte alignment. */
export function align(n: number): number {
  return (n + 3) & ~3;
}
