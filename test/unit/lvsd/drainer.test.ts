import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Destination, DestinationEntry, ServiceKey } from '../../../src/ipvs/types.js';
import { Drainer } from '../../../src/lvsd/drainer.js';
import { ManualClock, settle } from '../../../src/testing/manual-clock.js';

const web: ServiceKey = { family: 4, protocol: 'tcp', address: '192.0.2.10', port: 80 };
const dest: Destination = { address: '10.0.0.2', port: 80, family: 4, forwarding: 'masq', weight: 0, upperThreshold: 0, lowerThreshold: 0, tunnelType: 'ipip', tunnelPort: 0, tunnelFlags: 0 };
const ZERO = { conns: 0n, inpkts: 0n, outpkts: 0n, inbytes: 0n, outbytes: 0n, cps: 0n, inpps: 0n, outpps: 0n, inbps: 0n, outbps: 0n };

function setup(read: () => Promise<readonly DestinationEntry[]>) {
  const clock = new ManualClock();
  const logs: string[] = [];
  const ended: string[][] = [];
  const drainer = new Drainer({
    clock,
    destinations: read,
    ended: (keys) => {
      ended.push(keys.map((k) => ('port' in k ? String(k.port) : 'fwmark')));
      return Promise.resolve();
    },
    log: (m) => logs.push(m),
  });
  return { clock, logs, ended, drainer };
}

describe('Drainer', () => {
  it('keeps a drain whose counters cannot be read until its deadline, saying why', async () => {
    const { clock, logs, ended, drainer } = setup(() => Promise.reject(new Error('netlink timeout')));
    drainer.start([{ service: web, destination: dest, deadline: 3000 }]);
    await clock.advance(2000);
    await settle(10);
    assert.equal(drainer.size, 1);
    assert.ok(logs.includes('cannot read the connections of draining servers of 4|tcp 192.0.2.10:80: netlink timeout'), logs.join('\n'));
    await clock.advance(1000);
    await settle(10);
    assert.equal(drainer.size, 0);
    assert.deepEqual(ended, [['80']]);
    assert.equal(clock.pending(), 0, 'no timer is left once nothing drains');
  });

  it('keeps the first deadline of a destination started again, and overlays it until it is wanted again', async () => {
    const { clock, drainer } = setup(() => Promise.resolve([{ ...dest, activeConns: 1, inactiveConns: 0, persistentConns: 0, stats: ZERO }]));
    drainer.start([{ service: web, destination: dest, deadline: 5000 }]);
    drainer.start([{ service: web, destination: dest, deadline: 9000 }]);
    assert.deepEqual(drainer.list().map((d) => d.deadline), [5000]);
    const service = { key: web, scheduler: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff, persistenceEngine: null };
    assert.deepEqual(drainer.overlay([{ service, destinations: [] }]), [{ service, destinations: [dest] }]);
    assert.deepEqual(drainer.overlay([{ service, destinations: [{ ...dest, weight: 4 }] }]), [{ service, destinations: [{ ...dest, weight: 4 }] }]);
    assert.equal(drainer.size, 0);
    await clock.advance(10_000);
    assert.equal(clock.pending(), 0);
  });
});
