/**
 * The configuration digest: the same for files that differ only in form (comments, order,
 * spelling of defaults, what piranha ignores), different for any setting the directors act on.
 * Runs are reproducible: the seed is FC_SEED when set, else a fixed one.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { LvsConfig } from '../../../src/config/model.js';
import { writeConfig } from '../../../src/config/write.js';
import { configDigest, formatDigest } from '../../../src/pulse/digest.js';
import { lvsConfig } from '../../helpers/config-arbitraries.js';
import { parse } from '../../helpers/config.js';

const seed = process.env.FC_SEED === undefined || process.env.FC_SEED === '' ? 20240611 : Number(process.env.FC_SEED);

const BASE = `serial_no = 7
primary = 192.0.2.1
service = lvs
backup_active = 1
backup = 192.0.2.2
heartbeat = 1
heartbeat_port = 539
keepalive = 2
deadtime = 6
network = direct
debug_level = NONE
virtual web {
     active = 1
     address = 192.0.2.10 eth0:1
     port = 80
     send = "GET / HTTP/1.0\\r\\n\\r\\n"
     expect = "HTTP"
     scheduler = wlc
     protocol = tcp
     timeout = 6
     reentry = 15
     server a {
         address = 10.0.0.1
         active = 1
         weight = 1
     }
}
`;

/** CANONICAL is BASE's effective configuration: derived private addresses, serial_no and heartbeat reset. */
const CANONICAL = `serial_no = 0
primary = 192.0.2.1
primary_private = 192.0.2.1
service = lvs
backup_active = 1
backup = 192.0.2.2
backup_private = 192.0.2.2
heartbeat = 0
heartbeat_port = 539
keepalive = 2
deadtime = 6
network = direct
debug_level = NONE
virtual web {
     active = 1
     address = 192.0.2.10 eth0:1
     port = 80
     send = "GET / HTTP/1.0\\r\\n\\r\\n"
     expect = "HTTP"
     scheduler = wlc
     protocol = tcp
     timeout = 6
     reentry = 15
     server a {
         address = 10.0.0.1
         active = 1
         port = 80
         weight = 1
     }
}
`;

/** model parses lvs.cf text that must be free of errors. */
function model(text: string): LvsConfig {
  const r = parse(text);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), [], 'the test input must parse');
  return r.config;
}

const digestOf = (text: string): string => formatDigest(configDigest(model(text)));

/** edit replaces one piece of BASE, insisting that the piece is there. */
function edit(from: string, to: string): string {
  assert.ok(BASE.includes(from), `BASE contains ${JSON.stringify(from)}`);
  return BASE.replace(from, to);
}

