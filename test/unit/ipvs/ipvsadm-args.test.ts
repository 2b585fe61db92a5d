import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IpvsadmUsageError, parseIpvsadmArgs, splitSavedLine } from '../../../src/ipvs/ipvsadm-args.js';

const p = (line: string) => parseIpvsadmArgs(splitSavedLine(line));

describe('parseIpvsadmArgs', () => {
  it('reads -A with ipvsadm defaults', () => {
    assert.deepEqual(p('-A -t 10.0.0.1:80'), {
      kind: 'add-service',
      service: { key: { family: 4, protocol: 'tcp', address: '10.0.0.1', port: 80 }, scheduler: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff, persistenceEngine: null },
    });
  });

  it('reads persistence with and without a timeout, masks, pe, ops and sched flags', () => {
    const a = p('-A -u 10.0.0.1:53 -s sh -p -M 255.255.255.0 -o -b sh-fallback,sh-port');
    assert.equal(a.kind, 'add-service');
    if (a.kind !== 'add-service') return;
    assert.deepEqual([a.service.flags, a.service.timeout, a.service.netmask, a.service.scheduler], [0x1 | 0x4 | 0x8 | 0x10, 360, 0xffffff00, 'sh']);
    const b = p('-A -t [2001:db8::1]:443 -s rr -p 300 -M 64 --pe sip');
    if (b.kind !== 'add-service') throw new Error(b.kind);
    assert.deepEqual(b.service.key, { family: 6, protocol: 'tcp', address: '2001:db8::1', port: 443 });
    assert.deepEqual([b.service.timeout, b.service.netmask, b.service.persistenceEngine], [300, 64, 'sip']);
  });

  it('reads fwmark services, IPv6 with -6', () => {
    assert.deepEqual(p('-D -f 5'), { kind: 'delete-service', key: { family: 4, fwmark: 5 } });
    assert.deepEqual(p('-D -f 5 -6'), { kind: 'delete-service', key: { family: 6, fwmark: 5 } });
  });

  it('reads -a with gatewaying by default and the service port for a server without one', () => {
    assert.deepEqual(p('-a -t 10.0.0.1:80 -r 10.0.0.2'), {
      kind: 'add-server',
      key: { family: 4, protocol: 'tcp', address: '10.0.0.1', port: 80 },
      destination: { address: '10.0.0.2', port: 80, family: 4, forwarding: 'droute', weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnelType: 'ipip', tunnelPort: 0, tunnelFlags: 0 },
    });
    const m = p('-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -m -w 5 -x 100 -y 10');
    if (m.kind !== 'add-server') throw new Error(m.kind);
    assert.deepEqual([m.destination.port, m.destination.forwarding, m.destination.weight, m.destination.upperThreshold, m.destination.lowerThreshold], [8080, 'masq', 5, 100, 10]);
    const t = p('-a -t 10.0.0.1:80 -r 10.0.0.3 -i --tun-type gue --tun-port 6080 --tun-csum');
    if (t.kind !== 'add-server') throw new Error(t.kind);
    assert.deepEqual([t.destination.forwarding, t.destination.tunnelType, t.destination.tunnelPort, t.destination.tunnelFlags], ['tunnel', 'gue', 6080, 1]);
  });

  it('reads bundled short options and --opt=value', () => {
    assert.deepEqual(parseIpvsadmArgs(['-Ln']).kind, 'list');
    const l = parseIpvsadmArgs(['-Ln', '--stats', '--exact']);
    if (l.kind !== 'list') throw new Error(l.kind);
    assert.deepEqual([l.options.numeric, l.options.stats, l.options.exact, l.options.rate], [true, true, true, false]);
    assert.deepEqual(parseIpvsadmArgs(['-Sn']), { kind: 'save', numeric: true });
    const w = parseIpvsadmArgs(['-e', '--tcp-service=10.0.0.1:80', '-r', '10.0.0.2', '-w3']);
    if (w.kind !== 'edit-server') throw new Error(w.kind);
    assert.equal(w.destination.weight, 3);
  });

  it('reads --set, the daemons and a bare invocation (list)', () => {
    assert.deepEqual(parseIpvsadmArgs(['--set', '900', '120', '300']), { kind: 'set-timeouts', timeouts: { tcp: 900, tcpFin: 120, udp: 300 } });
    assert.deepEqual(parseIpvsadmArgs(['--start-daemon', 'master', '--mcast-interface', 'eth1', '--syncid', '7']), {
      kind: 'start-daemon',
      daemon: { state: 'master', interface: 'eth1', syncId: 7 },
    });
    assert.deepEqual(parseIpvsadmArgs(['--stop-daemon', 'backup']), { kind: 'stop-daemon', state: 'backup' });
    assert.equal(parseIpvsadmArgs([]).kind, 'list');
  });

  it('refuses what ipvsadm refuses, with its wording', () => {
    const refuses = (line: string, re: RegExp) => assert.throws(() => p(line), (e: unknown) => e instanceof IpvsadmUsageError && re.test(e.message));
    refuses('-A -t 10.0.0.1:0', /Zero port specified for non-persistent service/);
    refuses('-a -t 10.0.0.1:80', /You need to supply the 'real-server' option/);
    refuses('-a -t 10.0.0.1:80 -r 10.0.0.2 -m --tun-type gue', /Tunnel options conflict with forward method/);
    refuses('-A -t 10.0.0.1:80 -b nonsense', /invalid scheduler flag 'nonsense'/);
    refuses('-A -t 10.0.0.1:80 -D -t 10.0.0.1:80', /multiple commands/);
    refuses('-A -t web.example:80', /lvsadm takes numeric addresses/);
    refuses('--start-daemon primary', /master or backup/);
    refuses('-a -t 10.0.0.1:80 -r 10.0.0.2 -w -1', /illegal weight/);
  });
});
