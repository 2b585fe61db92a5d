/**
 * The link layer against the real kernel, in namespaces this test makes and deletes: a
 * "director" namespace whose d0 is cabled (veth) to a bridge in a "lan" namespace, where a
 * "peer" namespace hangs too. Addresses exist only inside them. The code under test runs inside
 * the director namespace (test/netns/scripts/link-*.ts); `ip` and `ifconfig` are the oracles.
 */
import assert from 'node:assert/strict';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Netns, netnsUnavailable, vethPair } from '../helpers/netns.js';

const unavailable = netnsUnavailable();
const script = (name: string): string => fileURLToPath(new URL(`./scripts/${name}.js`, import.meta.url));

interface IpAddr {
  family: 'inet' | 'inet6';
  local: string;
  prefixlen: number;
  broadcast?: string;
  label?: string;
  nodad?: boolean;
  tentative?: boolean;
}
interface IpLink {
  ifname: string;
  flags: string[];
  operstate: string;
  address: string;
  addr_info?: IpAddr[];
}

describe('link layer in network namespaces', { skip: unavailable ?? false }, () => {
  let dir: Netns;
  let lan: Netns;
  let peer: Netns;
  const made: Netns[] = [];

  before(() => {
    dir = Netns.create('lk-dir');
    made.push(dir);
    lan = Netns.create('lk-lan');
    made.push(lan);
    peer = Netns.create('lk-peer');
    made.push(peer);
    lan.ip('link', 'add', 'br0', 'type', 'bridge');
    lan.ip('link', 'set', 'br0', 'up');
    vethPair(dir, 'd0', lan, 'l0');
    vethPair(peer, 'p0', lan, 'l1');
    lan.ip('link', 'set', 'l0', 'master', 'br0');
    lan.ip('link', 'set', 'l1', 'master', 'br0');
    dir.ip('addr', 'add', '198.51.100.1/24', 'dev', 'd0');
    dir.ip('addr', 'add', '2001:db8:77::1/64', 'dev', 'd0', 'nodad');
    peer.ip('addr', 'add', '198.51.100.2/24', 'dev', 'p0');
  });

  after(() => {
    for (const ns of made) ns.delete();
  });

  /** ops runs operations in the director namespace and returns their results. */
  function ops(list: object[]): unknown[] {
    const r = dir.node(script('link-ops'), [JSON.stringify(list)]);
    assert.equal(r.status, 0, `link-ops failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as unknown[];
  }
  const d0 = (): IpLink => (JSON.parse(dir.ip('-j', 'addr', 'show', 'dev', 'd0')) as IpLink[])[0] as IpLink;
  const addr = (local: string): IpAddr | undefined => d0().addr_info?.find((a) => a.local === local);
  const assertUp = (): void => {
    const link = d0();
    assert.ok(link.flags.includes('UP') && link.flags.includes('LOWER_UP'), `d0 flags ${link.flags.join(',')}`);
    assert.equal(link.operstate, 'UP');
  };

  const v4 = { address: '198.51.100.10', device: 'd0:1' };
  const v4mask = { address: '198.51.100.11', device: 'd0:2', netmask: '255.255.255.0' };
  const v6 = { address: '2001:db8:77::10', device: 'd0:3' };

  it('adds VIPs once (labelled aliases, netmask and broadcast as piranha set them, IPv6 usable at once) and removes them once; d0 stays up', () => {
    const added = ops([
      { op: 'add', vip: v4 },
      { op: 'add', vip: v4mask },
      { op: 'add', vip: v6 },
      { op: 'bind', address: v6.address },
      { op: 'add', vip: v4 },
      { op: 'add', vip: v4mask },
      { op: 'add', vip: v6 },
    ]);
    assert.deepEqual(added, ['added', 'added', 'added', 'bound', 'present', 'present', 'present']);
    const host = addr('198.51.100.10');
    assert.deepEqual([host?.prefixlen, host?.label, host?.broadcast], [32, 'd0:1', undefined]);
    const masked = addr('198.51.100.11');
    assert.deepEqual([masked?.prefixlen, masked?.label, masked?.broadcast], [24, 'd0:2', '198.51.100.255']);
    const six = addr('2001:db8:77::10');
    assert.equal(six?.prefixlen, 128);
    assert.equal(six?.nodad, true);
    assert.equal(six?.tentative, undefined);
    // ifconfig users still see the aliases, with piranha's netmask and broadcast.
    const alias = dir.exec('ifconfig', ['d0:2']);
    assert.match(alias, /inet 198\.51\.100\.11\s+netmask 255\.255\.255\.0\s+broadcast 198\.51\.100\.255/);
    assert.match(dir.exec('ifconfig', ['d0:1']), /inet 198\.51\.100\.10\s+netmask 255\.255\.255\.255/);
    assertUp();

    const removed = ops([
      { op: 'remove', vip: v4 },
      { op: 'remove', vip: v4mask },
      { op: 'remove', vip: v6 },
      { op: 'remove', vip: v4 },
      { op: 'remove', vip: v4mask },
      { op: 'remove', vip: v6 },
    ]);
    assert.deepEqual(removed, ['removed', 'removed', 'removed', 'absent', 'absent', 'absent']);
    assert.deepEqual(
      d0().addr_info?.filter((a) => a.family === 'inet' || a.local.startsWith('2001:')).map((a) => a.local),
      ['198.51.100.1', '2001:db8:77::1'],
    );
    assertUp();
  });

  it('reads links with MAC, broadcast, carrier and operstate', () => {
    const [link, missing] = ops([{ op: 'link', name: 'd0' }, { op: 'link', name: 'nosuch0' }]) as [Record<string, unknown>, { error: { code: string } }];
    const want = d0();
    assert.deepEqual([link['name'], link['mac'], link['broadcast'], link['carrier'], link['operstate'], link['up']], ['d0', want.address, 'ff:ff:ff:ff:ff:ff', true, 'up', true]);
    assert.equal(missing.error.code, 'ENODEV');
  });

  it('removes our stale VIPs at start (marked ones, and configured alias labels left by ifconfig), and nothing else', () => {
    // Leftovers of piranha's `ifconfig d0:9 IP up`, an alias nobody configured, and ours from an earlier run.
    dir.ip('addr', 'add', '198.51.100.50/32', 'dev', 'd0', 'label', 'd0:9');
    dir.ip('addr', 'add', '198.51.100.51/32', 'dev', 'd0', 'label', 'd0:8');
    assert.deepEqual(ops([{ op: 'add', vip: { address: '198.51.100.52', device: 'd0:5' } }, { op: 'add', vip: { address: '2001:db8:77::52', device: 'd0' } }]), ['added', 'added']);
    const report = ops([{ op: 'stale', aliasLabels: ['d0:9', 'd0:1'] }])[0] as Array<{ address: string; outcome: string }>;
    assert.deepEqual(report.map((r) => `${r.address} ${r.outcome}`).sort(), ['198.51.100.50 removed', '198.51.100.52 removed', '2001:db8:77::52 removed']);
    const left = d0().addr_info?.filter((a) => !a.local.startsWith('fe80')).map((a) => `${a.local} ${a.label ?? ''}`.trim());
    assert.deepEqual(left, ['198.51.100.1 d0', '198.51.100.51 d0:8', '2001:db8:77::1']);
    assertUp();
    dir.ip('addr', 'del', '198.51.100.51/32', 'dev', 'd0');
  });

  it('reports carrier loss on the veth as a link-down event within 100 ms, with the link still administratively up', async (t) => {
    const child = dir.spawnNode(script('link-watch'));
    try {
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      const events: Array<Record<string, unknown>> = [];
      const waiters: Array<() => void> = [];
      lines.on('line', (l) => {
        events.push(JSON.parse(l) as Record<string, unknown>);
        for (const w of waiters.splice(0)) w();
      });
      const next = async (pred: (e: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> => {
        const deadline = Date.now() + 5000;
        for (;;) {
          const hit = events.find(pred);
          if (hit !== undefined) return hit;
          if (Date.now() > deadline) throw new Error(`no ${what} event; got ${JSON.stringify(events)}`);
          await new Promise<void>((resolve) => {
            waiters.push(resolve);
            setTimeout(resolve, 100).unref();
          });
        }
      };
      await next((e) => e['ready'] === true, 'ready');
      assert.ok(events.some((e) => e['name'] === 'd0' && e['carrier'] === true), 'initial state of d0');
      const cut = Date.now();
      lan.ip('link', 'set', 'l0', 'down');
      const down = await next((e) => e['name'] === 'd0' && e['carrier'] === false, 'carrier loss');
      const latency = (down['at'] as number) - cut;
      assert.ok(latency <= 100, `carrier loss reported after ${latency} ms`);
      assert.equal(down['up'], true);
      assert.notEqual(down['operstate'], 'up');
      lan.ip('link', 'set', 'l0', 'up');
      const back = await next((e) => e['name'] === 'd0' && e['carrier'] === true && (e['at'] as number) > (down['at'] as number), 'carrier back');
      assert.equal(back['operstate'], 'up');
      t.diagnostic(`carrier loss reported ${latency} ms after the bridge end of the veth went down`);
    } finally {
      child.kill('SIGTERM');
      lan.ip('link', 'set', 'l0', 'up');
    }
  });

  it('announces VIPs count x interval apart, each after its address is up, with d0 MAC; and cancels on abort', () => {
    const vips = [v4, v4mask, v6];
    const [report, cancelled] = ops([
      { op: 'announce', vips, count: 3, intervalMs: 50 },
      { op: 'announce', vips, count: 5, intervalMs: 1000, abortAfterMs: 200 },
    ]) as Array<{ ok: boolean; cancelled: boolean; vips: Array<{ address: string; outcome: string; sent: number; upAt: number; firstAt: number; present: boolean }>; sent: Array<{ device: string; ip: string; mac: string; at: number }> }>;
    const mac = d0().address;
    assert.ok(report !== undefined && cancelled !== undefined);
    assert.equal(report.ok, true);
    assert.deepEqual(report.vips.map((v) => [v.address, v.outcome, v.sent, v.present]), [
      ['198.51.100.10', 'added', 3, true],
      ['198.51.100.11', 'added', 3, true],
      ['2001:db8:77::10', 'added', 3, true],
    ]);
    for (const v of report.vips) {
      const times: number[] = report.sent.filter((s) => s.ip === v.address).map((s) => s.at);
      assert.equal(times.length, 3);
      assert.ok((times[0] as number) >= v.upAt, 'first announcement after the address is up');
      assert.ok((times[1] as number) - v.upAt >= 50 && (times[2] as number) - v.upAt >= 100, `schedule ${times.map((t) => t - v.upAt).join(',')}`);
    }
    assert.ok(report.sent.every((s) => s.device === 'd0' && s.mac === mac));
    assert.equal(cancelled.cancelled, true);
    assert.deepEqual(cancelled.vips.map((v) => [v.outcome, v.sent]), [['present', 1], ['present', 1], ['present', 1]]);
    assertUp();
    assert.deepEqual(ops([{ op: 'remove', vip: v4 }, { op: 'remove', vip: v4mask }, { op: 'remove', vip: v6 }]), ['removed', 'removed', 'removed']);
  });

  it('end to end with the native sender: the peer across the bridge learns the VIP at the director MAC from the first announcement', (t) => {
    const wrong = '02:00:00:00:00:99';
    peer.exec('sysctl', ['-qw', 'net.ipv4.conf.p0.arp_accept=1']);
    peer.ip('neigh', 'replace', '198.51.100.20', 'lladdr', wrong, 'dev', 'p0', 'nud', 'stale');
    const vip = { address: '198.51.100.20', device: 'd0:4' };
    const [report] = ops([{ op: 'announce', vips: [vip], count: 1, intervalMs: 0, sender: 'native' }]) as Array<{ ok?: boolean; error?: { code: string; message: string } }>;
    try {
      if (report?.error?.code === 'ERR_NATIVE_NOT_BUILT') {
        t.skip(`the packet addon is not built: ${report.error.message}`);
        return;
      }
      assert.equal(report?.ok, true, JSON.stringify(report));
      const [entry] = JSON.parse(peer.ip('-j', 'neigh', 'show', '198.51.100.20', 'dev', 'p0')) as Array<{ lladdr?: string }>;
      assert.equal(entry?.lladdr, d0().address);
      assertUp();
    } finally {
      ops([{ op: 'remove', vip }]);
    }
  });
});
