/** Decoding real kernel replies recorded in the IPVS VM (test/vm/tools/record-ipvs-replies.ts). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { readTable } from '../../../src/ipvs/reconcile.js';
import type { NetlinkRequest, NetlinkTransport } from '../../../src/netlink/connection.js';
import { decodeMessages, type NetlinkMessage } from '../../../src/netlink/message.js';
import { repoPath } from '../../helpers/config.js';

interface Fixture {
  kernel: string;
  exchanges: Array<{ operation: string; replies: string[] }>;
  decoded: unknown;
}

const fixture = JSON.parse(readFileSync(repoPath('test/fixtures/ipvs-replies.json'), 'utf8')) as Fixture;
const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)));

/** replay answers each request with the replies recorded for the same operation. */
function replay(): NetlinkTransport {
  const byOperation = new Map(fixture.exchanges.map((e) => [e.operation, e.replies]));
  return {
    execute(request: NetlinkRequest): Promise<NetlinkMessage[]> {
      const replies = byOperation.get(request.operation);
      if (replies === undefined) return Promise.reject(new Error(`nothing recorded for ${request.operation}`));
      return Promise.resolve(replies.flatMap((h) => decodeMessages(Buffer.from(h, 'hex'))));
    },
    close: () => undefined,
  };
}

describe(`kernel replies recorded on ${fixture.kernel}`, () => {
  it('decode to what the client decoded inside the VM', async () => {
    const client = await IpvsClient.open(replay());
    const got = { info: await client.info(), timeouts: await client.timeouts(), daemons: await client.daemons(), table: await readTable(client) };
    assert.deepEqual(json(got), fixture.decoded);
  });

  it('decode to the values ipvsadm put into the kernel', async () => {
    const client = await IpvsClient.open(replay());
    assert.deepEqual(await client.timeouts(), { tcp: 901, tcpFin: 121, udp: 301 });
    assert.deepEqual(await client.daemons(), [{ state: 'backup', interface: 'lo', syncId: 9, maxLength: 65507, group: '224.0.0.81', port: 8848, ttl: 1 }]);
    const table = await readTable(client);
    const find = (d: string) => table.find((e) => JSON.stringify(e.service.key).includes(d));
    const udp = find('"port":53');
    assert.deepEqual([udp?.service.scheduler, udp?.service.flags], ['sh', 0x4 | 0x8]);
    assert.deepEqual(
      udp?.destinations.map((d) => [d.address, d.forwarding, d.tunnelType, d.tunnelPort]),
      [['10.0.0.3', 'tunnel', 'gue', 6080]],
    );
    const web = find('"port":80');
    assert.deepEqual(
      web?.destinations.map((d) => [d.address, d.port, d.forwarding, d.weight, d.upperThreshold, d.lowerThreshold]).sort(),
      [
        ['10.0.0.1', 8080, 'masq', 3, 100, 10],
        ['10.0.0.2', 80, 'droute', 0, 0, 0],
      ],
    );
    const fwm = find('"fwmark":80');
    assert.deepEqual([fwm?.service.flags, fwm?.service.timeout, fwm?.service.netmask], [1, 600, 0xffffff00]);
    const v6 = find('2001:db8::10');
    assert.deepEqual([v6?.service.netmask, v6?.service.timeout, v6?.destinations[0]?.address, v6?.destinations[0]?.family], [64, 300, '2001:db8::1', 6]);
  });
});
