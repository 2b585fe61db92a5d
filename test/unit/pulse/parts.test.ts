import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LvsConfig } from '../../../src/config/model.js';
import type { DaemonState, SyncDaemon } from '../../../src/ipvs/types.js';
import type { AddressEntry, LinkEvent } from '../../../src/link/types.js';
import { splitCommand } from '../../../src/pulse/commands.js';
import { downLinks, monitoredLinks } from '../../../src/pulse/links.js';
import { lvsdCommand } from '../../../src/pulse/lvsd-child.js';
import { heartbeatEndpoints, roleOf } from '../../../src/pulse/role.js';
import { switchSyncDaemon } from '../../../src/pulse/sync-daemon.js';
import { pulseAddresses } from '../../../src/pulse/vips.js';
import { parse } from '../../helpers/config.js';

function config(text: string): LvsConfig {
  const r = parse(text);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.ok(r.config !== null);
  return r.config;
}

const NAT = `
primary = 10.0.0.1
backup = 10.0.0.2
backup_active = 1
network = nat
nat_router = 192.168.1.254 eth1:1
nat_nmask = 255.255.255.0
virtual web {
  active = 1
  address = 10.0.0.100 eth0:1
  port = 80
}
virtual web443 {
  active = 1
  address = 10.0.0.100 eth0:1
  port = 443
}
virtual off {
  active = 0
  address = 10.0.0.101 eth0:2
  port = 80
}
virtual mail {
  active = 1
  address = 10.0.0.102 eth0:3
  vip_nmask = 255.255.255.0
  port = 25
}
`;

describe('pulse addresses', () => {
  it('NAT router first, then each active VIP once; every device is an alias label of ours', () => {
    const { requests, aliasLabels } = pulseAddresses(config(NAT));
    assert.deepEqual(
      requests.map((r) => [r.address, r.prefix, r.label, r.broadcast]),
      [
        ['192.168.1.254', 24, 'eth1:1', '192.168.1.255'],
        ['10.0.0.100', 32, 'eth0:1', null],
        ['10.0.0.102', 24, 'eth0:3', '10.0.0.255'],
      ],
    );
    assert.deepEqual([...aliasLabels].sort(), ['eth0:1', 'eth0:2', 'eth0:3', 'eth1:1']);
  });

  it('no NAT router address with direct routing', () => {
    const { requests } = pulseAddresses(config(NAT.replace('network = nat', 'network = direct')));
    assert.deepEqual(
      requests.map((r) => r.address),
      ['10.0.0.100', '10.0.0.102'],
    );
  });
});

describe('pulse role and heartbeat endpoints', () => {
  it('master iff the node has the primary address', () => {
    assert.equal(roleOf('10.0.0.1', ['127.0.0.1', '10.0.0.1']), 'master');
    assert.equal(roleOf('10.0.0.1', ['127.0.0.1', '10.0.0.2']), 'backup');
    assert.equal(roleOf(null, ['10.0.0.1']), 'backup');
  });

  it('pairs the public and private channel by role', () => {
    const a = { primary: '10.0.0.1', primaryPrivate: '172.16.0.1', backup: '10.0.0.2', backupPrivate: '172.16.0.2' };
    assert.deepEqual(heartbeatEndpoints('master', a), { public: { local: '10.0.0.1', partner: '10.0.0.2' }, private: { local: '172.16.0.1', partner: '172.16.0.2' } });
    assert.deepEqual(heartbeatEndpoints('backup', a), { public: { local: '10.0.0.2', partner: '10.0.0.1' }, private: { local: '172.16.0.2', partner: '172.16.0.1' } });
    // piranha's rule: private = public when primary_private is not set (heartbeatAddresses), so one channel.
    assert.deepEqual(heartbeatEndpoints('master', { ...a, primaryPrivate: '10.0.0.1', backupPrivate: '10.0.0.2' }).private, null);
  });
});

