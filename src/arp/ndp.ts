/**
 * IPv6 neighbour advertisements (RFC 4861 §4.4), without I/O: the unsolicited advertisement that
 * announces an IPv6 address after a failover (the IPv6 counterpart of gratuitous ARP, §7.2.6),
 * and a decoder that checks what a receiver checks (§7.1.2).
 *
 * The frame is 86 bytes: Ethernet (14) to 33:33:00:00:00:01, IPv6 (40) from the address itself
 * to ff02::1 with hop limit 255, ICMPv6 (32): type 136, code 0, checksum, flags with Override
 * set, the target address, and a target link-layer address option carrying the MAC.
 */
import { ipToBytes } from '../net/address.js';
import { ETH_ALEN, ETH_HLEN, ETH_P, IPPROTO_ICMPV6, ND_NA_FLAG, ND_NEIGHBOR_ADVERT, ND_OPT_TARGET_LINKADDR } from './constants.js';
import { FrameError } from './errors.js';
import { decodeEthernetHeader, encodeEthernetHeader, type EthernetHeader } from './frame.js';
import { checkMac } from './mac.js';

/** IPV6_HLEN is the length of the fixed IPv6 header. */
export const IPV6_HLEN = 40;

/** NA_LEN is the length of a neighbour advertisement without options. */
export const NA_LEN = 24;

/** ALL_NODES_ADDRESS is ff02::1, the link-local all-nodes multicast group. */
export const ALL_NODES_ADDRESS: Uint8Array = ipToBytes('ff02::1');

/** ALL_NODES_MAC is 33:33:00:00:00:01, the Ethernet address of ff02::1 (RFC 2464 §7). */
export const ALL_NODES_MAC: Uint8Array = Uint8Array.of(0x33, 0x33, 0, 0, 0, 1);

/** NeighborAdvertisement is the ICMPv6 message; the target MAC is null when the option is absent. */
export interface NeighborAdvertisement {
  readonly router: boolean;
  readonly solicited: boolean;
  readonly override: boolean;
  readonly target: Uint8Array;
  readonly targetMac: Uint8Array | null;
}

/** NeighborAdvertisementFrame is a whole frame: Ethernet header, the IPv6 fields that matter, and the message. */
export interface NeighborAdvertisementFrame {
  readonly ethernet: EthernetHeader;
  readonly source: Uint8Array;
  readonly destination: Uint8Array;
  readonly hopLimit: number;
  readonly advertisement: NeighborAdvertisement;
}

/** UnsolicitedNaOptions tune an unsolicited advertisement. */
export interface UnsolicitedNaOptions {
  /** router sets the Router flag, for a sender that forwards packets (default false). */
  readonly router?: boolean;
}

function check16(address: Uint8Array, what: string): void {
  if (!(address instanceof Uint8Array) || address.length !== 16) throw new TypeError(`${what} must be 16 bytes (IPv6)`);
}

/**
 * icmpv6Checksum returns the one's-complement checksum of an ICMPv6 `message` and the IPv6
 * pseudo-header of RFC 8200 §8.1 (source, destination, upper-layer length, next header 58).
 * Over a message whose checksum field is zero it is the value to write there; over a message
 * that carries a correct checksum it is 0.
 */
export function icmpv6Checksum(source: Uint8Array, destination: Uint8Array, message: Uint8Array): number {
  check16(source, 'source address');
  check16(destination, 'destination address');
  let sum = 0;
  const add = (bytes: Uint8Array): void => {
    for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] as number) << 8) | (bytes[i + 1] ?? 0);
  };
  add(source);
  add(destination);
  const length = message.length;
  sum += (length >>> 16) + (length & 0xffff) + IPPROTO_ICMPV6;
  add(message);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** encodeNeighborAdvertisementFrame returns the whole frame with its payload length and checksum filled in. */
export function encodeNeighborAdvertisementFrame(frame: NeighborAdvertisementFrame): Uint8Array {
  const { advertisement: na } = frame;
  check16(frame.source, 'source address');
  check16(frame.destination, 'destination address');
  check16(na.target, 'target address');
  if (na.targetMac !== null) checkMac(na.targetMac, 'target MAC');
  if (!Number.isInteger(frame.hopLimit) || frame.hopLimit < 0 || frame.hopLimit > 255) throw new TypeError(`hop limit must be 0..255: ${frame.hopLimit}`);
  const icmpLength = NA_LEN + (na.targetMac === null ? 0 : 8);
  const out = new Uint8Array(ETH_HLEN + IPV6_HLEN + icmpLength);
  encodeEthernetHeader(frame.ethernet, out);
  const ip = out.subarray(ETH_HLEN, ETH_HLEN + IPV6_HLEN);
  ip[0] = 0x60; // version 6, traffic class 0, flow label 0
  ip[4] = icmpLength >> 8;
  ip[5] = icmpLength & 0xff;
  ip[6] = IPPROTO_ICMPV6;
  ip[7] = frame.hopLimit;
  ip.set(frame.source, 8);
  ip.set(frame.destination, 24);
  const icmp = out.subarray(ETH_HLEN + IPV6_HLEN);
  icmp[0] = ND_NEIGHBOR_ADVERT;
  icmp[4] = (na.router ? ND_NA_FLAG.ROUTER : 0) | (na.solicited ? ND_NA_FLAG.SOLICITED : 0) | (na.override ? ND_NA_FLAG.OVERRIDE : 0);
  icmp.set(na.target, 8);
  if (na.targetMac !== null) {
    icmp[NA_LEN] = ND_OPT_TARGET_LINKADDR;
    icmp[NA_LEN + 1] = 1; // in units of 8 bytes
    icmp.set(na.targetMac, NA_LEN + 2);
  }
  const sum = icmpv6Checksum(frame.source, frame.destination, icmp);
  icmp[2] = sum >> 8;
  icmp[3] = sum & 0xff;
  return out;
}

