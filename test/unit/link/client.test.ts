import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { describe, it } from 'node:test';
import { NLM_F } from '../../../src/netlink/constants.js';
import { RouteClient } from '../../../src/link/client.js';
import { IFA_F, LVS_ADDRESS_PROTO, RTM } from '../../../src/link/constants.js';
import { LinkError } from '../../../src/link/errors.js';
import { FakeRouteKernel } from '../../../src/testing/link-fakes.js';
import { vipRequest } from '../../../src/link/vip.js';
import { dial, errno, type NetlinkFunc } from '../../../src/testing/nltest.js';

function open(kernel = new FakeRouteKernel()): { client: RouteClient; kernel: FakeRouteKernel; requests: () => number[] } {
  const { connection, socket } = dial(kernel.func, { messagesPerDatagram: 3 });
  return { client: RouteClient.open(connection), kernel, requests: () => socket.requests.map((r) => r.type) };
}

async function rejectsWith(p: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof LinkError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    return true;
  });
}

const vip = vipRequest({ address: '192.0.2.10', device: 'eth0:1', netmask: '255.255.255.0' });
const vip6 = vipRequest({ address: '2001:db8::10', device: 'eth0:2' });

describe('RouteClient against the fake kernel', () => {
  it('lists links with MAC, broadcast, carrier and operstate, and reads one by name', async () => {
    const { client, kernel } = open();
    kernel.addLink({ name: 'eth1', carrier: false, mac: '02:00:00:00:00:01' });
    const links = await client.links();
    assert.deepEqual(
      links.map((l) => [l.name, l.mac, l.broadcast, l.up, l.carrier, l.operstate]),
      [
        ['lo', '00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', true, true, 'up'],
        ['eth0', '52:54:00:00:00:02', 'ff:ff:ff:ff:ff:ff', true, true, 'up'],
        ['eth1', '02:00:00:00:00:01', 'ff:ff:ff:ff:ff:ff', true, false, 'down'],
      ],
    );
    const eth1 = await client.link('eth1');
    assert.equal(eth1.index, 3);
    await rejectsWith(client.link('eth9'), 'ENODEV', 'get link eth9: no such interface');
  });

  it('adds a VIP once: labelled, with netmask, broadcast and our mark; a second add is "present"', async () => {
    const { client, kernel } = open();
    assert.equal(await client.addAddress(vip), 'added');
    assert.equal(await client.addAddress(vip), 'present');
    assert.deepEqual(kernel.addressList(), [
      { family: 4, index: 2, link: 'eth0', address: '192.0.2.10', peer: null, prefix: 24, broadcast: '192.0.2.255', label: 'eth0:1', flags: 0, scope: 0, proto: LVS_ADDRESS_PROTO },
    ]);
    const [listed] = await client.addresses({ link: 'eth0' });
    assert.equal(listed?.label, 'eth0:1');
  });

  it('adds IPv6 VIPs with NODAD, idempotently', async () => {
    const { client, kernel } = open();
    assert.deepEqual(await Promise.all([client.addAddress(vip6), client.addAddress(vip6)]).then((r) => r.sort()), ['added', 'present']);
    const [a] = kernel.addressList();
    assert.equal(a?.family, 6);
    assert.equal((a?.flags ?? 0) & IFA_F.NODAD, IFA_F.NODAD);
  });

  it('removes a VIP once; a second removal, or one from a missing interface, is "absent"', async () => {
    const { client, kernel } = open();
    await client.addAddress(vip);
    await client.addAddress(vip6);
    assert.equal(await client.removeAddress(vip), 'removed');
    assert.equal(await client.removeAddress(vip), 'absent');
    assert.equal(await client.removeAddress(vip6), 'removed');
    assert.equal(await client.removeAddress(vip6), 'absent');
    assert.equal(await client.removeAddress(vipRequest({ address: '192.0.2.10', device: 'eth7:1' })), 'absent');
    assert.deepEqual(kernel.addressList(), []);
  });

  it('leaves an administrator address with the same IP and another label alone', async () => {
    const { client, kernel } = open();
    kernel.addAddress({ link: 'eth0', family: 4, address: '192.0.2.10', prefix: 24 });
    assert.equal(await client.removeAddress(vip), 'absent');
    assert.equal(kernel.addressList().length, 1);
  });

  it('never changes a link: only GET, NEWADDR and DELADDR requests are sent, and the link stays up', async () => {
    const { client, kernel, requests } = open();
    await client.addAddress(vip);
    await client.removeAddress(vip);
    await client.removeStale({ aliasLabels: ['eth0:1'] });
    assert.equal(kernel.linkChanges, 0);
    assert.ok(requests().every((t) => t === RTM.GETLINK || t === RTM.GETADDR || t === RTM.NEWADDR || t === RTM.DELADDR), String(requests()));
    assert.equal(kernel.linkNamed('eth0')?.up, true);
  });

  it('looks an interface up once and again when it was re-created (ENODEV on a cached index)', async () => {
    const { client, kernel, requests } = open();
    await client.addAddress(vip);
    await client.addAddress(vipRequest({ address: '192.0.2.11', device: 'eth0:2' }));
    assert.equal(requests().filter((t) => t === RTM.GETLINK).length, 1);
    kernel.removeLink('eth0');
    kernel.addLink({ name: 'eth0' });
    assert.equal(await client.addAddress(vip), 'added');
    assert.equal(requests().filter((t) => t === RTM.GETLINK).length, 2);
    assert.deepEqual(kernel.addressList().map((a) => a.index), [kernel.linkNamed('eth0')?.index]);
  });

  it('explains refusals with the operation and the VIP', async () => {
    const { client, kernel } = open();
    await rejectsWith(client.addAddress(vipRequest({ address: '192.0.2.10', device: 'eth5:1' })), 'ENODEV', 'add address 192.0.2.10/32 on eth5:1: no such interface eth5');
    await client.link('eth0');
    kernel.failures.set(RTM.NEWADDR, constants.errno.EPERM);
    await rejectsWith(client.addAddress(vip), 'EPERM', 'add address 192.0.2.10/24 on eth0:1: permission denied: changing addresses needs CAP_NET_ADMIN (run as root)');
    kernel.failures.set(RTM.DELADDR, constants.errno.EINVAL);
    await rejectsWith(client.removeAddress(vip), 'EINVAL', 'remove address 192.0.2.10/24 on eth0:1: invalid request');
    kernel.failures.set(RTM.GETADDR, constants.errno.EACCES);
    await rejectsWith(client.addresses(), 'EACCES', 'list addresses: IPv6 is disabled on this interface');
  });

  it('keeps the kernel extended-ACK text', async () => {
    const kernel = new FakeRouteKernel();
    const func: NetlinkFunc = (r) => (r.type === RTM.NEWADDR ? [errno(r, constants.errno.EINVAL, 'Invalid prefix length')] : kernel.func(r));
    const { connection } = dial(func);
    const client = RouteClient.open(connection);
    await rejectsWith(client.addAddress(vip), 'EINVAL', 'add address 192.0.2.10/24 on eth0:1: invalid address (prefix length, broadcast or label refused by the kernel) (Invalid prefix length)');
  });

  it('retries a dump the kernel interrupted', async () => {
    const kernel = new FakeRouteKernel();
    let interrupted = 0;
    const func: NetlinkFunc = async (r) => {
      const replies = await kernel.func(r);
      if (r.type === RTM.GETLINK && (r.flags & NLM_F.DUMP) === NLM_F.DUMP && interrupted++ < 2) return replies.map((m, i) => (i === 0 ? { ...m, flags: m.flags | NLM_F.DUMP_INTR } : m));
      return replies;
    };
    const { connection } = dial(func);
    const links = await RouteClient.open(connection).links();
    assert.equal(links.length, 2);
    assert.equal(interrupted, 3);
  });

  it('filters addresses by family and interface', async () => {
    const { client, kernel } = open();
    kernel.addLink({ name: 'eth1' });
    kernel.addAddress({ link: 'eth1', family: 4, address: '198.51.100.1', prefix: 24 });
    await client.addAddress(vip);
    await client.addAddress(vip6);
    assert.deepEqual((await client.addresses({ family: 6 })).map((a) => a.address), ['2001:db8::10']);
    assert.deepEqual((await client.addresses({ link: 'eth1' })).map((a) => a.address), ['198.51.100.1']);
  });
});

