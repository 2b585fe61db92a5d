/**
 * parseConfig, keyword by keyword: for every keyword of every block (piranha.md §1.2-§1.5)
 * its default, one accepted value and the model value it gives, and one refused value with
 * piranha's error text and line; then the special value rules of §1.1 and the extensions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sortDiagnostics, type Diagnostic } from '../../../src/config/diagnostic.js';
import {
  GLOBAL_KEYWORDS,
  KERNEL_SCHEDULERS,
  lookupKeyword,
  PIRANHA_SCHEDULERS,
  SERVER_KEYWORDS,
  VIRTUAL_KEYWORDS,
  type BlockKind,
} from '../../../src/config/keywords.js';
import type { HostAddress } from '../../../src/config/model.js';
import type { ParseResult } from '../../../src/config/parser.js';
import { parse } from '../../helpers/config.js';

// ---------------------------------------------------------------------------------------------
// Helpers

/** v4 is the model value of an IPv4 literal written in its canonical form. */
const v4 = (text: string): HostAddress => ({ text, ip: text, family: 4 });
/** named is the model value of a host name, which the parser leaves unresolved. */
const named = (text: string): HostAddress => ({ text, ip: null, family: null });

/** Placed is a statement wrapped in its block: the file text and the line the statement is on. */
interface Placed {
  readonly text: string;
  readonly line: number;
}

/** place puts statement lines into a block of the given kind (no statement: an empty block). */
function place(kind: BlockKind, ...statements: string[]): Placed {
  const body = statements.map((s) => `${s}\n`).join('');
  switch (kind) {
    case 'global':
      return { text: statements.length === 0 ? '# only defaults\n' : body, line: 1 };
    case 'virtual':
    case 'failover':
      return { text: `${kind} svc {\n${body}}\n`, line: 2 };
    case 'server':
      return { text: `virtual svc {\nserver rs {\n${body}}\n}\n`, line: 3 };
  }
}

/** fieldOf returns the model field a keyword fills in a block kind. */
function fieldOf(kind: BlockKind, keyword: string): string {
  const spec = lookupKeyword(kind, keyword);
  assert.ok(spec !== undefined, `${keyword} is a keyword of ${kind} blocks`);
  return spec.field;
}

/** blockOf returns the model object of the (first) block of the given kind. */
function blockOf(r: ParseResult, kind: BlockKind): Record<string, unknown> {
  const c = r.config;
  const block =
    kind === 'global'
      ? c.global
      : kind === 'virtual'
        ? c.virtuals[0]
        : kind === 'failover'
          ? c.failovers[0]
          : c.virtuals[0]?.servers[0];
  assert.ok(block !== undefined, `the ${kind} block was parsed`);
  return block as unknown as Record<string, unknown>;
}

/** valueOf parses text and returns the value of a keyword's field in the block of the given kind. */
function valueOf(r: ParseResult, kind: BlockKind, keyword: string): unknown {
  return blockOf(r, kind)[fieldOf(kind, keyword)];
}

/** Brief is what these tests assert about a diagnostic. */
interface Brief {
  severity: string;
  message: string;
  line: number;
  col: number;
}

const brief = (d: Diagnostic): Brief => ({ severity: d.severity, message: d.message, line: d.line, col: d.col });

/** only returns the diagnostics of a parse with the given code. */
const only = (r: ParseResult, code: string): Diagnostic[] => r.diagnostics.filter((d) => d.code === code);

// ---------------------------------------------------------------------------------------------
// The keyword tables

/** Refusal is one refused value: piranha's message and where it points (`at` a substring, or `col`). */
interface Refusal {
  readonly value: string;
  readonly message: string;
  readonly at?: string;
  readonly col?: number;
}

/** KeywordCase is the table row for one keyword. */
interface KeywordCase {
  readonly keyword: string;
  readonly absent: unknown;
  readonly valid: readonly [value: string, model: unknown];
  readonly invalid: Refusal;
}

const INT = 'integer expected';
const BOOL = 'boolean expected';
const ARG = 'invalid argument';
const HOST = 'invalid host name or ip address';
const MASK = 'Bad subnet mask specified';
const EXTRA = 'unexpected arguments';
const MISSING = 'missing arguments';

