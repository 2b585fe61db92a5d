/**
 * checkSpecFromOptions: nanny's start-up rules (§4.1, §4.3 defaults, §4.4 escapes, §4.5 argv),
 * the HTTP check's settings, and send_program's word splitting. Pure: no I/O.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckSpecError, errnoText } from '../../../src/check/errors.js';
import { formatStatusRanges, httpCheckSpec, parseStatusRanges, statusAccepted } from '../../../src/check/http-spec.js';
import { buildArgv, splitCommand, substituteArgs } from '../../../src/check/program-argv.js';
import { checkSpecFromOptions, HTTP_EXPECT, HTTP_SEND, PREFIX_LIMIT, type NannyCheckOptions, type SocketCheckSpec } from '../../../src/check/spec.js';

const text = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('latin1'));
const socket = (o: Partial<NannyCheckOptions>): { spec: SocketCheckSpec; notices: readonly string[] } => {
  const r = checkSpecFromOptions({ server: '10.0.0.1', ...o });
  assert.equal(r.spec.kind, 'socket');
  return { spec: r.spec, notices: r.notices };
};
const refused = (o: Partial<NannyCheckOptions>, code: string, message?: RegExp): void => {
  assert.throws(
    () => checkSpecFromOptions({ server: '10.0.0.1', ...o }),
    (e: unknown) => e instanceof CheckSpecError && e.code === code && (message === undefined || message.test(e.message)),
  );
};

describe('checkSpecFromOptions: the §4.3 table', () => {
  it('no send, no expect, virtual port 80: the HTTP default, logged as nanny did', () => {
    const { spec, notices } = socket({ port: 80 });
    assert.equal(text(spec.send), HTTP_SEND);
    assert.deepEqual(spec.expect.kind === 'prefix' && text(spec.expect.bytes), HTTP_EXPECT);
    assert.deepEqual(notices, ['nanny: no monitor configured, assuming web service on port 80']);
  });

  it('the HTTP default follows the virtual port, not the real one', () => {
    assert.equal(text(socket({ port: 80, rport: 8080 }).spec.send), HTTP_SEND);
    assert.equal(socket({ port: 80, rport: 8080 }).spec.port, 8080);
    assert.equal(socket({ port: 8080, rport: 80 }).spec.send, null);
  });

  it('port defaults to 80 and rport to port', () => {
    assert.equal(socket({}).spec.port, 80);
    assert.equal(socket({ port: 25 }).spec.port, 25);
  });

  it('no send, no expect, another port: connect only', () => {
    const { spec, notices } = socket({ port: 22 });
    assert.equal(spec.send, null);
    assert.deepEqual(spec.expect, { kind: 'none' });
    assert.deepEqual(notices, []);
  });

  it('send only: connect and write, read nothing', () => {
    const { spec } = socket({ port: 22, sendString: 'QUIT\\r\\n' });
    assert.equal(text(spec.send), 'QUIT\r\n');
    assert.deepEqual(spec.expect, { kind: 'none' });
  });

  it('expect only: a banner check', () => {
    const { spec } = socket({ port: 25, expectString: '220' });
    assert.equal(spec.send, null);
    assert.equal(spec.expect.kind === 'prefix' && text(spec.expect.bytes), '220');
  });

  it('send and expect: write then read', () => {
    const { spec } = socket({ port: 110, sendString: 'CAPA\\r\\n', expectString: '+OK' });
    assert.equal(text(spec.send), 'CAPA\r\n');
    assert.equal(spec.expect.kind, 'prefix');
  });

  it('send_program: no socket, and a send string is dropped with nanny\u2019s message', () => {
    const r = checkSpecFromOptions({ server: '10.0.0.1', port: 80, sendProgram: '/bin/check %h %p', sendString: 'x', expectString: 'OK' });
    assert.equal(r.spec.kind, 'program');
    assert.deepEqual(r.spec.kind === 'program' && r.spec.argv, ['/bin/check', '10.0.0.1', '80']);
    assert.deepEqual(r.notices, ['External program use requested: (/bin/check %h %p), IGNORING send string option (x)']);
  });

  it('send_program alone on port 80 does not trigger the HTTP default', () => {
    const r = checkSpecFromOptions({ server: '10.0.0.1', port: 80, sendProgram: '/bin/true' });
    assert.equal(r.spec.kind, 'program');
    assert.equal(r.spec.kind === 'program' && r.spec.expect, null);
    assert.deepEqual(r.notices, []);
  });

  it('send_program says that --regex does not apply to it', () => {
    const r = checkSpecFromOptions({ server: '10.0.0.1', sendProgram: '/bin/x', expectString: 'a.b', regex: true });
    assert.equal(r.spec.kind === 'program' && text(r.spec.expect), 'a.b');
    assert.match(r.notices.join('\n'), /--regex does not apply to send_program/);
  });
});

describe('checkSpecFromOptions: expect modes', () => {
  it('"*" is any reply', () => {
    assert.deepEqual(socket({ port: 25, expectString: '*' }).spec.expect, { kind: 'any' });
  });

  it('an empty expect string behaves as "*" (nanny read 0 bytes and compared nothing)', () => {
    assert.deepEqual(socket({ port: 25, expectString: '' }).spec.expect, { kind: 'any' });
  });

  it('--regex compiles the (converted) expect string', () => {
    const { spec } = socket({ port: 25, expectString: '^220 .*ESMTP\\\\.', regex: true });
    assert.equal(spec.expect.kind === 'regex' && spec.expect.program.source, '^220 .*ESMTP\\.');
  });

  it('a bad regex is refused with nanny\u2019s message and glibc\u2019s text', () => {
    refused({ port: 25, expectString: '*', regex: true }, 'BAD_REGEX', /^Error 'Invalid preceding regular expression' processing expected regular expression$/);
    refused({ port: 25, expectString: '(a', regex: true }, 'BAD_REGEX', /Unmatched \( or \\\(/);
  });

  it(`a plain expect string longer than ${PREFIX_LIMIT} bytes is compared on its first ${PREFIX_LIMIT}, as nanny did`, () => {
    const { spec, notices } = socket({ port: 25, expectString: 'x'.repeat(300) });
    assert.equal(spec.expect.kind === 'prefix' && spec.expect.bytes.length, PREFIX_LIMIT);
    assert.match(notices[0] ?? '', /300 bytes long: only its first 254 are compared/);
  });

  it('UDP without expect reads any reply instead of crashing as nanny did', () => {
    const { spec, notices } = socket({ port: 53, udp: true, sendString: 'x' });
    assert.equal(spec.protocol, 'udp');
    assert.deepEqual(spec.expect, { kind: 'any' });
    assert.match(notices[0] ?? '', /UDP check without an expect string/);
  });

  it('UDP on virtual port 80 with nothing configured gets the HTTP default, as in nanny', () => {
    const { spec } = socket({ port: 80, udp: true });
    assert.equal(text(spec.send), HTTP_SEND);
  });
});

describe('checkSpecFromOptions: escapes (§4.4)', () => {
  const cases: [string, string][] = [
    ['a\\\\b', 'a\\b'],
    ['a\\rb', 'a\rb'],
    ['a\\nb', 'a\nb'],
    ['a\\tb', 'a\tb'],
    ["a\\'b", "a'b"],
    ['a\\"b', 'a"b'],
  ];
  for (const [raw, converted] of cases)
    it(`converts ${JSON.stringify(raw)} in send and expect`, () => {
      const { spec } = socket({ port: 25, sendString: raw, expectString: raw });
      assert.equal(text(spec.send), converted);
      assert.equal(spec.expect.kind === 'prefix' && text(spec.expect.bytes), converted);
    });

  it('converts in the expect string of send_program too', () => {
    const r = checkSpecFromOptions({ server: '10.0.0.1', sendProgram: '/bin/x \\n', expectString: 'a\\tb' });
    assert.equal(r.spec.kind === 'program' && text(r.spec.expect), 'a\tb');
    assert.deepEqual(r.spec.kind === 'program' && r.spec.argv, ['/bin/x', '\\n']);
  });

  it('--suppress keeps backslashes as written (and then any sequence is fine)', () => {
    const { spec } = socket({ port: 25, sendString: 'a\\nb\\q', expectString: '\\d', suppress: true });
    assert.equal(text(spec.send), 'a\\nb\\q');
    assert.equal(spec.expect.kind === 'prefix' && text(spec.expect.bytes), '\\d');
  });

  it('refuses an unknown escape or a trailing backslash (nanny looped forever: §7.2 item 2)', () => {
    refused({ port: 25, expectString: 'a\\.b' }, 'BAD_ESCAPE', /unknown escape '\\\.' at offset 1 of --expect_string/);
    refused({ port: 25, sendString: 'abc\\' }, 'BAD_ESCAPE', /unknown escape '\\' at offset 3 of --send_string/);
  });

  it('leaves a one-character string alone, as convert_str did', () => {
    assert.equal(socket({ port: 25, expectString: '\\' }).spec.expect.kind === 'prefix', true);
  });
});

describe('checkSpecFromOptions: refusals', () => {
  it('refuses what is not an address, with nanny\u2019s message', () => {
    refused({ server: 'web1' }, 'BAD_ADDRESS', /^nanny: bad IP address -- web1$/);
  });

  it('reads addresses as inet_aton does, and IPv6 as an extension', () => {
    assert.equal(socket({ server: '10.1' }).spec.host, '10.0.0.1');
    assert.equal(socket({ server: '2001:DB8::0:1' }).spec.host, '2001:db8::1');
  });

  it('refuses ports out of range and a zero timeout (nanny divided by it)', () => {
    refused({ rport: 0 }, 'BAD_PORT');
    refused({ port: 70000 }, 'BAD_PORT');
    refused({ interval: 0 }, 'BAD_TIMEOUT');
    refused({ interval: Number.NaN }, 'BAD_TIMEOUT');
    refused({ interval: 2_200_000 }, 'BAD_TIMEOUT', /at most 2147483647 ms/);
  });

  it('refuses NUL characters, which no C string holds', () => {
    refused({ expectString: 'a\0b' }, 'BAD_STRING');
  });

  it('refuses a send_program with no words (nanny ran execvp(NULL))', () => {
    refused({ sendProgram: '   ' }, 'EMPTY_PROGRAM');
  });

  it('turns --interval into the deadline, or takes timeoutMs', () => {
    assert.equal(socket({}).spec.timeoutMs, 10_000);
    assert.equal(socket({ interval: 6 }).spec.timeoutMs, 6000);
    assert.equal(socket({ interval: 0.25 }).spec.timeoutMs, 250);
    assert.equal(socket({ interval: 6, timeoutMs: 1500 }).spec.timeoutMs, 1500);
  });
});

describe('send_program words (§4.5)', () => {
  it('splits on single spaces, runs of spaces count once, tabs do not split', () => {
    assert.deepEqual(splitCommand('  /bin/check   -x\targ  %h '), ['/bin/check', '-x\targ', '%h']);
  });

  it('substitutes %h and %p only as whole words', () => {
    assert.deepEqual(substituteArgs(['/c', '%h', '%p', '--host=%h', 'date', '+%h', '%p%p'], '10.0.0.5', 8080), ['/c', '10.0.0.5', '8080', '--host=%h', 'date', '+%h', '%p%p']);
  });

  it('has no quoting: quotes are ordinary characters', () => {
    assert.deepEqual(buildArgv('/c "a b"', '1.2.3.4', 1), ['/c', '"a', 'b"']);
  });
});

describe('httpCheckSpec', () => {
  it('fills defaults: port 80 or 443, path /, Host from the address, status 200-399, verification on', () => {
    const s = httpCheckSpec({ server: '10.0.0.1', timeoutMs: 1000 });
    assert.deepEqual([s.port, s.path, s.hostHeader, s.servername, s.verifyTls, formatStatusRanges(s.status)], [80, '/', '10.0.0.1', null, true, '200-399']);
    const t = httpCheckSpec({ server: '10.0.0.1', tls: true, port: 8443, timeoutMs: 1000 });
    assert.deepEqual([t.port, t.hostHeader], [8443, '10.0.0.1:8443']);
    assert.equal(httpCheckSpec({ server: '::1', tls: true, timeoutMs: 1 }).hostHeader, '[::1]');
  });

  it('takes SNI from a Host header that is a name', () => {
    const s = httpCheckSpec({ server: '10.0.0.1', tls: true, hostHeader: 'www.example.com:8443', timeoutMs: 1000 });
    assert.equal(s.servername, 'www.example.com');
  });

  it('refuses bad paths, Host headers, SNI addresses, status ranges and regexes', () => {
    const bad = (o: object, code: string): void =>
      assert.throws(() => httpCheckSpec({ server: '10.0.0.1', timeoutMs: 1000, ...o }), (e: unknown) => e instanceof CheckSpecError && e.code === code);
    bad({ path: 'health' }, 'BAD_HTTP');
    bad({ path: '/a b' }, 'BAD_HTTP');
    bad({ hostHeader: 'a\r\nX: y' }, 'BAD_HTTP');
    bad({ servername: '10.0.0.1' }, 'BAD_HTTP');
    bad({ status: '2xx' }, 'BAD_HTTP');
    bad({ status: '399-200' }, 'BAD_HTTP');
    bad({ bodyRegex: '(' }, 'BAD_REGEX');
    bad({ server: 'host' }, 'BAD_ADDRESS');
    bad({ port: 0 }, 'BAD_PORT');
    bad({ timeoutMs: 0 }, 'BAD_TIMEOUT');
  });

  it('reads and applies status ranges', () => {
    const r = parseStatusRanges('200-299, 301,302');
    assert.deepEqual(r, [{ min: 200, max: 299 }, { min: 301, max: 301 }, { min: 302, max: 302 }]);
    assert.deepEqual([200, 250, 301, 303, 404].map((s) => statusAccepted(s, r)), [true, true, true, false, false]);
  });
});

describe('errnoText', () => {
  it('speaks glibc\u2019s strerror() for what nanny logged', () => {
    assert.deepEqual(errnoText('ECONNREFUSED'), { errno: 111, text: 'Connection refused' });
    assert.deepEqual(errnoText('ECONNRESET'), { errno: 104, text: 'Connection reset by peer' });
  });
});