/**
 * unsolicitedNeighborAdvertisement returns the frame that announces the IPv6 address `ip` at
 * `mac` to all nodes on the link: from `ip` to ff02::1 (Ethernet 33:33:00:00:00:01), hop limit
 * 255, Solicited clear, Override set, with the target link-layer address option. It throws a
 * TypeError for an address that is not IPv6 or a MAC that is not six bytes.
 */
export function unsolicitedNeighborAdvertisement(ip: string | Uint8Array, mac: Uint8Array, options: UnsolicitedNaOptions = {}): Uint8Array {
  const address = typeof ip === 'string' ? ipToBytes(ip) : ip;
  if (address.length !== 16) throw new TypeError(`a neighbour advertisement needs an IPv6 address, not ${typeof ip === 'string' ? JSON.stringify(ip) : `${address.length} bytes`}`);
  return encodeNeighborAdvertisementFrame({
    ethernet: { destination: ALL_NODES_MAC, source: mac, type: ETH_P.IPV6 },
    source: address,
    destination: ALL_NODES_ADDRESS,
    hopLimit: 255,
    advertisement: { router: options.router === true, solicited: false, override: true, target: address, targetMac: mac },
  });
}

/**
 * decodeNeighborAdvertisementFrame reads a frame carrying a neighbour advertisement directly
 * after the IPv6 header, and checks it as a receiver would (RFC 4861 §7.1.2): hop limit 255,
 * code 0, a verifying checksum, options of non-zero length. It throws a FrameError otherwise.
 */
export function decodeNeighborAdvertisementFrame(frame: Uint8Array): NeighborAdvertisementFrame {
  const op = 'decode neighbour advertisement';
  const ethernet = decodeEthernetHeader(frame);
  if (ethernet.type !== ETH_P.IPV6) throw new FrameError('ERR_FRAME_TYPE', op, `EtherType 0x${ethernet.type.toString(16).padStart(4, '0')} is not IPv6`);
  if (frame.length < ETH_HLEN + IPV6_HLEN) throw new FrameError('ERR_FRAME_TRUNCATED', op, `${frame.length} bytes, no room for the IPv6 header`);
  const ip = frame.subarray(ETH_HLEN, ETH_HLEN + IPV6_HLEN);
  if ((ip[0] as number) >> 4 !== 6) throw new FrameError('ERR_FRAME_TYPE', op, `IP version ${(ip[0] as number) >> 4}`);
  if (ip[6] !== IPPROTO_ICMPV6) throw new FrameError('ERR_FRAME_TYPE', op, `next header ${ip[6]} is not ICMPv6`);
  const payloadLength = ((ip[4] as number) << 8) | (ip[5] as number);
  if (frame.length < ETH_HLEN + IPV6_HLEN + payloadLength) throw new FrameError('ERR_FRAME_TRUNCATED', op, `payload length ${payloadLength} runs past the frame`);
  const icmp = frame.subarray(ETH_HLEN + IPV6_HLEN, ETH_HLEN + IPV6_HLEN + payloadLength);
  if (icmp.length < 4 || icmp[0] !== ND_NEIGHBOR_ADVERT) throw new FrameError('ERR_FRAME_TYPE', op, `ICMPv6 type ${icmp[0] ?? 'missing'} is not a neighbour advertisement`);
  if (icmp.length < NA_LEN) throw new FrameError('ERR_FRAME_TRUNCATED', op, `ICMPv6 length ${icmp.length}, need ${NA_LEN}`);
  const source = ip.slice(8, 24);
  const destination = ip.slice(24, 40);
  if (ip[7] !== 255) throw new FrameError('ERR_NDP_FORMAT', op, `hop limit ${ip[7]}, must be 255`);
  if (icmp[1] !== 0) throw new FrameError('ERR_NDP_FORMAT', op, `ICMPv6 code ${icmp[1]}, must be 0`);
  if (icmpv6Checksum(source, destination, icmp) !== 0) throw new FrameError('ERR_NDP_CHECKSUM', op, 'the ICMPv6 checksum does not verify');
  let targetMac: Uint8Array | null = null;
  for (let at = NA_LEN; at < icmp.length; ) {
    const length = (icmp[at + 1] ?? 0) * 8;
    if (length === 0 || at + length > icmp.length) throw new FrameError('ERR_NDP_FORMAT', op, `bad option length at byte ${at}`);
    if (icmp[at] === ND_OPT_TARGET_LINKADDR && length === 8) targetMac = icmp.slice(at + 2, at + 2 + ETH_ALEN);
    at += length;
  }
  const flags = icmp[4] as number;
  return {
    ethernet,
    source,
    destination,
    hopLimit: ip[7],
    advertisement: {
      router: (flags & ND_NA_FLAG.ROUTER) !== 0,
      solicited: (flags & ND_NA_FLAG.SOLICITED) !== 0,
      override: (flags & ND_NA_FLAG.OVERRIDE) !== 0,
      target: icmp.slice(8, 24),
      targetMac,
    },
  };
}