const GLOBAL_CASES: readonly KeywordCase[] = [
  { keyword: 'serial_no', absent: 0, valid: ['27', 27], invalid: { value: 'abc', message: INT } },
  { keyword: 'primary', absent: null, valid: ['192.0.2.11', v4('192.0.2.11')], invalid: { value: '0.0.0.0', message: HOST } },
  {
    keyword: 'primary_private',
    absent: null,
    valid: ['10.255.0.11', v4('10.255.0.11')],
    invalid: { value: '0.0.0.0', message: HOST },
  },
  { keyword: 'primary_shared', absent: null, valid: ['/dev/sdb', '/dev/sdb'], invalid: { value: '/dev/sdb /dev/sdc', message: EXTRA, at: '/dev/sdc' } },
  { keyword: 'service', absent: 'lvs', valid: ['fos', 'fos'], invalid: { value: 'ha', message: ARG } },
  { keyword: 'rsh_command', absent: 'rsh', valid: ['ssh', 'ssh'], invalid: { value: 'ssh -q', message: EXTRA, at: '-q' } },
  { keyword: 'backup_active', absent: false, valid: ['1', true], invalid: { value: '2', message: BOOL } },
  { keyword: 'backup', absent: null, valid: ['192.0.2.12', v4('192.0.2.12')], invalid: { value: 'a/b', message: ARG } },
  {
    keyword: 'backup_private',
    absent: null,
    valid: ['10.255.0.12', v4('10.255.0.12')],
    invalid: { value: '0.0.0.0', message: HOST },
  },
  { keyword: 'backup_shared', absent: null, valid: ['/dev/sdc', '/dev/sdc'], invalid: { value: '/dev/sdc x', message: EXTRA, at: 'x' } },
  { keyword: 'heartbeat', absent: false, valid: ['1', true], invalid: { value: 'yes', message: INT } },
  { keyword: 'heartbeat_port', absent: 539, valid: ['1050', 1050], invalid: { value: 'nosuchservice', message: ARG } },
  { keyword: 'keepalive', absent: 2, valid: ['6', 6], invalid: { value: 'six', message: INT } },
  { keyword: 'deadtime', absent: 5, valid: ['18', 18], invalid: { value: '18s', message: INT } },
  { keyword: 'network', absent: 'nat', valid: ['direct', 'direct'], invalid: { value: 'routed', message: ARG } },
  {
    keyword: 'nat_router',
    absent: null,
    valid: ['10.20.0.254 eth1:1', { host: v4('10.20.0.254'), device: 'eth1:1' }],
    // 'nat_router = 10.20.0.254' is 24 characters; the column points one blank past its end.
    invalid: { value: '10.20.0.254', message: MISSING, col: 26 },
  },
  { keyword: 'nat_nmask', absent: null, valid: ['255.255.255.0', '255.255.255.0'], invalid: { value: '255.255.255.x', message: MASK } },
  {
    keyword: 'reservation_conflict_action',
    absent: null,
    valid: ['preempt', 'preempt'],
    invalid: { value: 'fence', message: ARG },
  },
  { keyword: 'debug_level', absent: 'NONE', valid: ['DEBUG', 'DEBUG'], invalid: { value: 'NONE please', message: EXTRA, at: 'please' } },
  {
    keyword: 'active_cmd',
    absent: null,
    valid: ['/usr/local/sbin/became-active', '/usr/local/sbin/became-active'],
    invalid: { value: '/usr/local/sbin/up now', message: EXTRA, at: 'now' },
  },
  {
    keyword: 'inactive_cmd',
    absent: null,
    valid: ['/usr/local/sbin/became-inactive', '/usr/local/sbin/became-inactive'],
    invalid: { value: '/usr/local/sbin/down now', message: EXTRA, at: 'now' },
  },
  // monitor_links is an integer, not a boolean: 2 is accepted.
  { keyword: 'monitor_links', absent: 0, valid: ['2', 2], invalid: { value: 'on', message: INT } },
  { keyword: 'syncdaemon', absent: false, valid: ['1', true], invalid: { value: '2', message: BOOL } },
  { keyword: 'syncd_iface', absent: 'eth0', valid: ['eth1', 'eth1'], invalid: { value: 'eth1 eth2', message: EXTRA, at: 'eth2' } },
  { keyword: 'syncd_id', absent: 0, valid: ['7', 7], invalid: { value: '7x', message: INT } },
  { keyword: 'tcp_timeout', absent: 0, valid: ['900', 900], invalid: { value: '1.5', message: INT } },
  { keyword: 'tcpfin_timeout', absent: 0, valid: ['120', 120], invalid: { value: 'two', message: INT } },
  { keyword: 'udp_timeout', absent: 0, valid: ['300', 300], invalid: { value: '3e2', message: INT } },
  { keyword: 'hard_shutdown', absent: true, valid: ['0', false], invalid: { value: '-1', message: BOOL } },
  {
    keyword: 'ipvsadm',
    absent: '/sbin/ipvsadm',
    valid: ['/usr/sbin/ipvsadm', '/usr/sbin/ipvsadm'],
    invalid: { value: '/usr/sbin/ipvsadm -n', message: EXTRA, at: '-n' },
  },
  { keyword: 'sync', absent: false, valid: ['1', true], invalid: { value: '3', message: BOOL } },
  {
    keyword: 'heartbeat_key_file',
    absent: null,
    valid: ['/etc/sysconfig/ha/heartbeat.key', '/etc/sysconfig/ha/heartbeat.key'],
    invalid: { value: '/etc/a key', message: EXTRA, at: 'key' },
  },
];

