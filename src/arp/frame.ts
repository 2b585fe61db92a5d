/**
 * Ethernet headers and ARP frames, without I/O: gratuitous ARP in both forms and the decoder
 * used by tests and tools.
 *
 * - Reply form (op 2), as piranha's send_arp and `arping -A` send: sender = target = the
 *   address, sender and target hardware address = the announcer's MAC.
 * - Request form (op 1), as keepalived and `arping -U` send: sender = target = the address,
 *   target hardware address ff:ff:ff:ff:ff:ff.
 *
 * Both are 60-byte frames: 14 bytes of Ethernet header, 28 of ARP, 18 of zero padding.
 */
import { ipToBytes } from '../net/address.js';
import { ARPHRD_ETHER, ARPOP, ETH_ALEN, ETH_HLEN, ETH_P, ETH_ZLEN } from './constants.js';
import { FrameError } from './errors.js';
import { BROADCAST_MAC, checkMac } from './mac.js';

/** ARP_LEN is the length of an Ethernet/IPv4 ARP packet. */
export const ARP_LEN = 28;

/** EthernetHeader is the 14-byte header of a frame. */
export interface EthernetHeader {
  readonly destination: Uint8Array;
  readonly source: Uint8Array;
  /** type is the EtherType (0x0806 for ARP). */
  readonly type: number;
}

/** ArpPacket is an Ethernet/IPv4 ARP packet; addresses are raw bytes (6 and 4). */
export interface ArpPacket {
  /** op is ARPOP.REQUEST (1) or ARPOP.REPLY (2). */
  readonly op: number;
  readonly senderMac: Uint8Array;
  readonly senderIp: Uint8Array;
  readonly targetMac: Uint8Array;
  readonly targetIp: Uint8Array;
}

/** ArpFrame is an ARP packet with its Ethernet header. */
export interface ArpFrame {
  readonly ethernet: EthernetHeader;
  readonly arp: ArpPacket;
}

/** GratuitousArpForm names the two forms of gratuitous ARP. */
export type GratuitousArpForm = 'reply' | 'request';

/** encodeEthernetHeader writes a header into the first 14 bytes of `out`. */
export function encodeEthernetHeader(header: EthernetHeader, out: Uint8Array): void {
  checkMac(header.destination, 'destination MAC');
  checkMac(header.source, 'source MAC');
  if (out.length < ETH_HLEN) throw new RangeError('no room for an Ethernet header');
  out.set(header.destination, 0);
  out.set(header.source, ETH_ALEN);
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint16(12, header.type);
}

/** decodeEthernetHeader reads the first 14 bytes of a frame; it throws a FrameError when they are missing. */
export function decodeEthernetHeader(frame: Uint8Array): EthernetHeader {
  if (frame.length < ETH_HLEN) throw new FrameError('ERR_FRAME_TRUNCATED', 'decode Ethernet header', `${frame.length} bytes, need ${ETH_HLEN}`);
  return {
    destination: frame.slice(0, ETH_ALEN),
    source: frame.slice(ETH_ALEN, 2 * ETH_ALEN),
    type: (frame[12] as number) * 256 + (frame[13] as number),
  };
}

/** encodeArpFrame returns the frame as 60 bytes (zero-padded to the Ethernet minimum). */
export function encodeArpFrame(frame: ArpFrame): Uint8Array {
  const { arp } = frame;
  checkMac(arp.senderMac, 'sender MAC');
  checkMac(arp.targetMac, 'target MAC');
  if (arp.senderIp.length !== 4 || arp.targetIp.length !== 4) throw new TypeError('ARP protocol addresses must be 4 bytes (IPv4)');
  if (!Number.isInteger(arp.op) || arp.op < 0 || arp.op > 0xffff) throw new TypeError(`ARP op must be a 16-bit integer: ${arp.op}`);
  const out = new Uint8Array(ETH_ZLEN);
  encodeEthernetHeader(frame.ethernet, out);
  const view = new DataView(out.buffer);
  view.setUint16(ETH_HLEN, ARPHRD_ETHER);
  view.setUint16(ETH_HLEN + 2, ETH_P.IP);
  out[ETH_HLEN + 4] = ETH_ALEN;
  out[ETH_HLEN + 5] = 4;
  view.setUint16(ETH_HLEN + 6, arp.op);
  out.set(arp.senderMac, ETH_HLEN + 8);
  out.set(arp.senderIp, ETH_HLEN + 14);
  out.set(arp.targetMac, ETH_HLEN + 18);
  out.set(arp.targetIp, ETH_HLEN + 24);
  return out;
}

