/**
 * parseConfig, error by error: every text of piranha's error table (piranha.md §1.1) that a
 * file's text can cause, at the right line and column; all errors of a file at once; recovery
 * after an error; and line endings (LF, CRLF, CR, no final newline).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sortDiagnostics, type Diagnostic } from '../../../src/config/diagnostic.js';
import type { ParseResult } from '../../../src/config/parser.js';
import { errors as errorsOf, parse, readSample, SAMPLES } from '../../helpers/config.js';

/** Found is what these tests assert about a diagnostic. */
interface Found {
  severity: string;
  message: string;
  line: number;
  col: number;
}

const found = (d: Diagnostic): Found => ({ severity: d.severity, message: d.message, line: d.line, col: d.col });

/** diagnosticsOf parses text and returns its diagnostics in file order, briefly. */
const diagnosticsOf = (text: string): Found[] => sortDiagnostics(parse(text).diagnostics).map(found);

/** error is the expected brief of an error diagnostic. */
const error = (message: string, line: number, col: number): Found => ({ severity: 'error', message, line, col });

/** onlyDiagnostic parses text, asserts it yields exactly one diagnostic and returns it. */
function onlyDiagnostic(text: string): Diagnostic {
  const list = parse(text).diagnostics;
  assert.equal(list.length, 1, `one diagnostic expected, got ${JSON.stringify(list)}`);
  return list[0] as Diagnostic;
}

/** ErrorCase is one input line in a block, and the error it must give. */
interface ErrorCase {
  readonly name: string;
  readonly text: string;
  readonly line: number;
  readonly col: number;
  readonly hint?: string;
}

/** checkCases generates one test per case, each asserting exactly one error with `message`. */
function checkCases(message: string, cases: readonly ErrorCase[]): void {
  for (const c of cases)
    it(`${c.name} (line ${c.line}, col ${c.col})`, () => {
      const d = onlyDiagnostic(c.text);
      assert.deepEqual(found(d), error(message, c.line, c.col));
      if (c.hint !== undefined) assert.equal(d.hint, c.hint);
    });
}

const GLOBAL_HEAD = '# lvs.cf\nserial_no = 1\n';

describe('Empty configuration', () => {
  it('an empty text is "Empty configuration" on line 0', () => {
    const d = onlyDiagnostic('');
    assert.deepEqual(found(d), error('Empty configuration', 0, 0));
    assert.equal(d.code, 'EMPTY');
    assert.equal(d.piranha, 1);
  });

  it('the empty text still gives the default model', () => {
    const r = parse('');
    assert.deepEqual(r.config.virtuals, []);
    assert.equal(r.config.global.keepalive, 2);
  });

  for (const text of ['\n', '   \n', '# only a comment\n', '\r\n'])
    it(`a non-empty file without statements (${JSON.stringify(text)}) is fine`, () => {
      assert.deepEqual(parse(text).diagnostics, []);
    });
});

describe('quotation mismatch', () => {
  checkCases('quotation mismatch', [
    { name: 'an unterminated double quote', text: 'virtual v {\nsend = "GET /\n}\n', line: 2, col: 8, hint: 'no closing " on this line' },
    { name: 'an unterminated single quote', text: "rsh_command = 'ssh -q\n", line: 1, col: 15, hint: "no closing ' on this line" },
    { name: 'text glued to a closing quote', text: `${GLOBAL_HEAD}rsh_command = "ssh -q"x\n`, line: 3, col: 23 },
  ]);

  it('the block stays open after a mismatch inside it', () => {
    const r = parse('virtual v {\nsend = "GET /\nport = 81\n}\nkeepalive = 4\n');
    assert.deepEqual(r.diagnostics.map(found), [error('quotation mismatch', 2, 8)]);
    assert.equal(r.config.virtuals[0]?.port, 81);
    assert.equal(r.config.virtuals[0]?.send, null);
    assert.equal(r.config.global.keepalive, 4);
  });
});