const VIRTUAL_CASES: readonly KeywordCase[] = [
  { keyword: 'active', absent: false, valid: ['1', true], invalid: { value: '2', message: BOOL } },
  {
    keyword: 'address',
    absent: null,
    valid: ['192.0.2.100 eth0:1', { host: v4('192.0.2.100'), device: 'eth0:1' }],
    // 'address = 192.0.2.100' is 21 characters; the column points one blank past its end.
    invalid: { value: '192.0.2.100', message: MISSING, col: 23 },
  },
  {
    keyword: 'sorry_server',
    absent: null,
    valid: ['10.20.0.99', '10.20.0.99'],
    invalid: { value: 'sorry.example.com', message: HOST },
  },
  { keyword: 'vip_nmask', absent: null, valid: ['255.255.255.0', '255.255.255.0'], invalid: { value: 'garbage', message: MASK } },
  { keyword: 'fwmark', absent: 0, valid: ['80', 80], invalid: { value: 'mark', message: INT } },
  { keyword: 'port', absent: 80, valid: ['443', 443], invalid: { value: 'nosuchservice', message: ARG } },
  { keyword: 'persistent', absent: 0, valid: ['300', 300], invalid: { value: 'forever', message: INT } },
  { keyword: 'pmask', absent: null, valid: ['255.255.255.0', '255.255.255.0'], invalid: { value: '255.255.x.0', message: MASK } },
  {
    keyword: 'send',
    absent: null,
    // The parser keeps backslashes literally; nanny interprets them later.
    valid: ['"GET / HTTP/1.0\\r\\n\\r\\n"', 'GET / HTTP/1.0\\r\\n\\r\\n'],
    invalid: { value: '"GET /\\x"', message: ARG, at: '\\x' },
  },
  {
    keyword: 'expect',
    absent: null,
    valid: ['"HTTP/1\\\\.[01] 200"', 'HTTP/1\\\\.[01] 200'],
    invalid: { value: '"HTTP/1\\.[01] 200"', message: ARG, at: '\\.' },
  },
  { keyword: 'use_regex', absent: false, valid: ['1', true], invalid: { value: '2', message: BOOL } },
  {
    keyword: 'send_program',
    absent: null,
    valid: ['"/etc/sysconfig/ha/check.sh %h %p"', '/etc/sysconfig/ha/check.sh %h %p'],
    invalid: { value: '/etc/sysconfig/ha/check.sh %h', message: EXTRA, at: '%h' },
  },
  { keyword: 'load_monitor', absent: null, valid: ['uptime', 'uptime'], invalid: { value: 'rup now', message: EXTRA, at: 'now' } },
  { keyword: 'scheduler', absent: 'wlc', valid: ['rr', 'rr'], invalid: { value: 'random', message: ARG } },
  { keyword: 'protocol', absent: 'tcp', valid: ['udp', 'udp'], invalid: { value: 'sctp', message: ARG } },
  { keyword: 'timeout', absent: 10, valid: ['6', 6], invalid: { value: 'ten', message: INT } },
  { keyword: 'reentry', absent: 180, valid: ['15', 15], invalid: { value: '08', message: INT } },
  { keyword: 'quiesce_server', absent: false, valid: ['1', true], invalid: { value: 'true', message: INT } },
  {
    keyword: 'client_monitor',
    absent: '/usr/sbin/nanny',
    valid: ['/usr/local/sbin/nanny', '/usr/local/sbin/nanny'],
    invalid: { value: '/usr/local/sbin/nanny -v', message: EXTRA, at: '-v' },
  },
  {
    keyword: 'start_cmd',
    absent: null,
    valid: ['"/etc/init.d/httpd start"', '/etc/init.d/httpd start'],
    invalid: { value: '/etc/init.d/httpd begin', message: EXTRA, at: 'begin' },
  },
  {
    keyword: 'stop_cmd',
    absent: null,
    valid: ['"/etc/init.d/httpd stop"', '/etc/init.d/httpd stop'],
    invalid: { value: '/etc/init.d/httpd halt', message: EXTRA, at: 'halt' },
  },
  { keyword: 'master', absent: null, valid: ['192.0.2.1', v4('192.0.2.1')], invalid: { value: 'a/b', message: ARG } },
  { keyword: 'dirs', absent: null, valid: ['[ /etc /var ]', ['/etc', '/var']], invalid: { value: '/etc', message: 'list expected' } },
];

const SERVER_CASES: readonly KeywordCase[] = [
  { keyword: 'address', absent: null, valid: ['192.0.2.21', v4('192.0.2.21')], invalid: { value: 'web/1', message: ARG } },
  { keyword: 'active', absent: false, valid: ['1', true], invalid: { value: '2', message: BOOL } },
  // Absent, the port is the virtual port in effect (80 by default); a service name is refused.
  { keyword: 'port', absent: 80, valid: ['8080', 8080], invalid: { value: 'http', message: INT } },
  { keyword: 'weight', absent: 1, valid: ['10', 10], invalid: { value: 'heavy', message: INT } },
];

const TABLES: ReadonlyArray<{ kinds: readonly BlockKind[]; cases: readonly KeywordCase[]; keywords: readonly string[] }> = [
  { kinds: ['global'], cases: GLOBAL_CASES, keywords: GLOBAL_KEYWORDS.map((k) => k.keyword) },
  // failover blocks are read with the virtual keyword table, so every virtual case runs in both.
  { kinds: ['virtual', 'failover'], cases: VIRTUAL_CASES, keywords: VIRTUAL_KEYWORDS.map((k) => k.keyword) },
  { kinds: ['server'], cases: SERVER_CASES, keywords: SERVER_KEYWORDS.map((k) => k.keyword) },
];

describe('keyword tables of the tests', () => {
  for (const { kinds, cases, keywords } of TABLES)
    it(`cover every ${kinds[0]} keyword of keywords.ts exactly once`, () => {
      assert.deepEqual(
        cases.map((c) => c.keyword),
        keywords,
      );
    });
});

for (const { kinds, cases } of TABLES)
  for (const kind of kinds)
    describe(`${kind} keywords`, () => {
      for (const c of cases) {
        it(`${c.keyword}: defaults to ${JSON.stringify(c.absent)} when absent`, () => {
          const r = parse(place(kind).text);
          assert.deepEqual(r.diagnostics, []);
          assert.deepEqual(valueOf(r, kind, c.keyword), c.absent);
        });

        const [value, model] = c.valid;
        it(`${c.keyword} = ${value} gives ${JSON.stringify(model)}`, () => {
          const r = parse(place(kind, `${c.keyword} = ${value}`).text);
          // An extension keyword is accepted with one note naming it; every other valid value without any.
          const extension = lookupKeyword(kind, c.keyword)?.extension;
          assert.deepEqual(
            r.diagnostics.map((d) => [d.code, d.extension]),
            extension === undefined ? [] : [['EXTENSION', extension]],
          );
          assert.deepEqual(valueOf(r, kind, c.keyword), model);
        });

        const bad = c.invalid;
        it(`${c.keyword} = ${bad.value} is refused with '${bad.message}'`, () => {
          const statement = `${c.keyword} = ${bad.value}`;
          const { text, line } = place(kind, statement);
          // The column is that of the value, or of the `at` text searched after the '='.
          const col = bad.col ?? statement.indexOf(bad.at ?? bad.value, c.keyword.length + 3) + 1;
          const r = parse(text);
          assert.deepEqual(r.diagnostics.map(brief), [{ severity: 'error', message: bad.message, line, col }]);
          assert.deepEqual(valueOf(r, kind, c.keyword), c.absent, 'a refused value leaves the default');
        });
      }
    });

