/**
 * The traffic lab (test/vm/lab.ts) proven with the real ipvsadm: in a NAT lab and in a
 * direct-routing lab, IPVS programmed in the director namespace sends the client's traffic for
 * the VIP to the real servers, round robin; a real server that stops answering and is removed
 * from IPVS gets no more traffic; UDP goes through too. Runs inside the IPVS VM:
 *   test/vm/run 'node --test --test-reporter=spec dist/test/vm/suites/lab.test.js'
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { netnsUnavailable } from '../../helpers/netns.js';
import { drLab, natLab, type Answer, type Lab, type LabKind } from '../lab.js';

const inVm = process.env['LVS_VM_GUEST'] === '1' || existsSync('/proc/net/ip_vs');
const skip = inVm ? (netnsUnavailable() ?? false) : 'runs inside the IPVS VM (test/vm/run)';

/** who lists who answered each request, or the error it got. */
const who = (answers: Answer[]): string[] => answers.map((a) => a.server ?? `(none: ${a.error ?? '?'})`);

/** alternates asserts that `names` are the lab's real servers in turn (round robin), each as often. */
function alternates(names: string[], servers: string[]): void {
  assert.equal(names.length % servers.length, 0);
  names.forEach((name, i) => assert.equal(name, names[i % servers.length], `not round robin: ${names.join(' ')}`));
  assert.deepEqual([...names.slice(0, servers.length)].sort(), [...servers].sort(), `not every real server answered: ${names.join(' ')}`);
}

interface Stats {
  conns: number;
  inPkts: number;
  outPkts: number;
}

/** stats reads `ipvsadm -Ln --stats --exact` in the director, per service ("TCP 198.51.100.10:80"). */
function stats(lab: Lab): Map<string, Stats> {
  const out = new Map<string, Stats>();
  for (const line of lab.ipvsadm('-Ln', '--stats', '--exact').split('\n')) {
    const f = line.trim().split(/\s+/);
    if ((f[0] === 'TCP' || f[0] === 'UDP') && f.length >= 7) out.set(`${f[0]} ${f[1]}`, { conns: Number(f[2]), inPkts: Number(f[3]), outPkts: Number(f[4]) });
  }
  return out;
}

/**
 * settledStats waits until the service's statistics count `conns` connections and returns them.
 * The kernel's estimator refreshes them every couple of seconds, not at once (slower under
 * emulation), hence the wait.
 */
