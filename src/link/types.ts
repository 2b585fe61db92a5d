/**
 * Domain types of the link layer: what a link is, what an address on it is, and the request
 * that puts a VIP on a link. Identity (what we ask for) and observation (what the kernel
 * reports) are separate types.
 */
import type { IpFamily } from '../net/address.js';

/** OperState is a link's RFC 2863 operational state (IFLA_OPERSTATE), by name. */
export type OperState = 'unknown' | 'notpresent' | 'down' | 'lowerlayerdown' | 'testing' | 'dormant' | 'up';

/** Link is one network interface as the kernel reports it. */
export interface Link {
  readonly index: number;
  readonly name: string;
  /** type is the ARPHRD link type (1 for Ethernet). */
  readonly type: number;
  /** mac is the hardware address as lowercase colon-separated hex, or null when the link has none. */
  readonly mac: string | null;
  /** broadcast is the hardware broadcast address (ff:ff:ff:ff:ff:ff on Ethernet), or null. */
  readonly broadcast: string | null;
  readonly mtu: number;
  /** flags are the IFF_* bits of ifi_flags. */
  readonly flags: number;
  /** up is the administrative state (IFF_UP): what `ip link set up/down` changed. */
  readonly up: boolean;
  /** carrier says whether the link has carrier (IFLA_CARRIER, else IFF_LOWER_UP). */
  readonly carrier: boolean;
  readonly operstate: OperState;
}

/**
 * LinkEvent is one link notification: the link's state after a change, or its removal.
 * `up` is the administrative state; a cable pull shows as `carrier: false` with `up: true`.
 */
export interface LinkEvent {
  readonly name: string;
  readonly index: number;
  readonly carrier: boolean;
  readonly operstate: OperState;
  readonly up: boolean;
  /** removed is true when the link was deleted (RTM_DELLINK). */
  readonly removed: boolean;
}

/**
 * AddressRequest is an address to put on (or take off) a link: the identity of a VIP as
 * lvs-director brings it up. vip.ts derives it from an lvs.cf `address`/`vip_nmask` pair.
 */
export interface AddressRequest {
  readonly family: IpFamily;
  /** link is the interface name without alias suffix (`eth0` for `eth0:1`). */
  readonly link: string;
  /** label is the IPv4 address label (`eth0:1`; the link name for a device without alias), null for IPv6 (which has no labels). */
  readonly label: string | null;
  /** address is the canonical text of the address. */
  readonly address: string;
  readonly prefix: number;
  /** broadcast is the IPv4 broadcast address, or null for none (a /32, and IPv6). */
  readonly broadcast: string | null;
  /** flags are IFA_F_* bits to set (IFA_F_NODAD for IPv6 VIPs). */
  readonly flags: number;
  /** proto is the IFA_PROTO value to mark the address with (LVS_ADDRESS_PROTO), or 0 for none. */
  readonly proto: number;
}

/** AddressEntry is one address as the kernel reports it. */
export interface AddressEntry {
  readonly family: IpFamily;
  readonly index: number;
  /** address is the local address (IFA_LOCAL, else IFA_ADDRESS). */
  readonly address: string;
  /** peer is the other end of a point-to-point address (IFA_ADDRESS when it differs), else null. */
  readonly peer: string | null;
  readonly prefix: number;
  readonly broadcast: string | null;
  /** label is the IPv4 label (`eth0:1`); IPv6 addresses have none (null). */
  readonly label: string | null;
  /** flags are the IFA_F_* bits (IFA_FLAGS when present, else ifa_flags). */
  readonly flags: number;
  readonly scope: number;
  /** proto is IFA_PROTO, or 0 when the kernel sent none (unset, or a kernel before 5.18). */
  readonly proto: number;
}

/** AddOutcome says whether addAddress created the address or found it already there. */
export type AddOutcome = 'added' | 'present';

/** RemoveOutcome says whether removeAddress removed the address or found it already gone. */
export type RemoveOutcome = 'removed' | 'absent';