/**
 * decodeArpFrame reads an Ethernet/IPv4 ARP frame (padding is ignored). It throws a FrameError
 * when the frame is short, is not ARP, or is ARP for other hardware or protocol types.
 */
export function decodeArpFrame(frame: Uint8Array): ArpFrame {
  const op = 'decode ARP frame';
  const ethernet = decodeEthernetHeader(frame);
  if (ethernet.type !== ETH_P.ARP) throw new FrameError('ERR_FRAME_TYPE', op, `EtherType 0x${ethernet.type.toString(16).padStart(4, '0')} is not ARP`);
  if (frame.length < ETH_HLEN + ARP_LEN) throw new FrameError('ERR_FRAME_TRUNCATED', op, `${frame.length} bytes, need ${ETH_HLEN + ARP_LEN}`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const htype = view.getUint16(ETH_HLEN);
  const ptype = view.getUint16(ETH_HLEN + 2);
  const hlen = frame[ETH_HLEN + 4];
  const plen = frame[ETH_HLEN + 5];
  if (htype !== ARPHRD_ETHER || ptype !== ETH_P.IP || hlen !== ETH_ALEN || plen !== 4)
    throw new FrameError('ERR_ARP_FORMAT', op, `not Ethernet/IPv4 ARP (htype ${htype}, ptype 0x${ptype.toString(16)}, hlen ${hlen}, plen ${plen})`);
  const at = (offset: number, length: number): Uint8Array => frame.slice(ETH_HLEN + offset, ETH_HLEN + offset + length);
  return {
    ethernet,
    arp: { op: view.getUint16(ETH_HLEN + 6), senderMac: at(8, 6), senderIp: at(14, 4), targetMac: at(18, 6), targetIp: at(24, 4) },
  };
}

function ipv4Bytes(ip: string | Uint8Array): Uint8Array {
  const bytes = typeof ip === 'string' ? ipToBytes(ip) : ip;
  if (bytes.length !== 4) throw new TypeError(`gratuitous ARP needs an IPv4 address, not ${typeof ip === 'string' ? JSON.stringify(ip) : `${bytes.length} bytes`}`);
  return bytes;
}

/**
 * gratuitousArp returns the 60-byte gratuitous ARP frame that announces `ip` at `mac`, in the
 * reply form (op 2, target MAC = `mac`: byte for byte the frame of piranha's send_arp) or the
 * request form (op 1, target MAC ff:ff:ff:ff:ff:ff). `destination` is the Ethernet destination,
 * broadcast unless given (send_arp's `targ_hw_addr`). It throws a TypeError for an address that
 * is not IPv4 or a MAC that is not six bytes.
 */
export function gratuitousArp(form: GratuitousArpForm, ip: string | Uint8Array, mac: Uint8Array, destination: Uint8Array = BROADCAST_MAC): Uint8Array {
  if (form !== 'reply' && form !== 'request') throw new TypeError(`gratuitous ARP form must be 'reply' or 'request': ${String(form)}`);
  const address = ipv4Bytes(ip);
  return encodeArpFrame({
    ethernet: { destination, source: mac, type: ETH_P.ARP },
    arp: {
      op: form === 'reply' ? ARPOP.REPLY : ARPOP.REQUEST,
      senderMac: mac,
      senderIp: address,
      targetMac: form === 'reply' ? mac : BROADCAST_MAC,
      targetIp: address,
    },
  });
}