// ---------------------------------------------------------------------------------------------
// Special rules of §1.1

describe('IP device arity', () => {
  const pairs: ReadonlyArray<[BlockKind, string]> = [
    ['global', 'nat_router'],
    ['virtual', 'address'],
    ['failover', 'address'],
  ];
  for (const [kind, keyword] of pairs) {
    it(`${kind} ${keyword} without a device is 'missing arguments' one blank past the address`, () => {
      const statement = `${keyword} = 192.0.2.10`;
      const { text, line } = place(kind, statement);
      assert.deepEqual(parse(text).diagnostics.map(brief), [
        { severity: 'error', message: MISSING, line, col: statement.length + 2 },
      ]);
    });

    it(`${kind} ${keyword} without any value is 'missing arguments'`, () => {
      const { text, line } = place(kind, `${keyword} =`);
      assert.deepEqual(parse(text).diagnostics.map(brief), [
        { severity: 'error', message: MISSING, line, col: keyword.length + 4 },
      ]);
    });

    it(`${kind} ${keyword} with a third token is 'unexpected arguments' at that token`, () => {
      const statement = `${keyword} = 192.0.2.10 eth0:1 up`;
      const { text, line } = place(kind, statement);
      const r = parse(text);
      assert.deepEqual(r.diagnostics.map(brief), [
        { severity: 'error', message: EXTRA, line, col: statement.indexOf('up') + 1 },
      ]);
      assert.equal(valueOf(r, kind, keyword), null);
    });

    it(`${kind} ${keyword} accepts a host name and keeps it unresolved`, () => {
      const r = parse(place(kind, `${keyword} = gw.example.com eth0:1`).text);
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(valueOf(r, kind, keyword), { host: named('gw.example.com'), device: 'eth0:1' });
    });
  }

  it('a server address takes one value only: a device is an unexpected argument', () => {
    const statement = 'address = 192.0.2.21 eth0';
    const { text, line } = place('server', statement);
    assert.deepEqual(parse(text).diagnostics.map(brief), [
      { severity: 'error', message: EXTRA, line, col: statement.indexOf('eth0') + 1 },
    ]);
  });
});

describe('port inheritance by server blocks', () => {
  const text = `virtual web {
port = 443
server before {
address = 10.0.0.1
}
port = 8443
server after {
address = 10.0.0.2
}
server own {
port = 9000
}
}
`;

  it('a server declared after a port line takes that port', () => {
    const r = parse(text);
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.deepEqual(
      r.config.virtuals[0]?.servers.map((s) => [s.name, s.port]),
      [
        ['before', 443],
        ['after', 8443],
        ['own', 9000],
      ],
    );
    assert.equal(r.config.virtuals[0]?.port, 8443);
  });

  it('a server declared before the port line keeps the default 80', () => {
    const r = parse('virtual web {\nserver early {\n}\nport = 443\nserver late {\n}\n}\n');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.config.virtuals[0]?.servers.map((s) => s.port),
      [80, 443],
    );
  });

  it('a server inherits a port given by service name', () => {
    const r = parse('virtual web {\nport = https\nserver a {\n}\n}\n');
    assert.equal(r.config.virtuals[0]?.servers[0]?.port, 443);
  });

  it('servers of a failover block inherit its port the same way', () => {
    const r = parse('failover f {\nserver a {\n}\nport = 25\nserver b {\n}\n}\n');
    assert.deepEqual(
      r.config.failovers[0]?.servers.map((s) => s.port),
      [80, 25],
    );
  });
});

describe('service names for ports', () => {
  const cases: ReadonlyArray<[BlockKind, string, string, number]> = [
    ['virtual', 'port', 'http', 80],
    ['virtual', 'port', 'https', 443],
    ['virtual', 'port', 'smtp', 25],
    ['failover', 'port', 'www', 80],
    ['global', 'heartbeat_port', 'https', 443],
    ['global', 'heartbeat_port', 'domain', 53],
  ];
  for (const [kind, keyword, name, port] of cases)
    it(`${kind} ${keyword} = ${name} is ${port} (tcp service table)`, () => {
      const r = parse(place(kind, `${keyword} = ${name}`).text);
      assert.deepEqual(r.diagnostics, []);
      assert.equal(valueOf(r, kind, keyword), port);
    });

  it('a name missing from the service table is an invalid argument', () => {
    const { text, line } = place('virtual', 'port = ftp');
    assert.deepEqual(parse(text).diagnostics.map(brief), [{ severity: 'error', message: ARG, line, col: 8 }]);
  });

  it('the server port is numeric only: a service name is "integer expected"', () => {
    const { text, line } = place('server', 'port = https');
    const r = parse(text);
    assert.deepEqual(r.diagnostics.map(brief), [{ severity: 'error', message: INT, line, col: 8 }]);
    assert.equal(r.config.virtuals[0]?.servers[0]?.port, 80);
  });

  it('a virtual port that is neither a number nor a name (08) is an invalid argument, not "integer expected"', () => {
    const { text, line } = place('virtual', 'port = 08');
    assert.deepEqual(parse(text).diagnostics.map(brief), [{ severity: 'error', message: ARG, line, col: 8 }]);
  });

  it('the same 08 as a server port is "integer expected"', () => {
    const { text, line } = place('server', 'port = 08');
    assert.deepEqual(parse(text).diagnostics.map(brief), [{ severity: 'error', message: INT, line, col: 8 }]);
  });

  it('numbers win over names and use strtol rules (port = 0x1bb is 443)', () => {
    const r = parse(place('virtual', 'port = 0x1bb').text);
    assert.equal(r.config.virtuals[0]?.port, 443);
  });
});

