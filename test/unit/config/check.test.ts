import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { checkText, decodeConfig, readFailure } from '../../../src/config/check.js';
import { inspectHeartbeatKeyFile } from '../../../src/pulse/key.js';
import { resolveHosts } from '../../../src/config/resolve.js';
import { parseServices } from '../../../src/config/services.js';
import { parse, readSample, SERVICES } from '../../helpers/config.js';

const BASE = `primary = 192.0.2.1
backup = 192.0.2.2
backup_active = 1
virtual web {
     active = 1
     address = 192.0.2.10 eth0:1
     server a {
         address = 10.0.0.1
         active = 1
     }
}
`;

describe('checkText', () => {
  it('passes a valid file and returns its model', async () => {
    const r = await checkText(BASE, {}, { services: SERVICES });
    assert.equal(r.ok, true);
    assert.equal(r.errors, 0);
    assert.equal(r.config?.virtuals[0]?.servers[0]?.address?.ip, '10.0.0.1');
  });

  it('accepts extensions silently unless --strict-piranha', async () => {
    const text = BASE.replace('backup_active = 1', 'backup_active = 1\nkeepalive = 0.5\ndeadtime = 2.5').replace(
      'active = 1\n     address',
      'active = 1\n     scheduler = mh\n     address',
    );
    const normal = await checkText(text);
    assert.deepEqual(normal.diagnostics, []);
    const strict = await checkText(text, { strictPiranha: true });
    assert.deepEqual(
      strict.diagnostics.map((d) => [d.severity, d.line, d.message]),
      [
        ['error', 4, 'integer expected'],
        ['error', 5, 'integer expected'],
        ['error', 8, 'invalid argument'],
      ],
    );
    assert.match(strict.diagnostics[0]?.hint ?? '', /^--strict-piranha: fractional seconds is an lvs-director extension/);
  });

  it('rejects IPv6 addresses only under --strict-piranha', async () => {
    const text = BASE.replace('192.0.2.10 eth0:1', '2001:db8::10 eth0:1').replace('10.0.0.1', '2001:db8::1');
    assert.equal((await checkText(text)).ok, true);
    const strict = await checkText(text, { strictPiranha: true });
    assert.deepEqual(
      strict.diagnostics.map((d) => [d.line, d.message]),
      [
        [6, 'invalid argument'],
        [8, 'invalid argument'],
      ],
    );
  });

  it('parses CRLF files, and flags them only under --strict-piranha', async () => {
    const crlf = BASE.replace(/\n/g, '\r\n');
    const normal = await checkText(crlf);
    assert.equal(normal.ok, true);
    assert.deepEqual(normal.config, (await checkText(BASE)).config);
    const strict = await checkText(crlf, { strictPiranha: true });
    assert.deepEqual(
      strict.diagnostics.map((d) => d.code),
      ['CRLF'],
    );
  });

  it('shows what piranha mis-reads only under --strict-piranha', async () => {
    const text = BASE.replace('active = 1\n     address', 'active = 1\n     expect = "OK" \n     address');
    assert.equal((await checkText(text)).diagnostics.length, 0);
    const strict = await checkText(text, { strictPiranha: true });
    assert.deepEqual(
      strict.diagnostics.map((d) => [d.severity, d.line, d.message]),
      [['error', 6, 'quotation mismatch']],
    );
  });

  it('resolves host names through the injected lookup and reports failures', async () => {
    const text = BASE.replace('primary = 192.0.2.1', 'primary = director-a').replace('10.0.0.1', 'web-1');
    const asked: string[] = [];
    const lookup = (name: string): Promise<string | null> => {
      asked.push(name);
      return Promise.resolve(name === 'director-a' ? '192.0.2.1' : null);
    };
    const r = await checkText(text, {}, { lookup });
    assert.deepEqual(asked.sort(), ['director-a', 'web-1']);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.severity, d.line, d.message, d.hint]),
      [['error', 8, 'invalid argument', "cannot resolve host name 'web-1'"]],
    );
  });

  it('does not validate a file with syntax errors', async () => {
    const r = await checkText('primary = 0.0.0.0\n');
    assert.deepEqual(
      r.diagnostics.map((d) => d.message),
      ['invalid host name or ip address'],
    );
    assert.equal(r.config, null);
  });

  it('reports an empty file with piranha text', async () => {
    const r = await checkText('');
    assert.deepEqual(
      r.diagnostics.map((d) => [d.line, d.message]),
      [[0, 'Empty configuration']],
    );
  });
});

