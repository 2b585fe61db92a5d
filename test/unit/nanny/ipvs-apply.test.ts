import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IpvsClient } from '../../../src/ipvs/client.js';
import type { ServiceKey } from '../../../src/ipvs/types.js';
import { ipvsApplier, testStartApplier } from '../../../src/nanny/ipvs-apply.js';
import { FakeIpvsKernel } from '../../../src/testing/ipvs-kernel.js';
import { dial } from '../../../src/testing/nltest.js';

const key: ServiceKey = { family: 4, protocol: 'tcp', address: '192.0.2.10', port: 80 };
const dest = { address: '10.0.0.1', port: 80, family: 4 as const };

describe('ipvsApplier', () => {
  it('adds, re-weights and deletes, converging when the table was changed behind its back', async () => {
    const kernel = new FakeIpvsKernel();
    const client = await IpvsClient.open(dial(kernel.func).connection);
    await client.addService({ key, scheduler: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff, persistenceEngine: null });
    const apply = ipvsApplier(client, key, dest, 'masq');
    await apply({ type: 'add', weight: 3 });
    await apply({ type: 'add', weight: 4 });
    assert.deepEqual(kernel.describe().filter((l) => l.includes('->')), ['  -> 10.0.0.1:80 masq w=4']);
    await client.deleteDestination(key, dest);
    await apply({ type: 'set-weight', weight: 6 });
    assert.deepEqual(kernel.describe().filter((l) => l.includes('->')), ['  -> 10.0.0.1:80 masq w=6']);
    await apply({ type: 'delete' });
    await apply({ type: 'delete' });
    assert.deepEqual(kernel.describe().filter((l) => l.includes('->')), []);
  });

  it('reports a missing service (the real kernel error) to its caller', async () => {
    const client = await IpvsClient.open(dial(new FakeIpvsKernel().func).connection);
    await assert.rejects(ipvsApplier(client, key, dest, 'masq')({ type: 'add', weight: 1 }), /no such service/);
  });
});

describe('testStartApplier', () => {
  it('says the ipvsadm commands the original would have run', async () => {
    const said: string[] = [];
    const apply = testStartApplier(key, dest, 'droute', (l) => said.push(l));
    await apply({ type: 'add', weight: 3 });
    await apply({ type: 'set-weight', weight: 0 });
    await apply({ type: 'delete' });
    assert.deepEqual(said, [
      'test-start: would run: ipvsadm -a -t 192.0.2.10:80 -r 10.0.0.1:80 -g -w 3',
      'test-start: would run: ipvsadm -e -t 192.0.2.10:80 -r 10.0.0.1:80 -g -w 0',
      'test-start: would run: ipvsadm -d -t 192.0.2.10:80 -r 10.0.0.1:80',
    ]);
  });
});
