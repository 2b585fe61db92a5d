/**
 * The IPVS client, reconciler and restore against a real kernel table. Runs inside the VM
 * (test/vm/run), where ip_vs is loaded and the real ipvsadm is the oracle.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { release } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { IpvsError } from '../../../src/ipvs/errors.js';
import { parseIpvsadmArgs, splitSavedLine } from '../../../src/ipvs/ipvsadm-args.js';
import { restore } from '../../../src/ipvs/ipvsadm-run.js';
import { planReconcile, readTable, reconcile, type ActualTable } from '../../../src/ipvs/reconcile.js';
import type { Destination, Service, ServiceKey } from '../../../src/ipvs/types.js';
import { GenericNetlink } from '../../../src/netlink/genl.js';
import { NETLINK_GENERIC, NLM_F } from '../../../src/netlink/constants.js';
import { NetlinkError } from '../../../src/netlink/errors.js';
import { openConnection } from '../../../src/netlink/socket.js';
import { generateTable, mutate, normalize, Rng } from '../../helpers/ipvs-tables.js';

const inVm = process.env['LVS_VM_GUEST'] === '1' || existsSync('/proc/net/ip_vs');

function ipvsadm(...args: string[]): string {
  return execFileSync('ipvsadm', args, { encoding: 'utf8' });
}

/** saved parses `ipvsadm -Sn` with our own parser into sorted comparable lines. */
function saved(): string[] {
  return ipvsadm('-Sn')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.stringify(parseIpvsadmArgs(splitSavedLine(l))))
    .sort();
}

/** asSaved renders what the client reads in the same shape (-S carries no thresholds). */
function asSaved(table: ActualTable): string[] {
  const out: string[] = [];
  for (const { service, destinations } of table) {
    const { stats: _s, ...plain } = service;
    out.push(JSON.stringify({ kind: 'add-service', service: plain }));
    for (const d of destinations) {
      const { activeConns: _a, inactiveConns: _i, persistentConns: _p, stats: _st, ...dest } = d;
      out.push(JSON.stringify({ kind: 'add-server', key: service.key, destination: { ...dest, upperThreshold: 0, lowerThreshold: 0 } }));
    }
  }
  return out.sort();
}

function kernelSchedulers(): string[] {
  const dir = `/lib/modules/${release()}/kernel/net/netfilter/ipvs`;
  return readdirSync(dir)
    .map((f) => /^ip_vs_(\w+)\.ko(\.xz|\.zst|\.gz)?$/.exec(f)?.[1])
    .filter((n): n is string => n !== undefined && !['ftp', 'pe_sip'].includes(n))
    .sort();
}

const svc = (key: ServiceKey, more: Partial<Service> = {}): Service => ({ key, scheduler: 'wlc', flags: 0, timeout: 0, netmask: key.family === 4 ? 0xffffffff : 128, persistenceEngine: null, ...more });
const dst = (address: string, port: number, more: Partial<Destination> = {}): Destination => ({ address, port, family: address.includes(':') ? 6 : 4, forwarding: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnelType: 'ipip', tunnelPort: 0, tunnelFlags: 0, ...more });

