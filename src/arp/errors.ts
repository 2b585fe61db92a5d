/**
 * FrameError: a frame that cannot be decoded as what the caller asked for. Callers branch on
 * `code`, never on the message text.
 */

/** FrameErrorCode lists the stable codes of FrameError. */
export type FrameErrorCode =
  /** The bytes end before the structure does. */
  | 'ERR_FRAME_TRUNCATED'
  /** The EtherType, IPv6 next header or ICMPv6 type is not the expected one. */
  | 'ERR_FRAME_TYPE'
  /** An ARP header field (hardware/protocol type or length) is not Ethernet/IPv4. */
  | 'ERR_ARP_FORMAT'
  /** A neighbour advertisement breaks RFC 4861 §7.1.2 (hop limit, code, option lengths). */
  | 'ERR_NDP_FORMAT'
  /** The ICMPv6 checksum does not verify. */
  | 'ERR_NDP_CHECKSUM';

/** FrameError is a decoding failure with a stable `code` and the operation (`op`) that failed. */
export class FrameError extends Error {
  constructor(
    readonly code: FrameErrorCode,
    readonly op: string,
    detail: string,
  ) {
    super(`${op}: ${detail}`);
    this.name = 'FrameError';
  }
}
