/**
 * The netlink attribute codec: an encoder that builds (nested) TLVs, and a decoder that walks
 * them like an iterator with a sticky error (the first problem is kept; later reads return
 * defaults; check err() once). Byte order is explicit per call: host order is little-endian
 * on the machines we run on, network order is big-endian.
 */
import { align, NLA_F, NLA_TYPE_MASK } from './constants.js';

const utf8 = new TextEncoder();

/**
 * AttributeEncoder builds a sequence of netlink attributes into one growing buffer; nests are
 * written in place (their header is patched when the nest is closed), so nothing is copied twice.
 */
export class AttributeEncoder {
  private buf = new Uint8Array(128);
  private view = new DataView(this.buf.buffer);
  private length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
    this.view = new DataView(bigger.buffer);
  }

  /**
   * header writes an attribute header and returns the payload offset; the caller fills `size`
   * bytes. It may grow the buffer, so callers must read `this.view` only after calling it.
   */
  private header(type: number, size: number): number {
    const total = 4 + size;
    this.reserve(align(total));
    const at = this.length;
    this.view.setUint16(at, total, true);
    this.view.setUint16(at + 2, type, true);
    const padded = align(total);
    this.buf.fill(0, at + total, at + padded);
    this.length += padded;
    return at + 4;
  }

  /** bytes adds an attribute with a raw payload. */
  bytes(type: number, payload: Uint8Array): this {
    const at = this.header(type, payload.length);
    this.buf.set(payload, at);
    return this;
  }

  /** u8 adds a one-byte attribute. */
  u8(type: number, v: number): this {
    const at = this.header(type, 1);
    this.view.setUint8(at, v & 0xff);
    return this;
  }

  /** u16 adds a host-order (little-endian) 16-bit attribute. */
  u16(type: number, v: number): this {
    const at = this.header(type, 2);
    this.view.setUint16(at, v, true);
    return this;
  }

  /** be16 adds a network-order 16-bit attribute (ports). */
  be16(type: number, v: number): this {
    const at = this.header(type, 2);
    this.view.setUint16(at, v, false);
    return this;
  }

  /** u32 adds a host-order 32-bit attribute. */
  u32(type: number, v: number): this {
    const at = this.header(type, 4);
    this.view.setUint32(at, v >>> 0, true);
    return this;
  }

  /** be32 adds a network-order 32-bit attribute (IPv4 masks). */
  be32(type: number, v: number): this {
    const at = this.header(type, 4);
    this.view.setUint32(at, v >>> 0, false);
    return this;
  }

  /** u64 adds a host-order 64-bit attribute. */
  u64(type: number, v: bigint): this {
    const at = this.header(type, 8);
    this.view.setBigUint64(at, v, true);
    return this;
  }

  /** string adds a NUL-terminated string attribute. */
  string(type: number, s: string): this {
    const encoded = utf8.encode(s);
    const at = this.header(type, encoded.length + 1);
    this.buf.set(encoded, at);
    this.buf[at + encoded.length] = 0;
    return this;
  }

  /** nested adds an attribute whose payload `fill` writes; NLA_F_NESTED is set unless told not to. */
  nested(type: number, fill: (e: AttributeEncoder) => void, flag = true): this {
    this.reserve(4);
    const at = this.length;
    this.length += 4;
    fill(this);
    this.view.setUint16(at, this.length - at, true);
    this.view.setUint16(at + 2, flag ? type | NLA_F.NESTED : type, true);
    return this;
  }

  /** encode returns the attributes as bytes. */
  encode(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** AttributeDecoder walks a sequence of netlink attributes. */
export class AttributeDecoder {
  private readonly view: DataView;
  private offset = 0;
  private current: { type: number; flags: number; start: number; length: number } | null = null;
  private error: Error | null = null;

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  /** next advances to the next attribute; false at the end or after an error. */
  next(): boolean {
    if (this.error !== null) return false;
    if (this.offset + 4 > this.data.length) {
      // Fewer than 4 bytes left can only be alignment padding.
      this.current = null;
      return false;
    }
    const len = this.view.getUint16(this.offset, true);
    const rawType = this.view.getUint16(this.offset + 2, true);
    if (len < 4 || this.offset + len > this.data.length) {
      this.fail(`attribute at offset ${this.offset} has bad length ${len}`);
      return false;
    }
    this.current = { type: rawType & NLA_TYPE_MASK, flags: rawType & ~NLA_TYPE_MASK, start: this.offset + 4, length: len - 4 };
    this.offset += align(len);
    return true;
  }

  /** type is the current attribute's type with the flag bits masked off. */
  type(): number {
    return this.current?.type ?? 0;
  }

  /** bytes returns a copy of the current payload. */
  bytes(): Uint8Array {
    const c = this.current;
    return c === null ? new Uint8Array(0) : this.data.slice(c.start, c.start + c.length);
  }

  private need(n: number, what: string): number {
    const c = this.current;
    if (c === null || c.length < n) {
      this.fail(`attribute ${c?.type ?? '?'} is too short for ${what} (${c?.length ?? 0} bytes)`);
      return -1;
    }
    return c.start;
  }

  /** u8 reads the payload as one byte. */
  u8(): number {
    const at = this.need(1, 'u8');
    return at < 0 ? 0 : this.view.getUint8(at);
  }

  /** u16 reads a host-order 16-bit payload. */
  u16(): number {
    const at = this.need(2, 'u16');
    return at < 0 ? 0 : this.view.getUint16(at, true);
  }

  /** be16 reads a network-order 16-bit payload. */
  be16(): number {
    const at = this.need(2, 'be16');
    return at < 0 ? 0 : this.view.getUint16(at, false);
  }

  /** u32 reads a host-order 32-bit payload. */
  u32(): number {
    const at = this.need(4, 'u32');
    return at < 0 ? 0 : this.view.getUint32(at, true);
  }

  /** be32 reads a network-order 32-bit payload. */
  be32(): number {
    const at = this.need(4, 'be32');
    return at < 0 ? 0 : this.view.getUint32(at, false);
  }

  /** u64 reads a host-order 64-bit payload. */
  u64(): bigint {
    const at = this.need(8, 'u64');
    return at < 0 ? 0n : this.view.getBigUint64(at, true);
  }

  /** string reads a string payload, up to its first NUL. */
  string(): string {
    const b = this.bytes();
    const nul = b.indexOf(0);
    return new TextDecoder().decode(nul < 0 ? b : b.subarray(0, nul));
  }

  /** nested decodes the current payload as attributes with `fn`; its error becomes ours. */
  nested(fn: (d: AttributeDecoder) => void): void {
    const c = this.current;
    if (c === null || this.error !== null) return;
    const inner = new AttributeDecoder(this.data.subarray(c.start, c.start + c.length));
    fn(inner);
    const err = inner.err();
    if (err !== null) this.fail(err.message);
  }

  /** fail records the first error; later reads return zero values. */
  fail(message: string): void {
    this.error ??= new Error(message);
  }

  /** err returns the first error met, or null. */
  err(): Error | null {
    return this.error;
  }
}

/** decodeAttributes runs `fn` over attributes and throws the decoder's error, if any. */
export function decodeAttributes(data: Uint8Array, fn: (d: AttributeDecoder) => void): void {
  const d = new AttributeDecoder(data);
  fn(d);
  const err = d.err();
  if (err !== null) throw err;
}