describe('IPVS on a real kernel', { skip: inVm ? false : 'runs inside the IPVS VM (test/vm/run)' }, () => {
  let client: IpvsClient;
  before(async () => {
    client = await IpvsClient.open();
  });
  after(() => client.close());

  const fresh = async (): Promise<void> => {
    await client.flush();
  };

  it('creates every kind of service, and ipvsadm reads them back as the client does', async () => {
    await fresh();
    const services: Service[] = [
      svc({ family: 4, protocol: 'tcp', address: '192.0.2.10', port: 80 }),
      svc({ family: 4, protocol: 'udp', address: '192.0.2.10', port: 53 }, { scheduler: 'rr', flags: 0x4 }),
      svc({ family: 4, protocol: 'sctp', address: '192.0.2.10', port: 3868 }),
      svc({ family: 4, fwmark: 80 }, { flags: 1, timeout: 600, netmask: 0xffffff00 }),
      svc({ family: 6, protocol: 'tcp', address: '2001:db8::10', port: 443 }, { flags: 1, timeout: 300, netmask: 64 }),
      svc({ family: 6, fwmark: 81 }),
      svc({ family: 4, protocol: 'tcp', address: '192.0.2.11', port: 80 }, { scheduler: 'sh', flags: 0x8 | 0x10 }),
      svc({ family: 4, protocol: 'tcp', address: '192.0.2.12', port: 5060 }, { flags: 1, timeout: 60, persistenceEngine: existsSync(`/lib/modules/${release()}/kernel/net/netfilter/ipvs/ip_vs_pe_sip.ko`) || existsSync(`/lib/modules/${release()}/kernel/net/netfilter/ipvs/ip_vs_pe_sip.ko.xz`) ? 'sip' : null }),
    ];
    for (const s of services) await client.addService(s);
    const table = await readTable(client);
    assert.deepEqual(table.map((e) => { const { stats: _s, ...p } = e.service; return JSON.stringify(p); }).sort(), services.map((s) => JSON.stringify(s)).sort());
    assert.deepEqual(saved(), asSaved(table));
  });

  it('accepts every scheduler the kernel ships', async () => {
    await fresh();
    const names = kernelSchedulers();
    assert.ok(names.includes('wlc') && names.length >= 8, names.join(' '));
    for (const [i, name] of names.entries()) await client.addService(svc({ family: 4, protocol: 'tcp', address: `192.0.2.${20 + i}`, port: 80 }, { scheduler: name }));
    assert.deepEqual((await client.services()).map((s) => s.scheduler).sort(), names);
  });

  it('adds, edits and deletes destinations of every forwarding method, weight and threshold', async () => {
    await fresh();
    const key: ServiceKey = { family: 4, protocol: 'tcp', address: '192.0.2.30', port: 80 };
    await client.addService(svc(key));
    const dests = [
      dst('10.0.0.1', 8080, { forwarding: 'masq', weight: 5, upperThreshold: 100, lowerThreshold: 10 }),
      dst('10.0.0.2', 80, { forwarding: 'droute', weight: 0 }),
      dst('10.0.0.3', 80, { forwarding: 'tunnel', weight: 3 }),
      dst('10.0.0.4', 80, { forwarding: 'tunnel', tunnelType: 'gue', tunnelPort: 6080, tunnelFlags: 1 }),
      dst('10.0.0.5', 80, { forwarding: 'tunnel', tunnelType: 'gre', tunnelFlags: 2 }),
      dst('2001:db8::5', 80, { forwarding: 'tunnel' }),
    ];
    for (const d of dests) await client.addDestination(key, d);
    const read = await client.destinations(key);
    const plain = read.map(({ activeConns: _a, inactiveConns: _i, persistentConns: _p, stats: _s, ...d }) => JSON.stringify(d)).sort();
    assert.deepEqual(plain, dests.map((d) => JSON.stringify(d)).sort());
    assert.deepEqual(saved(), asSaved(await readTable(client)));
    await client.editDestination(key, { ...(dests[1] as Destination), weight: 7 });
    assert.match(ipvsadm('-Ln'), /-> 10\.0\.0\.2:80 +Route +7 /);
    await client.editService(svc(key, { scheduler: 'rr', flags: 1, timeout: 120 }));
    assert.match(ipvsadm('-Ln'), /TCP {2}192\.0\.2\.30:80 rr persistent 120/);
    await client.deleteDestination(key, dests[1] as Destination);
    assert.doesNotMatch(ipvsadm('-Ln'), /10\.0\.0\.2:80/);
    await client.deleteService(key);
    assert.doesNotMatch(ipvsadm('-Ln'), /192\.0\.2\.30/);
  });

  it('reads and sets the timeouts, and runs a sync daemon, as ipvsadm sees them', async () => {
    await client.setTimeouts({ tcp: 901, tcpFin: 121, udp: 301 });
    assert.deepEqual(await client.timeouts(), { tcp: 901, tcpFin: 121, udp: 301 });
    assert.match(ipvsadm('-L', '--timeout'), /Timeout \(tcp tcpfin udp\): 901 121 301/);
    await client.startDaemon({ state: 'backup', interface: 'lo', syncId: 9 });
    assert.match(ipvsadm('-L', '--daemon'), /backup sync daemon \(mcast=lo, syncid=9/);
    assert.deepEqual((await client.daemons()).map((d) => [d.state, d.interface, d.syncId]), [['backup', 'lo', 9]]);
    await client.stopDaemon('backup');
    assert.deepEqual(await client.daemons(), []);
    const info = await client.info();
    assert.ok(info.version >= 0x010200 && info.connTableSize > 0, JSON.stringify(info));
  });

  it('explains every errno the kernel can be made to return', async () => {
    await fresh();
    const key: ServiceKey = { family: 4, protocol: 'tcp', address: '192.0.2.40', port: 80 };
    const expect = async (p: Promise<unknown>, code: string, re: RegExp): Promise<void> => {
      await assert.rejects(p, (e: unknown) => {
        assert.ok(e instanceof IpvsError, String(e));
        assert.equal(e.code, code, e.message);
        assert.match(e.message, re);
        return true;
      });
    };
    await expect(client.addService(svc(key, { scheduler: 'nosuchsched' })), 'ENOENT', /scheduler module ip_vs_nosuchsched not found/);
    await client.addService(svc(key));
    await expect(client.addService(svc(key)), 'EEXIST', /service already exists/);
    await expect(client.editService(svc({ ...key, port: 81 })), 'ESRCH', /edit service tcp 192\.0\.2\.40:81: no such service/);
    await expect(client.deleteService({ ...key, port: 81 }), 'ESRCH', /no such service/);
    await expect(client.addDestination({ ...key, port: 81 }, dst('10.0.0.1', 80)), 'ESRCH', /no such service/);
    await client.addDestination(key, dst('10.0.0.1', 80));
    await expect(client.addDestination(key, dst('10.0.0.1', 80)), 'EEXIST', /destination already exists/);
    await expect(client.editDestination(key, dst('10.0.0.9', 80)), 'ENOENT', /no such destination/);
    await expect(client.deleteDestination(key, dst('10.0.0.9', 80)), 'ENOENT', /no such destination/);
    await expect(client.addDestination(key, dst('10.0.0.2', 80, { upperThreshold: 1, lowerThreshold: 5 })), 'ERANGE', /threshold/);
    await expect(client.addDestination(key, dst('2001:db8::2', 80)), 'EINVAL', /mixed address family/);
    await expect(client.addDestination(key, dst('224.0.0.1', 80)), 'EINVAL', /not a unicast address/);
    await expect(client.addService(svc({ family: 6, protocol: 'tcp', address: '2001:db8::40', port: 80 }, { flags: 1, timeout: 60, netmask: 200 })), 'EINVAL', /prefix length/);
    await expect(client.addDestination({ ...key }, dst('10.0.0.3', 80, { forwarding: 'tunnel', tunnelType: 'gue', tunnelPort: 0 })), 'EINVAL', /GUE tunnel without a port/);
    await expect(client.stopDaemon('master'), 'ESRCH', /no sync daemon is running/);
    await expect(client.startDaemon({ state: 'master', interface: 'nosuchdev0', syncId: 1 }), 'ENODEV', /no such multicast interface/);
    await client.startDaemon({ state: 'master', interface: 'lo', syncId: 1 });
    await expect(client.startDaemon({ state: 'master', interface: 'lo', syncId: 1 }), 'EEXIST', /already running/);
    // Stopping a master sync daemon the moment after it started has hung this emulated kernel
    // (no answer to DEL_DAEMON): let it run a little first, as any real use does.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await client.stopDaemon('master');
    // EOPNOTSUPP: GET_INFO has no dump handler.
    const connection = openConnection(NETLINK_GENERIC);
    const genl = new GenericNetlink(connection);
    const family = await genl.family('IPVS');
    await assert.rejects(genl.request('info as dump', family.id, { cmd: 15, version: 1, attributes: new Uint8Array(0) }, NLM_F.DUMP), (e: unknown) => e instanceof NetlinkError && e.code === 'EOPNOTSUPP');
    connection.close();
  });

  it('refuses an unprivileged caller with EPERM, in operator words', () => {
    const script = `import('${new URL('../../../src/ipvs/client.js', import.meta.url).href}').then(async ({ IpvsClient }) => { const c = await IpvsClient.open(); try { await c.services(); console.log('no error'); } catch (e) { console.log(e.code + ' ' + e.message); } c.close(); })`;
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', process.execPath, '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^EPERM list services: permission denied: IPVS needs CAP_NET_ADMIN/);
  });

  it('reconciles empty to desired, desired to desired with no operation, and converges after 100 random mutations of a 1,000-destination table', async () => {
    await fresh();
    let desired = generateTable(50, 20);
    const first = await reconcile(client, desired, { takeAll: true });
    assert.deepEqual(first.failed, []);
    assert.equal(first.applied.length, 50 + 1000);
    assert.deepEqual(planReconcile(desired, await readTable(client), { takeAll: true }), []);
    const rng = new Rng(4711);
    const next = { n: 100 };
    for (let round = 0; round < 100; round++) {
      desired = mutate(desired, rng, 1 + rng.int(10), next);
      const report = await reconcile(client, desired, { takeAll: true });
      assert.deepEqual(report.failed.map((f) => String(f.error)), [], `round ${round}`);
      const actual = await readTable(client);
      assert.deepEqual(normalize(actual), normalize(desired), `round ${round}`);
      assert.deepEqual(planReconcile(desired, actual, { takeAll: true }), [], `round ${round}`);
    }
  });

  it('restores what ipvsadm -Sn saved (lvsadm -R)', async () => {
    await fresh();
    ipvsadm('-A', '-t', '192.0.2.50:80', '-s', 'rr', '-p', '120', '-M', '255.255.255.0');
    ipvsadm('-a', '-t', '192.0.2.50:80', '-r', '10.1.0.1:80', '-m', '-w', '3');
    ipvsadm('-a', '-t', '192.0.2.50:80', '-r', '10.1.0.2:80', '-g');
    ipvsadm('-A', '-u', '[2001:db8::50]:53', '-s', 'sh', '-b', 'sh-port');
    ipvsadm('-a', '-u', '[2001:db8::50]:53', '-r', '[2001:db8::1]:53', '-m');
    ipvsadm('-A', '-f', '7', '-s', 'wrr');
    ipvsadm('-a', '-f', '7', '-r', '10.1.0.3:0', '-i', '-w', '2');
    const before = ipvsadm('-Sn');
    ipvsadm('-C');
    await restore(client, before);
    assert.equal(ipvsadm('-Sn'), before);
  });

  it('lvsadm, run as a command, builds a table and prints -Ln and -Sn exactly as ipvsadm does', async () => {
    await fresh();
    const lvsadm = (args: string[], input?: string): { status: number | null; stdout: string; stderr: string } => {
      const r = spawnSync(process.execPath, [new URL('../../../../bin/lvsadm.js', import.meta.url).pathname, ...args], { encoding: 'utf8', ...(input === undefined ? {} : { input }) });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    for (const line of [
      '-A -t 192.0.2.60:80 -s rr',
      '-a -t 192.0.2.60:80 -r 10.2.0.1 -m -w 2',
      '-a -t 192.0.2.60:80 -r 10.2.0.2:8080 -m',
      '-A -u 192.0.2.60:53 -s sh -b sh-port -o',
      '-a -u 192.0.2.60:53 -r 10.2.0.3 -g',
      '-A -f 9 -s wlc -p 120 -M 255.255.255.0',
      '-a -f 9 -r 10.2.0.4 -i -w 0',
      '-A -t [2001:db8::60]:443 -s lc -p',
      '-a -t [2001:db8::60]:443 -r [2001:db8::61] -m -x 50 -y 5',
    ]) {
      const r = lvsadm(line.split(' '));
      assert.equal(r.status, 0, `${line}: ${r.stderr}`);
    }
    assert.equal(lvsadm(['-Ln']).stdout, ipvsadm('-Ln'));
    assert.equal(lvsadm(['-Sn']).stdout, ipvsadm('-Sn'));
    assert.equal(lvsadm(['-Ln', '--thresholds']).stdout, ipvsadm('-Ln', '--thresholds'));
    const saveText = ipvsadm('-Sn');
    assert.equal(lvsadm(['-C']).status, 0);
    assert.equal(ipvsadm('-Sn'), '');
    const restored = lvsadm(['-R'], saveText);
    assert.equal(restored.status, 0, restored.stderr);
    assert.equal(ipvsadm('-Sn'), saveText);
    const refused = lvsadm(['-A', '-t', '192.0.2.60:80', '-s', 'rr']);
    assert.equal(refused.status, 1);
    assert.equal(refused.stderr, 'lvsadm: add service tcp 192.0.2.60:80: service already exists\n');
    assert.equal(lvsadm(['-e', '-t', '192.0.2.60:80', '-r', '10.2.0.1', '-m', '-w', '7']).status, 0);
    assert.match(ipvsadm('-Ln'), /-> 10\.2\.0\.1:80 +Masq +7 /);
  });
});