describe('unexpected end of file', () => {
  it('an unclosed block at EOF is a warning (UNCLOSED_BLOCK), as piranha tolerated it', () => {
    const r = parse('primary = 192.0.2.1\nvirtual web {\nport = 81\n');
    assert.deepEqual(
      r.diagnostics.map((d) => [d.severity, d.code, d.message, d.line, d.col, d.piranha]),
      [['warning', 'UNCLOSED_BLOCK', 'unexpected end of file', 3, 1, 4]],
    );
    assert.equal(r.diagnostics[0]?.hint, "virtual web opened at line 2 is never closed with '}' (piranha accepts this; add the '}')");
    assert.equal(r.config.virtuals[0]?.port, 81);
  });

  it('reports each unclosed block, innermost first, on the last line', () => {
    const r = parse('virtual web {\nserver a {\naddress = 10.0.0.1\n\n# end\n');
    assert.deepEqual(
      r.diagnostics.map((d) => [d.severity, d.code, d.line, d.hint]),
      [
        ['warning', 'UNCLOSED_BLOCK', 5, "server a opened at line 2 is never closed with '}' (piranha accepts this; add the '}')"],
        ['warning', 'UNCLOSED_BLOCK', 5, "virtual web opened at line 1 is never closed with '}' (piranha accepts this; add the '}')"],
      ],
    );
    assert.equal(r.config.virtuals[0]?.servers[0]?.address?.ip, '10.0.0.1');
  });

  it('a closed file has no end-of-file warning', () => {
    assert.deepEqual(parse('virtual web {\nserver a {\n}\n}\n').diagnostics, []);
  });
});

describe('unexpected arguments', () => {
  const NO_COMMENTS = 'piranha has no comments after a value: put the comment on a line of its own';
  checkCases('unexpected arguments', [
    { name: 'a second value', text: 'primary = 192.0.2.1 192.0.2.2\n', line: 1, col: 21, hint: 'quote a value that contains blanks' },
    { name: "an inline '# comment' after a value", text: 'primary = 192.0.2.1 # the primary\n', line: 1, col: 21, hint: NO_COMMENTS },
    { name: "an inline '#comment' glued to its #", text: `${GLOBAL_HEAD}keepalive = 6 #seconds\n`, line: 3, col: 15, hint: NO_COMMENTS },
    { name: 'an unquoted send_program with arguments', text: 'virtual v {\n  send_program = /bin/check %h\n}\n', line: 2, col: 29 },
    { name: "'} x' closing a virtual block", text: 'virtual v {\n} x\n', line: 2, col: 3, hint: "a closing '}' must be alone on its line" },
    { name: "'}  junk' closing a server block", text: 'virtual v {\nserver s {\n}  junk\n}\n', line: 3, col: 4 },
    {
      name: "'virtual a b {' (unquoted name with a blank)",
      text: 'virtual a b {\n}\n',
      line: 1,
      col: 13,
      hint: "a block header is 'virtual NAME {'; quote a NAME that contains blanks",
    },
    { name: "'server a b {' inside a virtual block", text: 'virtual v {\n  server a b {\n  }\n}\n', line: 2, col: 14 },
    { name: "'failover a b {'", text: 'failover a b {\n}\n', line: 1, col: 14 },
  ]);

  it("'virtual a b {' still opens the block, so its lines are read in it", () => {
    const r = parse('virtual a b {\nport = 81\n}\nkeepalive = 4\n');
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.config.virtuals[0]?.name, 'a');
    assert.equal(r.config.virtuals[0]?.port, 81);
    assert.equal(r.config.global.keepalive, 4);
  });

  it("'} x' still closes the block", () => {
    const r = parse('virtual v {\n} x\nkeepalive = 4\n');
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.config.global.keepalive, 4);
  });
});