describe('configDigest', () => {
  it('is 16 bytes, shown as 32 hex digits', () => {
    const d = configDigest(model(BASE));
    assert.equal(d.length, 16);
    assert.match(formatDigest(d), /^[0-9a-f]{32}$/);
  });

  it('is pinned for the base file: changing the canonical form makes directors of two versions warn', () => {
    // The pinned value is `sha256sum` of CANONICAL (the effective settings as the writer puts them), cut to 16 bytes.
    assert.equal(createHash('sha256').update(CANONICAL).digest('hex').slice(0, 32), '5d15ffd76b0483de95e94f42e21bcb46');
    assert.equal(digestOf(BASE), '5d15ffd76b0483de95e94f42e21bcb46');
  });

  const SAME: ReadonlyArray<[string, string]> = [
    ['comments and blank lines', `# lvs.cf of the web pair\n\n${BASE.replace('virtual web {', '# the web service\n\nvirtual web {')}`],
    ['another order of the global keywords', BASE.split('\n').slice(0, 11).reverse().join('\n') + '\n' + BASE.split('\n').slice(11).join('\n')],
    ['defaults left out', edit('heartbeat_port = 539\nkeepalive = 2\n', '').replace('     scheduler = wlc\n     protocol = tcp\n', '').replace('         weight = 1\n', '')],
    ['numbers in hex and octal', edit('keepalive = 2', 'keepalive = 0x2').replace('deadtime = 6', 'deadtime = 06')],
    ['a port given by service name', edit('     port = 80', '     port = http')],
    ['quotes around a plain value', edit('     expect = "HTTP"', "     expect = 'HTTP'").replace('network = direct', 'network = "direct"')],
    ['CRLF line endings', BASE.replace(/\n/g, '\r\n')],
    ["the GUI's serial number", edit('serial_no = 7', 'serial_no = 8')],
    ['keywords piranha ignores', edit('heartbeat = 1', 'heartbeat = 0').replace('debug_level = NONE', 'debug_level = DEBUG\nsync = 1')],
    ['the path of the heartbeat key file', edit('network = direct', 'network = direct\nheartbeat_key_file = /etc/sysconfig/ha/other.key')],
    ['private addresses equal to the public ones', edit('backup = 192.0.2.2', 'backup = 192.0.2.2\nprimary_private = 192.0.2.1\nbackup_private = 192.0.2.2')],
    ['a backup_private that piranha ignores', edit('backup = 192.0.2.2', 'backup = 192.0.2.2\nbackup_private = 10.255.0.2')],
    ['a pmask without persistence', edit('     port = 80', '     port = 80\n     pmask = 255.255.255.0')],
    ['a nat_router outside NAT', edit('network = direct', 'network = direct\nnat_router = 10.0.0.254 eth1:1')],
    ['an address in a non-canonical spelling', edit('         address = 10.0.0.1', '         address = 10.0.1')],
  ];
  for (const [what, text] of SAME)
    it(`ignores ${what}`, () => {
      assert.equal(digestOf(text), digestOf(BASE));
    });

  it('ignores whether an address was written as a host name that resolved to it', () => {
    const named = model(BASE);
    named.global.primary = { text: 'Director-A', ip: '192.0.2.1', family: 4 };
    assert.equal(formatDigest(configDigest(named)), digestOf(BASE));
  });

  it('ignores backup_active without a backup, which pulse clears', () => {
    const noBackup = (active: string): string => edit('backup_active = 1\nbackup = 192.0.2.2\n', `backup_active = ${active}\n`);
    assert.equal(digestOf(noBackup('1')), digestOf(noBackup('0')));
  });

  const DIFFERENT: ReadonlyArray<[string, string]> = [
    ['the primary', edit('primary = 192.0.2.1', 'primary = 192.0.2.3')],
    ['the backup', edit('backup = 192.0.2.2', 'backup = 192.0.2.4')],
    ['backup_active', edit('backup_active = 1', 'backup_active = 0')],
    ['a private heartbeat channel', edit('backup = 192.0.2.2', 'backup = 192.0.2.2\nprimary_private = 10.255.0.1\nbackup_private = 10.255.0.2')],
    ['the heartbeat port', edit('heartbeat_port = 539', 'heartbeat_port = 1050')],
    ['keepalive', edit('keepalive = 2', 'keepalive = 3')],
    ['fractional keepalive', edit('keepalive = 2', 'keepalive = 2.5')],
    ['deadtime', edit('deadtime = 6', 'deadtime = 10')],
    ['the forwarding method', edit('network = direct', 'network = tunnel')],
    ['an active_cmd', edit('network = direct', 'network = direct\nactive_cmd = /usr/local/sbin/up')],
    ['hard_shutdown', edit('network = direct', 'network = direct\nhard_shutdown = 0')],
    ['the sync daemon', edit('network = direct', 'network = direct\nsyncdaemon = 1')],
    ['an IPVS timeout', edit('network = direct', 'network = direct\ntcp_timeout = 900')],
    ['a VIP', edit('192.0.2.10 eth0:1', '192.0.2.11 eth0:1')],
    ['a VIP device', edit('192.0.2.10 eth0:1', '192.0.2.10 eth0:2')],
    ['a service going inactive', edit('     active = 1\n     address', '     active = 0\n     address')],
    ['a virtual port', edit('     port = 80', '     port = 8080')],
    ['the scheduler', edit('scheduler = wlc', 'scheduler = rr')],
    ['the protocol', edit('protocol = tcp', 'protocol = udp')],
    ['the expected reply', edit('expect = "HTTP"', 'expect = "HTTP/1.1 200"')],
    ['the check timeout', edit('timeout = 6', 'timeout = 7')],
    ['reentry', edit('reentry = 15', 'reentry = 30')],
    ['persistence', edit('     port = 80', '     port = 80\n     persistent = 300')],
    ['a real server address', edit('address = 10.0.0.1', 'address = 10.0.0.2')],
    ['a real server weight', edit('weight = 1', 'weight = 2')],
    ['a real server going inactive', edit('         active = 1', '         active = 0')],
    ['one more real server', edit('     }\n}', '     }\n     server b {\n         address = 10.0.0.2\n         active = 1\n     }\n}')],
    ['one more virtual service', `${BASE}virtual mail {\n     active = 1\n     address = 192.0.2.12 eth0:2\n     port = 25\n}\n`],
  ];
  for (const [what, text] of DIFFERENT)
    it(`changes with ${what}`, () => {
      assert.notEqual(digestOf(text), digestOf(BASE));
    });

  it('property: the same for any model after writing, reordering the global lines and adding comments', () => {
    fc.assert(
      fc.property(lvsConfig, fc.array(fc.nat()), fc.array(fc.nat(), { maxLength: 5 }), (m, order, comments) => {
        const text = writeConfig(m);
        const firstBlock = text.search(/^(virtual|failover) /m);
        const head = (firstBlock < 0 ? text : text.slice(0, firstBlock)).split('\n').filter((l) => l !== '');
        const rest = firstBlock < 0 ? '' : text.slice(firstBlock);
        // A seeded shuffle of the global lines, then comment lines at chosen places.
        for (let i = head.length - 1; i > 0; i--) {
          const j = (order[i % Math.max(1, order.length)] ?? 0) % (i + 1);
          [head[i], head[j]] = [head[j] as string, head[i] as string];
        }
        for (const c of comments) head.splice(c % (head.length + 1), 0, '# a comment', '');
        const reordered = `${head.join('\n')}\n${rest}`;
        const r = parse(reordered);
        assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
        assert.deepEqual(configDigest(r.config), configDigest(m));
      }),
      { seed, numRuns: 200 },
    );
  });

  it('does not change the model it digests', () => {
    const m = model(edit('backup = 192.0.2.2', 'backup = 192.0.2.2\nbackup_private = 10.255.0.2'));
    const before = structuredClone(m);
    configDigest(m);
    assert.deepEqual(m, before);
  });
});
