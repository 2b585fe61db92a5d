import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activeVips, diffConfig, serverIdentity, type ConfigDiff } from '../../../src/config/diff.js';
import { defaultServer, defaultVirtual, type GlobalSettings, type LvsConfig, type RealServer, type VirtualService } from '../../../src/config/model.js';
import { serviceIdentity } from '../../../src/config/validate.js';
import { parse, readSample, SAMPLES } from '../../helpers/config.js';

const load = (name: string): LvsConfig => parse(readSample(name)).config;
const DR = 'sample-direct-routing.cf';
const NAT = 'sample-nat-fwmark.cf';
const SINGLE = 'sample-single-director.cf';
const host = (ip: string) => ({ text: ip, ip, family: 4 as const });

/** change returns a deep copy of a sample's model, altered by `mutate`, with the original. */
function change(name: string, mutate: (c: LvsConfig) => void): { before: LvsConfig; after: LvsConfig } {
  const before = load(name);
  const after = structuredClone(before);
  mutate(after);
  return { before, after };
}

const virtualAt = (c: LvsConfig, i: number): VirtualService => c.virtuals[i] as VirtualService;
const serverAt = (c: LvsConfig, i: number, j: number): RealServer => virtualAt(c, i).servers[j] as RealServer;

const NO_SERVERS = { added: [], removed: [], changed: [] };

/** expected builds a whole diff from the parts a test cares about; the rest is empty. */
function expected(parts: Partial<Omit<ConfigDiff, 'virtuals' | 'vips'>> & { virtuals?: Partial<ConfigDiff['virtuals']>; vips?: Partial<ConfigDiff['vips']> }): ConfigDiff {
  return {
    global: parts.global ?? [],
    timers: parts.timers ?? false,
    timeouts: parts.timeouts ?? false,
    vips: { added: parts.vips?.added ?? [], removed: parts.vips?.removed ?? [] },
    virtuals: { added: parts.virtuals?.added ?? [], removed: parts.virtuals?.removed ?? [], changed: parts.virtuals?.changed ?? [] },
    empty: parts.empty ?? false,
  };
}

describe('diffConfig: identical configurations', () => {
  for (const sample of SAMPLES) {
    it(`finds nothing between two parses of ${sample}`, () => {
      assert.deepEqual(diffConfig(load(sample), load(sample)), expected({ empty: true }));
    });
  }
});

describe('diffConfig: global settings', () => {
  const timerChanges: Array<[string, keyof GlobalSettings, unknown]> = [
    ['keepalive', 'keepalive', 7],
    ['deadtime', 'deadtime', 30],
    ['heartbeat_port', 'heartbeatPort', 540],
    ['primary', 'primary', host('192.0.2.13')],
    ['primary_private', 'primaryPrivate', host('10.255.0.13')],
    ['backup', 'backup', host('192.0.2.14')],
    ['backup_private', 'backupPrivate', host('10.255.0.14')],
    ['backup_active', 'backupActive', false],
  ];
  for (const [key, field, value] of timerChanges) {
    it(`sets timers when ${key} changes`, () => {
      const { before, after } = change(DR, (c) => {
        (c.global as unknown as Record<string, unknown>)[field] = value;
      });
      assert.deepEqual(
        diffConfig(before, after),
        expected({ global: [{ key, before: before.global[field], after: value }], timers: true }),
      );
    });
  }

  const timeoutChanges: Array<[string, 'tcpTimeout' | 'tcpfinTimeout' | 'udpTimeout']> = [
    ['tcp_timeout', 'tcpTimeout'],
    ['tcpfin_timeout', 'tcpfinTimeout'],
    ['udp_timeout', 'udpTimeout'],
  ];
  for (const [key, field] of timeoutChanges) {
    it(`sets timeouts (not timers) when ${key} changes`, () => {
      const { before, after } = change(DR, (c) => {
        c.global[field] = 1;
      });
      assert.deepEqual(diffConfig(before, after), expected({ global: [{ key, before: before.global[field], after: 1 }], timeouts: true }));
    });
  }

  it('lists other global changes in keyword order without setting either flag', () => {
    const { before, after } = change(DR, (c) => {
      c.global.syncdaemon = false;
      c.global.serialNo = 28;
      c.global.activeCmd = '/bin/up';
    });
    assert.deepEqual(
      diffConfig(before, after),
      expected({
        global: [
          { key: 'serial_no', before: 27, after: 28 },
          { key: 'active_cmd', before: null, after: '/bin/up' },
          { key: 'syncdaemon', before: true, after: false },
        ],
      }),
    );
  });
});