describe('equal (=) expected after command', () => {
  const HINT = "write 'primary = VALUE' with blanks around '='";
  checkCases('equal (=) expected after command', [
    { name: "'primary 1.2.3.4'", text: 'primary 1.2.3.4\n', line: 1, col: 9, hint: HINT },
    { name: "'primary =1.2.3.4' (= glued to the value)", text: 'primary =1.2.3.4\n', line: 1, col: 9, hint: HINT },
    { name: "'primary : 1.2.3.4'", text: `${GLOBAL_HEAD}primary : 1.2.3.4\n`, line: 3, col: 9 },
    { name: "a keyword alone ('primary'), one blank past it", text: 'primary\n', line: 1, col: 9 },
    { name: "'weight 5' in a server block", text: 'virtual v {\n    server s {\n        weight 5\n    }\n}\n', line: 3, col: 16 },
    { name: "'dirs [ a ]' in a virtual block", text: 'virtual v {\ndirs [ a ]\n}\n', line: 2, col: 6 },
  ]);

  it("'primary=1.2.3.4' is an unknown command with a hint about blanks", () => {
    const d = onlyDiagnostic('primary=1.2.3.4\n');
    assert.deepEqual(found(d), error('unknown command', 1, 1));
    assert.equal(d.hint, "put blanks around '=' (write 'keyword = value')");
  });

  it("'primary= 1.2.3.4' is an unknown command too", () => {
    assert.deepEqual(diagnosticsOf('primary= 1.2.3.4\n'), [error('unknown command', 1, 1)]);
  });
});

describe('missing arguments', () => {
  const BRACE = "write 'virtual NAME {' with the brace on the same line";
  checkCases('missing arguments', [
    { name: "'primary =' (col one blank past the '=')", text: 'primary =\n', line: 1, col: 11, hint: "'primary' needs a value" },
    { name: "'timeout =' in a virtual block", text: 'virtual v {\n\ttimeout =\n}\n', line: 2, col: 12 },
    { name: "'virtual foo' without a brace", text: 'virtual foo\n', line: 1, col: 9, hint: BRACE },
    { name: "'virtual' alone", text: `${GLOBAL_HEAD}virtual\n`, line: 3, col: 1, hint: BRACE },
    { name: "'virtual foo bar' (no brace, NAME with a blank)", text: 'virtual foo bar\n', line: 1, col: 13, hint: BRACE },
    { name: "'virtual {' without a name", text: 'virtual {\n}\n', line: 1, col: 9, hint: BRACE },
    {
      name: "'address = 1.2.3.4' without a device",
      text: 'virtual v {\naddress = 1.2.3.4\n}\n',
      line: 2,
      col: 19,
      hint: "'address' takes an address and a device, e.g. 'address = 192.0.2.10 eth0:1'",
    },
    { name: "'nat_router = 1.2.3.4' without a device", text: 'nat_router = 1.2.3.4\n', line: 1, col: 22 },
    { name: "'failover' block address without a device", text: 'failover f {\naddress = 1.2.3.4\n}\n', line: 2, col: 19 },
  ]);

  it("'server s' without a brace is missing arguments, its body is then read in the virtual block", () => {
    const r = parse('virtual v {\nserver s\nweight = 2\n}\n');
    assert.deepEqual(sortDiagnostics(r.diagnostics).map(found), [
      error('missing arguments', 2, 8),
      error('unknown command', 3, 1),
    ]);
    assert.deepEqual(r.config.virtuals[0]?.servers, []);
  });

  it("'virtual foo' then '{' on the next line: missing arguments, then the '{' and the body are unknown commands", () => {
    assert.deepEqual(diagnosticsOf('virtual foo\n{\nport = 81\n}\n'), [
      error('missing arguments', 1, 9),
      error('unknown command', 2, 1),
      error('unknown command', 3, 1),
      error('unknown command', 4, 1),
    ]);
  });
});

describe('invalid host name or ip address', () => {
  checkCases('invalid host name or ip address', [
    { name: "'primary = 0.0.0.0'", text: 'primary = 0.0.0.0\n', line: 1, col: 11, hint: 'this address must not be 0.0.0.0' },
    { name: "'primary_private = 0'", text: `${GLOBAL_HEAD}primary_private = 0\n`, line: 3, col: 19 },
    { name: "'backup_private = 0.0.0.0'", text: 'backup_private = 0.0.0.0\n', line: 1, col: 18 },
    {
      name: "'sorry_server' given a host name",
      text: 'virtual v {\n     sorry_server = sorry.example.com\n}\n',
      line: 2,
      col: 21,
      hint: 'an IP address is needed here (no host names)',
    },
  ]);
});