async function settledStats(lab: Lab, service: string, conns: number): Promise<Stats> {
  const end = Date.now() + 90_000;
  for (;;) {
    const s = stats(lab).get(service);
    if (s !== undefined && s.conns >= conns) return s;
    if (Date.now() > end) assert.fail(`the statistics of ${service} never counted ${conns} connections:\n${lab.ipvsadm('-Ln', '--stats', '--exact')}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** connections counts the director's IPVS connection entries (`ipvsadm -Lnc`, exact at once) per "PROTO virtual -> destination". */
function connections(lab: Lab): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of lab.ipvsadm('-Lnc').split('\n')) {
    const f = line.trim().split(/\s+/);
    if ((f[0] === 'TCP' || f[0] === 'UDP') && f.length === 6) {
      const key = `${f[0]} ${f[4]} -> ${f[5]}`;
      out.set(key, (out.get(key) ?? 0) + 1);
    }
  }
  return out;
}

for (const [kind, make, title] of [
  ['nat', natLab, 'NAT lab (ipvsadm -m)'],
  ['dr', drLab, 'direct-routing lab (ipvsadm -g)'],
] as const satisfies readonly (readonly [LabKind, () => Promise<Lab>, string])[]) {
  describe(`${title}: client traffic to the VIP reaches the real servers through IPVS`, { skip }, () => {
    let lab: Lab | null = null;
    const the = (): Lab => lab ?? assert.fail('the lab was not made');
    const forwarding = kind === 'nat' ? '-m' : '-g';
    const names = (): string[] => the().servers.map((s) => s.name);
    const http = (): string => `${the().vip}:${the().ports.http}`;
    const udp = (): string => `${the().vip}:${the().ports.udp}`;
    const addServer = (proto: '-t' | '-u', service: string, port: number, i: number): void => {
      the().ipvsadm('-a', proto, service, '-r', `${the().servers[i]?.address}:${port}`, forwarding);
    };

    before(async () => {
      lab = await make();
    });
    after(async () => {
      await lab?.destroy();
    });

    it('the lab has two real servers, and without an IPVS service nobody answers at the VIP', async () => {
      assert.deepEqual(names(), ['rs1', 'rs2']);
      assert.equal(the().ipvsadm('-Sn'), '');
      const [answer] = await the().request('http', 1);
      assert.equal(answer?.server, null, `answered: ${answer?.server}`);
    });

    it('HTTP through an rr service: both real servers answer, in turn, and see the client itself', async () => {
      the().ipvsadm('-A', '-t', http(), '-s', 'rr');
      for (let i = 0; i < the().servers.length; i++) addServer('-t', http(), the().ports.http, i);
      const one = await the().fetch('/first');
      assert.ok(names().includes(one), `fetch answered ${one}`);

      const answers = await the().request('http', 6, { path: '/index.html' });
      alternates(who(answers), names());
      for (const a of answers) {
        assert.equal(a.status, 200);
        assert.match(a.client ?? '', /^198\.51\.100\.2:\d+$/, 'the real server sees the client address (only the destination is rewritten)');
      }

      // 7 connections (fetch + 6), shared 4/3 by round robin, in the director's connection table.
      const table = connections(the());
      const perServer = the().servers.map((rs) => table.get(`TCP ${http()} -> ${rs.address}:${the().ports.http}`) ?? 0);
      assert.deepEqual(perServer.sort((a, b) => a - b), [3, 4], `connection entries: ${JSON.stringify([...table])}`);

      const service = await settledStats(the(), `TCP ${http()}`, 7);
      assert.ok(service.inPkts > 0);
      if (kind === 'nat') assert.ok(service.outPkts > 0, 'NAT: the replies come back through the director');
      else assert.equal(service.outPkts, 0, 'DR: the real servers answer the client directly, not through the director');
    });

    it('a stopped real server no longer answers; once removed from IPVS it gets no traffic; restarted and re-added, it is used again', async () => {
      const [rs1, rs2] = the().servers;
      assert.ok(rs1 !== undefined && rs2 !== undefined);
      await the().stopServer(1);
      assert.equal(rs2.running, false);
      const refused = who(await the().request('http', 4));
      assert.ok(refused.includes('rs1') && !refused.includes('rs2'), refused.join(' '));
      assert.ok(refused.some((r) => r.startsWith('(none')), `the stopped server still answered: ${refused.join(' ')}`);

      the().ipvsadm('-d', '-t', http(), '-r', `${rs2.address}:${the().ports.http}`);
      assert.deepEqual(who(await the().request('http', 4)), ['rs1', 'rs1', 'rs1', 'rs1']);

      await the().startServer(1);
      assert.equal(rs2.running, true);
      addServer('-t', http(), the().ports.http, 1);
      alternates(who(await the().request('http', 4)), names());
    });

    it('UDP through an rr service: each datagram from a new socket is answered (from the VIP) by the real servers in turn', async () => {
      the().ipvsadm('-A', '-u', udp(), '-s', 'rr');
      for (let i = 0; i < the().servers.length; i++) addServer('-u', udp(), the().ports.udp, i);
      alternates(who(await the().request('udp', 4)), names());
      const table = connections(the());
      for (const rs of the().servers) assert.equal(table.get(`UDP ${udp()} -> ${rs.address}:${the().ports.udp}`), 2, `connection entries: ${JSON.stringify([...table])}`);
    });

    it('plain TCP (a banner with the server name) goes through too', async () => {
      const service = `${the().vip}:${the().ports.tcp}`;
      the().ipvsadm('-A', '-t', service, '-s', 'rr');
      for (let i = 0; i < the().servers.length; i++) addServer('-t', service, the().ports.tcp, i);
      alternates(who(await the().request('tcp', 4)), names());
    });

    if (kind === 'dr')
      it('only the director answers ARP for the VIP: the client reaches it at the director MAC', () => {
        const mac = (ns: Lab['director'], device: string): string => (JSON.parse(ns.ip('-j', 'link', 'show', 'dev', device)) as { address: string }[])[0]?.address ?? '';
        const neighbours = JSON.parse(the().client.ip('-j', 'neigh', 'show', the().vip)) as { lladdr?: string }[];
        assert.equal(neighbours.length, 1, JSON.stringify(neighbours));
        assert.equal(neighbours[0]?.lladdr, mac(the().director, the().directorDevice));
        for (const rs of the().servers) assert.notEqual(mac(rs.ns, 'eth0'), neighbours[0]?.lladdr);
      });
  });
}
