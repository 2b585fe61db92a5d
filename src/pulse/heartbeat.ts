/**
 * The heartbeat wire codec: piranha's 4-byte heartbeat, optionally followed by lvs-director's
 * trailer. Pure: bytes in, values out; it never logs and decoding never throws.
 *
 * piranha 0.8.6 (piranha.md §2.3) sends one `unsigned int` magic in host byte order and
 * reads only the first 4 bytes of what it receives, so an original pulse understands a
 * datagram that carries our trailer after the magic. The trailer (all integers big-endian):
 *
 * | offset | bytes | field |
 * |---|---|---|
 * | 0 | 4 | magic, host byte order (piranha's heartbeat) |
 * | 4 | 4 | marker `LVDH` (0x4c 0x56 0x44 0x48) |
 * | 8 | 1 | trailer version: 1 |
 * | 9 | 1 | flags: bit 0 = an HMAC follows; other bits must be 0 |
 * | 10 | 1 | state: 1 active, 2 inactive, 3 failed, 4 stopping |
 * | 11 | 1 | role: 1 master, 2 backup |
 * | 12 | 8 | sequence number (see replay.ts) |
 * | 20 | 4 | keepalive, milliseconds |
 * | 24 | 4 | deadtime, milliseconds |
 * | 28 | 16 | digest of the sender's effective lvs.cf (see digest.ts) |
 * | 44 | 32 | HMAC-SHA256 of bytes 0..43 with the shared key (only with flag bit 0) |
 *
 * A later version changes the version byte; a version-1 reader reports it as a trailer
 * problem and, without a key, still accepts the magic.
 *
 * With a key (`heartbeat_key_file`), every datagram without a valid trailer and HMAC is
 * refused, the bare 4-byte heartbeat included: an original piranha pulse cannot be the
 * partner of a director that has a key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { endianness } from 'node:os';

/** Magic names the heartbeat values of piranha 0.8.6 (piranha.md §2.3). */
export type Magic = 'lvs-running' | 'lvs-stopped' | 'fos-running' | 'fos-stopped' | 'stopme' | 'hold' | 'held';

/** MAGIC_VALUES maps each Magic to the uint32 piranha writes in host byte order. */
export const MAGIC_VALUES: Readonly<Record<Magic, number>> = Object.freeze({
  'lvs-running': 0xbdaddbda,
  'lvs-stopped': 0xadbddabd,
  'fos-running': 0xbeefbabe,
  'fos-stopped': 0xdeadbeef,
  stopme: 0xdeaddada,
  hold: 0xdeafbabe,
  held: 0xdeafdada,
});

/**
 * HOST_BYTE_ORDER is the byte order magics are written and read in. piranha wrote a native
 * `unsigned int` and compared it natively, so it only understands a peer of its own byte
 * order; we do the same (x86 and the usual ARM builds are little-endian, giving `da db ad bd`
 * for "running"). A magic in the other byte order is refused as an unknown magic.
 */
export const HOST_BYTE_ORDER: 'LE' | 'BE' = endianness();

/** PeerState is a director's heartbeat state; `failed` (CHILDFAIL or LINKFAIL) will not activate. */
export type PeerState = 'active' | 'inactive' | 'failed' | 'stopping';

/** HeartbeatTrailer is the decoded lvs-director trailer of a heartbeat. */
export interface HeartbeatTrailer {
  readonly version: 1;
  readonly state: PeerState;
  readonly role: 'master' | 'backup';
  readonly seq: bigint;
  /** digest is the 16-byte truncated SHA-256 of the sender's effective configuration. */
  readonly digest: Uint8Array;
  readonly keepaliveMs: number;
  readonly deadtimeMs: number;
  /** authenticated is true when the HMAC was verified with our key. */
  readonly authenticated: boolean;
}

/** OutgoingHeartbeat is what a director sends: the magic, and for lvs-director peers a trailer. */
export interface OutgoingHeartbeat {
  readonly magic: Magic;
  readonly trailer?: Omit<HeartbeatTrailer, 'version' | 'authenticated'>;
}

/** DecodedHeartbeat is a heartbeat the receiver accepts, or why it refuses the datagram. */
export type DecodedHeartbeat =
  | { ok: true; magic: Magic; trailer: HeartbeatTrailer | null; trailerProblem: string | null }
  | { ok: false; reason: 'short' | 'unknown-magic' | 'bad-trailer' | 'unauthenticated' | 'bad-mac'; detail: string };