describe('invalid argument', () => {
  const ESCAPES = "use \\\\ \\r \\n \\t \\' \\\" only; write \\\\. for a literal \\. in a regex";
  checkCases('invalid argument', [
    {
      name: 'an unknown scheduler',
      text: 'virtual v {\nscheduler = fastest\n}\n',
      line: 2,
      col: 13,
      hint: 'scheduler must be one of: rr, wrr, lc, wlc, lblc, lblcr, dh, sh, mh, sed, nq, fo, ovf, twos',
    },
    { name: 'an unknown network', text: 'network = bridge\n', line: 1, col: 11, hint: 'network must be one of: nat, direct, tunnel' },
    { name: 'an unknown protocol', text: 'virtual v {\nprotocol = icmp\n}\n', line: 2, col: 12, hint: 'protocol must be one of: tcp, udp' },
    { name: 'an unknown service', text: 'service = both\n', line: 1, col: 11 },
    { name: 'an unknown reservation_conflict_action', text: 'reservation_conflict_action = fence\n', line: 1, col: 31 },
    { name: 'a port that is no number nor tcp service', text: 'virtual v {\nport = gopher\n}\n', line: 2, col: 8 },
    { name: 'a heartbeat_port that is no number nor tcp service', text: 'heartbeat_port = pulse\n', line: 1, col: 18 },
    { name: "a host that cannot be a name ('a/b')", text: 'primary = a/b\n', line: 1, col: 11, hint: "'a/b' is neither an IP address nor a host name" },
    { name: "a real server address 'web_1!'", text: 'virtual v {\nserver s {\naddress = web_1!\n}\n}\n', line: 3, col: 11 },
    { name: "a virtual address '1.2.3.256 eth0'", text: 'virtual v {\naddress = 1.2.3.256 eth0\n}\n', line: 2, col: 11 },
    {
      name: 'an unknown escape \\x in send',
      text: 'virtual v {\nsend = "GET /\\x"\n}\n',
      line: 2,
      col: 14,
      hint: `unknown escape '\\x' (piranha's nanny hangs on it): ${ESCAPES}`,
    },
    {
      name: 'a trailing backslash in send',
      text: 'virtual v {\nsend = "abc\\"\n}\n',
      line: 2,
      col: 12,
      hint: `unknown escape '\\' (piranha's nanny hangs on it): ${ESCAPES}`,
    },
    { name: 'an unknown escape \\. in expect (regex)', text: 'virtual v {\nexpect = "HTTP/1\\.1"\n}\n', line: 2, col: 17 },
    { name: 'an unknown escape in an unquoted expect', text: 'virtual v {\nexpect = OK\\0\n}\n', line: 2, col: 12 },
    { name: 'an unknown escape in a single-quoted send', text: "virtual v {\nsend = 'a\\a'\n}\n", line: 2, col: 10 },
  ]);

  it('the escapes nanny knows are accepted in send and expect', () => {
    const r = parse('virtual v {\nsend = "a\\\\b\\r\\n\\t\\\'"\nexpect = "HTTP/1\\\\.1"\n}\n');
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.config.virtuals[0]?.send, 'a\\\\b\\r\\n\\t\\\'');
    assert.equal(r.config.virtuals[0]?.expect, 'HTTP/1\\\\.1');
  });

  it('send_program is not checked for escapes (nanny does not interpret it)', () => {
    assert.deepEqual(parse('virtual v {\nsend_program = "/bin/check \\x %h"\n}\n').diagnostics, []);
  });
});

