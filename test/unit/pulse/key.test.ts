import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  decodeHeartbeatKey,
  HeartbeatKeyError,
  inspectHeartbeatKeyFile,
  MAX_KEY_BYTES,
  readHeartbeatKey,
  type HeartbeatKeyErrorCode,
} from '../../../src/pulse/key.js';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const SIXTEEN = '0123456789abcdef';

/** isKeyError makes a predicate that asserts an error is a HeartbeatKeyError of the given code naming `path`. */
function isKeyError(code: HeartbeatKeyErrorCode, path: string): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof HeartbeatKeyError, `expected a HeartbeatKeyError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.path, path);
    assert.ok(e.message.startsWith(`heartbeat key file ${path}: `), e.message);
    return true;
  };
}

describe('decodeHeartbeatKey', () => {
  it('takes the bytes as they are when there is no line ending', () => {
    assert.deepEqual(decodeHeartbeatKey(bytes(SIXTEEN), 'k'), bytes(SIXTEEN));
  });

  it('drops one trailing LF or CRLF, and only one', () => {
    assert.deepEqual(decodeHeartbeatKey(bytes(`${SIXTEEN}\n`), 'k'), bytes(SIXTEEN));
    assert.deepEqual(decodeHeartbeatKey(bytes(`${SIXTEEN}\r\n`), 'k'), bytes(SIXTEEN));
    assert.deepEqual(decodeHeartbeatKey(bytes(`${SIXTEEN}\n\n`), 'k'), bytes(`${SIXTEEN}\n`));
    assert.deepEqual(decodeHeartbeatKey(bytes(`${SIXTEEN} \r`), 'k'), bytes(`${SIXTEEN} \r`));
  });

  it('keeps binary keys byte for byte', () => {
    const raw = new Uint8Array(32).map((_, i) => (i * 37 + 0x0d) & 0xff);
    assert.deepEqual(decodeHeartbeatKey(raw, 'k'), raw);
  });

  it('returns a copy, not a view of the file buffer', () => {
    const raw = bytes(`${SIXTEEN}\n`);
    const key = decodeHeartbeatKey(raw, 'k');
    raw[0] = 0x58;
    assert.equal(key[0], 0x30);
  });

  it('refuses fewer than 16 bytes once the line ending is gone', () => {
    assert.throws(() => decodeHeartbeatKey(bytes(`${SIXTEEN.slice(1)}\n`), '/etc/k'), isKeyError('HBKEY_TOO_SHORT', '/etc/k'));
    assert.throws(() => decodeHeartbeatKey(new Uint8Array(0), '/etc/k'), isKeyError('HBKEY_TOO_SHORT', '/etc/k'));
  });

  it(`refuses more than ${MAX_KEY_BYTES} bytes`, () => {
    assert.throws(() => decodeHeartbeatKey(new Uint8Array(MAX_KEY_BYTES + 1), '/etc/k'), isKeyError('HBKEY_TOO_LONG', '/etc/k'));
    assert.equal(decodeHeartbeatKey(new Uint8Array(MAX_KEY_BYTES).fill(7), '/etc/k').length, MAX_KEY_BYTES);
  });
});

describe('readHeartbeatKey and inspectHeartbeatKeyFile on real files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvs-hbkey-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string | Uint8Array, mode = 0o600): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    chmodSync(path, mode);
    return path;
  };

  it('reads a key written with a trailing newline', async () => {
    const path = file('good', `${SIXTEEN}XYZ\n`);
    assert.deepEqual(await readHeartbeatKey(path), bytes(`${SIXTEEN}XYZ`));
    assert.deepEqual(inspectHeartbeatKeyFile(path), { ok: true, mode: 0o600, exposed: false });
  });

  it('marks any group or other permission as exposed', () => {
    for (const mode of [0o640, 0o604, 0o620, 0o601]) {
      const path = file(`mode-${mode.toString(8)}`, SIXTEEN, mode);
      assert.deepEqual(inspectHeartbeatKeyFile(path), { ok: true, mode, exposed: true });
    }
  });

  it('names a missing file', async () => {
    const path = join(dir, 'nope');
    await assert.rejects(readHeartbeatKey(path), isKeyError('HBKEY_MISSING', path));
    const status = inspectHeartbeatKeyFile(path);
    assert.ok(!status.ok && isKeyError('HBKEY_MISSING', path)(status.error));
  });

  it('refuses a directory', async () => {
    await assert.rejects(readHeartbeatKey(dir), isKeyError('HBKEY_NOT_A_FILE', dir));
    const status = inspectHeartbeatKeyFile(dir);
    assert.ok(!status.ok && status.error.code === 'HBKEY_NOT_A_FILE');
  });

  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    const path = join(dir, 'fifo');
    execFileSync('mkfifo', [path]);
    await assert.rejects(readHeartbeatKey(path), isKeyError('HBKEY_NOT_A_FILE', path));
    const status = inspectHeartbeatKeyFile(path);
    assert.ok(!status.ok && status.error.code === 'HBKEY_NOT_A_FILE');
  });

  it('refuses a file that is too large without reading it all', async () => {
    const path = file('big', new Uint8Array(MAX_KEY_BYTES + 1));
    await assert.rejects(readHeartbeatKey(path), isKeyError('HBKEY_TOO_LONG', path));
    const status = inspectHeartbeatKeyFile(path);
    assert.ok(!status.ok && status.error.code === 'HBKEY_TOO_LONG');
  });

  it('refuses a key that is too short, with the same code from both readers', async () => {
    const path = file('short', 'abc\n');
    await assert.rejects(readHeartbeatKey(path), isKeyError('HBKEY_TOO_SHORT', path));
    const status = inspectHeartbeatKeyFile(path);
    assert.ok(!status.ok && status.error.code === 'HBKEY_TOO_SHORT');
  });
});