/** HeartbeatEncodeError is an outgoing heartbeat that cannot be encoded; `field` names the culprit. */
export class HeartbeatEncodeError extends Error {
  readonly code = 'ERR_HEARTBEAT_VALUE';
  readonly op = 'encode heartbeat';

  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`encode heartbeat: ${field} ${detail}`);
    this.name = 'HeartbeatEncodeError';
  }
}

const MAGIC_BYTES = 4;
const MARKER = [0x4c, 0x56, 0x44, 0x48] as const;
const VERSION = 1;
const FLAG_MAC = 0x01;
const DIGEST_BYTES = 16;
const MAC_BYTES = 32;
/** SIGNED_BYTES is a version-1 heartbeat up to, not including, the HMAC. */
const SIGNED_BYTES = 44;
const UINT32_MAX = 0xffffffff;
const UINT64_MAX = (1n << 64n) - 1n;

const STATES: readonly PeerState[] = ['active', 'inactive', 'failed', 'stopping'];
const ROLES = ['master', 'backup'] as const;
const MAGIC_BY_VALUE = new Map<number, Magic>(Object.entries(MAGIC_VALUES).map(([name, value]) => [value, name as Magic]));

/**
 * encodeHeartbeat builds the datagram for a heartbeat: 4 bytes for an original peer, or with a
 * trailer 44 bytes, 76 with the HMAC of `key`. A key without a trailer is refused, since a
 * keyed peer refuses heartbeats it cannot authenticate. It throws HeartbeatEncodeError for
 * values outside the wire format.
 */
export function encodeHeartbeat(h: OutgoingHeartbeat, key?: Uint8Array | null): Buffer {
  const value = Object.hasOwn(MAGIC_VALUES, h.magic) ? MAGIC_VALUES[h.magic] : undefined;
  if (value === undefined) throw new HeartbeatEncodeError('magic', `${JSON.stringify(h.magic)} is not a heartbeat magic`);
  const t = h.trailer;
  const keyed = key !== undefined && key !== null;
  if (t === undefined) {
    if (keyed) throw new HeartbeatEncodeError('trailer', 'is needed to authenticate a heartbeat with a key');
    return writeMagic(Buffer.alloc(MAGIC_BYTES), value);
  }
  const state = STATES.indexOf(t.state);
  const role = ROLES.indexOf(t.role);
  if (state < 0) throw new HeartbeatEncodeError('state', `${JSON.stringify(t.state)} is not a peer state`);
  if (role < 0) throw new HeartbeatEncodeError('role', `${JSON.stringify(t.role)} is neither master nor backup`);
  if (typeof t.seq !== 'bigint' || t.seq < 0n || t.seq > UINT64_MAX) throw new HeartbeatEncodeError('seq', `${String(t.seq)} is not an unsigned 64-bit number`);
  for (const field of ['keepaliveMs', 'deadtimeMs'] as const)
    if (!Number.isInteger(t[field]) || t[field] < 0 || t[field] > UINT32_MAX)
      throw new HeartbeatEncodeError(field, `${t[field]} is not a whole number of milliseconds in 0..${UINT32_MAX}`);
  if (!(t.digest instanceof Uint8Array) || t.digest.length !== DIGEST_BYTES)
    throw new HeartbeatEncodeError('digest', `must be ${DIGEST_BYTES} bytes`);

  const out = Buffer.alloc(SIGNED_BYTES + (keyed ? MAC_BYTES : 0));
  writeMagic(out, value);
  out.set(MARKER, 4);
  out[8] = VERSION;
  out[9] = keyed ? FLAG_MAC : 0;
  out[10] = state + 1;
  out[11] = role + 1;
  out.writeBigUInt64BE(t.seq, 12);
  out.writeUInt32BE(t.keepaliveMs, 20);
  out.writeUInt32BE(t.deadtimeMs, 24);
  out.set(t.digest, 28);
  if (keyed) out.set(mac(key, out.subarray(0, SIGNED_BYTES)), SIGNED_BYTES);
  return out;
}

/**
 * decodeHeartbeat reads a received datagram the way piranha does (at least 4 bytes, a known
 * magic, anything after it ignored unless it is our trailer) and checks the trailer. Without
 * a key a malformed trailer is reported in `trailerProblem` and the magic still accepted; with
 * a key anything but a well-formed trailer with a valid HMAC is refused. It never throws.
 * Whether the sender's address is the partner's is the caller's check (see peer.ts).
 */
