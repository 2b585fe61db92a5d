/**
 * Hand-checked expectations for the ipvsadm 1.31 formatters. The byte-for-byte comparison with
 * the real ipvsadm is test/vm/suites/ipvsadm-format.test.ts; these pin down the tricky cases.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareDestinations,
  compareServices,
  formatDaemons,
  formatLargeNumber,
  formatList,
  formatSave,
  formatTimeouts,
  glibcMergeSort,
  inet6Ntop,
} from '../../../src/ipvs/format.js';
import type { ActualTable } from '../../../src/ipvs/reconcile.js';
import { ipToBytes } from '../../../src/net/address.js';
import type { DestinationEntry, IpvsInfo, ServiceEntry, ServiceKey, Stats } from '../../../src/ipvs/types.js';

const ZERO: Stats = { conns: 0n, inpkts: 0n, outpkts: 0n, inbytes: 0n, outbytes: 0n, cps: 0n, inpps: 0n, outpps: 0n, inbps: 0n, outbps: 0n };
const INFO: IpvsInfo = { version: 0x010201, connTableSize: 4096 };
const HEADER = 'IP Virtual Server version 1.2.1 (size=4096)\n';
const PLAIN_TITLE = 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';

function svc(key: ServiceKey, more: Partial<ServiceEntry> = {}): ServiceEntry {
  return { key, scheduler: 'wlc', flags: 0, timeout: 0, netmask: key.family === 4 ? 0xffffffff : 128, persistenceEngine: null, stats: ZERO, ...more };
}

function dst(address: string, port: number, more: Partial<DestinationEntry> = {}): DestinationEntry {
  return {
    address,
    port,
    family: address.includes(':') ? 6 : 4,
    forwarding: 'masq',
    weight: 1,
    upperThreshold: 0,
    lowerThreshold: 0,
    tunnelType: 'ipip',
    tunnelPort: 0,
    tunnelFlags: 0,
    activeConns: 0,
    inactiveConns: 0,
    persistentConns: 0,
    stats: ZERO,
    ...more,
  };
}

const tcp = (address: string, port: number): ServiceKey => ({ family: address.includes(':') ? 6 : 4, protocol: 'tcp', address, port });

/** destinationOrder lists one service's destinations as formatList orders them. */
function destinationOrder(dests: DestinationEntry[]): string[] {
  const text = formatList(INFO, [{ service: svc(tcp('10.0.0.1', 80)), destinations: dests }], { numeric: true });
  return text
    .split('\n')
    .filter((l) => l.startsWith('  -> ') && !l.includes('RemoteAddress'))
    .map((l) => l.slice(5).split(' ')[0] as string);
}

/** serviceOrder lists the service names as formatList orders them. */
function serviceOrder(services: ServiceEntry[]): string[] {
  const text = formatList(INFO, services.map((service) => ({ service, destinations: [] })), { numeric: true });
  return text.split('\n').slice(3, -1);
}