describe('resolveHosts', () => {
  it('looks each distinct name up once and keeps literals untouched', async () => {
    const r = parse(readSample('sample-single-director.cf').replace('203.0.113.31', 'mx').replace('203.0.113.32', 'mx'));
    let calls = 0;
    const out = await resolveHosts(r.config, r.sources, () => {
      calls++;
      return Promise.resolve('203.0.113.99');
    });
    assert.equal(calls, 1);
    assert.deepEqual(
      out.config.virtuals[0]?.servers.map((s) => s.address),
      [
        { text: 'mx', ip: '203.0.113.99', family: 4 },
        { text: 'mx', ip: '203.0.113.99', family: 4 },
      ],
    );
    assert.deepEqual(out.config.global.primary, { text: '203.0.113.5', ip: '203.0.113.5', family: 4 });
  });
});

describe('readFailure', () => {
  it('says "failed to open" for a missing file and uses the piranha I/O text otherwise', () => {
    const missing = readFailure('/x/lvs.cf', Object.assign(new Error('nope'), { code: 'ENOENT' }));
    assert.equal(missing.message, 'failed to open /x/lvs.cf');
    const dir = readFailure('/x', Object.assign(new Error('EISDIR: illegal operation on a directory'), { code: 'EISDIR' }));
    assert.equal(dir.message, 'I/O error while reading configuration');
  });
});

describe('decodeConfig', () => {
  it('reads UTF-8 when valid and Latin-1 byte for byte otherwise', () => {
    assert.equal(decodeConfig(Buffer.from('virtual café {', 'utf8')), 'virtual café {');
    const latin = Buffer.from([0x61, 0xe9, 0x62]);
    assert.equal(Buffer.from(decodeConfig(latin), 'latin1').equals(latin), true);
  });
});

describe('parseServices', () => {
  it('reads tcp names and aliases, ignoring udp-only entries and comments', () => {
    const table = parseServices('http\t80/tcp\twww # web\nhttp\t80/udp\nsyslog\t514/udp\n# x\nhttps 443/tcp\n');
    assert.deepEqual([...table], [
      ['http', 80],
      ['www', 80],
      ['https', 443],
    ]);
  });
});

describe('checkText: heartbeat_key_file against real files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvs-key-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const keyFile = (name: string, content: string, mode: number): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    chmodSync(path, mode);
    return path;
  };
  const deps = { keyFileStatus: inspectHeartbeatKeyFile };
  const withKey = (path: string): string => BASE.replace('backup_active = 1', `backup_active = 1\nheartbeat_key_file = ${path}`);
  const brief = (r: Awaited<ReturnType<typeof checkText>>): string[][] => r.diagnostics.map((d) => [d.severity, d.code, d.message]);

  it('accepts a good key silently, and --strict-piranha refuses the keyword as piranha would', async () => {
    const path = keyFile('good.key', 'c2VjcmV0LXNoYXJlZC1ieS1ib3RoLWRpcmVjdG9ycw==\n', 0o600);
    assert.deepEqual(brief(await checkText(withKey(path), {}, deps)), []);
    const strict = await checkText(withKey(path), { strictPiranha: true }, deps);
    assert.deepEqual(brief(strict), [['error', 'EXTENSION', 'unknown command']]);
    assert.equal(strict.diagnostics[0]?.line, 4);
    assert.match(strict.diagnostics[0]?.hint ?? '', /^--strict-piranha: heartbeat_key_file is an lvs-director extension/);
  });

  it('reports a missing file', async () => {
    const path = join(dir, 'absent.key');
    assert.deepEqual(brief(await checkText(withKey(path), {}, deps)), [['error', 'HBKEY_MISSING', `heartbeat key file ${path}: no such file`]]);
  });

  it('reports a key shorter than 16 bytes (the trailing newline does not count)', async () => {
    const path = keyFile('short.key', '0123456789abcde\n', 0o600);
    const r = await checkText(withKey(path), {}, deps);
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['HBKEY_TOO_SHORT']);
    assert.match(r.diagnostics[0]?.message ?? '', /the key is 15 bytes long; at least 16 are needed/);
    assert.equal(r.ok, false);
  });

  it('reports a directory as not a regular file', async () => {
    assert.deepEqual((await checkText(withKey(dir), {}, deps)).diagnostics.map((d) => d.code), ['HBKEY_NOT_A_FILE']);
  });

  it('warns, without failing, when the key file is readable by group or other', async () => {
    const path = keyFile('open.key', '0123456789abcdef0123', 0o640);
    const r = await checkText(withKey(path), {}, deps);
    assert.equal(r.ok, true);
    assert.deepEqual(brief(r), [['warning', 'KEY_FILE_EXPOSED', `heartbeat key file ${path} is accessible by group or other (mode 0640)`]]);
  });
});
