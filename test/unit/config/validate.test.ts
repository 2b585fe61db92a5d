import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateConfig, type KeyFileStatus, type ProgramStatus } from '../../../src/config/validate.js';
import { parse, readSample, SAMPLES } from '../../helpers/config.js';

const HEAD = `primary = 192.0.2.1
backup_active = 1
backup = 192.0.2.2
`;

function web(name: string, body: string, servers = '     server a {\n         address = 10.0.0.1\n         active = 1\n     }\n'): string {
  return `virtual ${name} {\n     active = 1\n${body}${servers}}\n`;
}

/** findings validates a file and returns "severity CODE line" strings. */
function findings(text: string, programStatus?: (p: string) => ProgramStatus): string[] {
  const r = parse(text);
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
    'the test input must parse',
  );
  const env = programStatus === undefined ? {} : { programStatus };
  return validateConfig(r.config, r.sources, env).map((d) => `${d.severity} ${d.code} ${d.line}`);
}

describe('validateConfig', () => {
  for (const sample of SAMPLES)
    it(`finds no error in ${sample}`, () => {
      assert.deepEqual(
        findings(readSample(sample)).filter((f) => f.startsWith('error')),
        [],
      );
    });

  it('accepts a minimal valid configuration without findings', () => {
    assert.deepEqual(findings(HEAD + web('w', '     address = 192.0.2.10 eth0:1\n')), []);
  });

  it('errors on two active services with the same protocol, VIP and port', () => {
    const text = HEAD + web('a', '     address = 192.0.2.10 eth0:1\n') + web('b', '     address = 192.0.2.10 eth0:1\n');
    assert.deepEqual(findings(text), ['error DUPLICATE_SERVICE 12']);
  });

  it('does not confuse services that differ by protocol or port', () => {
    const text =
      HEAD +
      web('a', '     address = 192.0.2.10 eth0:1\n') +
      web('b', '     address = 192.0.2.10 eth0:1\n     port = 443\n') +
      web('c', '     address = 192.0.2.10 eth0:1\n     protocol = udp\n     expect = "*"\n');
    assert.deepEqual(findings(text), []);
  });

  it('errors on two active services with the same fwmark', () => {
    const text =
      HEAD +
      web('a', '     address = 192.0.2.10 eth0:1\n     fwmark = 5\n     persistent = 60\n') +
      web('b', '     address = 192.0.2.11 eth0:2\n     fwmark = 5\n     persistent = 60\n');
    assert.ok(findings(text).includes('error DUPLICATE_SERVICE 17'));
  });

  it('reports a duplicate virtual name as a warning', () => {
    const text = HEAD + web('a', '     address = 192.0.2.10 eth0:1\n') + web('a', '     address = 192.0.2.11 eth0:2\n');
    assert.deepEqual(findings(text), ['warning DUPLICATE_NAME 12']);
  });

  it('warns, not errors, when a duplicate service is inactive', () => {
    const text = HEAD + web('a', '     address = 192.0.2.10 eth0:1\n') + web('b', '     address = 192.0.2.10 eth0:1\n').replace('active = 1', 'active = 0');
    assert.ok(!findings(text).some((f) => f.includes('DUPLICATE_SERVICE')));
  });

  it('errors when one alias device carries two different VIPs', () => {
    const text = HEAD + web('a', '     address = 192.0.2.10 eth0:1\n') + web('b', '     address = 192.0.2.11 eth0:1\n');
    assert.deepEqual(findings(text), ['error ALIAS_CONFLICT 14']);
  });

  it('counts the NAT router against alias devices', () => {
    const text = `${HEAD}network = nat\nnat_router = 10.0.0.254 eth0:1\n${web('a', '     address = 192.0.2.10 eth0:1\n')}`;
    assert.deepEqual(findings(text), ['error ALIAS_CONFLICT 8']);
  });

  it('warns when an address device is a real interface, not an alias', () => {
    assert.deepEqual(findings(HEAD + web('a', '     address = 192.0.2.10 eth0\n')), ['warning NOT_AN_ALIAS 6']);
  });

  it('errors on a device name that cannot be an interface', () => {
    assert.deepEqual(findings(HEAD + web('a', '     address = 192.0.2.10 averyverylongname:1\n')), ['error BAD_DEVICE 6']);
  });

  it('errors on duplicate real servers when both are active', () => {
    const servers =
      '     server a {\n         address = 10.0.0.1\n         active = 1\n     }\n' +
      '     server b {\n         address = 10.0.0.1\n         active = 1\n     }\n';
    assert.deepEqual(findings(HEAD + web('w', '     address = 192.0.2.10 eth0:1\n', servers)), ['error DUPLICATE_SERVER 12']);
  });

  it('treats the same address on another port as a different real server', () => {
    const servers =
      '     server a {\n         address = 10.0.0.1\n         active = 1\n     }\n' +
      '     server b {\n         address = 10.0.0.1\n         active = 1\n         port = 8080\n     }\n';
    assert.deepEqual(findings(HEAD + web('w', '     address = 192.0.2.10 eth0:1\n', servers)), []);
  });

  it('warns about pmask without persistent and fwmark without persistence', () => {
    assert.deepEqual(findings(HEAD + web('w', '     address = 192.0.2.10 eth0:1\n     pmask = 255.255.255.0\n')), ['warning PMASK_WITHOUT_PERSISTENT 7']);
    assert.deepEqual(findings(HEAD + web('w', '     address = 192.0.2.10 eth0:1\n     fwmark = 3\n')), ['warning FWMARK_WITHOUT_PERSISTENCE 7']);
  });

  it('errors on a non-contiguous mask with the piranha text', () => {
    const text = HEAD + web('w', '     address = 192.0.2.10 eth0:1\n     vip_nmask = 255.0.255.0\n');
    const r = parse(text);
    const found = validateConfig(r.config, r.sources);
    assert.equal(found.length, 1);
    assert.equal(found[0]?.message, 'Bad subnet mask specified');
    assert.equal(found[0]?.line, 7);
  });

  it('errors on ports outside 1..65535', () => {
    assert.deepEqual(findings(HEAD + web('w', '     address = 192.0.2.10 eth0:1\n     port = 70000\n')), ['error PORT_RANGE 7']);
    assert.deepEqual(findings(`heartbeat_port = 0\n${HEAD}${web('w', '     address = 192.0.2.10 eth0:1\n')}`), ['error PORT_RANGE 1']);
    const server = '     server a {\n         address = 10.0.0.1\n         active = 1\n         port = 0\n     }\n';
    assert.deepEqual(findings(HEAD + web('w', '     address = 192.0.2.10 eth0:1\n', server)), ['error PORT_RANGE 10']);
  });

  it('warns about an active backup whose address is undefined, with the pulse text', () => {
    const r = parse(`primary = 192.0.2.1\nbackup_active = 1\n${web('w', '     address = 192.0.2.10 eth0:1\n')}`);
    const found = validateConfig(r.config, r.sources);
    assert.deepEqual(
      found.map((d) => [d.severity, d.message, d.line]),
      [['warning', 'Undefined backup node marked as active? -- clearing that!', 2]],
    );
  });

  it('errors on a UDP service without expect (it crashed the original nanny)', () => {
    assert.deepEqual(findings(HEAD + web('w', '     address = 192.0.2.10 eth0:1\n     protocol = udp\n')), ['error UDP_WITHOUT_EXPECT 7']);
  });

  it('checks send_program: not executable is an error, missing a warning', () => {
    const text = HEAD + web('w', '     address = 192.0.2.10 eth0:1\n     send_program = "/opt/check %h"\n     expect = "OK"\n');
    assert.deepEqual(findings(text, () => 'not-executable'), ['error PROGRAM_NOT_EXECUTABLE 7']);
    assert.deepEqual(findings(text, () => 'missing'), ['warning PROGRAM_MISSING 7']);
    assert.deepEqual(findings(text, () => 'executable'), []);
    assert.deepEqual(findings(text), []);
  });

  it('checks a client_monitor other than nanny as a program, and leaves nanny alone', () => {
    const text = HEAD + web('w', '     address = 192.0.2.10 eth0:1\n     client_monitor = /opt/monitor\n');
    assert.deepEqual(findings(text, () => 'not-executable'), ['error PROGRAM_NOT_EXECUTABLE 7']);
    assert.deepEqual(findings(text, () => 'missing'), ['warning PROGRAM_MISSING 7']);
    assert.deepEqual(findings(text, () => 'executable'), []);
    assert.deepEqual(findings(text.replace('/opt/monitor', '/usr/sbin/nanny'), () => 'missing'), []);
  });

  it('asks about the program path only, not its arguments', () => {
    const asked: string[] = [];
    findings(HEAD + web('w', '     address = 192.0.2.10 eth0:1\n     send_program = "/opt/check %h %p"\n     expect = "OK"\n'), (p) => {
      asked.push(p);
      return 'executable';
    });
    assert.deepEqual(asked, ['/opt/check']);
  });

  it('errors when there is no active virtual service', () => {
    assert.deepEqual(findings(`${HEAD}${web('w', '     address = 192.0.2.10 eth0:1\n').replace('active = 1', 'active = 0')}`), [
      'error NO_ACTIVE_SERVICES 0',
    ]);
  });

  it('errors when primary is missing', () => {
    assert.deepEqual(findings(web('w', '     address = 192.0.2.10 eth0:1\n')), ['error PRIMARY_MISSING 1']);
  });

  it('errors on timers that cannot work and warns on a deadtime not above keepalive', () => {
    const base = web('w', '     address = 192.0.2.10 eth0:1\n');
    assert.deepEqual(findings(`${HEAD}keepalive = 0\n${base}`), ['error KEEPALIVE_RANGE 4']);
    assert.deepEqual(findings(`${HEAD}keepalive = 5\ndeadtime = 5\n${base}`), ['warning DEADTIME_SHORT 5']);
    assert.deepEqual(findings(`${HEAD}keepalive = 0.2\ndeadtime = 1\n${base}`), []);
  });

  it('errors on a check timeout of 0 (the original divided by it)', () => {
    assert.deepEqual(findings(HEAD + web('w', '     address = 192.0.2.10 eth0:1\n     timeout = 0\n')), ['error CHECK_TIMEOUT_RANGE 7']);
  });

  it('errors on an expect regex that does not compile', () => {
    assert.deepEqual(findings(HEAD + web('w', '     address = 192.0.2.10 eth0:1\n     use_regex = 1\n     expect = "HTTP/1\\\\.[01"\n')), ['error BAD_REGEX 8']);
  });

  it('warns that backup_private is ignored without primary_private', () => {
    assert.deepEqual(findings(`${HEAD}backup_private = 10.0.0.2\n${web('w', '     address = 192.0.2.10 eth0:1\n')}`), ['warning BACKUP_PRIVATE_IGNORED 4']);
  });

  it('errors when a VIP is one of the directors own addresses', () => {
    assert.deepEqual(findings(HEAD + web('w', '     address = 192.0.2.1 eth0:1\n')), ['error VIP_IS_ROUTER 6']);
  });

  it('warns on an active service without active real servers unless a sorry server is set', () => {
    const none = '     server a {\n         address = 10.0.0.1\n     }\n';
    assert.deepEqual(findings(HEAD + web('w', '     address = 192.0.2.10 eth0:1\n', none)), ['warning NO_ACTIVE_SERVERS 4']);
    assert.deepEqual(findings(HEAD + web('w', '     address = 192.0.2.10 eth0:1\n     sorry_server = 10.0.0.9\n', none)), []);
  });

  it('errors when an active virtual service has no address', () => {
    assert.deepEqual(findings(HEAD + web('w', '')), ['error ADDRESS_MISSING 4']);
  });
});