describe('integers (strtol base 0)', () => {
  const accepted: ReadonlyArray<[string, number]> = [
    ['0x50', 80],
    ['0X1f', 31],
    ['010', 8],
    ['0', 0],
    ['00', 0],
    ['+7', 7],
    ['-5', -5],
    ['2147483647', 2147483647],
  ];
  for (const [text, value] of accepted)
    it(`timeout = ${text} is ${value}`, () => {
      const r = parse(place('virtual', `timeout = ${text}`).text);
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.config.virtuals[0]?.timeout, value);
    });

  for (const text of ['08', '019', '0x', '0xg', '1e3', '12abc', '5.0', '.5', '--1'])
    it(`timeout = ${text} is 'integer expected'`, () => {
      const { text: file, line } = place('virtual', `timeout = ${text}`);
      const r = parse(file);
      assert.deepEqual(r.diagnostics.map(brief), [{ severity: 'error', message: INT, line, col: 11 }]);
      assert.equal(r.config.virtuals[0]?.timeout, 10);
    });

  it('strtol rules apply in server blocks too (weight = 0x10 is 16)', () => {
    const r = parse(place('server', 'weight = 0x10').text);
    assert.equal(r.config.virtuals[0]?.servers[0]?.weight, 16);
  });

  it('strtol rules apply at top level too (serial_no = 010 is 8)', () => {
    assert.equal(parse('serial_no = 010\n').config.global.serialNo, 8);
  });
});

describe('booleans', () => {
  for (const [text, value] of [
    ['0', false],
    ['1', true],
    ['0x1', true],
    ['00', false],
  ] as const)
    it(`active = ${text} is ${value} (any strtol spelling of 0 or 1)`, () => {
      const r = parse(place('virtual', `active = ${text}`).text);
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.config.virtuals[0]?.active, value);
    });

  for (const [text, message] of [
    ['2', BOOL],
    ['-1', BOOL],
    ['10', BOOL],
    ['x', INT],
    ['yes', INT],
    ['true', INT],
  ] as const)
    it(`active = ${text} is '${message}'`, () => {
      const { text: file, line } = place('virtual', `active = ${text}`);
      assert.deepEqual(parse(file).diagnostics.map(brief), [{ severity: 'error', message, line, col: 10 }]);
    });
});

describe('host values', () => {
  for (const keyword of ['primary', 'primary_private', 'backup_private'])
    for (const zero of ['0.0.0.0', '0'])
      it(`${keyword} = ${zero} is 'invalid host name or ip address'`, () => {
        const r = parse(`${keyword} = ${zero}\n`);
        assert.deepEqual(r.diagnostics.map(brief), [
          { severity: 'error', message: HOST, line: 1, col: keyword.length + 4 },
        ]);
        assert.equal(valueOf(r, 'global', keyword), null);
      });

  it('backup = 0.0.0.0 is allowed (it means "no backup")', () => {
    const r = parse('backup = 0.0.0.0\n');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config.global.backup, v4('0.0.0.0'));
  });

  const hostKeywords: ReadonlyArray<[BlockKind, string]> = [
    ['global', 'primary'],
    ['global', 'primary_private'],
    ['global', 'backup'],
    ['global', 'backup_private'],
    ['virtual', 'master'],
    ['server', 'address'],
  ];
  for (const [kind, keyword] of hostKeywords)
    it(`${kind} ${keyword} keeps a host name unresolved (ip null)`, () => {
      const r = parse(place(kind, `${keyword} = lvs-1.example.com`).text);
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(valueOf(r, kind, keyword), named('lvs-1.example.com'));
    });

  for (const bad of ['a/b', 'host name', '-lead', 'web!1', '256.1.1.1', '1.2.3.4.5'])
    it(`a server address of ${JSON.stringify(bad)} is an invalid argument`, () => {
      const statement = `address = "${bad}"`;
      const { text, line } = place('server', statement);
      assert.deepEqual(parse(text).diagnostics.map(brief), [{ severity: 'error', message: ARG, line, col: 11 }]);
    });

  it('sorry_server takes IP literals only: a host name is "invalid host name or ip address"', () => {
    const { text, line } = place('virtual', 'sorry_server = sorry');
    assert.deepEqual(parse(text).diagnostics.map(brief), [{ severity: 'error', message: HOST, line, col: 16 }]);
  });
});