describe('sorting as libipvs + glibc qsort do it', () => {
  it('wraps address differences into an int: 250.1.1.1 sorts before 1.2.3.4', () => {
    // 0x01020304 - 0xfa010101 = 0x07010203 as an int: positive, so 1.2.3.4 > 250.1.1.1.
    assert.ok(compareDestinations(dst('1.2.3.4', 80), dst('250.1.1.1', 80)) > 0);
    assert.deepEqual(destinationOrder([dst('1.2.3.4', 80), dst('250.1.1.1', 80)]), ['250.1.1.1:80', '1.2.3.4:80']);
    assert.deepEqual(destinationOrder([dst('250.1.1.1', 80), dst('1.2.3.4', 80)]), ['250.1.1.1:80', '1.2.3.4:80']);
    assert.deepEqual(serviceOrder([svc(tcp('1.2.3.4', 80)), svc(tcp('250.1.1.1', 80))]), ['TCP  250.1.1.1:80 wlc', 'TCP  1.2.3.4:80 wlc']);
  });

  it('keeps a cycle in whatever order the merge sort leaves it (a < b < c < a)', () => {
    // a = 0.0.0.1, b = 96.0.0.1, c = 192.0.0.1: a-b and b-c are negative, c-a = 0xc0000000 is negative too.
    const a = dst('0.0.0.1', 80);
    const b = dst('96.0.0.1', 80);
    const c = dst('192.0.0.1', 80);
    assert.ok(compareDestinations(a, b) < 0 && compareDestinations(b, c) < 0 && compareDestinations(c, a) < 0);
    // msort: [x0] + sorted [x1, x2], then merged. Every rotation comes out as it went in.
    assert.deepEqual(destinationOrder([a, b, c]), ['0.0.0.1:80', '96.0.0.1:80', '192.0.0.1:80']);
    assert.deepEqual(destinationOrder([b, c, a]), ['96.0.0.1:80', '192.0.0.1:80', '0.0.0.1:80']);
    assert.deepEqual(destinationOrder([c, a, b]), ['192.0.0.1:80', '0.0.0.1:80', '96.0.0.1:80']);
    // [a, c, b]: c-b = 0x60000000 > 0 puts b before c; then a before b.
    assert.deepEqual(destinationOrder([a, c, b]), ['0.0.0.1:80', '96.0.0.1:80', '192.0.0.1:80']);
  });

  it('splits as glibc msort does (n1 = n/2 first) and merges stably', () => {
    const seen: string[] = [];
    const out = glibcMergeSort([5, 4, 3, 2, 1], (x, y) => {
      seen.push(`${x}${y}`);
      return x - y;
    });
    assert.deepEqual(out, [1, 2, 3, 4, 5]);
    // [5,4] -> 54; [3,2,1]: [3] + [2,1] -> 21, then 31, 32; merge [4,5] with [1,2,3]: 41, 42, 43.
    assert.deepEqual(seen, ['54', '21', '31', '32', '41', '42', '43']);
    const stable = glibcMergeSort([{ k: 1, n: 'a' }, { k: 0, n: 'b' }, { k: 1, n: 'c' }, { k: 0, n: 'd' }], (x, y) => x.k - y.k);
    assert.deepEqual(stable.map((e) => e.n), ['b', 'd', 'a', 'c']);
  });

  it('wraps fwmarks: 0xffffffff (-1) comes before every other service, 0x80000000 stays where it was', () => {
    const tcpSvc = svc(tcp('10.0.0.1', 80));
    const minus1 = svc({ family: 4, fwmark: 0xffffffff });
    const half = svc({ family: 4, fwmark: 0x80000000 });
    assert.deepEqual(serviceOrder([tcpSvc, minus1]), ['FWM  -1 wlc', 'TCP  10.0.0.1:80 wlc']);
    // 0 - 0x80000000 and 0x80000000 - 0 are both INT_MIN: each is "less" than the other.
    assert.ok(compareServices(tcpSvc, half) < 0 && compareServices(half, tcpSvc) < 0);
    assert.deepEqual(serviceOrder([tcpSvc, half]), ['TCP  10.0.0.1:80 wlc', 'FWM  -2147483648 wlc']);
    assert.deepEqual(serviceOrder([half, tcpSvc]), ['FWM  -2147483648 wlc', 'TCP  10.0.0.1:80 wlc']);
  });

  it('orders by fwmark, then family, protocol, address, port', () => {
    const services = [
      svc({ family: 6, fwmark: 1 }),
      svc({ family: 4, fwmark: 2 }),
      svc({ family: 4, fwmark: 1 }),
      svc({ family: 6, protocol: 'udp', address: '2001:db8::1', port: 53 }),
      svc({ family: 4, protocol: 'sctp', address: '10.0.0.1', port: 1 }),
      svc({ family: 4, protocol: 'udp', address: '10.0.0.1', port: 53 }),
      svc(tcp('10.0.0.1', 443)),
      svc(tcp('10.0.0.1', 80)),
      svc(tcp('2001:db8::1', 80)),
    ];
    assert.deepEqual(serviceOrder(services), [
      'TCP  10.0.0.1:80 wlc',
      'TCP  10.0.0.1:443 wlc',
      'UDP  10.0.0.1:53 wlc',
      'SCTP 10.0.0.1:1 wlc',
      'TCP  [2001:db8::1]:80 wlc',
      'UDP  [2001:db8::1]:53 wlc',
      'FWM  1 wlc',
      'FWM  1 IPv6 wlc',
      'FWM  2 wlc',
    ]);
  });

  it("lets the first destination's family decide how many address words to compare", () => {
    const v4 = dst('1.2.3.4', 80);
    const v6 = dst('102:304::1', 80);
    // IPv4 first: one word each, 0x01020304 both, ports equal. IPv6 first: word 3 is 1 against 0.
    assert.equal(compareDestinations(v4, v6), 0);
    assert.ok(compareDestinations(v6, v4) > 0);
    // IPv6 words wrap too: 2001:: - fc00:: = 0x24010000 > 0.
    assert.ok(compareDestinations(dst('2001::1', 80), dst('fc00::1', 80)) > 0);
    assert.deepEqual(destinationOrder([dst('2001::1', 80), dst('fc00::1', 80)]), ['[fc00::1]:80', '[2001::1]:80']);
  });
});