describe('validateConfig: heartbeat_key_file', () => {
  const service = web('w', '     address = 192.0.2.10 eth0:1\n');
  const withKey = (head: string, path = '/etc/sysconfig/ha/heartbeat.key'): string => `${head}heartbeat_key_file = ${path}\n${service}`;

  /** keyFindings validates with a fake key-file reader that reports `status` for every path it is asked about. */
  function keyFindings(text: string, status: KeyFileStatus): { findings: string[]; asked: string[] } {
    const r = parse(text);
    const asked: string[] = [];
    const env = { keyFileStatus: (p: string): KeyFileStatus => (asked.push(p), status) };
    return { findings: validateConfig(r.config, r.sources, env).map((d) => `${d.severity} ${d.code} ${d.line} ${d.message}`), asked };
  }

  it('accepts a readable key file of mode 0600', () => {
    const r = keyFindings(withKey(HEAD), { ok: true, mode: 0o600, exposed: false });
    assert.deepEqual(r, { findings: [], asked: ['/etc/sysconfig/ha/heartbeat.key'] });
  });

  it('warns when group or other may access the key file, with its mode', () => {
    assert.deepEqual(keyFindings(withKey(HEAD), { ok: true, mode: 0o644, exposed: true }).findings, [
      'warning KEY_FILE_EXPOSED 4 heartbeat key file /etc/sysconfig/ha/heartbeat.key is accessible by group or other (mode 0644)',
    ]);
  });

  it('reports an unusable key file as an error carrying the reader\'s code and problem', () => {
    const status: KeyFileStatus = { ok: false, error: { code: 'HBKEY_TOO_SHORT', problem: 'the key is 3 bytes long; at least 16 are needed' } };
    assert.deepEqual(keyFindings(withKey(HEAD), status).findings, [
      'error HBKEY_TOO_SHORT 4 heartbeat key file /etc/sysconfig/ha/heartbeat.key: the key is 3 bytes long; at least 16 are needed',
    ]);
  });

  it('refuses a relative path without reading it', () => {
    const r = keyFindings(withKey(HEAD, 'heartbeat.key'), { ok: true, mode: 0o600, exposed: false });
    assert.deepEqual(r.findings, ['error KEY_FILE_RELATIVE 4 heartbeat_key_file heartbeat.key is not an absolute path']);
    assert.deepEqual(r.asked, []);
  });

  it('warns that the key does nothing without an active backup', () => {
    const head = HEAD.replace('backup_active = 1', 'backup_active = 0');
    assert.deepEqual(keyFindings(withKey(head), { ok: true, mode: 0o600, exposed: false }).findings, [
      "warning KEY_FILE_UNUSED 4 'heartbeat_key_file' has no effect without an active backup (no heartbeats are sent)",
    ]);
  });

  it('does not look at the file system when the environment has no key-file reader', () => {
    assert.deepEqual(findings(withKey(HEAD)), []);
  });
});