describe('inet_aton short forms', () => {
  const forms: ReadonlyArray<[string, string]> = [
    ['10.1', '10.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['10.1.2', '10.1.0.2'],
    ['0x7f.1', '127.0.0.1'],
    ['010.0.0.1', '8.0.0.1'],
    ['3232235777', '192.168.1.1'],
    ['0xc0a80101', '192.168.1.1'],
  ];
  for (const [written, ip] of forms)
    it(`primary = ${written} is ${ip}, kept as written, with a NONCANONICAL_ADDRESS warning`, () => {
      const r = parse(`primary = ${written}\n`);
      assert.deepEqual(r.config.global.primary, { text: written, ip, family: 4 });
      assert.deepEqual(
        r.diagnostics.map((d) => [d.severity, d.code, d.line, d.col, d.message]),
        [['warning', 'NONCANONICAL_ADDRESS', 1, 11, `'${written}' is read as ${ip} (inet_aton rules)`]],
      );
    });

  it('a short form works in a virtual address too', () => {
    const r = parse(place('virtual', 'address = 192.0.2 eth0:1').text);
    assert.deepEqual(r.config.virtuals[0]?.address, { host: { text: '192.0.2', ip: '192.0.0.2', family: 4 }, device: 'eth0:1' });
  });

  it('sorry_server and masks are stored as dotted quads', () => {
    const r = parse(place('virtual', 'sorry_server = 10.1', 'vip_nmask = 0xffffff00', 'pmask = 255.255.0xff00').text);
    assert.deepEqual(r.diagnostics, []);
    const v = r.config.virtuals[0];
    assert.equal(v?.sorryServer, '10.0.0.1');
    assert.equal(v?.vipNmask, '255.255.255.0');
    assert.equal(v?.pmask, '255.255.255.0');
  });
});

describe('repeated keywords: the last one wins', () => {
  it('at top level, with a REPEATED_KEYWORD warning on the later line', () => {
    const r = parse('keepalive = 3\nprimary = 192.0.2.1\nkeepalive = 4\n');
    assert.equal(r.config.global.keepalive, 4);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.severity, d.code, d.line, d.col, d.message]),
      [['warning', 'REPEATED_KEYWORD', 3, 1, "'keepalive' is set again; the value on line 1 is overridden"]],
    );
  });

  it('in a virtual block', () => {
    const r = parse(place('virtual', 'scheduler = rr', 'scheduler = lc').text);
    assert.equal(r.config.virtuals[0]?.scheduler, 'lc');
    assert.deepEqual(
      only(r, 'REPEATED_KEYWORD').map((d) => [d.line, d.message]),
      [[3, "'scheduler' is set again; the value on line 2 is overridden"]],
    );
  });

  it('in a server block', () => {
    const r = parse(place('server', 'weight = 2', 'weight = 3').text);
    assert.equal(r.config.virtuals[0]?.servers[0]?.weight, 3);
    assert.deepEqual(
      only(r, 'REPEATED_KEYWORD').map((d) => [d.line, d.message]),
      [[4, "'weight' is set again; the value on line 3 is overridden"]],
    );
  });

  it('three times: two warnings, each naming the line it overrides', () => {
    const r = parse('deadtime = 6\ndeadtime = 7\ndeadtime = 8\n');
    assert.equal(r.config.global.deadtime, 8);
    assert.deepEqual(
      only(r, 'REPEATED_KEYWORD').map((d) => [d.line, d.message]),
      [
        [2, "'deadtime' is set again; the value on line 1 is overridden"],
        [3, "'deadtime' is set again; the value on line 2 is overridden"],
      ],
    );
  });

  it('a refused repetition leaves the earlier value and gives no REPEATED_KEYWORD', () => {
    const r = parse('keepalive = 3\nkeepalive = x\n');
    assert.equal(r.config.global.keepalive, 3);
    assert.deepEqual(r.diagnostics.map(brief), [{ severity: 'error', message: INT, line: 2, col: 13 }]);
  });

  it('the same keyword in two different blocks is not a repetition', () => {
    const r = parse('virtual a {\nport = 81\n}\nvirtual b {\nport = 82\n}\n');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.config.virtuals.map((v) => v.port),
      [81, 82],
    );
  });
});

describe('quoting', () => {
  it('removes double quotes from a value', () => {
    const r = parse('primary = "192.0.2.11"\n');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config.global.primary, v4('192.0.2.11'));
  });

  it('removes single quotes from a value', () => {
    const r = parse("syncd_iface = 'eth1'\n");
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.config.global.syncdIface, 'eth1');
  });

  it('lets a quoted value contain blanks', () => {
    const r = parse('rsh_command = "ssh -q"\nactive_cmd = \'/sbin/up --now\'\n');
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.config.global.rshCommand, 'ssh -q');
    assert.equal(r.config.global.activeCmd, '/sbin/up --now');
  });

  it('reads quoted integers, booleans and enums like bare ones', () => {
    const r = parse(place('virtual', 'timeout = "0x10"', "active = '1'", 'scheduler = "wrr"').text);
    assert.deepEqual(r.diagnostics, []);
    const v = r.config.virtuals[0];
    assert.deepEqual([v?.timeout, v?.active, v?.scheduler], [16, true, 'wrr']);
  });

  it('reads quoted block names with blanks', () => {
    const r = parse('virtual "my web" {\nserver \'web 1\' {\n}\n}\nfailover "my fos" {\n}\n');
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.config.virtuals[0]?.name, 'my web');
    assert.equal(r.config.virtuals[0]?.servers[0]?.name, 'web 1');
    assert.equal(r.config.failovers[0]?.name, 'my fos');
  });

  it('keeps the text of send and expect without their double quotes', () => {
    const r = parse(place('virtual', 'send = "GET / HTTP/1.0\\r\\n\\r\\n"', 'expect = "HTTP"').text);
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.config.virtuals[0]?.send, 'GET / HTTP/1.0\\r\\n\\r\\n');
    assert.equal(r.config.virtuals[0]?.expect, 'HTTP');
  });

  it("keeps a single-quoted send without its quotes but warns that piranha passes them on", () => {
    const r = parse(place('virtual', "send = 'QUIT\\r\\n'").text);
    assert.equal(r.config.virtuals[0]?.send, 'QUIT\\r\\n');
    assert.deepEqual(
      r.diagnostics.map((d) => [d.severity, d.code, d.line, d.col, d.compat]),
      [['warning', 'SINGLE_QUOTED', 2, 8, true]],
    );
  });

  it('accepts a quote character inside the other kind of quotes', () => {
    const r = parse(place('virtual', `expect = 'say "hi"'`, `send = "it's"`).text);
    assert.equal(r.config.virtuals[0]?.expect, 'say "hi"');
    assert.equal(r.config.virtuals[0]?.send, "it's");
  });
});