describe('integer expected', () => {
  checkCases('integer expected', [
    { name: 'a word for an integer', text: 'virtual v {\ntimeout = ten\n}\n', line: 2, col: 11, hint: "'ten' is not a whole number" },
    { name: 'an octal number with 8', text: 'virtual v {\nreentry = 08\n}\n', line: 2, col: 11, hint: 'a leading 0 makes the number octal, where 8 and 9 are not digits' },
    { name: 'a decimal fraction for an integer', text: 'tcp_timeout = 1.5\n', line: 1, col: 15, hint: 'a whole number is needed here' },
    { name: 'a word for a boolean', text: 'virtual v {\nactive = yes\n}\n', line: 2, col: 10, hint: 'use 0 or 1' },
    { name: 'a word for a server weight', text: 'virtual v {\nserver s {\nweight = heavy\n}\n}\n', line: 3, col: 10 },
    { name: 'a service name for a server port', text: 'virtual v {\nserver s {\nport = http\n}\n}\n', line: 3, col: 8 },
    { name: 'a word for keepalive', text: 'keepalive = often\n', line: 1, col: 13 },
    { name: 'a number beyond a C int', text: 'serial_no = 4294967296\n', line: 1, col: 13, hint: '4294967296 is out of range for a 32-bit integer' },
  ]);
});

describe('boolean expected', () => {
  checkCases('boolean expected', [
    { name: "'active = 2'", text: 'virtual v {\nactive = 2\n}\n', line: 2, col: 10, hint: 'use 0 or 1' },
    { name: "'use_regex = 5'", text: 'virtual v {\nuse_regex = 5\n}\n', line: 2, col: 13 },
    { name: "'backup_active = -1'", text: 'backup_active = -1\n', line: 1, col: 17 },
    { name: "'active = 0x2' in a server block", text: 'virtual v {\nserver s {\nactive = 0x2\n}\n}\n', line: 3, col: 10 },
  ]);
});

describe('unknown command', () => {
  checkCases('unknown command', [
    { name: "a stray top-level '}'", text: `${GLOBAL_HEAD}}\n`, line: 3, col: 1, hint: 'no block is open here' },
    { name: "an indented stray '}'", text: '   }\n', line: 1, col: 4 },
    { name: "a '{' alone on a line", text: '{\n', line: 1, col: 1, hint: "a block's '{' must be on the same line as its header" },
    { name: "a '{' alone inside a virtual block", text: 'virtual v {\n  {\n}\n', line: 2, col: 3 },
    { name: 'a misspelt keyword', text: 'virtual v {\n  shceduler = rr\n}\n', line: 2, col: 3, hint: "did you mean 'scheduler'?" },
    { name: "'primary=1.2.3.4'", text: 'primary=1.2.3.4\n', line: 1, col: 1 },
    { name: "'weight' at top level", text: 'weight = 1\n', line: 1, col: 1 },
    { name: "'debug' at top level", text: 'debug = 1\n', line: 1, col: 1 },
    { name: "'nmask' in a server block", text: 'virtual v {\nserver s {\nnmask = 255.0.0.0\n}\n}\n', line: 3, col: 1 },
  ]);

  it("a second '}' after a closed block is a stray '}'", () => {
    assert.deepEqual(diagnosticsOf('virtual v {\n}\n}\n'), [error('unknown command', 3, 1)]);
  });
});

describe('list expected', () => {
  checkCases('list expected', [
    { name: "'dirs = a' (no brackets)", text: 'virtual v {\ndirs = a\n}\n', line: 2, col: 8, hint: "write 'dirs = [ a b c ]'" },
    { name: "'dirs = [ a b' (no closing bracket)", text: 'virtual v {\ndirs = [ a b\n}\n', line: 2, col: 8, hint: "the list needs a closing ']'" },
    { name: "'dirs = [a b]' (brackets glued to the words)", text: 'virtual v {\ndirs = [a b]\n}\n', line: 2, col: 8 },
    { name: "'dirs =' with nothing after the '='", text: 'virtual v {\ndirs =\n}\n', line: 2, col: 6 },
  ]);
});

describe('Bad subnet mask specified', () => {
  const HINT = 'write the mask as a dotted quad, e.g. 255.255.255.0';
  checkCases('Bad subnet mask specified', [
    { name: 'vip_nmask garbage', text: 'virtual v {\nvip_nmask = garbage\n}\n', line: 2, col: 13, hint: HINT },
    { name: 'vip_nmask with a part above 255', text: 'virtual v {\nvip_nmask = 255.255.255.256\n}\n', line: 2, col: 13 },
    { name: 'nat_nmask garbage', text: 'nat_nmask = /24\n', line: 1, col: 13, hint: HINT },
    { name: 'pmask garbage', text: 'virtual v {\npersistent = 60\npmask = 255.255.255.x\n}\n', line: 3, col: 9, hint: HINT },
  ]);
});