describe('numbers and addresses', () => {
  it('scales large numbers to K/M/G/T in 9 columns, and widens exact ones', () => {
    const cases: [bigint, string][] = [
      [0n, '        0'],
      [99_999_999n, ' 99999999'],
      [100_000_000n, '  100000K'],
      [999_999_999n, '  999999K'],
      [1_000_000_000n, '    1000M'],
      [99_999_999_999n, '   99999M'],
      [100_000_000_000n, '     100G'],
      [99_999_999_999_999n, '   99999G'],
      [100_000_000_000_000n, '     100T'],
      [18_446_744_073_709_551_615n, '18446744T'],
    ];
    for (const [n, text] of cases) assert.equal(formatLargeNumber(n, false), text, String(n));
    assert.equal(formatLargeNumber(0n, true), '        0');
    assert.equal(formatLargeNumber(12_345_678n, true), ' 12345678');
    assert.equal(formatLargeNumber(123_456_789n, true), ' 123456789');
    assert.equal(formatLargeNumber(18_446_744_073_709_551_615n, true), ' 18446744073709551615');
  });

  it('renders IPv6 as glibc inet_ntop does', () => {
    const cases: [string, string][] = [
      ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
      ['::ffff:102:304', '::ffff:1.2.3.4'],
      ['::1.2.3.4', '::1.2.3.4'],
      ['::0.0.1.2', '::102'],
      ['::1', '::1'],
      ['::', '::'],
      ['::ffff:0:0', '::ffff:0.0.0.0'],
      ['::1:0:0', '::1:0:0'],
      ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
      ['2001:db8:1:0:1:1:1:1', '2001:db8:1:0:1:1:1:1'],
      ['1:0:0:1:0:0:1:1', '1::1:0:0:1:1'],
      ['2001:db8::', '2001:db8::'],
      ['FC00:0:0:0:0:0:0:ABCD', 'fc00::abcd'],
    ];
    for (const [input, text] of cases) assert.equal(inet6Ntop(ipToBytes(input)), text, input);
  });
});