describe('pmask', () => {
  for (const all of ['255.255.255.255', '0xffffffff', '4294967295'])
    it(`pmask = ${all} means "no mask" (null)`, () => {
      const r = parse(place('virtual', 'persistent = 60', `pmask = ${all}`).text);
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.config.virtuals[0]?.pmask, null);
    });

  it('a later pmask = 255.255.255.255 clears an earlier mask', () => {
    const r = parse(place('virtual', 'pmask = 255.255.255.0', 'pmask = 255.255.255.255').text);
    assert.equal(r.config.virtuals[0]?.pmask, null);
  });

  it('vip_nmask = 255.255.255.255 is kept (only pmask treats it as unset)', () => {
    const r = parse(place('virtual', 'vip_nmask = 255.255.255.255').text);
    assert.equal(r.config.virtuals[0]?.vipNmask, '255.255.255.255');
  });
});

describe('keywords piranha parses but never uses are kept in the model', () => {
  it('heartbeat, debug_level and sync at top level', () => {
    const r = parse('heartbeat = 1\ndebug_level = VERBOSE\nsync = 1\n');
    assert.deepEqual(r.diagnostics, []);
    const g = r.config.global;
    assert.deepEqual([g.heartbeat, g.debugLevel, g.sync], [true, 'VERBOSE', true]);
  });

  it('master and dirs in a virtual block', () => {
    const r = parse(place('virtual', 'master = 192.0.2.5', 'dirs = [ a b ]').text);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config.virtuals[0]?.master, v4('192.0.2.5'));
    assert.deepEqual(r.config.virtuals[0]?.dirs, ['a', 'b']);
  });

  it('dirs = [ ] is an empty list', () => {
    const r = parse(place('virtual', 'dirs = [ ]').text);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config.virtuals[0]?.dirs, []);
  });

  it('dirs without its closing bracket is "list expected"', () => {
    const { text, line } = place('virtual', 'dirs = [ a b');
    assert.deepEqual(parse(text).diagnostics.map(brief), [{ severity: 'error', message: 'list expected', line, col: 8 }]);
  });
});

// ---------------------------------------------------------------------------------------------
// Extensions: accepted, with a warning whose `extension` says what piranha would refuse

/** extensionNotes lists the EXTENSION diagnostics of a parse as [line, col, message, extension]. */
const extensionNotes = (r: ParseResult): Array<[number, number, string, string | undefined]> =>
  r.diagnostics.map((d) => {
    assert.equal(d.severity, 'warning', `only warnings expected, got ${d.message}`);
    assert.equal(d.code, 'EXTENSION');
    return [d.line, d.col, d.message, d.extension];
  });