describe('Cannot use both virtual AND failover services (never returned by 0.8.6)', () => {
  it('a file with both virtual and failover blocks parses cleanly into both lists', () => {
    const r = parse('virtual v {\nport = 81\n}\nfailover f {\nport = 82\n}\n');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.config.virtuals.map((v) => [v.name, v.port]),
      [['v', 81]],
    );
    assert.deepEqual(
      r.config.failovers.map((v) => [v.name, v.port]),
      [['f', 82]],
    );
  });
});

describe('all errors at once', () => {
  it('a file with three bad lines yields three errors with their lines', () => {
    const text = `serial_no = 1
keepalive = often
virtual web {
    active = 1
    scheduler = fastest
    server a {
        address = 10.0.0.1
        weight = heavy
    }
}
`;
    assert.deepEqual(diagnosticsOf(text), [
      error('integer expected', 2, 13),
      error('invalid argument', 5, 17),
      error('integer expected', 8, 18),
    ]);
  });

  it('errors of different kinds (lexical, structural, value) are all reported', () => {
    const text = 'primary 1.2.3.4\n}\nvirtual v {\nsend = "x\nport = 81 82\n}\nbackup = 0x\n';
    assert.deepEqual(diagnosticsOf(text), [
      error('equal (=) expected after command', 1, 9),
      error('unknown command', 2, 1),
      error('quotation mismatch', 4, 8),
      error('unexpected arguments', 5, 11),
      error('invalid argument', 7, 10),
    ]);
  });

  it('parsing continues after an error inside a block, keeping the block context', () => {
    const text = `virtual web {
port = x
scheduler = rr
server a {
weight = x
port = 8080
}
timeout = 6
}
keepalive = 4
`;
    const r = parse(text);
    assert.deepEqual(sortDiagnostics(r.diagnostics).map(found), [
      error('invalid argument', 2, 8),
      error('integer expected', 5, 10),
    ]);
    const v = r.config.virtuals[0];
    assert.equal(v?.scheduler, 'rr');
    assert.equal(v?.timeout, 6);
    assert.equal(v?.servers[0]?.port, 8080);
    assert.equal(v?.servers[0]?.weight, 1);
    assert.equal(r.config.global.keepalive, 4);
  });

  it("a missing '}' before a new virtual header gives one error, and the next block is read normally", () => {
    const text = `virtual a {
port = 81
virtual b {
port = 82
scheduler = rr
}
keepalive = 4
`;
    const r = parse(text);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.severity, d.message, d.line, d.col, d.hint]),
      [['error', 'unknown command', 3, 1, "'virtual' is not allowed inside a virtual block: is the '}' closing virtual a (line 1) missing?"]],
    );
    assert.deepEqual(
      r.config.virtuals.map((v) => [v.name, v.port, v.scheduler]),
      [
        ['a', 81, 'wlc'],
        ['b', 82, 'rr'],
      ],
    );
    assert.equal(r.config.global.keepalive, 4);
  });

  it("a missing '}' of a server before the next server gives one error", () => {
    const text = 'virtual v {\nserver s1 {\naddress = 10.0.0.1\nserver s2 {\naddress = 10.0.0.2\n}\n}\n';
    const r = parse(text);
    assert.deepEqual(sortDiagnostics(r.diagnostics).map(found), [error('unknown command', 4, 1)]);
    assert.deepEqual(
      r.config.virtuals[0]?.servers.map((s) => [s.name, s.address?.ip]),
      [
        ['s1', '10.0.0.1'],
        ['s2', '10.0.0.2'],
      ],
    );
  });

  it("a missing '}' of a server and its virtual before the next virtual gives one error", () => {
    const text = 'virtual a {\nserver s {\nweight = 3\nvirtual b {\nport = 82\n}\n';
    const r = parse(text);
    assert.deepEqual(sortDiagnostics(r.diagnostics).map(found), [error('unknown command', 4, 1)]);
    assert.equal(r.config.virtuals[0]?.servers[0]?.weight, 3);
    assert.equal(r.config.virtuals[1]?.port, 82);
  });
});

