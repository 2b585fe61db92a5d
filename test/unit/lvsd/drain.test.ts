import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DesiredTable } from '../../../src/ipvs/reconcile.js';
import { describeService, type Destination, type DestinationEntry, type Service, type ServiceKey } from '../../../src/ipvs/types.js';
import { drainKey, drainsFor, endedDrains, overlayDrains, type Drain } from '../../../src/lvsd/drain.js';

const key = (port: number): ServiceKey => ({ family: 4, protocol: 'tcp', address: '192.0.2.10', port });
const service = (port: number, scheduler = 'wlc'): Service => ({ key: key(port), scheduler, flags: 0, timeout: 0, netmask: 0xffffffff, persistenceEngine: null });
const dest = (last: number, weight = 1): Destination => ({ address: `10.0.0.${last}`, port: 80, family: 4, forwarding: 'masq', weight, upperThreshold: 0, lowerThreshold: 0, tunnelType: 'ipip', tunnelPort: 0, tunnelFlags: 0 });
const ZERO = { conns: 0n, inpkts: 0n, outpkts: 0n, inbytes: 0n, outbytes: 0n, cps: 0n, inpps: 0n, outpps: 0n, inbps: 0n, outbps: 0n };
const entry = (last: number, active: number, inactive: number): DestinationEntry => ({ ...dest(last, 0), activeConns: active, inactiveConns: inactive, persistentConns: 0, stats: ZERO });
const drain = (port: number, last: number, deadline = 60_000): Drain => ({ service: key(port), destination: dest(last, 0), deadline });
const drains = (...list: Drain[]): Map<string, Drain> => new Map(list.map((d) => [drainKey(d.service, d.destination), d]));

describe('drainsFor', () => {
  const before: DesiredTable = [
    { service: service(80), destinations: [dest(1), dest(2, 5), dest(3)] },
    { service: service(443), destinations: [dest(1)] },
  ];

  it('drains, at weight 0 and with the deadline, each destination that left a service that stays', () => {
    const after: DesiredTable = [{ service: service(80, 'rr'), destinations: [dest(1)] }];
    assert.deepEqual(drainsFor(before, after, 5000, () => true), [drain(80, 2, 5000), drain(80, 3, 5000)]);
  });

  it('drains nothing of a service that left (it is deleted whole) nor what `keep` refuses', () => {
    const after: DesiredTable = [{ service: service(80), destinations: [dest(1)] }];
    assert.deepEqual(drainsFor(before, after, 5000, (_s, d) => d.address !== '10.0.0.3'), [drain(80, 2, 5000)]);
  });

  it('drains nothing that is still desired, whatever its weight', () => {
    const after: DesiredTable = [{ service: service(80), destinations: [dest(1, 9), dest(2, 9), dest(3, 9)] }, before[1] as DesiredTable[number]];
    assert.deepEqual(drainsFor(before, after, 5000, () => true), []);
  });
});

describe('overlayDrains', () => {
  it('adds draining destinations at weight 0 to their service', () => {
    const desired: DesiredTable = [{ service: service(80), destinations: [dest(1)] }];
    const { table, settled } = overlayDrains(desired, drains(drain(80, 2)));
    assert.deepEqual(table, [{ service: service(80), destinations: [dest(1), dest(2, 0)] }]);
    assert.deepEqual(settled, []);
  });

  it('settles a drain whose destination is desired again, or whose service is gone', () => {
    const desired: DesiredTable = [{ service: service(80), destinations: [dest(1), dest(2, 3)] }];
    const { table, settled } = overlayDrains(desired, drains(drain(80, 2), drain(443, 1)));
    assert.deepEqual(table, desired);
    assert.deepEqual(settled, [drainKey(key(80), dest(2)), drainKey(key(443), dest(1))]);
  });

  it('leaves drains of services outside the scope alone', () => {
    const desired: DesiredTable = [{ service: service(80), destinations: [dest(1)] }];
    const { table, settled } = overlayDrains(desired, drains(drain(80, 2), drain(443, 1)), new Set(['4|tcp 192.0.2.10:80']));
    assert.deepEqual(table, [{ service: service(80), destinations: [dest(1), dest(2, 0)] }]);
    assert.deepEqual(settled, []);
  });
});

describe('endedDrains', () => {
  const all = drains(drain(80, 1, 10_000), drain(80, 2, 10_000), drain(80, 3, 10_000), drain(443, 1, 10_000));

  it('ends drains with no active and no inactive connections, and those no longer in the table', () => {
    const observed = new Map([['4|tcp 192.0.2.10:80', [entry(1, 0, 0), entry(2, 1, 0)]]]);
    assert.deepEqual(
      endedDrains(all, observed, 9_999).map((e) => `${e.drain.destination.address} ${e.reason}`),
      ['10.0.0.1 no connections', '10.0.0.3 gone'],
    );
  });

  it('keeps a destination with inactive connections only, and one of a service not read, until the deadline', () => {
    const observed = new Map([['4|tcp 192.0.2.10:80', [entry(1, 0, 2), entry(2, 1, 0), entry(3, 0, 1)]]]);
    assert.deepEqual(endedDrains(all, observed, 9_999), []);
    assert.deepEqual(
      endedDrains(all, observed, 10_000).map((e) => `${describeService(e.drain.service)} ${e.drain.destination.address} ${e.reason}`),
      ['tcp 192.0.2.10:80 10.0.0.1 timeout', 'tcp 192.0.2.10:80 10.0.0.2 timeout', 'tcp 192.0.2.10:80 10.0.0.3 timeout', 'tcp 192.0.2.10:443 10.0.0.1 timeout'],
    );
  });
});