describe('formatList', () => {
  const table: ActualTable = [
    {
      service: svc(tcp('192.168.1.100', 80), { scheduler: 'sh', flags: 0x1 | 0x8 | 0x10, timeout: 300, netmask: 0xffffff00 }),
      destinations: [
        dst('10.0.0.12', 8080, { weight: 2147483647, activeConns: 12, inactiveConns: 345 }),
        dst('10.0.0.11', 80, { forwarding: 'droute', weight: 0, upperThreshold: 100, lowerThreshold: 10, persistentConns: 7 }),
        dst('2001:db8:1111:2222:3333:4444:5555:6666', 80, { forwarding: 'tunnel', tunnelType: 'gue', tunnelPort: 6080, tunnelFlags: 2 }),
        dst('10.0.0.13', 80, { forwarding: 'tunnel', tunnelType: 'gre', tunnelFlags: 1 }),
        dst('10.0.0.14', 80, { forwarding: 'tunnel' }),
        dst('10.0.0.15', 80, { forwarding: 'local' }),
      ],
    },
    { service: svc({ family: 6, protocol: 'udp', address: '2001:db8:1111:2222:3333:4444:5555:6666', port: 5060 }, { scheduler: 'rr', flags: 0x1 | 0x4, timeout: 60, netmask: 64, persistenceEngine: 'sip' }), destinations: [] },
    { service: svc({ family: 4, fwmark: 7 }, { scheduler: 'sh', flags: 0x20, persistenceEngine: 'sip' }), destinations: [] },
    { service: svc({ family: 6, fwmark: 8 }, { scheduler: 'mh', flags: 0x1 | 0x8, timeout: 360 }), destinations: [] },
    { service: svc({ family: 4, protocol: 'sctp', address: '255.255.255.255', port: 65535 }, { scheduler: 'wrr', flags: 0x8 | 0x20 }), destinations: [] },
  ];

  it('prints the default listing with exact widths and trailing spaces', () => {
    assert.equal(
      formatList(INFO, table, { numeric: true }),
      HEADER +
        PLAIN_TITLE +
        'TCP  192.168.1.100:80 sh (sh-fallback,sh-port) persistent 300 mask 255.255.255.0\n' +
        '  -> 10.0.0.11:80                 Route   0      0          0         \n' +
        '  -> 10.0.0.12:8080               Masq    2147483647 12         345       \n' +
        '  -> 10.0.0.13:80                 Tunnel  1      0          0         \n' +
        '  -> 10.0.0.14:80                 Tunnel  1      0          0         \n' +
        '  -> 10.0.0.15:80                 Local   1      0          0         \n' +
        '  -> [2001:db8:1111:2222:3333:4444:5555:6666]:80 Tunnel  1      0          0         \n' +
        'SCTP 255.255.255.255:65535 wrr (flag-1,flag-3)\n' +
        'UDP  [2001:db8:1111:2222:3333:4444:5555:6666]:5060 rr persistent 60 mask 64 pe sip ops\n' +
        'FWM  7 sh ()\n' +
        'FWM  8 IPv6 mh (mh-fallback) persistent 360\n',
    );
  });

  it('prints --tun-info, --thresholds and --persistent-conn columns', () => {
    const one: ActualTable = [table[0] as ActualTable[number]];
    assert.equal(
      formatList(INFO, one, { numeric: true, tunInfo: true }).split('\n').slice(2, 10).join('\n'),
      '  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n' +
        'TCP  192.168.1.100:80 sh (sh-fallback,sh-port) persistent 300 mask 255.255.255.0\n' +
        '  -> 10.0.0.11:80                 Route   n/a           0      0          0         \n' +
        '  -> 10.0.0.12:8080               Masq    n/a           2147483647 12         345       \n' +
        '  -> 10.0.0.13:80                 Tunnel  gre:+c        1      0          0         \n' +
        '  -> 10.0.0.14:80                 Tunnel  ipip          1      0          0         \n' +
        '  -> 10.0.0.15:80                 Local   n/a           1      0          0         \n' +
        '  -> [2001:db8:1111:2222:3333:4444:5555:6666]:80 Tunnel  gue:6080:r+c  1      0          0         ',
    );
    assert.equal(
      formatList(INFO, one, { numeric: true, thresholds: true }).split('\n').slice(1, 6).join('\n'),
      'Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n' +
        '  -> RemoteAddress:Port\n' +
        'TCP  192.168.1.100:80 sh (sh-fallback,sh-port) persistent 300 mask 255.255.255.0\n' +
        '  -> 10.0.0.11:80                 100        10         0          0         \n' +
        '  -> 10.0.0.12:8080               0          0          12         345       ',
    );
    assert.equal(
      formatList(INFO, one, { numeric: true, persistentConn: true, tunInfo: true }).split('\n').slice(1, 6).join('\n'),
      'Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n' +
        '  -> RemoteAddress:Port\n' +
        'TCP  192.168.1.100:80 sh (sh-fallback,sh-port) persistent 300 mask 255.255.255.0\n' +
        '  -> 10.0.0.11:80                 0         7           0          0         \n' +
        '  -> 10.0.0.12:8080               2147483647 0           12         345       ',
    );
  });

  it('prints --stats and --rate with scaled numbers, padding names to 33 and 28 without cutting IPv6', () => {
    const big: Stats = { conns: 123n, inpkts: 100_000_000n, outpkts: 1_500_000_000n, inbytes: 250_000_000_000n, outbytes: 300_000_000_000_000n, cps: 123_456_789n, inpps: 5n, outpps: 6n, inbps: 987_654_321n, outbps: 8n };
    const t: ActualTable = [
      { service: svc(tcp('10.0.0.1', 80), { stats: big }), destinations: [dst('10.0.0.2', 80, { stats: big }), dst('2001:db8:1111:2222:3333:4444:5555:6666', 80, { forwarding: 'tunnel', stats: big })] },
      { service: svc(tcp('2001:db8:1111:2222:3333:4444:5555:6666', 443), { stats: big }), destinations: [] },
    ];
    assert.equal(
      formatList(INFO, t, { numeric: true, stats: true }),
      HEADER +
        'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n' +
        '  -> RemoteAddress:Port\n' +
        'TCP  10.0.0.1:80                       123  100000K    1500M     250G     300T\n' +
        '  -> 10.0.0.2:80                       123  100000K    1500M     250G     300T\n' +
        '  -> [2001:db8:1111:2222:3333:4444:5555:6666]:80      123  100000K    1500M     250G     300T\n' +
        'TCP  [2001:db8:1111:2222:3333:4444:5555:6666]:443      123  100000K    1500M     250G     300T\n',
    );
    assert.equal(
      formatList(INFO, t, { numeric: true, stats: true, exact: true }).split('\n')[3],
      'TCP  10.0.0.1:80                       123 100000000 1500000000 250000000000 300000000000000',
    );
    // --rate: a destination's CPS, InPPS and OutPPS are plain %8llu, never scaled.
    assert.equal(
      formatList(INFO, t, { numeric: true, rate: true }).split('\n').slice(1, 5).join('\n'),
      'Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n' +
        '  -> RemoteAddress:Port\n' +
        'TCP  10.0.0.1:80                   123456K        5        6  987654K        8\n' +
        '  -> 10.0.0.2:80                  123456789        5        6  987654K        8',
    );
  });

  it('prints the version, the header alone for an empty table, and "(null)" for a bypass destination', () => {
    assert.equal(formatList({ version: 0x010203, connTableSize: 1 << 20 }, [], { numeric: true }), `IP Virtual Server version 1.2.3 (size=1048576)\n${PLAIN_TITLE}`);
    const bypass: ActualTable = [{ service: svc(tcp('10.0.0.1', 80)), destinations: [dst('10.0.0.2', 80, { forwarding: 'bypass' })] }];
    assert.equal(formatList(INFO, bypass, { numeric: true }).split('\n')[4], '  -> 10.0.0.2:80                  (null)  1      0          0         ');
    assert.equal(formatSave(bypass).split('\n')[1], '-a -t 10.0.0.1:80 -r 10.0.0.2:80 (null) -w 1');
  });
});