describe('line endings', () => {
  /** A file with statements in every block, an unknown keyword and a bad value. */
  const MIXED = `# comment
primary = 192.0.2.1
keepalive = 0.5
virtual "my web" {
    address = 192.0.2.10 eth0:1
    send = "GET / HTTP/1.0\\r\\n\\r\\n"
    nmask = 255.255.255.0
    server a {
        address = 10.0.0.1
        weight = x
    }
}
`;
  const inputs: ReadonlyArray<[string, string]> = [
    ...SAMPLES.map((s): [string, string] => [s, readSample(s)]),
    ['a file with findings', MIXED],
  ];

  /** same asserts that two texts give the same model and the same diagnostics. */
  function same(a: ParseResult, b: ParseResult): void {
    assert.deepEqual(b.config, a.config);
    assert.deepEqual(b.diagnostics, a.diagnostics);
  }

  for (const [name, lf] of inputs) {
    it(`CRLF: ${name} parses exactly like its LF form`, () => {
      assert.ok(lf.includes('\n') && !lf.includes('\r'));
      same(parse(lf), parse(lf.replaceAll('\n', '\r\n')));
    });

    it(`CR only: ${name} parses exactly like its LF form`, () => {
      same(parse(lf), parse(lf.replaceAll('\n', '\r')));
    });

    it(`mixed LF and CRLF: ${name} parses exactly like its LF form`, () => {
      let i = 0;
      same(parse(lf), parse(lf.replaceAll('\n', () => (i++ % 2 === 0 ? '\r\n' : '\n'))));
    });
  }

  it('the LF test file really has its findings (so the comparisons above are not empty)', () => {
    assert.deepEqual(diagnosticsOf(MIXED), [
      { severity: 'warning', message: 'integer expected', line: 3, col: 13 },
      error('unknown command', 7, 5),
      error('integer expected', 10, 18),
    ]);
  });

  it('a CRLF file is read past its first line (piranha 0.8.6 silently stopped there)', () => {
    const r = parse('primary = 192.0.2.1\r\nbackup = 192.0.2.2\r\nvirtual v {\r\nport = 81\r\n}\r\n');
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.config.global.backup?.ip, '192.0.2.2');
    assert.equal(r.config.virtuals[0]?.port, 81);
  });

  it('errors in a CRLF file carry their LF line numbers and columns', () => {
    assert.deepEqual(diagnosticsOf('# c\r\n\r\nprimary = 0.0.0.0\r\nvirtual v {\r\n  active = 2\r\n}\r\n'), [
      error('invalid host name or ip address', 3, 11),
      error('boolean expected', 5, 12),
    ]);
  });

  it('a file without a final newline parses its last line', () => {
    const r = parse('primary = 192.0.2.1\nkeepalive = 4');
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.config.global.keepalive, 4);
  });

  it('a closing brace without a final newline closes the block', () => {
    const r = parse('virtual v {\nport = 81\n}');
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.config.virtuals[0]?.port, 81);
  });

  it('an error on a last line without newline has the right line and column', () => {
    assert.deepEqual(diagnosticsOf('primary = 192.0.2.1\n\n  deadtime = soon'), [error('integer expected', 3, 14)]);
  });

  it('blank and comment lines count in line numbers', () => {
    assert.deepEqual(diagnosticsOf('\n# one\n\n   # two\n\t\nsync = 9\n'), [error('boolean expected', 6, 8)]);
  });
});

describe('values the writer could not express back', () => {
  it('refuses an empty device name', () => {
    assert.deepEqual(
      errorsOf('virtual a {\n     address = 10.0.0.1 ""\n}\n').map((d) => [d.line, d.message]),
      [[2, 'invalid argument']],
    );
  });

  it('refuses fractional seconds beyond 32 bits', () => {
    assert.deepEqual(
      errorsOf('deadtime = 99999999999999999999.5\n').map((d) => [d.line, d.message]),
      [[1, 'integer expected']],
    );
  });
});
