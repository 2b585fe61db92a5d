import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { usesBuiltinMonitor } from '../../../src/config/effective.js';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { planReconcile, reconcile } from '../../../src/ipvs/reconcile.js';
import type { ServiceKey } from '../../../src/ipvs/types.js';
import { clientMonitorArgv, externalDestinations, monitorDestination, monitorLineState } from '../../../src/lvsd/client-monitor.js';
import { desiredTable, serverId } from '../../../src/lvsd/desired.js';
import { checkTargets } from '../../../src/lvsd/targets.js';
import { FakeIpvsKernel } from '../../../src/testing/ipvs-kernel.js';
import { dial } from '../../../src/testing/nltest.js';
import { parse } from '../../helpers/config.js';

const FULL = `primary = 192.0.2.1
network = direct
ipvsadm = /usr/local/sbin/ipvsadm
rsh_command = ssh
virtual dns {
     active = 1
     address = 192.0.2.53 eth0:1
     protocol = udp
     port = 53
     fwmark = 7
     persistent = 60
     send_program = "/usr/local/bin/check-dns %h %p"
     send = "query"
     expect = "^ok"
     use_regex = 1
     quiesce_server = 1
     load_monitor = uptime
     timeout = 6
     reentry = 15
     sorry_server = 10.0.0.99
     client_monitor = /opt/monitor/check-dns-server
     server ns1 {
         address = 10.0.0.1
         active = 1
         weight = 20
         port = 5353
     }
}
`;

const MINIMAL = `primary = 192.0.2.1
virtual web {
     active = 1
     address = 192.0.2.10 eth0:1
     client_monitor = /opt/monitor/web
     server a {
         address = 10.0.0.1
         active = 1
     }
     server b {
         address = 10.0.0.2
         active = 0
     }
}
`;

const key: ServiceKey = { family: 4, protocol: 'tcp', address: '192.0.2.10', port: 80 };
const dest = (address: string, weight = 1) => ({ address, port: 80, family: 4 as const, forwarding: 'masq' as const, weight, upperThreshold: 0, lowerThreshold: 0, tunnelType: 'ipip' as const, tunnelPort: 0, tunnelFlags: 0 });