describe('extensions', () => {
  for (const [keyword, text, seconds] of [
    ['keepalive', '0.2', 0.2],
    ['deadtime', '1.5', 1.5],
    ['keepalive', '.5', 0.5],
  ] as const)
    it(`${keyword} = ${text} is ${seconds} seconds, flagged as fractional seconds`, () => {
      const r = parse(`${keyword} = ${text}\n`);
      assert.equal(valueOf(r, 'global', keyword), seconds);
      assert.deepEqual(extensionNotes(r), [[1, keyword.length + 4, INT, 'fractional seconds']]);
    });

  it('whole seconds carry no extension note', () => {
    assert.deepEqual(parse('keepalive = 1\ndeadtime = 3\n').diagnostics, []);
  });

  it('fractional seconds are not accepted where piranha wants an integer (timeout)', () => {
    const { text, line } = place('virtual', 'timeout = 0.5');
    assert.deepEqual(parse(text).diagnostics.map(brief), [{ severity: 'error', message: INT, line, col: 11 }]);
  });

  const ipv6: ReadonlyArray<[BlockKind, string, string, unknown, string]> = [
    ['global', 'primary', '2001:db8::1', { text: '2001:db8::1', ip: '2001:db8::1', family: 6 }, ARG],
    ['global', 'backup', '2001:DB8:0:0::2', { text: '2001:DB8:0:0::2', ip: '2001:db8::2', family: 6 }, ARG],
    ['virtual', 'master', 'fe80::1', { text: 'fe80::1', ip: 'fe80::1', family: 6 }, ARG],
    ['server', 'address', '2001:db8::21', { text: '2001:db8::21', ip: '2001:db8::21', family: 6 }, ARG],
    ['virtual', 'sorry_server', '2001:db8::99', '2001:db8::99', HOST],
  ];
  for (const [kind, keyword, text, model, message] of ipv6)
    it(`${kind} ${keyword} = ${text} is an IPv6 address, flagged as an extension`, () => {
      const { text: file, line } = place(kind, `${keyword} = ${text}`);
      const r = parse(file);
      assert.deepEqual(valueOf(r, kind, keyword), model);
      assert.deepEqual(extensionNotes(r), [[line, keyword.length + 4, message, 'IPv6 address']]);
    });

  it('a virtual address may be IPv6 with a device', () => {
    const r = parse(place('virtual', 'address = 2001:db8::10 eth0').text);
    assert.deepEqual(r.config.virtuals[0]?.address, {
      host: { text: '2001:db8::10', ip: '2001:db8::10', family: 6 },
      device: 'eth0',
    });
    assert.deepEqual(extensionNotes(r), [[2, 11, ARG, 'IPv6 address']]);
  });

  it('primary = :: is refused like 0.0.0.0', () => {
    assert.deepEqual(parse('primary = ::\n').diagnostics.map(brief), [{ severity: 'error', message: HOST, line: 1, col: 11 }]);
  });

  it('an IPv6 mask is not accepted', () => {
    const { text, line } = place('virtual', 'vip_nmask = ffff::');
    assert.deepEqual(parse(text).diagnostics.map(brief), [{ severity: 'error', message: MASK, line, col: 13 }]);
  });

  for (const scheduler of KERNEL_SCHEDULERS)
    it(`scheduler = ${scheduler} is accepted as a kernel-scheduler extension`, () => {
      const r = parse(place('virtual', `scheduler = ${scheduler}`).text);
      assert.equal(r.config.virtuals[0]?.scheduler, scheduler);
      assert.deepEqual(extensionNotes(r), [[2, 13, ARG, `scheduler '${scheduler}'`]]);
    });

  for (const scheduler of PIRANHA_SCHEDULERS)
    it(`scheduler = ${scheduler} is plain piranha (no note)`, () => {
      const r = parse(place('virtual', `scheduler = ${scheduler}`).text);
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.config.virtuals[0]?.scheduler, scheduler);
    });

  it('heartbeat_key_file is flagged at the keyword, with the unknown command piranha reports', () => {
    const r = parse('primary = 192.0.2.1\nheartbeat_key_file = /etc/sysconfig/ha/heartbeat.key\n');
    assert.equal(r.config.global.heartbeatKeyFile, '/etc/sysconfig/ha/heartbeat.key');
    assert.deepEqual(extensionNotes(r), [[2, 1, 'unknown command', 'heartbeat_key_file']]);
  });

  it('heartbeat_key_file inside a virtual block is an unknown command, not an extension', () => {
    const { text, line } = place('virtual', 'heartbeat_key_file = /k');
    assert.deepEqual(parse(text).diagnostics.map(brief), [{ severity: 'error', message: 'unknown command', line, col: 1 }]);
  });

  it('scheduler names are case-sensitive (WLC is refused)', () => {
    const { text, line } = place('virtual', 'scheduler = WLC');
    assert.deepEqual(parse(text).diagnostics.map(brief), [{ severity: 'error', message: ARG, line, col: 13 }]);
  });
});

// ---------------------------------------------------------------------------------------------
// Unknown keywords per block

describe('unknown keywords', () => {
  const cases: ReadonlyArray<[BlockKind, string, string]> = [
    ['global', 'weight = 1', "'weight' belongs in a server block, not in a global block"],
    ['global', 'debug = 1', "the keyword is 'debug_level'"],
    ['global', 'nmask = 255.255.255.0', "piranha 0.8.6 does not accept 'nmask'; remove it"],
    ['global', 'scheduler = wlc', "'scheduler' belongs in a virtual block, not in a global block"],
    ['global', 'keepalives = 2', "did you mean 'keepalive'?"],
    ['virtual', 'expect_program = "x"', "piranha 0.8.6 does not accept 'expect_program'; remove it"],
    ['virtual', 'deadtime = 5', "'deadtime' belongs in a global block, not in a virtual block"],
    ['virtual', 'heartbeat = 1', "'heartbeat' belongs in a global block, not in a virtual block"],
    ['virtual', 'weight = 1', "'weight' belongs in a server block, not in a virtual block"],
    ['virtual', 'nmask = 255.255.255.0', "piranha 0.8.6 does not accept 'nmask'; remove it"],
    ['failover', 'weight = 1', "'weight' belongs in a server block, not in a failover block"],
    ['server', 'nmask = 255.255.255.0', "piranha 0.8.6 does not accept 'nmask'; remove it"],
    ['server', 'scheduler = rr', "'scheduler' belongs in a virtual block, not in a server block"],
    ['server', 'timeout = 5', "'timeout' belongs in a virtual block, not in a server block"],
  ];
  for (const [kind, statement, hint] of cases)
    it(`${statement.split(' ')[0]} in a ${kind} block is 'unknown command'`, () => {
      const { text, line } = place(kind, statement);
      const r = parse(text);
      assert.deepEqual(
        r.diagnostics.map((d) => [d.severity, d.message, d.line, d.col, d.hint]),
        [['error', 'unknown command', line, 1, hint]],
      );
    });

  it('keywords are case-sensitive (Primary is unknown)', () => {
    assert.deepEqual(parse('Primary = 192.0.2.1\n').diagnostics.map(brief), [
      { severity: 'error', message: 'unknown command', line: 1, col: 1 },
    ]);
  });

  it('a server block at top level is an unknown command, and so is its body', () => {
    const r = parse('server rs {\naddress = 10.0.0.1\n}\n');
    assert.deepEqual(sortDiagnostics(r.diagnostics).map(brief), [
      { severity: 'error', message: 'unknown command', line: 1, col: 1 },
      { severity: 'error', message: 'unknown command', line: 2, col: 1 },
      { severity: 'error', message: 'unknown command', line: 3, col: 1 },
    ]);
    assert.equal(r.diagnostics.find((d) => d.line === 1)?.hint, 'a server block cannot stand inside a global block');
    assert.deepEqual(r.config.virtuals, []);
  });
});
