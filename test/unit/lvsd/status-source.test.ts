import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { IPVS_CMD } from '../../../src/ipvs/constants.js';
import { StatusSource, type StatusParts } from '../../../src/lvsd/status-source.js';
import { FakeIpvsKernel } from '../../../src/testing/ipvs-kernel.js';
import { dial } from '../../../src/testing/nltest.js';
import { statusInput } from '../../helpers/status-fixture.js';

const service = (address: string, port: number) => ({ key: { family: 4 as const, protocol: 'tcp' as const, address, port }, scheduler: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff, persistenceEngine: null });

async function setup() {
  const kernel = new FakeIpvsKernel();
  const client = await IpvsClient.open(dial(kernel.func).connection);
  const { table: _t, kernelError: _k, now: _n, ...parts } = statusInput();
  const source = new StatusSource({ client, gather: (): StatusParts => parts, now: () => 0 });
  return { kernel, client, source };
}

describe('StatusSource', () => {
  it('reads the configured services and only their destinations', async () => {
    const { kernel, client, source } = await setup();
    await client.addService(service('192.0.2.10', 80));
    await client.addService(service('203.0.113.1', 25));
    await client.addDestination(service('192.0.2.10', 80).key, { address: '10.0.0.1', port: 80, family: 4, forwarding: 'masq', weight: 3, upperThreshold: 0, lowerThreshold: 0, tunnelType: 'ipip', tunnelPort: 0, tunnelFlags: 0 });
    kernel.setCounters(service('192.0.2.10', 80).key, { stats: { conns: 9n } });
    const before = kernel.commands.get(IPVS_CMD.GET_DEST) ?? 0;
    const doc = await source.snapshot();
    assert.equal((kernel.commands.get(IPVS_CMD.GET_DEST) ?? 0) - before, 1, 'one destination dump: the unconfigured service is not read');
    assert.deepEqual([doc.kernel.read, doc.services[0]?.counters?.connections, doc.services[0]?.servers[0]?.kernelWeight], [true, 9n, 3]);
  });

  it('makes one document, with one dump, for requests that arrive while it is being made', async () => {
    const { kernel, source } = await setup();
    const before = kernel.commands.get(IPVS_CMD.GET_SERVICE) ?? 0;
    const docs = await Promise.all([source.snapshot(), source.snapshot(), source.snapshot()]);
    assert.equal((kernel.commands.get(IPVS_CMD.GET_SERVICE) ?? 0) - before, 1);
    assert.ok(docs[0] === docs[1] && docs[1] === docs[2]);
    await source.snapshot();
    assert.equal((kernel.commands.get(IPVS_CMD.GET_SERVICE) ?? 0) - before, 2, 'a later request reads again');
  });

  it('says why when the table cannot be read', async () => {
    const { client, source } = await setup();
    client.close();
    const doc = await source.snapshot();
    assert.equal(doc.kernel.read, false);
    assert.ok(doc.kernel.error !== null && doc.kernel.error.length > 0);
  });
});