describe('client_monitor', () => {
  it('is nanny for any path ending in /nanny, the default included, and an external program otherwise', () => {
    const [web] = parse(MINIMAL).config.virtuals;
    assert.ok(web !== undefined);
    assert.equal(usesBuiltinMonitor({ ...web, clientMonitor: '/usr/sbin/nanny' }), true);
    assert.equal(usesBuiltinMonitor({ ...web, clientMonitor: '/usr/local/sbin/nanny' }), true);
    assert.equal(usesBuiltinMonitor({ ...web, clientMonitor: 'nanny' }), true);
    assert.equal(usesBuiltinMonitor(web), false);
    assert.equal(usesBuiltinMonitor({ ...web, clientMonitor: '/opt/my-nanny' }), false);
    const [target] = checkTargets(parse(MINIMAL.replace('     client_monitor = /opt/monitor/web\n', '')).config);
    assert.equal(target?.external, null);
  });

  it('runs the program with piranha\'s nanny argv, every option in its place', () => {
    const [target] = checkTargets(parse(FULL).config);
    assert.ok(target?.external);
    assert.deepEqual(clientMonitorArgv(target.external, target.options, { verbose: true, nodaemon: false }), [
      '/opt/monitor/check-dns-server',
      '-c',
      '-h', '10.0.0.1',
      '-p', '53',
      '-r', '5353',
      '-f', '7',
      '-u',
      '-e', '/usr/local/bin/check-dns %h %p',
      '-s', 'query',
      '-x', '^ok',
      '-q',
      '--regex',
      '-v',
      '-a', '15',
      '-I', '/usr/local/sbin/ipvsadm',
      '-t', '6',
      '-w', '20',
      '-V', '192.0.2.53',
      '-M', 'g',
      '-U', 'ssh',
      // A sorry server: lvsd reads the monitor's output.
      '--nodaemon',
      '--lvs',
    ]);
  });

  it('gives the minimal argv for a plain service, --nodaemon only when lvsd runs with -n', () => {
    const targets = checkTargets(parse(MINIMAL).config);
    assert.equal(targets.length, 1, 'an inactive server gets no monitor');
    const [t] = targets;
    assert.ok(t?.external);
    const argv = ['/opt/monitor/web', '-c', '-h', '10.0.0.1', '-p', '80', '-r', '80', '-a', '180', '-I', '/sbin/ipvsadm', '-t', '10', '-w', '1', '-V', '192.0.2.10', '-M', 'm'];
    assert.deepEqual(clientMonitorArgv(t.external, t.options, { verbose: false, nodaemon: false }), [...argv, '--lvs']);
    assert.deepEqual(clientMonitorArgv(t.external, t.options, { verbose: false, nodaemon: true }), [...argv, '--nodaemon', '--lvs']);
  });

  it('reads up and down from the lines piranha\'s lvsd looked for', () => {
    assert.equal(monitorLineState('nanny[123]: [ active ] making 10.0.0.1:80 available'), 'up');
    assert.equal(monitorLineState('[inactive] shutting down 10.0.0.1:80 due to connection failure'), 'down');
    assert.equal(monitorLineState('starting LVS client monitor for 192.0.2.10:80 -> 10.0.0.1:80'), null);
    assert.equal(monitorLineState('[active] making'), null);
  });

  it('knows the destination a monitor keeps', () => {
    const [t] = checkTargets(parse(MINIMAL).config);
    assert.deepEqual(monitorDestination(t?.options ?? {}), { key, destination: { address: '10.0.0.1', port: 80, family: 4 } });
    const [udp] = checkTargets(parse(FULL).config);
    assert.deepEqual(monitorDestination(udp?.options ?? {}), { key: { family: 4, fwmark: 7 }, destination: { address: '10.0.0.1', port: 5353, family: 4 } });
  });

  it('lists no destination for a monitored server but counts its health for the sorry server', () => {
    const config = parse(MINIMAL.replace('client_monitor', 'sorry_server = 10.0.0.99\n     client_monitor')).config;
    const web = config.virtuals[0];
    assert.ok(web !== undefined);
    const a = serverId(web, web.servers[0] as (typeof web.servers)[0]);
    assert.deepEqual(desiredTable(config, new Map()).map((e) => e.destinations.map((d) => d.address)), [['10.0.0.99']]);
    assert.deepEqual(desiredTable(config, new Map([[a, { up: true, weight: 1, quiesced: false }]])).map((e) => e.destinations.length), [0]);
  });

  it('makes the reconciler leave the monitored destinations alone, and remove any other', async () => {
    const config = parse(MINIMAL).config;
    const foreign = externalDestinations(config);
    assert.equal(foreign(key, dest('10.0.0.1')), true);
    assert.equal(foreign(key, dest('10.0.0.2')), false, 'an inactive server has no monitor');
    assert.equal(foreign({ ...key, port: 81 }, dest('10.0.0.1')), false);
    const stats = { conns: 0n, inpkts: 0n, outpkts: 0n, inbytes: 0n, outbytes: 0n, cps: 0n, inpps: 0n, outpps: 0n, inbps: 0n, outbps: 0n };
    const counters = { activeConns: 0, inactiveConns: 0, persistentConns: 0, stats };
    const desired = desiredTable(config, new Map());
    const actual = [{ service: { ...(desired[0]?.service as NonNullable<(typeof desired)[0]>['service']), stats }, destinations: [{ ...dest('10.0.0.1', 5), ...counters }, { ...dest('10.0.0.2'), ...counters }] }];
    assert.deepEqual(planReconcile(desired, actual, { foreign }), [{ kind: 'delete-destination', key, destination: { address: '10.0.0.2', port: 80, family: 4 } }]);

    const kernel = new FakeIpvsKernel();
    const client = await IpvsClient.open(dial(kernel.func).connection);
    await reconcile(client, desired, { foreign });
    await client.addDestination(key, dest('10.0.0.1', 5));
    await reconcile(client, desired, { foreign });
    assert.deepEqual(kernel.describe(), ['  -> 10.0.0.1:80 masq w=5', 'tcp 192.0.2.10:80 wlc flags=0 timeout=0']);
  });
});
