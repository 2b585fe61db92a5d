/**
 * Netlink message framing: nlmsghdr encode/decode, splitting a datagram into messages, and
 * the NLMSG_ERROR payload (errno, echoed header, extended-ACK attributes).
 */
import { decodeAttributes } from './attributes.js';
import { align, NLM_F, NLMSG_HDRLEN, NLMSGERR_ATTR } from './constants.js';
import { NetlinkProtocolError } from './errors.js';

/** NetlinkMessage is one netlink message: header fields and payload. */
export interface NetlinkMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  readonly payload: Uint8Array;
}

/** encodeMessage renders a message with its nlmsghdr. */
export function encodeMessage(m: NetlinkMessage): Uint8Array {
  const len = NLMSG_HDRLEN + m.payload.length;
  const out = new Uint8Array(align(len));
  const v = new DataView(out.buffer);
  v.setUint32(0, len, true);
  v.setUint16(4, m.type, true);
  v.setUint16(6, m.flags, true);
  v.setUint32(8, m.seq >>> 0, true);
  v.setUint32(12, m.pid >>> 0, true);
  out.set(m.payload, NLMSG_HDRLEN);
  return out;
}

/** decodeMessages splits one datagram into its messages. It throws NetlinkProtocolError on bad framing. */
export function decodeMessages(datagram: Uint8Array): NetlinkMessage[] {
  const out: NetlinkMessage[] = [];
  const v = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  let off = 0;
  while (off + NLMSG_HDRLEN <= datagram.length) {
    const len = v.getUint32(off, true);
    if (len < NLMSG_HDRLEN || off + len > datagram.length)
      throw new NetlinkProtocolError(`message at offset ${off} has bad length ${len} (datagram ${datagram.length} bytes)`);
    out.push({
      type: v.getUint16(off + 4, true),
      flags: v.getUint16(off + 6, true),
      seq: v.getUint32(off + 8, true),
      pid: v.getUint32(off + 12, true),
      payload: datagram.slice(off + NLMSG_HDRLEN, off + len),
    });
    off += align(len);
  }
  return out;
}

/** ErrorPayload is a decoded struct nlmsgerr. `errno` is positive; 0 is an ACK. */
export interface ErrorPayload {
  readonly errno: number;
  readonly extAck: string | null;
  readonly offset: number | null;
}

/** decodeError reads the payload of an NLMSG_ERROR message (with its flags, for the TLVs). */
export function decodeError(m: NetlinkMessage): ErrorPayload {
  if (m.payload.length < 4) throw new NetlinkProtocolError(`NLMSG_ERROR payload of ${m.payload.length} bytes`);
  const v = new DataView(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength);
  const raw = v.getInt32(0, true);
  const errno = raw === 0 ? 0 : -raw;
  let extAck: string | null = null;
  let offset: number | null = null;
  if ((m.flags & NLM_F.ACK_TLVS) !== 0 && m.payload.length >= 4 + NLMSG_HDRLEN) {
    const echoedLen = v.getUint32(4, true);
    const tlvStart = 4 + ((m.flags & NLM_F.CAPPED) !== 0 ? NLMSG_HDRLEN : align(echoedLen));
    if (tlvStart <= m.payload.length)
      decodeAttributes(m.payload.subarray(tlvStart), (d) => {
        while (d.next()) {
          if (d.type() === NLMSGERR_ATTR.MSG) extAck = d.string();
          else if (d.type() === NLMSGERR_ATTR.OFFS) offset = d.u32();
        }
      });
  }
  return { errno, extAck, offset };
}

/** encodeError builds an NLMSG_ERROR payload (for fakes): errno (positive; 0 = ACK) and the echoed request header. */
export function encodeError(errno: number, request: NetlinkMessage, extAck?: string): { payload: Uint8Array; flags: number } {
  const header = encodeMessage({ ...request, payload: new Uint8Array(0) }).subarray(0, NLMSG_HDRLEN);
  const text = extAck === undefined ? null : new TextEncoder().encode(`${extAck}\0`);
  const tlv = text === null ? new Uint8Array(0) : new Uint8Array(align(4 + text.length));
  if (text !== null) {
    const tv = new DataView(tlv.buffer);
    tv.setUint16(0, 4 + text.length, true);
    tv.setUint16(2, NLMSGERR_ATTR.MSG, true);
    tlv.set(text, 4);
  }
  const payload = new Uint8Array(4 + NLMSG_HDRLEN + tlv.length);
  new DataView(payload.buffer).setInt32(0, -errno, true);
  payload.set(header, 4);
  payload.set(tlv, 4 + NLMSG_HDRLEN);
  return { payload, flags: NLM_F.CAPPED | (text === null ? 0 : NLM_F.ACK_TLVS) };
}
