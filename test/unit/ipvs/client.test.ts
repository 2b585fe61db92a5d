import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { IpvsError } from '../../../src/ipvs/errors.js';
import type { Destination, Service } from '../../../src/ipvs/types.js';
import { FakeIpvsKernel } from '../../../src/testing/ipvs-kernel.js';
import { serveFamily } from '../../../src/testing/genltest.js';
import { dial } from '../../../src/testing/nltest.js';

const web: Service = { key: { family: 4, protocol: 'tcp', address: '192.0.2.10', port: 80 }, scheduler: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff, persistenceEngine: null };
const rs = (last: number, weight = 1): Destination => ({ address: `10.0.0.${last}`, port: 80, family: 4, forwarding: 'masq', weight, upperThreshold: 0, lowerThreshold: 0, tunnelType: 'ipip', tunnelPort: 0, tunnelFlags: 0 });

async function open(kernel = new FakeIpvsKernel()): Promise<{ client: IpvsClient; kernel: FakeIpvsKernel }> {
  const { connection } = dial(kernel.func, { messagesPerDatagram: 3 });
  return { client: await IpvsClient.open(connection), kernel };
}

async function rejectsWith(p: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof IpvsError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    return true;
  });
}

describe('IpvsClient against the fake kernel', () => {
  it('adds, reads back, edits and deletes a service', async () => {
    const { client } = await open();
    await client.addService(web);
    const [got] = await client.services();
    assert.deepEqual({ ...got, stats: undefined }, { ...web, stats: undefined });
    await client.editService({ ...web, scheduler: 'rr', flags: 1, timeout: 300 });
    const edited = await client.service(web.key);
    assert.deepEqual([edited.scheduler, edited.flags, edited.timeout], ['rr', 1, 300]);
    await client.deleteService(web.key);
    assert.deepEqual(await client.services(), []);
  });

  it('adds, lists, edits and deletes destinations', async () => {
    const { client } = await open();
    await client.addService(web);
    await Promise.all([client.addDestination(web.key, rs(1)), client.addDestination(web.key, rs(2, 3))]);
    const dests = await client.destinations(web.key);
    assert.deepEqual(dests.map((d) => [d.address, d.weight]).sort(), [['10.0.0.1', 1], ['10.0.0.2', 3]]);
    await client.editDestination(web.key, rs(1, 0));
    await client.deleteDestination(web.key, rs(2));
    assert.deepEqual((await client.destinations(web.key)).map((d) => [d.address, d.weight]), [['10.0.0.1', 0]]);
  });

  it('lists no destinations for a service that does not exist, as the kernel does', async () => {
    const { client } = await open();
    assert.deepEqual(await client.destinations(web.key), []);
  });

  it('explains errno values in terms of the operation', async () => {
    const { client } = await open();
    await rejectsWith(client.addService({ ...web, scheduler: 'xyz' }), 'ENOENT', 'add service tcp 192.0.2.10:80: scheduler module ip_vs_xyz not found (is it built for this kernel?)');
    await client.addService(web);
    await rejectsWith(client.addService(web), 'EEXIST', 'add service tcp 192.0.2.10:80: service already exists');
    await rejectsWith(client.deleteService({ ...web.key, port: 81 }), 'ESRCH', 'delete service tcp 192.0.2.10:81: no such service');
    await rejectsWith(client.editDestination(web.key, rs(9)), 'ENOENT', 'edit destination 10.0.0.9:80 in tcp 192.0.2.10:80: no such destination in that service');
    await client.addDestination(web.key, rs(1));
    await rejectsWith(client.addDestination(web.key, rs(1)), 'EEXIST', 'add destination 10.0.0.1:80 in tcp 192.0.2.10:80: destination already exists in that service');
    await rejectsWith(client.addDestination(web.key, { ...rs(2), lowerThreshold: 5, upperThreshold: 1 }), 'ERANGE', 'add destination 10.0.0.2:80 in tcp 192.0.2.10:80: weight out of range (0..2147483647), or lower threshold above upper threshold');
    await rejectsWith(client.stopDaemon('backup'), 'ESRCH', 'stop sync daemon backup: no sync daemon is running in that state');
  });

  it('says the kernel has no IPVS when nlctrl does not know the family', async () => {
    const { connection } = dial(serveFamily({ name: 'TASKSTATS', id: 0x15, version: 1 }, () => []));
    await rejectsWith(IpvsClient.open(connection), 'ENOENT', "open IPVS: the kernel has no IPVS: load it with 'modprobe ip_vs' (or build CONFIG_IP_VS)");
  });

  it('retries a dump the kernel marks as interrupted', async () => {
    const kernel = new FakeIpvsKernel({ interruptDumps: 2 });
    const { client } = await open(kernel);
    await client.addService(web);
    await client.addService({ ...web, key: { ...web.key, port: 443 } });
    assert.equal((await client.services()).length, 2);
  });

  it('reads and sets timeouts, info, daemons, zero and flush', async () => {
    const { client, kernel } = await open();
    assert.deepEqual(await client.timeouts(), { tcp: 900, tcpFin: 120, udp: 300 });
    await client.setTimeouts({ tcp: 600, tcpFin: 0, udp: 60 });
    assert.deepEqual(await client.timeouts(), { tcp: 600, tcpFin: 120, udp: 60 });
    assert.deepEqual(await client.info(), { version: 0x010201, connTableSize: 4096 });
    await client.startDaemon({ state: 'master', interface: 'eth1', syncId: 7 });
    assert.deepEqual(await client.daemons(), [{ state: 'master', interface: 'eth1', syncId: 7 }]);
    await client.stopDaemon('master');
    await client.addService(web);
    await client.zero(web.key);
    await client.zero();
    await client.flush();
    assert.deepEqual(kernel.describe(), []);
  });
});