describe('pulse commands', () => {
  it('splits active_cmd on blanks without a shell', () => {
    assert.deepEqual(splitCommand('/usr/local/bin/notify  --state active\tnow'), ['/usr/local/bin/notify', '--state', 'active', 'now']);
    assert.deepEqual(splitCommand('   '), []);
  });

  it("runs lvsd as piranha did: --nofork (or --nodaemon in the foreground), -c FILE, -v", () => {
    assert.deepEqual(lvsdCommand('/usr/sbin/lvsd', '/etc/lvs.cf', { foreground: false, verbose: false }), { file: '/usr/sbin/lvsd', args: ['--nofork', '-c', '/etc/lvs.cf'] });
    const js = lvsdCommand('/opt/lvs/bin/lvsd.js', 'x.cf', { foreground: true, verbose: true });
    assert.equal(js.file, process.execPath);
    assert.deepEqual(js.args, ['/opt/lvs/bin/lvsd.js', '--nodaemon', '-c', 'x.cf', '-v']);
  });
});

describe('pulse sync daemon', () => {
  function fake(running: SyncDaemon[]): { ops: string[]; ipvs: Parameters<typeof switchSyncDaemon>[0] } {
    const ops: string[] = [];
    return {
      ops,
      ipvs: {
        daemons: () => Promise.resolve(running),
        startDaemon: (d: SyncDaemon) => {
          ops.push(`start ${d.state} ${d.interface} ${d.syncId}`);
          return Promise.resolve();
        },
        stopDaemon: (s: DaemonState) => {
          ops.push(`stop ${s}`);
          return Promise.resolve();
        },
      },
    };
  }

  it('stops what runs in another state and starts the wanted one, syncid masked to 8 bits', async () => {
    const f = fake([{ state: 'backup', interface: 'eth0', syncId: 1 }]);
    await switchSyncDaemon(f.ipvs, 'master', { iface: 'eth0', syncId: 0x101 });
    assert.deepEqual(f.ops, ['stop backup', 'start master eth0 1']);
  });

  it('leaves a daemon already in the wanted state alone', async () => {
    const f = fake([{ state: 'master', interface: 'eth0', syncId: 7 }]);
    await switchSyncDaemon(f.ipvs, 'master', { iface: 'eth0', syncId: 7 });
    assert.deepEqual(f.ops, []);
  });
});

describe('pulse link monitoring', () => {
  const ev = (index: number, up: boolean, carrier: boolean): LinkEvent => ({ name: `if${index}`, index, up, carrier, operstate: carrier ? 'up' : 'down', removed: false });
  const specs = [
    { name: 'public' as const, local: '10.0.0.1', partner: '10.0.0.2' },
    { name: 'private' as const, local: '172.16.0.1', partner: '172.16.0.2' },
  ];
  const entry = (index: number, address: string, label: string): AddressEntry => ({ family: 4, index, address, peer: null, prefix: 24, broadcast: null, label, flags: 0, scope: 0, proto: 0 });
  const entries = [entry(2, '10.0.0.1', 'eth0'), entry(3, '172.16.0.1', 'eth1')];

  it('names the links of the heartbeat addresses Primary and Private; a missing address is not monitored', () => {
    assert.deepEqual(monitoredLinks(specs, entries), [
      { name: 'Primary', index: 2 },
      { name: 'Private', index: 3 },
    ]);
    assert.deepEqual(monitoredLinks(specs, entries.slice(0, 1)), [{ name: 'Primary', index: 2 }]);
  });

  it('a link administratively down, without carrier, or removed is down', () => {
    const links = monitoredLinks(specs, entries);
    assert.deepEqual(downLinks(links, new Map([[2, ev(2, true, true)], [3, ev(3, true, true)]])), []);
    assert.deepEqual(downLinks(links, new Map([[2, ev(2, true, false)], [3, ev(3, false, true)]])), ['Primary', 'Private']);
    assert.deepEqual(downLinks(links, new Map([[3, { ...ev(3, true, true), removed: true }]])), ['Private']);
  });
});
