/**
 * The heartbeat key file (lvs.cf extension `heartbeat_key_file`): the secret both directors
 * share to authenticate their heartbeats.
 *
 * Format: the key is the file's bytes with one trailing line ending (`\n` or `\r\n`)
 * removed, so a key written by an editor or by `openssl rand -base64 32 > FILE` reads the
 * same as one written without a newline. Text or binary are both fine; at least
 * {@link MIN_KEY_BYTES} bytes must remain, and the file may hold at most
 * {@link MAX_KEY_BYTES}. Both directors need the same file; keep it mode 0600, owned by root.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

/** MIN_KEY_BYTES is the shortest key accepted: 128 bits. */
export const MIN_KEY_BYTES = 16;
/** MAX_KEY_BYTES is the largest key file read, so a wrong path (a log, a device) is refused rather than slurped. */
export const MAX_KEY_BYTES = 4096;

/** HeartbeatKeyErrorCode lists the stable codes of HeartbeatKeyError. */
export type HeartbeatKeyErrorCode =
  /** The file does not exist. */
  | 'HBKEY_MISSING'
  /** The file exists but cannot be opened or read (permissions, I/O error). */
  | 'HBKEY_UNREADABLE'
  /** The path names a directory, device, FIFO or socket, not a regular file. */
  | 'HBKEY_NOT_A_FILE'
  /** Fewer than MIN_KEY_BYTES bytes remain once the trailing line ending is removed. */
  | 'HBKEY_TOO_SHORT'
  /** The file is larger than MAX_KEY_BYTES. */
  | 'HBKEY_TOO_LONG';

/** HeartbeatKeyError is a key file that cannot be used; `path` names the file and `code` the problem. */
export class HeartbeatKeyError extends Error {
  readonly op = 'read heartbeat key';

  constructor(
    readonly code: HeartbeatKeyErrorCode,
    readonly path: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`heartbeat key file ${path}: ${problem}`, options);
    this.name = 'HeartbeatKeyError';
  }
}

/** decodeHeartbeatKey turns a key file's bytes into the key, applying the format rules above. */
export function decodeHeartbeatKey(bytes: Uint8Array, path: string): Uint8Array {
  if (bytes.length > MAX_KEY_BYTES)
    throw new HeartbeatKeyError('HBKEY_TOO_LONG', path, `${bytes.length} bytes is more than a key file holds (at most ${MAX_KEY_BYTES})`);
  let end = bytes.length;
  if (bytes[end - 1] === 0x0a) end -= bytes[end - 2] === 0x0d ? 2 : 1;
  if (end < MIN_KEY_BYTES)
    throw new HeartbeatKeyError('HBKEY_TOO_SHORT', path, `the key is ${end} bytes long; at least ${MIN_KEY_BYTES} are needed (e.g. openssl rand -base64 32 > ${path})`);
  return new Uint8Array(bytes.subarray(0, end));
}

/** readHeartbeatKey reads and decodes a key file; it rejects with a HeartbeatKeyError. */
export async function readHeartbeatKey(path: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (e) {
    throw openFailure(path, e);
  }
  try {
    checkStats(await handle.stat(), path);
    const bytes = await handle.readFile();
    return decodeHeartbeatKey(bytes, path);
  } catch (e) {
    throw e instanceof HeartbeatKeyError ? e : openFailure(path, e);
  } finally {
    await handle.close();
  }
}

/**
 * HeartbeatKeyFileStatus is what `--check` learns about a key file: usable, and whether
 * group or other have any access to it; or the error that makes it unusable.
 */
export type HeartbeatKeyFileStatus =
  | { readonly ok: true; readonly mode: number; readonly exposed: boolean }
  | { readonly ok: false; readonly error: HeartbeatKeyError };

/** inspectHeartbeatKeyFile reads a key file synchronously, for the configuration check; it never throws. */
export function inspectHeartbeatKeyFile(path: string): HeartbeatKeyFileStatus {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    return { ok: false, error: openFailure(path, e) };
  }
  try {
    const stats = fstatSync(fd);
    checkStats(stats, path);
    const buffer = Buffer.alloc(MAX_KEY_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length === buffer.length) break;
    }
    decodeHeartbeatKey(buffer.subarray(0, length), path);
    const mode = stats.mode & 0o7777;
    return { ok: true, mode, exposed: (mode & 0o077) !== 0 };
  } catch (e) {
    return { ok: false, error: e instanceof HeartbeatKeyError ? e : openFailure(path, e) };
  } finally {
    closeSync(fd);
  }
}

// O_NONBLOCK keeps open() from hanging on a FIFO; it changes nothing for a regular file.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

function checkStats(stats: Stats, path: string): void {
  if (!stats.isFile()) throw new HeartbeatKeyError('HBKEY_NOT_A_FILE', path, 'not a regular file');
  if (stats.size > MAX_KEY_BYTES)
    throw new HeartbeatKeyError('HBKEY_TOO_LONG', path, `${stats.size} bytes is more than a key file holds (at most ${MAX_KEY_BYTES})`);
}

function openFailure(path: string, e: unknown): HeartbeatKeyError {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return new HeartbeatKeyError('HBKEY_MISSING', path, 'no such file', { cause: e });
  if (err.code === 'EISDIR') return new HeartbeatKeyError('HBKEY_NOT_A_FILE', path, 'not a regular file', { cause: e });
  const why = err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied' : `${err.code ?? 'error'}: ${err.message}`;
  return new HeartbeatKeyError('HBKEY_UNREADABLE', path, `cannot be read (${why})`, { cause: e });
}
