import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { applyPlan, planReconcile, readTable, reconcile, serviceId, type DesiredTable } from '../../../src/ipvs/reconcile.js';
import type { ServiceKey } from '../../../src/ipvs/types.js';
import { FakeIpvsKernel } from '../../../src/testing/ipvs-kernel.js';
import { dial } from '../../../src/testing/nltest.js';
import { generateTable, makeDestination, makeService, mutate, normalize, Rng } from '../../helpers/ipvs-tables.js';

async function open(): Promise<{ client: IpvsClient; kernel: FakeIpvsKernel }> {
  const kernel = new FakeIpvsKernel();
  const { connection } = dial(kernel.func, { messagesPerDatagram: 16 });
  return { client: await IpvsClient.open(connection), kernel };
}

describe('planReconcile', () => {
  it('creates services before their destinations from an empty table', () => {
    const plan = planReconcile(generateTable(2, 2), []);
    assert.deepEqual(plan.map((op) => op.kind), ['add-service', 'add-service', 'add-destination', 'add-destination', 'add-destination', 'add-destination']);
  });

  it('plans nothing when the table already matches', async () => {
    const { client } = await open();
    const desired = generateTable(5, 4);
    await reconcile(client, desired);
    assert.deepEqual(planReconcile(desired, await readTable(client)), []);
  });

  it('changes a weight with one SET_DEST and a scheduler with one SET_SERVICE', async () => {
    const { client, kernel } = await open();
    const desired = generateTable(3, 3);
    await reconcile(client, desired);
    const before = kernel.writes();
    const changed = desired.map((e, i) => (i === 1 ? { service: { ...e.service, scheduler: 'rr' }, destinations: e.destinations.map((d, j) => (j === 2 ? { ...d, weight: 7 } : d)) } : e));
    const report = await reconcile(client, changed);
    assert.deepEqual(report.applied.map((op) => op.kind), ['edit-service', 'edit-destination']);
    assert.equal(kernel.writes() - before, 2);
    assert.deepEqual(normalize(await readTable(client)), normalize(changed));
  });

  it('removes a destination before it removes a service, and a service in one operation', () => {
    const actual = generateTable(2, 3).map((e) => ({ service: { ...e.service, stats: zeroStats() }, destinations: e.destinations.map((d) => ({ ...d, activeConns: 0, inactiveConns: 0, persistentConns: 0, stats: zeroStats() })) }));
    const desired = [{ service: makeService(0), destinations: [makeDestination(0, 0), makeDestination(0, 1)] }];
    const plan = planReconcile(desired, actual, { takeAll: true });
    assert.deepEqual(plan.map((op) => op.kind), ['delete-destination', 'delete-service']);
  });

  it('leaves services it does not own alone, unless told they are its own', async () => {
    const { client } = await open();
    const foreign = makeService(999);
    await client.addService(foreign);
    await reconcile(client, generateTable(1, 1));
    assert.equal((await client.services()).length, 2);
    const ours = new Set([serviceId(foreign.key)]);
    await reconcile(client, generateTable(1, 1), { owns: (k: ServiceKey) => ours.has(serviceId(k)) });
    assert.deepEqual((await client.services()).map((s) => serviceId(s.key)), [serviceId(makeService(0).key)]);
  });

  it('does not add destinations to a service the kernel refused, and reports both', async () => {
    const { client } = await open();
    const desired: DesiredTable = [{ service: { ...makeService(0), scheduler: 'nosuch' }, destinations: [makeDestination(0, 0)] }];
    const report = await reconcile(client, desired);
    assert.equal(report.applied.length, 0);
    assert.deepEqual(report.failed.map((f) => [f.op.kind, (f.error as { code: string }).code]), [
      ['add-service', 'ENOENT'],
      ['add-destination', 'ENOENT'],
    ]);
  });

  it('converges in one pass after each of 100 random mutations of a 1,000-destination table', async () => {
    const { client } = await open();
    const rng = new Rng(20261122);
    const next = { n: 100 };
    let desired = generateTable(50, 20);
    const first = await reconcile(client, desired);
    assert.equal(first.failed.length, 0);
    for (let round = 0; round < 100; round++) {
      desired = mutate(desired, rng, 1 + rng.int(10), next);
      const report = await reconcile(client, desired, { takeAll: true });
      assert.deepEqual(report.failed, [], `round ${round}`);
      assert.deepEqual(normalize(await readTable(client)), normalize(desired), `round ${round}`);
      assert.deepEqual(planReconcile(desired, await readTable(client), { takeAll: true }), [], `round ${round}: a second pass would still change something`);
    }
  });

  it('applies with a window of 1 exactly as with pipelining', async () => {
    const { client } = await open();
    const desired = generateTable(4, 5);
    const report = await applyPlan(client, planReconcile(desired, []), { window: 1 });
    assert.equal(report.applied.length, 24);
    assert.deepEqual(normalize(await readTable(client)), normalize(desired));
  });
});

function zeroStats() {
  return { conns: 0n, inpkts: 0n, outpkts: 0n, inbytes: 0n, outbytes: 0n, cps: 0n, inpps: 0n, outpps: 0n, inbps: 0n, outbps: 0n };
}