describe('diffConfig: virtual services', () => {
  it('keys services by protocol, VIP and port, or by fwmark', () => {
    assert.deepEqual(load(DR).virtuals.map(serviceIdentity), ['tcp 192.0.2.100:80', 'tcp 192.0.2.100:443']);
    assert.deepEqual(load(NAT).virtuals.map(serviceIdentity), ['fwmark 80', 'udp 198.51.100.53:53']);
  });

  it('reports an added service and its VIP', () => {
    const added: VirtualService = { ...defaultVirtual('imap'), active: true, address: { host: host('203.0.113.26'), device: 'eth0:2' }, port: 143 };
    const { before, after } = change(SINGLE, (c) => c.virtuals.push(added));
    assert.deepEqual(
      diffConfig(before, after),
      expected({ virtuals: { added: [added] }, vips: { added: [{ address: '203.0.113.26', device: 'eth0:2', netmask: null }] } }),
    );
  });

  it('reports a removed service and its VIP', () => {
    const { before, after } = change(NAT, (c) => c.virtuals.pop());
    assert.deepEqual(
      diffConfig(before, after),
      expected({ virtuals: { removed: [virtualAt(before, 1)] }, vips: { removed: [{ address: '198.51.100.53', device: 'eth0:2', netmask: null }] } }),
    );
  });

  it('reports a scheduler change as a field change of the same service, not remove and add', () => {
    const { before, after } = change(DR, (c) => {
      virtualAt(c, 0).scheduler = 'rr';
    });
    assert.deepEqual(
      diffConfig(before, after),
      expected({
        virtuals: {
          changed: [
            {
              key: 'tcp 192.0.2.100:80',
              before: virtualAt(before, 0),
              after: virtualAt(after, 0),
              fields: [{ key: 'scheduler', before: 'wlc', after: 'rr' }],
              servers: NO_SERVERS,
            },
          ],
        },
      }),
    );
  });

  it('reports several field changes of one service in keyword order', () => {
    const { before, after } = change(DR, (c) => {
      virtualAt(c, 1).reentry = 60;
      virtualAt(c, 1).persistent = 0;
      virtualAt(c, 1).expect = 'READY';
    });
    const d = diffConfig(before, after);
    assert.deepEqual(d.virtuals.changed.map((v) => [v.key, v.fields]), [
      [
        'tcp 192.0.2.100:443',
        [
          { key: 'persistent', before: 300, after: 0 },
          { key: 'expect', before: 'OK', after: 'READY' },
          { key: 'reentry', before: 30, after: 60 },
        ],
      ],
    ]);
  });

  it('reports a renamed service as a field change "name"', () => {
    const { before, after } = change(SINGLE, (c) => {
      virtualAt(c, 0).name = 'mail';
    });
    const d = diffConfig(before, after);
    assert.deepEqual(d.virtuals.changed.map((v) => v.fields), [[{ key: 'name', before: 'smtp', after: 'mail' }]]);
    assert.deepEqual([d.virtuals.added, d.virtuals.removed], [[], []]);
  });

  it('reports a VIP change as remove and add, with the VIP swap', () => {
    const { before, after } = change(SINGLE, (c) => {
      virtualAt(c, 0).address = { host: host('203.0.113.26'), device: 'eth0:1' };
    });
    assert.deepEqual(
      diffConfig(before, after),
      expected({
        virtuals: { added: [virtualAt(after, 0)], removed: [virtualAt(before, 0)] },
        vips: {
          added: [{ address: '203.0.113.26', device: 'eth0:1', netmask: null }],
          removed: [{ address: '203.0.113.25', device: 'eth0:1', netmask: null }],
        },
      }),
    );
  });

  it('reports a port change as remove and add', () => {
    const { before, after } = change(SINGLE, (c) => {
      virtualAt(c, 0).port = 587;
    });
    assert.deepEqual(diffConfig(before, after), expected({ virtuals: { added: [virtualAt(after, 0)], removed: [virtualAt(before, 0)] } }));
  });

  it('reports a protocol change of a VIP:port service as remove and add', () => {
    const { before, after } = change(NAT, (c) => {
      virtualAt(c, 1).protocol = 'tcp';
    });
    const d = diffConfig(before, after);
    assert.deepEqual(d.virtuals.removed.map(serviceIdentity), ['udp 198.51.100.53:53']);
    assert.deepEqual(d.virtuals.added.map(serviceIdentity), ['tcp 198.51.100.53:53']);
    assert.deepEqual(d.virtuals.changed, []);
  });

  it('keys a fwmark service by its mark: VIP, port and protocol changes are field changes', () => {
    const { before, after } = change(NAT, (c) => {
      const v = virtualAt(c, 0);
      v.address = { host: host('198.51.100.51'), device: 'eth0:1' };
      v.port = 8080;
      v.protocol = 'udp';
    });
    const d = diffConfig(before, after);
    assert.deepEqual(d.virtuals.added, []);
    assert.deepEqual(d.virtuals.removed, []);
    assert.deepEqual(d.virtuals.changed.map((v) => [v.key, v.fields]), [
      [
        'fwmark 80',
        [
          { key: 'address', before: { host: host('198.51.100.50'), device: 'eth0:1' }, after: { host: host('198.51.100.51'), device: 'eth0:1' } },
          { key: 'port', before: 80, after: 8080 },
          { key: 'protocol', before: 'tcp', after: 'udp' },
        ],
      ],
    ]);
    assert.deepEqual(d.vips, {
      added: [{ address: '198.51.100.51', device: 'eth0:1', netmask: '255.255.255.255' }],
      removed: [{ address: '198.51.100.50', device: 'eth0:1', netmask: '255.255.255.255' }],
    });
  });

  it('reports a fwmark change as remove and add', () => {
    const { before, after } = change(NAT, (c) => {
      virtualAt(c, 0).fwmark = 81;
    });
    const d = diffConfig(before, after);
    assert.deepEqual(d.virtuals.removed.map(serviceIdentity), ['fwmark 80']);
    assert.deepEqual(d.virtuals.added.map(serviceIdentity), ['fwmark 81']);
    assert.deepEqual(d.virtuals.changed, []);
    assert.deepEqual(d.vips, { added: [], removed: [] });
  });

  it('tells repeated identities apart by order (#2)', () => {
    const twin = (c: LvsConfig, timeout: number): void => {
      c.virtuals.push({ ...structuredClone(virtualAt(c, 0)), name: 'smtp2', timeout });
    };
    const { before, after } = change(SINGLE, (c) => twin(c, 20));
    twin(before, 10);
    const d = diffConfig(before, after);
    assert.deepEqual(d.virtuals.changed.map((v) => [v.key, v.fields]), [['tcp 203.0.113.25:25#2', [{ key: 'timeout', before: 10, after: 20 }]]]);
  });
});

