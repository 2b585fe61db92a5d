/**
 * Records real kernel replies for the host's decoding tests: inside the IPVS VM, builds a small
 * varied table with ipvsadm, then runs the client's reads through a recording transport and
 * writes each request with its raw reply messages (hex) and what the client decoded to
 * test/fixtures/ipvs-replies.json. Run: test/vm/run 'node dist/test/vm/tools/record-ipvs-replies.js'
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { readTable } from '../../../src/ipvs/reconcile.js';
import type { NetlinkRequest, NetlinkTransport } from '../../../src/netlink/connection.js';
import { NETLINK_GENERIC } from '../../../src/netlink/constants.js';
import { encodeMessage, type NetlinkMessage } from '../../../src/netlink/message.js';
import { openConnection } from '../../../src/netlink/socket.js';

interface Exchange {
  operation: string;
  flags: number;
  replies: string[];
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)));

function ipvsadm(line: string): void {
  execFileSync('ipvsadm', line.split(' '));
}

const exchanges: Exchange[] = [];
const real = openConnection(NETLINK_GENERIC);
const recording: NetlinkTransport = {
  async execute(request: NetlinkRequest): Promise<NetlinkMessage[]> {
    const replies = await real.execute(request);
    exchanges.push({ operation: request.operation, flags: request.flags, replies: replies.map((m) => hex(encodeMessage(m))) });
    return replies;
  },
  close: () => real.close(),
};

ipvsadm('-C');
for (const line of [
  '-A -t 192.0.2.10:80 -s wlc',
  '-a -t 192.0.2.10:80 -r 10.0.0.1:8080 -m -w 3 -x 100 -y 10',
  '-a -t 192.0.2.10:80 -r 10.0.0.2 -g -w 0',
  '-A -u 192.0.2.10:53 -s sh -b sh-fallback -o',
  '-a -u 192.0.2.10:53 -r 10.0.0.3 -i --tun-type gue --tun-port 6080',
  '-A -f 80 -s rr -p 600 -M 255.255.255.0',
  '-A -t [2001:db8::10]:443 -s lc -p 300 -M 64',
  '-a -t [2001:db8::10]:443 -r [2001:db8::1]:443 -m',
  '--set 901 121 301',
  '--start-daemon backup --mcast-interface lo --syncid 9',
]) ipvsadm(line);

const client = await IpvsClient.open(recording);
const info = await client.info();
const timeouts = await client.timeouts();
const daemons = await client.daemons();
const table = await readTable(client);
ipvsadm('--stop-daemon backup');
ipvsadm('-C');
client.close();

writeFileSync(
  new URL('../../../../test/fixtures/ipvs-replies.json', import.meta.url),
  `${JSON.stringify({ kernel: release(), recorded: new Date().toISOString().slice(0, 10), exchanges, decoded: json({ info, timeouts, daemons, table }) }, null, 1)}\n`,
);
console.log(`recorded ${exchanges.length} exchanges from kernel ${release()}`);