export function decodeHeartbeat(bytes: Uint8Array, key?: Uint8Array | null): DecodedHeartbeat {
  if (bytes.length < MAGIC_BYTES) return refuse('short', `${bytes.length} byte${bytes.length === 1 ? '' : 's'}; a heartbeat has at least 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const value = HOST_BYTE_ORDER === 'LE' ? view.getUint32(0, true) : view.getUint32(0, false);
  const magic = MAGIC_BY_VALUE.get(value);
  if (magic === undefined) return refuse('unknown-magic', unknownMagicDetail(value));
  const keyed = key !== undefined && key !== null;

  if (!hasMarker(bytes)) {
    if (!keyed) return { ok: true, magic, trailer: null, trailerProblem: null };
    return refuse(
      'unauthenticated',
      bytes.length === MAGIC_BYTES
        ? 'a bare 4-byte heartbeat (an original piranha pulse?) cannot be authenticated'
        : `${bytes.length} bytes without an lvs-director trailer`,
    );
  }
  // Without a key a broken trailer only costs the trailer; with one it costs the datagram.
  const malformed = (problem: string): DecodedHeartbeat =>
    keyed ? refuse('bad-trailer', problem) : { ok: true, magic, trailer: null, trailerProblem: problem };
  const problem = layoutProblem(bytes);
  if (problem !== null) return malformed(problem);
  const signed = ((bytes[9] as number) & FLAG_MAC) !== 0;
  if (keyed) {
    if (!signed) return refuse('unauthenticated', 'the trailer carries no HMAC (the sender has no heartbeat key)');
    const expected = mac(key, bytes.subarray(0, SIGNED_BYTES));
    if (!timingSafeEqual(expected, bytes.subarray(SIGNED_BYTES, SIGNED_BYTES + MAC_BYTES)))
      return refuse('bad-mac', 'the HMAC does not match: a different key, or a forged or damaged datagram');
  }
  const state = STATES[(bytes[10] as number) - 1];
  const role = ROLES[(bytes[11] as number) - 1];
  if (state === undefined) return malformed(`unknown state ${bytes[10]}`);
  if (role === undefined) return malformed(`unknown role ${bytes[11]}`);
  const trailer: HeartbeatTrailer = {
    version: 1,
    state,
    role,
    seq: view.getBigUint64(12, false),
    digest: new Uint8Array(bytes.subarray(28, 28 + DIGEST_BYTES)),
    keepaliveMs: view.getUint32(20, false),
    deadtimeMs: view.getUint32(24, false),
    authenticated: keyed,
  };
  return { ok: true, magic, trailer, trailerProblem: null };
}

function writeMagic(out: Buffer, value: number): Buffer {
  if (HOST_BYTE_ORDER === 'LE') out.writeUInt32LE(value, 0);
  else out.writeUInt32BE(value, 0);
  return out;
}

function mac(key: Uint8Array, signed: Uint8Array): Buffer {
  return createHmac('sha256', key).update(signed).digest();
}

function refuse(reason: 'short' | 'unknown-magic' | 'bad-trailer' | 'unauthenticated' | 'bad-mac', detail: string): DecodedHeartbeat {
  return { ok: false, reason, detail };
}

function hasMarker(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC_BYTES + MARKER.length && MARKER.every((b, i) => bytes[MAGIC_BYTES + i] === b);
}

/** layoutProblem checks the version, flags and length of a trailer whose marker is present. */
function layoutProblem(bytes: Uint8Array): string | null {
  if (bytes.length < 10) return `the trailer ends after ${bytes.length - MAGIC_BYTES} bytes`;
  const version = bytes[8] as number;
  if (version !== VERSION) return `trailer version ${version} is not supported (this is version ${VERSION})`;
  const flags = bytes[9] as number;
  if ((flags & ~FLAG_MAC) !== 0) return `unknown trailer flags 0x${flags.toString(16).padStart(2, '0')}`;
  const expected = SIGNED_BYTES + ((flags & FLAG_MAC) !== 0 ? MAC_BYTES : 0);
  if (bytes.length !== expected) return `a version-1 heartbeat ${(flags & FLAG_MAC) !== 0 ? 'with' : 'without'} an HMAC is ${expected} bytes, not ${bytes.length}`;
  return null;
}

function unknownMagicDetail(value: number): string {
  const hex = `0x${value.toString(16).padStart(8, '0')}`;
  const swapped = ((value & 0xff) << 24 | (value & 0xff00) << 8 | (value >>> 8) & 0xff00 | value >>> 24) >>> 0;
  const other = MAGIC_BY_VALUE.get(swapped);
  return other === undefined
    ? `magic ${hex} is not a heartbeat`
    : `magic ${hex} is ${other} in the other byte order: piranha's heartbeat only works between directors of the same byte order`;
}