describe('diffConfig: real servers', () => {
  it('reports an added server under its service', () => {
    const server: RealServer = { name: 'web3', address: host('192.0.2.23'), active: true, weight: 1, port: 80 };
    const { before, after } = change(DR, (c) => virtualAt(c, 0).servers.push(server));
    assert.deepEqual(
      diffConfig(before, after),
      expected({
        virtuals: {
          changed: [{ key: 'tcp 192.0.2.100:80', before: virtualAt(before, 0), after: virtualAt(after, 0), fields: [], servers: { added: [server], removed: [], changed: [] } }],
        },
      }),
    );
  });

  it('reports a removed server under its service', () => {
    const { before, after } = change(DR, (c) => virtualAt(c, 1).servers.shift());
    const d = diffConfig(before, after);
    assert.deepEqual(d.virtuals.changed.map((v) => [v.key, v.fields, v.servers]), [
      ['tcp 192.0.2.100:443', [], { added: [], removed: [serverAt(before, 1, 0)], changed: [] }],
    ]);
    assert.equal(d.empty, false);
  });

  it('reports a weight change as a server field change keyed by address:port', () => {
    const { before, after } = change(DR, (c) => {
      serverAt(c, 0, 0).weight = 5;
    });
    const d = diffConfig(before, after);
    assert.deepEqual(d.virtuals.changed.map((v) => [v.key, v.fields, v.servers]), [
      [
        'tcp 192.0.2.100:80',
        [],
        {
          added: [],
          removed: [],
          changed: [{ key: '192.0.2.21:80', before: serverAt(before, 0, 0), after: serverAt(after, 0, 0), fields: [{ key: 'weight', before: 1, after: 5 }] }],
        },
      ],
    ]);
  });

  it('reports a renamed server as a field change "name", before its other changes', () => {
    const { before, after } = change(NAT, (c) => {
      serverAt(c, 0, 1).name = 'app9';
      serverAt(c, 0, 1).active = true;
    });
    const d = diffConfig(before, after);
    assert.deepEqual(d.virtuals.changed[0]?.servers.changed.map((s) => [s.key, s.fields]), [
      [
        '10.20.0.12:80',
        [
          { key: 'name', before: 'app2', after: 'app9' },
          { key: 'active', before: false, after: true },
        ],
      ],
    ]);
  });

  it('reports a server address or port change as remove and add', () => {
    const { before, after } = change(SINGLE, (c) => {
      serverAt(c, 0, 0).address = host('203.0.113.41');
      serverAt(c, 0, 1).port = 2525;
    });
    const s = diffConfig(before, after).virtuals.changed[0]?.servers;
    assert.deepEqual(s?.removed.map(serverIdentity), ['203.0.113.31:25', '203.0.113.32:25']);
    assert.deepEqual(s?.added.map(serverIdentity), ['203.0.113.41:25', '203.0.113.32:2525']);
    assert.deepEqual(s?.changed, []);
  });

  it('serverIdentity is address:port, bracketing IPv6 and keeping unresolved names', () => {
    assert.equal(serverIdentity({ ...defaultServer('a', 80), address: host('10.0.0.1') }), '10.0.0.1:80');
    assert.equal(serverIdentity({ ...defaultServer('a', 443), address: { text: '2001:DB8::1', ip: '2001:db8::1', family: 6 } }), '[2001:db8::1]:443');
    assert.equal(serverIdentity({ ...defaultServer('a', 25), address: { text: 'mx.example.com', ip: null, family: null } }), 'mx.example.com:25');
    assert.equal(serverIdentity({ ...defaultServer('a', 25), address: { text: 'mx.example.com', ip: '192.0.2.5', family: 4 } }), '192.0.2.5:25');
    assert.equal(serverIdentity(defaultServer('a', 8080)), '0.0.0.0:8080');
  });
});