describe('removing stale VIPs', () => {
  it('removes marked addresses and configured alias labels, keeps everything else, reports each', async () => {
    const { client, kernel } = open();
    kernel.addLink({ name: 'eth1' });
    kernel.addAddress({ link: 'eth0', family: 4, address: '10.0.0.1', prefix: 24 });
    kernel.addAddress({ link: 'eth0', family: 4, address: '10.0.0.50', prefix: 24, label: 'eth0:1' });
    kernel.addAddress({ link: 'eth0', family: 4, address: '10.0.0.51', prefix: 32, label: 'eth0:8' });
    kernel.addAddress({ link: 'eth1', family: 4, address: '198.51.100.7', prefix: 32, label: 'eth1:old', proto: LVS_ADDRESS_PROTO });
    kernel.addAddress({ link: 'eth1', family: 6, address: '2001:db8::7', prefix: 128, proto: LVS_ADDRESS_PROTO });
    kernel.addAddress({ link: 'eth1', family: 6, address: '2001:db8::8', prefix: 64 });
    const report = await client.removeStale({ aliasLabels: ['eth0:1', 'eth0:2'] });
    assert.deepEqual(
      report.map((r) => [r.link, r.entry.address, r.outcome, r.error]).sort(),
      [
        ['eth0', '10.0.0.50', 'removed', null],
        ['eth1', '198.51.100.7', 'removed', null],
        ['eth1', '2001:db8::7', 'removed', null],
      ],
    );
    assert.deepEqual(kernel.addressList().map((a) => a.address).sort(), ['10.0.0.1', '10.0.0.51', '2001:db8::8']);
  });

  it('removes a stale secondary before its primary, so a primary does not take unremoved secondaries along', async () => {
    const { client, kernel, requests } = open();
    kernel.addAddress({ link: 'eth0', family: 4, address: '10.0.0.50', prefix: 24, label: 'eth0:1' });
    kernel.addAddress({ link: 'eth0', family: 4, address: '10.0.0.51', prefix: 24, label: 'eth0:2' });
    const report = await client.removeStale({ aliasLabels: ['eth0:1', 'eth0:2'] });
    assert.deepEqual(report.map((r) => [r.entry.address, r.outcome]), [['10.0.0.51', 'removed'], ['10.0.0.50', 'removed']]);
    assert.equal(requests().filter((t) => t === RTM.DELADDR).length, 2);
  });

  it('reports a refused removal and goes on with the others', async () => {
    const kernel = new FakeRouteKernel();
    kernel.addAddress({ link: 'eth0', family: 4, address: '10.0.0.50', prefix: 32, label: 'eth0:1' });
    kernel.addAddress({ link: 'eth0', family: 4, address: '10.0.0.51', prefix: 32, label: 'eth0:2' });
    let first = true;
    const func: NetlinkFunc = (r) => {
      if (r.type === RTM.DELADDR && first) {
        first = false;
        return [errno(r, constants.errno.EPERM)];
      }
      return kernel.func(r);
    };
    const { connection } = dial(func);
    const report = await RouteClient.open(connection).removeStale({ aliasLabels: ['eth0:1', 'eth0:2'] });
    assert.deepEqual(report.map((r) => [r.outcome, (r.error as LinkError | null)?.code ?? null]), [[null, 'EPERM'], ['removed', null]]);
    assert.match(String(report[0]?.error), /remove address 10\.0\.0\.50\/32 on eth0:1: permission denied/);
  });
});
