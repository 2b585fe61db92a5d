import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GLOBAL_KEYWORDS,
  SERVER_KEYWORDS,
  VIRTUAL_KEYWORDS,
  lookupKeyword,
  type BlockKind,
  type KeywordSpec,
} from '../../../src/config/keywords.js';
import { defaultServer, defaultVirtual, emptyConfig, type LvsConfig, type VirtualService } from '../../../src/config/model.js';
import { WriteError, formatValue, quoteToken, writeConfig, writeServer, writeVirtual } from '../../../src/config/write.js';
import { parse, readSample, SAMPLES } from '../../helpers/config.js';

function spec(kind: BlockKind, keyword: string): KeywordSpec<string> {
  const s = lookupKeyword(kind, keyword);
  if (s === undefined) throw new Error(`no keyword ${keyword} in ${kind}`);
  return s;
}

/** throwsWriteError asserts that fn throws a WriteError with this code (and keyword, when given). */
function throwsWriteError(fn: () => unknown, code: WriteError['code'], keyword?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof WriteError, `expected a WriteError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (keyword !== undefined) assert.equal(e.keyword, keyword);
    return true;
  });
}

/** GuiLine is one line of writer output, classified by the GUI layout it must follow. */
type GuiLine =
  | { kind: 'key'; block: 'global' | 'virtual' | 'server'; key: string; value: string }
  | { kind: 'open'; block: 'virtual' | 'failover' | 'server'; name: string }
  | { kind: 'close'; block: 'virtual' | 'server' };

/**
 * guiShape checks text against the GUI's layout (parse.php write_config): top-level keys
 * unindented and before any block, `virtual NAME {`, 5-space keys, `     server NAME {`,
 * 9-space keys, `     }`, `}`, keys in table order, no blank lines, LF endings.
 */
function guiShape(text: string): GuiLine[] {
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  assert.ok(!text.includes('\r'), 'LF line endings only');
  const order = (specs: readonly KeywordSpec<string>[], key: string): number => {
    const i = specs.findIndex((s) => s.keyword === key);
    assert.ok(i >= 0, `${key} is a keyword of its block`);
    return i;
  };
  const out: GuiLine[] = [];
  let state: 'global' | 'virtual' | 'server' = 'global';
  let globalAt = -1;
  let virtualAt = -1;
  let serverAt = -1;
  let inServers = false;
  let blocksStarted = false;
  for (const line of text.slice(0, -1).split('\n')) {
    assert.notEqual(line.trim(), '', 'no blank lines');
    let m: RegExpExecArray | null;
    if (state === 'global') {
      if ((m = /^(virtual|failover) (.+) \{$/.exec(line)) !== null) {
        out.push({ kind: 'open', block: m[1] as 'virtual' | 'failover', name: m[2] as string });
        state = 'virtual';
        blocksStarted = true;
        virtualAt = -1;
        inServers = false;
        continue;
      }
      m = /^([a-z_]+) = (\S.*)$/.exec(line);
      assert.ok(m !== null, `top-level line ${JSON.stringify(line)} is 'key = value' without indentation`);
      assert.ok(!blocksStarted, `top-level key ${line} comes before the blocks`);
      const i = order(GLOBAL_KEYWORDS, m[1] as string);
      assert.ok(i > globalAt, `${m[1]} is in GUI order`);
      globalAt = i;
      out.push({ kind: 'key', block: 'global', key: m[1] as string, value: m[2] as string });
    } else if (state === 'virtual') {
      if (line === '}') {
        out.push({ kind: 'close', block: 'virtual' });
        state = 'global';
        continue;
      }
      if ((m = /^ {5}server (.+) \{$/.exec(line)) !== null) {
        out.push({ kind: 'open', block: 'server', name: m[1] as string });
        state = 'server';
        inServers = true;
        serverAt = -1;
        continue;
      }
      m = /^ {5}([a-z_]+) = (\S.*)$/.exec(line);
      assert.ok(m !== null, `virtual line ${JSON.stringify(line)} is 'key = value' indented by 5 spaces`);
      assert.ok(!inServers, `${m[1]} comes before the server blocks`);
      const i = order(VIRTUAL_KEYWORDS, m[1] as string);
      assert.ok(i > virtualAt, `${m[1]} is in GUI order`);
      virtualAt = i;
      out.push({ kind: 'key', block: 'virtual', key: m[1] as string, value: m[2] as string });
    } else {
      if (line === '     }') {
        out.push({ kind: 'close', block: 'server' });
        state = 'virtual';
        continue;
      }
      m = /^ {9}([a-z_]+) = (\S.*)$/.exec(line);
      assert.ok(m !== null, `server line ${JSON.stringify(line)} is 'key = value' indented by 9 spaces`);
      const i = order(SERVER_KEYWORDS, m[1] as string);
      assert.ok(i > serverAt, `${m[1]} is in GUI order`);
      serverAt = i;
      out.push({ kind: 'key', block: 'server', key: m[1] as string, value: m[2] as string });
    }
  }
  assert.equal(state, 'global', 'every block is closed');
  return out;
}

const SINGLE_DIRECTOR = `serial_no = 1
primary = 203.0.113.5
service = lvs
backup_active = 0
backup = 0.0.0.0
heartbeat = 0
heartbeat_port = 539
keepalive = 2
deadtime = 5
network = direct
debug_level = NONE
virtual smtp {
     active = 1
     address = 203.0.113.25 eth0:1
     port = 25
     expect = "220"
     scheduler = lc
     protocol = tcp
     timeout = 10
     reentry = 120
     server mx1 {
         address = 203.0.113.31
         active = 1
         port = 25
         weight = 1
     }
     server mx2 {
         address = 203.0.113.32
         active = 1
         port = 25
         weight = 1
     }
}
`;

const NAT_FWMARK = `serial_no = 3
primary = 198.51.100.2
service = lvs
backup_active = 1
backup = 198.51.100.3
heartbeat = 1
heartbeat_port = 539
keepalive = 2
deadtime = 10
network = nat
nat_router = 10.20.0.254 eth1:1
nat_nmask = 255.255.255.0
debug_level = NONE
active_cmd = /usr/local/sbin/lvs-became-active
inactive_cmd = /usr/local/sbin/lvs-became-inactive
virtual web_farm {
     active = 1
     address = 198.51.100.50 eth0:1
     sorry_server = 10.20.0.99
     vip_nmask = 255.255.255.255
     fwmark = 80
     port = 80
     persistent = 600
     pmask = 255.255.255.0
     load_monitor = none
     scheduler = wrr
     protocol = tcp
     timeout = 5
     reentry = 60
     server app1 {
         address = 10.20.0.11
         active = 1
         port = 80
         weight = 10
     }
     server app2 {
         address = 10.20.0.12
         active = 0
         port = 80
         weight = 10
     }
}
virtual dns {
     active = 1
     address = 198.51.100.53 eth0:2
     port = 53
     send = "\\n"
     expect = "*"
     scheduler = rr
     protocol = udp
     timeout = 5
     reentry = 30
     server ns1 {
         address = 10.20.0.31
         active = 1
         port = 53
         weight = 1
     }
}
`;

describe('writeConfig on the sample files', () => {
  for (const sample of SAMPLES) {
    describe(sample, () => {
      const original = parse(readSample(sample));
      const written = writeConfig(original.config);

      it('parses cleanly to begin with', () => {
        assert.deepEqual(original.diagnostics, []);
      });

      it('writes the GUI layout', () => {
        const shape = guiShape(written);
        const opens = shape.filter((l) => l.kind === 'open');
        assert.deepEqual(
          opens.filter((l) => l.block === 'virtual').map((l) => l.name),
          original.config.virtuals.map((v) => v.name),
        );
        assert.deepEqual(
          opens.filter((l) => l.block === 'server').map((l) => l.name),
          original.config.virtuals.flatMap((v) => v.servers.map((s) => s.name)),
        );
        // Every server block states address, active, port and weight (the GUI always writes them).
        const serverKeys = shape.filter((l) => l.kind === 'key' && l.block === 'server').map((l) => (l as { key: string }).key);
        assert.deepEqual(
          serverKeys,
          original.config.virtuals.flatMap((v) => v.servers.flatMap(() => ['address', 'active', 'port', 'weight'])),
        );
      });

      it('parses back to the same model, without any diagnostic', () => {
        const again = parse(written);
        assert.deepEqual(again.diagnostics, []);
        assert.deepEqual(again.config, original.config);
      });

      it('is stable: writing the re-parsed model gives the same text', () => {
        assert.equal(writeConfig(parse(written).config), written);
      });
    });
  }

  it('writes sample-single-director.cf exactly as the GUI would', () => {
    assert.equal(writeConfig(parse(readSample('sample-single-director.cf')).config), SINGLE_DIRECTOR);
  });

  it('writes sample-nat-fwmark.cf exactly as the GUI would (keys reordered, explicit server ports)', () => {
    assert.equal(writeConfig(parse(readSample('sample-nat-fwmark.cf')).config), NAT_FWMARK);
  });

  it('drops keys that hold their default (quiesce_server = 0) but keeps the ones the GUI always writes', () => {
    const text = writeConfig(parse(readSample('sample-direct-routing.cf')).config);
    const http = text.slice(text.indexOf('virtual www_http {'), text.indexOf('virtual www_https {'));
    assert.ok(!http.includes('quiesce_server'));
    const https = text.slice(text.indexOf('virtual www_https {'));
    assert.ok(https.includes('\n     quiesce_server = 1\n'));
    // The servers of www_https had no port line: the writer states the inherited 443.
    assert.equal(https.split('\n         port = 443\n').length - 1, 2);
  });
});

describe('writeConfig defaults', () => {
  it('writes only the always-written keys of an all-default configuration', () => {
    assert.equal(
      writeConfig(emptyConfig()),
      'serial_no = 0\nservice = lvs\nbackup_active = 0\nheartbeat = 0\nheartbeat_port = 539\nkeepalive = 2\ndeadtime = 5\nnetwork = nat\ndebug_level = NONE\n',
    );
  });

  it('writes the always-written keys of a default virtual and server, leaving out unset addresses', () => {
    const v = defaultVirtual('v');
    v.servers.push(defaultServer('s', 80));
    assert.equal(
      writeVirtual(v),
      'virtual v {\n     active = 0\n     port = 80\n     scheduler = wlc\n     protocol = tcp\n     timeout = 10\n     reentry = 180\n' +
        '     server s {\n         active = 0\n         port = 80\n         weight = 1\n     }\n}\n',
    );
  });

  it('writes a server port equal to the virtual port and a default weight of 1 (always keys)', () => {
    const v = defaultVirtual('v');
    v.port = 443;
    v.servers.push({ name: 's', address: { text: '192.0.2.1', ip: '192.0.2.1', family: 4 }, active: true, weight: 1, port: 443 });
    assert.match(writeVirtual(v), /\n {9}address = 192\.0\.2\.1\n {9}active = 1\n {9}port = 443\n {9}weight = 1\n {5}\}\n/);
  });

  const host = (ip: string) => ({ text: ip, ip, family: 4 as const });
  /** NON_DEFAULT gives each keyword that is not always written a non-default value and its line. */
  const NON_DEFAULT: Record<'global' | 'virtual', Array<[string, unknown, string]>> = {
    global: [
      ['primary_private', host('10.0.0.1'), '10.0.0.1'],
      ['primary_shared', '/dev/sdb', '/dev/sdb'],
      ['rsh_command', 'ssh', 'ssh'],
      ['backup_private', host('10.0.0.2'), '10.0.0.2'],
      ['backup_shared', '/dev/sdc', '/dev/sdc'],
      ['nat_router', { host: host('10.0.0.254'), device: 'eth1:1' }, '10.0.0.254 eth1:1'],
      ['nat_nmask', '255.255.255.0', '255.255.255.0'],
      ['reservation_conflict_action', 'preempt', 'preempt'],
      ['active_cmd', '/bin/up now', '"/bin/up now"'],
      ['inactive_cmd', '/bin/down', '/bin/down'],
      ['monitor_links', 1, '1'],
      ['syncdaemon', true, '1'],
      ['syncd_iface', 'eth1', 'eth1'],
      ['syncd_id', 3, '3'],
      ['tcp_timeout', 900, '900'],
      ['tcpfin_timeout', 120, '120'],
      ['udp_timeout', 300, '300'],
      ['hard_shutdown', false, '0'],
      ['ipvsadm', '/usr/sbin/ipvsadm', '/usr/sbin/ipvsadm'],
      ['sync', true, '1'],
      ['heartbeat_key_file', '/etc/sysconfig/ha/heartbeat.key', '/etc/sysconfig/ha/heartbeat.key'],
    ],
    virtual: [
      ['sorry_server', '10.0.0.9', '10.0.0.9'],
      ['vip_nmask', '255.255.255.0', '255.255.255.0'],
      ['fwmark', 7, '7'],
      ['persistent', 300, '300'],
      ['pmask', '255.255.0.0', '255.255.0.0'],
      ['send', 'GET / HTTP/1.0\\r\\n\\r\\n', '"GET / HTTP/1.0\\r\\n\\r\\n"'],
      ['expect', 'HTTP', '"HTTP"'],
      ['use_regex', true, '1'],
      ['send_program', '/bin/check %h', '"/bin/check %h"'],
      ['load_monitor', 'uptime', 'uptime'],
      ['quiesce_server', true, '1'],
      ['client_monitor', '/opt/nanny', '/opt/nanny'],
      ['start_cmd', '/bin/start', '"/bin/start"'],
      ['stop_cmd', '/bin/stop', '"/bin/stop"'],
      ['master', host('10.0.0.3'), '10.0.0.3'],
      ['dirs', ['a', 'b c'], '[ a "b c" ]'],
    ],
  };

  it('has a non-default example for every keyword that is not always written', () => {
    assert.deepEqual(
      NON_DEFAULT.global.map(([k]) => k),
      GLOBAL_KEYWORDS.filter((s) => s.always !== true).map((s) => s.keyword),
    );
    assert.deepEqual(
      NON_DEFAULT.virtual.map(([k]) => k),
      VIRTUAL_KEYWORDS.filter((s) => s.always !== true).map((s) => s.keyword),
    );
    assert.deepEqual(SERVER_KEYWORDS.filter((s) => s.always !== true), []);
  });

  for (const [keyword, value, rendered] of NON_DEFAULT.global) {
    it(`writes global ${keyword} only when it differs from the default`, () => {
      const s = spec('global', keyword);
      const config = emptyConfig();
      const base = writeConfig(config);
      assert.ok(!base.includes(`${keyword} =`));
      (config.global as unknown as Record<string, unknown>)[s.field] = value;
      const text = writeConfig(config);
      const added = text.split('\n').filter((l) => !base.split('\n').includes(l));
      assert.deepEqual(added, [`${keyword} = ${rendered}`]);
      assert.deepEqual(parse(text).config, config);
    });
  }

  for (const [keyword, value, rendered] of NON_DEFAULT.virtual) {
    it(`writes virtual ${keyword} only when it differs from the default`, () => {
      const s = spec('virtual', keyword);
      const v = defaultVirtual('v');
      const base = writeVirtual(v);
      (v as unknown as Record<string, unknown>)[s.field] = value;
      const text = writeVirtual(v);
      const added = text.split('\n').filter((l) => !base.split('\n').includes(l));
      assert.deepEqual(added, [`     ${keyword} = ${rendered}`]);
      const config: LvsConfig = { ...emptyConfig(), virtuals: [v] };
      assert.deepEqual(parse(writeConfig(config)).config, config);
    });
  }
});

describe('writeVirtual and writeServer', () => {
  it('writes failover blocks before virtual blocks, with their own header word', () => {
    const config = emptyConfig();
    config.virtuals.push(defaultVirtual('vs'));
    config.failovers.push(defaultVirtual('fo'));
    const text = writeConfig(config);
    assert.ok(text.indexOf('\nfailover fo {\n') > 0);
    assert.ok(text.indexOf('\nfailover fo {\n') < text.indexOf('\nvirtual vs {\n'));
    assert.deepEqual(parse(text).config, config);
  });

  it('quotes block names with blanks', () => {
    const v = defaultVirtual('my web');
    v.servers.push(defaultServer('real one', 80));
    const text = writeVirtual(v);
    assert.ok(text.startsWith('virtual "my web" {\n'));
    assert.ok(text.includes('\n     server "real one" {\n'));
    assert.deepEqual(parse(text).config.virtuals[0], v);
  });

  it("regression: blocks named '{' or '}' read back with their names (found by the round-trip property)", () => {
    // `virtual { {` is a valid header (three tokens, the last '{'); its name is '{'.
    for (const n of ['{', '}']) {
      const v = defaultVirtual(n);
      v.fwmark = 1;
      v.servers.push(defaultServer(n, 80));
      const config: LvsConfig = { ...emptyConfig(), virtuals: [v] };
      const text = writeConfig(config);
      assert.ok(text.includes(`\nvirtual ${n} {\n`));
      assert.ok(text.includes(`\n     server ${n} {\n`));
      const parsed = parse(text);
      assert.deepEqual(parsed.diagnostics, []);
      assert.deepEqual(parsed.config, config);
    }
  });

  it('indents nested blocks as asked', () => {
    const s = defaultServer('s', 8080);
    assert.equal(writeServer(s, '\t', '\t\t'), '\tserver s {\n\t\tactive = 0\n\t\tport = 8080\n\t\tweight = 1\n\t}\n');
    assert.equal(writeVirtual(defaultVirtual('f'), 'failover', '  ').split('\n')[0], '  failover f {');
    assert.equal(writeVirtual(defaultVirtual('f'), 'failover', '  ').split('\n')[1], '       active = 0');
  });

  it('refuses a name with a line break', () => {
    throwsWriteError(() => writeVirtual(defaultVirtual('a\nb')), 'LVSCF_UNREPRESENTABLE', 'virtual');
    const v = defaultVirtual('v');
    v.servers.push(defaultServer('x\ry', 80));
    throwsWriteError(() => writeVirtual(v), 'LVSCF_UNREPRESENTABLE', 'server');
  });

  it('refuses a model value that cannot be quoted', () => {
    const config = emptyConfig();
    config.global.activeCmd = `say "it's" now`;
    throwsWriteError(() => writeConfig(config), 'LVSCF_UNREPRESENTABLE', 'active_cmd');
  });
});

describe('quoteToken', () => {
  it('leaves plain words bare', () => {
    assert.equal(quoteToken('k', 'abc'), 'abc');
    assert.equal(quoteToken('k', '/usr/sbin/nanny'), '/usr/sbin/nanny');
    assert.equal(quoteToken('k', 'a"b'), 'a"b');
    assert.equal(quoteToken('k', "it's"), "it's");
    assert.equal(quoteToken('k', '#x'), '#x');
  });

  it('double-quotes values with blanks, empty values and values that start with a quote', () => {
    assert.equal(quoteToken('k', 'a b'), '"a b"');
    assert.equal(quoteToken('k', 'a\tb'), '"a\tb"');
    assert.equal(quoteToken('k', ''), '""');
    assert.equal(quoteToken('k', "'x"), `"'x"`);
    assert.equal(quoteToken('k', "it's here"), `"it's here"`);
  });

  it('always double-quotes when asked to', () => {
    assert.equal(quoteToken('send', 'x', true), '"x"');
    assert.equal(quoteToken('send', '\\r\\n', true), '"\\r\\n"');
  });

  it('uses single quotes for a value containing a double quote', () => {
    assert.equal(quoteToken('k', 'say "hi"'), `'say "hi"'`);
    assert.equal(quoteToken('k', '"x'), `'"x'`);
    assert.equal(quoteToken('send', 'a"b', true), `'a"b'`);
  });

  it('refuses both quote kinds together with a blank, and any line break', () => {
    throwsWriteError(() => quoteToken('k', `a "b' c`), 'LVSCF_UNREPRESENTABLE', 'k');
    throwsWriteError(() => quoteToken('k', `"it's"`), 'LVSCF_UNREPRESENTABLE', 'k');
    throwsWriteError(() => quoteToken('k', 'a\nb'), 'LVSCF_UNREPRESENTABLE', 'k');
    throwsWriteError(() => quoteToken('k', 'a\rb'), 'LVSCF_UNREPRESENTABLE', 'k');
    throwsWriteError(() => quoteToken('k', 'ab\r\n', true), 'LVSCF_UNREPRESENTABLE', 'k');
  });

  it('regression: writes a word with both quote kinds bare even when it is normally quoted', () => {
    // `send = a"'b` is a valid file; the writer used to throw LVSCF_UNREPRESENTABLE for its model.
    assert.equal(quoteToken('send', `a"'b`, true), `a"'b`);
    const parsed = parse(`virtual v {\n     send = a"'b\n}\n`);
    assert.deepEqual(parsed.diagnostics, []);
    const text = writeConfig(parsed.config);
    assert.ok(text.includes(`\n     send = a"'b\n`));
    assert.deepEqual(parse(text).config, parsed.config);
  });
});

describe('formatValue', () => {
  it('renders each kind of value', () => {
    assert.equal(formatValue(spec('global', 'serial_no'), 42), '42');
    assert.equal(formatValue(spec('global', 'serial_no'), -1), '-1');
    assert.equal(formatValue(spec('global', 'heartbeat_port'), 539), '539');
    assert.equal(formatValue(spec('global', 'keepalive'), 2), '2');
    assert.equal(formatValue(spec('global', 'keepalive'), 0.5), '0.5');
    assert.equal(formatValue(spec('global', 'syncdaemon'), true), '1');
    assert.equal(formatValue(spec('global', 'syncdaemon'), false), '0');
    assert.equal(formatValue(spec('global', 'primary'), { text: 'lvs1.example.com', ip: null, family: null }), 'lvs1.example.com');
    assert.equal(formatValue(spec('global', 'primary'), { text: '2001:db8::1', ip: '2001:db8::1', family: 6 }), '2001:db8::1');
    assert.equal(formatValue(spec('virtual', 'address'), { host: { text: '192.0.2.1', ip: '192.0.2.1', family: 4 }, device: 'eth0:1' }), '192.0.2.1 eth0:1');
    assert.equal(formatValue(spec('virtual', 'dirs'), []), '[ ]');
    assert.equal(formatValue(spec('virtual', 'dirs'), ['a', 'b c']), '[ a "b c" ]');
    assert.equal(formatValue(spec('virtual', 'scheduler'), 'wlc'), 'wlc');
    assert.equal(formatValue(spec('virtual', 'scheduler'), 'mh'), 'mh');
    assert.equal(formatValue(spec('virtual', 'sorry_server'), '10.0.0.1'), '10.0.0.1');
    assert.equal(formatValue(spec('virtual', 'send'), 'GET /'), '"GET /"');
    assert.equal(formatValue(spec('virtual', 'expect'), 'OK'), '"OK"');
    assert.equal(formatValue(spec('virtual', 'send_program'), '/bin/check'), '"/bin/check"');
    assert.equal(formatValue(spec('virtual', 'load_monitor'), 'none'), 'none');
  });

  it('returns null for an absent value', () => {
    assert.equal(formatValue(spec('global', 'primary'), null), null);
    assert.equal(formatValue(spec('virtual', 'send'), undefined), null);
  });

  const wrong: Array<[BlockKind, string, unknown]> = [
    ['global', 'serial_no', '5'],
    ['global', 'serial_no', 1.5],
    ['global', 'serial_no', Number.NaN],
    ['global', 'heartbeat_port', '539'],
    ['global', 'keepalive', Number.POSITIVE_INFINITY],
    ['global', 'keepalive', Number.NaN],
    ['global', 'keepalive', '2'],
    ['global', 'syncdaemon', 1],
    ['global', 'syncdaemon', 'true'],
    ['global', 'primary', '192.0.2.1'],
    ['global', 'primary', { text: '', ip: null, family: null }],
    ['global', 'primary', { ip: '192.0.2.1' }],
    ['global', 'nat_router', { host: { text: '10.0.0.1', ip: '10.0.0.1', family: 4 } }],
    ['global', 'nat_router', { host: { text: '10.0.0.1', ip: '10.0.0.1', family: 4 }, device: '' }],
    ['global', 'nat_router', { host: '10.0.0.1', device: 'eth1:1' }],
    ['global', 'network', 'bridge'],
    ['global', 'network', 1],
    ['virtual', 'scheduler', 'fifo'],
    ['virtual', 'protocol', 'sctp'],
    ['virtual', 'dirs', 'a b'],
    ['virtual', 'dirs', ['a', 1]],
    ['virtual', 'send', 42],
    ['virtual', 'sorry_server', { text: '10.0.0.1' }],
    ['global', 'rsh_command', ['ssh']],
    ['server', 'weight', true],
    ['server', 'address', 7],
  ];
  for (const [kind, keyword, value] of wrong) {
    it(`refuses ${kind} ${keyword} = ${typeof value === 'number' ? String(value) : JSON.stringify(value)} with LVSCF_VALUE_TYPE`, () => {
      throwsWriteError(() => formatValue(spec(kind, keyword), value), 'LVSCF_VALUE_TYPE', keyword);
    });
  }

  it('refuses a text value with both quote kinds and a blank, or a newline', () => {
    throwsWriteError(() => formatValue(spec('global', 'active_cmd'), `echo "it's" on`), 'LVSCF_UNREPRESENTABLE', 'active_cmd');
    throwsWriteError(() => formatValue(spec('virtual', 'expect'), 'a\nb'), 'LVSCF_UNREPRESENTABLE', 'expect');
    throwsWriteError(() => formatValue(spec('virtual', 'dirs'), ['a\nb']), 'LVSCF_UNREPRESENTABLE', 'dirs');
    throwsWriteError(() => formatValue(spec('server', 'address'), { text: 'a\nb', ip: null, family: null }), 'LVSCF_UNREPRESENTABLE', 'address');
  });

  it('regression: refuses integers that do not fit in 32 bits (the parser rejects them)', () => {
    throwsWriteError(() => formatValue(spec('global', 'serial_no'), 2147483648), 'LVSCF_VALUE_TYPE', 'serial_no');
    throwsWriteError(() => formatValue(spec('server', 'weight'), -2147483649), 'LVSCF_VALUE_TYPE', 'weight');
    throwsWriteError(() => formatValue(spec('global', 'deadtime'), 2147483648), 'LVSCF_VALUE_TYPE', 'deadtime');
    // A negative whole number parses (the validator refuses it), so it must be writable too.
    assert.equal(formatValue(spec('global', 'keepalive'), -1), '-1');
    throwsWriteError(() => formatValue(spec('global', 'keepalive'), -0.5), 'LVSCF_UNREPRESENTABLE', 'keepalive');
    assert.equal(formatValue(spec('global', 'serial_no'), 2147483647), '2147483647');
    assert.equal(formatValue(spec('server', 'weight'), -2147483648), '-2147483648');
  });

  it('regression: refuses seconds that String() would write in exponent notation', () => {
    throwsWriteError(() => formatValue(spec('global', 'keepalive'), 1e-7), 'LVSCF_UNREPRESENTABLE', 'keepalive');
    assert.equal(formatValue(spec('global', 'keepalive'), 0.000001), '0.000001');
    const config = emptyConfig();
    config.global.keepalive = 0.000001;
    assert.deepEqual(parse(writeConfig(config)).config, config);
  });

  it("regression: refuses a list word ']' (the parser would end the list there)", () => {
    throwsWriteError(() => formatValue(spec('virtual', 'dirs'), ['a', ']', 'b']), 'LVSCF_UNREPRESENTABLE', 'dirs');
    assert.equal(formatValue(spec('virtual', 'dirs'), ['[', ']x']), '[ [ ]x ]');
  });

  it('regression: refuses a list longer than one line can hold (95 words)', () => {
    const words = (n: number): string[] => Array.from({ length: n }, (_, i) => `d${i}`);
    throwsWriteError(() => formatValue(spec('virtual', 'dirs'), words(96)), 'LVSCF_UNREPRESENTABLE', 'dirs');
    const v: VirtualService = { ...defaultVirtual('v'), dirs: words(95) };
    const parsed = parse(writeVirtual(v));
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(parsed.config.virtuals[0]?.dirs, words(95));
  });
});