describe('diffConfig: floating addresses', () => {
  it('activeVips lists each active VIP once, then the NAT router with network = nat', () => {
    assert.deepEqual(activeVips(load(DR)), [{ address: '192.0.2.100', device: 'eth0:1', netmask: '255.255.255.0' }]);
    assert.deepEqual(activeVips(load(NAT)), [
      { address: '198.51.100.50', device: 'eth0:1', netmask: '255.255.255.255' },
      { address: '198.51.100.53', device: 'eth0:2', netmask: null },
      { address: '10.20.0.254', device: 'eth1:1', netmask: '255.255.255.0' },
    ]);
  });

  it('drops the NAT router when network changes away from nat', () => {
    const { before, after } = change(NAT, (c) => {
      c.global.network = 'direct';
    });
    assert.deepEqual(
      diffConfig(before, after),
      expected({ global: [{ key: 'network', before: 'nat', after: 'direct' }], vips: { removed: [{ address: '10.20.0.254', device: 'eth1:1', netmask: '255.255.255.0' }] } }),
    );
  });

  it('ignores a NAT router set while network is direct, and adds it when network becomes nat', () => {
    const router = { host: host('192.0.2.254'), device: 'eth1:1' };
    const { before, after } = change(DR, (c) => {
      c.global.natRouter = router;
    });
    assert.deepEqual(diffConfig(before, after), expected({ global: [{ key: 'nat_router', before: null, after: router }] }));
    const nat = structuredClone(after);
    nat.global.network = 'nat';
    assert.deepEqual(diffConfig(after, nat).vips, { added: [{ address: '192.0.2.254', device: 'eth1:1', netmask: null }], removed: [] });
  });

  it('reports a NAT router move as remove and add of the address', () => {
    const { before, after } = change(NAT, (c) => {
      c.global.natRouter = { host: host('10.20.0.1'), device: 'eth1:1' };
    });
    const d = diffConfig(before, after);
    assert.deepEqual(d.vips, {
      added: [{ address: '10.20.0.1', device: 'eth1:1', netmask: '255.255.255.0' }],
      removed: [{ address: '10.20.0.254', device: 'eth1:1', netmask: '255.255.255.0' }],
    });
    assert.equal(d.timers, false);
  });

  it('takes the VIP of a service that becomes inactive down', () => {
    const { before, after } = change(NAT, (c) => {
      virtualAt(c, 1).active = false;
    });
    const d = diffConfig(before, after);
    assert.deepEqual(d.vips, { added: [], removed: [{ address: '198.51.100.53', device: 'eth0:2', netmask: null }] });
    assert.deepEqual(d.virtuals.changed.map((v) => v.fields), [[{ key: 'active', before: true, after: false }]]);
  });

  it('adds no VIP for an inactive service', () => {
    const added: VirtualService = { ...defaultVirtual('later'), active: false, address: { host: host('203.0.113.99'), device: 'eth0:3' } };
    const { before, after } = change(SINGLE, (c) => c.virtuals.push(added));
    const d = diffConfig(before, after);
    assert.deepEqual(d.vips, { added: [], removed: [] });
    assert.deepEqual(d.virtuals.added, [added]);
    assert.deepEqual(activeVips(after), activeVips(before));
  });

  it('keeps a shared VIP up while another active service still uses it', () => {
    const { before, after } = change(DR, (c) => {
      virtualAt(c, 0).active = false;
    });
    const d = diffConfig(before, after);
    assert.deepEqual(d.vips, { added: [], removed: [] });
    assert.equal(d.virtuals.changed.length, 1);
    const none = structuredClone(after);
    virtualAt(none, 1).active = false;
    assert.deepEqual(diffConfig(after, none).vips, { added: [], removed: [{ address: '192.0.2.100', device: 'eth0:1', netmask: '255.255.255.0' }] });
  });

  it('reports a VIP netmask or device change as remove and add of the VIP', () => {
    const { before, after } = change(SINGLE, (c) => {
      virtualAt(c, 0).vipNmask = '255.255.255.0';
      (virtualAt(c, 0).address as { device: string }).device = 'eth0:4';
    });
    const d = diffConfig(before, after);
    assert.deepEqual(d.vips, {
      added: [{ address: '203.0.113.25', device: 'eth0:4', netmask: '255.255.255.0' }],
      removed: [{ address: '203.0.113.25', device: 'eth0:1', netmask: null }],
    });
    assert.deepEqual(
      d.virtuals.changed[0]?.fields.map((f) => f.key),
      ['address', 'vip_nmask'],
    );
  });
});