describe('formatSave', () => {
  it('prints -A and -a lines as ipvsadm -Sn does, without thresholds', () => {
    // Fwmark 0x80000001 closes a cycle: it is "less" than every non-fwmark service (0x80000001 - 0
    // wraps negative) yet "greater" than fwmark 3. The merge sort of [U, T6, S, F8, F3] sorts
    // [S, F8, F3] to [S, F3, F8] and then merges [U, T6] into it: U, S, T6, F3, F8.
    const table: ActualTable = [
      {
        service: svc({ family: 4, protocol: 'udp', address: '10.0.0.1', port: 53 }, { scheduler: 'sh', flags: 0x1 | 0x4 | 0x8, timeout: 60, netmask: 0xffff0000, persistenceEngine: 'sip' }),
        destinations: [
          dst('10.0.0.5', 53, { forwarding: 'tunnel', tunnelType: 'gue', tunnelPort: 6080, tunnelFlags: 1, upperThreshold: 9, lowerThreshold: 1 }),
          dst('10.0.0.4', 53, { forwarding: 'tunnel', tunnelType: 'gre' }),
          dst('10.0.0.3', 53, { forwarding: 'tunnel', weight: 0 }),
          dst('10.0.0.2', 53, { forwarding: 'droute', weight: 3 }),
          dst('10.0.0.1', 5353, { forwarding: 'local' }),
        ],
      },
      { service: svc(tcp('2001:db8::1', 443), { scheduler: 'rr', flags: 0x1, timeout: 360, netmask: 48 }), destinations: [dst('2001:db8::2', 8443)] },
      { service: svc({ family: 4, protocol: 'sctp', address: '10.0.0.1', port: 3868 }, { scheduler: 'sh', flags: 0x20 }), destinations: [] },
      { service: svc({ family: 6, fwmark: 0x80000001 }, { flags: 0x1, timeout: 5, netmask: 128 }), destinations: [dst('10.0.0.9', 0, { forwarding: 'tunnel' })] },
      { service: svc({ family: 4, fwmark: 3 }, { flags: 0x1, timeout: 5, persistenceEngine: '' }), destinations: [] },
    ];
    assert.equal(
      formatSave(table),
      '-A -u 10.0.0.1:53 -s sh -p 60 -M 255.255.0.0 --pe sip -o -b sh-fallback\n' +
        '-a -u 10.0.0.1:53 -r 10.0.0.1:5353 -g -w 1\n' +
        '-a -u 10.0.0.1:53 -r 10.0.0.2:53 -g -w 3\n' +
        '-a -u 10.0.0.1:53 -r 10.0.0.3:53 -i -w 0 --tun-type ipip\n' +
        '-a -u 10.0.0.1:53 -r 10.0.0.4:53 -i -w 1 --tun-type gre --tun-nocsum\n' +
        '-a -u 10.0.0.1:53 -r 10.0.0.5:53 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum\n' +
        '-A --sctp-service 10.0.0.1:3868 -s sh -b \n' +
        '-A -t [2001:db8::1]:443 -s rr -p 360 -M 48\n' +
        '-a -t [2001:db8::1]:443 -r [2001:db8::2]:8443 -m -w 1\n' +
        '-A -f 3 -s wlc -p 5\n' +
        '-A -f -2147483647 -6 -s wlc -p 5\n' +
        '-a -f -2147483647 -6 -r 10.0.0.9:0 -i -w 1 --tun-type ipip\n',
    );
  });
});

describe('formatTimeouts and formatDaemons', () => {
  it('prints the timeouts', () => {
    assert.equal(formatTimeouts({ tcp: 900, tcpFin: 120, udp: 300 }), 'Timeout (tcp tcpfin udp): 900 120 300\n');
  });

  it('prints each daemon with the optional fields it has', () => {
    assert.equal(formatDaemons([]), '');
    assert.equal(
      formatDaemons([
        { state: 'master', interface: 'eth0', syncId: 7, maxLength: 1472, group: '224.0.0.81', port: 8848, ttl: 1 },
        { state: 'backup', interface: 'lo', syncId: 255, group: 'ff02:0:0:0:0:0:0:1234', maxLength: 0, port: 0, ttl: 0 },
      ]),
      'master sync daemon (mcast=eth0, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\n' + 'backup sync daemon (mcast=lo, syncid=255, group=ff02::1234)\n',
    );
    assert.equal(formatDaemons([{ state: 'backup', interface: 'lo', syncId: 0 }]), 'backup sync daemon (mcast=lo, syncid=0)\n');
  });
});
