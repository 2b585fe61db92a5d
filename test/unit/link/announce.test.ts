import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Announcer, announceTimes, dedupe, type AnnounceRoutes } from '../../../src/link/announce.js';
import { RouteClient } from '../../../src/link/client.js';
import { RTM } from '../../../src/link/constants.js';
import { LinkError } from '../../../src/link/errors.js';
import { FakeRouteKernel, ManualClock, RecordingArpSender, settle } from '../../../src/testing/link-fakes.js';
import type { AddOutcome, AddressRequest } from '../../../src/link/types.js';
import { vipRequest } from '../../../src/link/vip.js';
import { dial } from '../../../src/testing/nltest.js';

const a = vipRequest({ address: '192.0.2.10', device: 'eth0:1' });
const b = vipRequest({ address: '192.0.2.11', device: 'eth0:2', netmask: '255.255.255.0' });
const c = vipRequest({ address: '2001:db8::12', device: 'eth1:1' });

/** MemoryRoutes is an AnnounceRoutes in memory; `delays` holds a VIP's bring-up back for some clock time. */
class MemoryRoutes implements AnnounceRoutes {
  readonly up = new Set<string>();
  readonly delays = new Map<string, number>();
  readonly failures = new Map<string, Error>();
  readonly macs = new Map<string, string | null>([
    ['eth0', '52:54:00:00:00:01'],
    ['eth1', '52:54:00:00:00:02'],
  ]);
  linkReads = 0;

  constructor(private readonly clock: ManualClock) {}

  async addAddress(r: AddressRequest): Promise<AddOutcome> {
    const delay = this.delays.get(r.address);
    if (delay !== undefined) await new Promise<void>((resolve) => this.clock.setTimer(delay, resolve));
    const failure = this.failures.get(r.address);
    if (failure !== undefined) throw failure;
    if (this.up.has(r.address)) return 'present';
    this.up.add(r.address);
    return 'added';
  }

  link(name: string): Promise<{ mac: string | null }> {
    this.linkReads++;
    const mac = this.macs.get(name);
    return mac === undefined ? Promise.reject(new LinkError('ENODEV', 'get-link', name, 'no such interface')) : Promise.resolve({ mac });
  }
}

function setup(): { clock: ManualClock; routes: MemoryRoutes; sender: RecordingArpSender; announcer: Announcer } {
  const clock = new ManualClock(1000);
  const routes = new MemoryRoutes(clock);
  const sender = new RecordingArpSender(clock, (_device, ip) => (routes.up.has(ip) ? null : new Error(`announcing ${ip} before it is up`)));
  return { clock, routes, sender, announcer: new Announcer({ routes, sender, clock }) };
}

const when = (sender: RecordingArpSender, origin = 1000): string[] => sender.sent.map((s) => `${s.at - origin} ${s.device} ${s.ip} ${s.mac}`);

describe('Announcer', () => {
  it("brings every VIP up and announces it 5 x 1 s (piranha's default), the first right after it is up, all in parallel", async () => {
    const { clock, routes, sender, announcer } = setup();
    const run = announcer.announce([a, b, c]);
    await clock.advance(4000);
    const report = await run;
    assert.deepEqual(when(sender), [
      '0 eth0 192.0.2.10 52:54:00:00:00:01',
      '0 eth0 192.0.2.11 52:54:00:00:00:01',
      '0 eth1 2001:db8::12 52:54:00:00:00:02',
      ...[1000, 2000, 3000, 4000].flatMap((t) => [`${t} eth0 192.0.2.10 52:54:00:00:00:01`, `${t} eth0 192.0.2.11 52:54:00:00:00:01`, `${t} eth1 2001:db8::12 52:54:00:00:00:02`]),
    ]);
    assert.equal(report.ok, true);
    assert.equal(report.cancelled, false);
    assert.deepEqual([report.startedAt, report.allUpAt, report.allFirstAt, report.finishedAt], [1000, 1000, 1000, 5000]);
    assert.deepEqual(report.vips.map((v) => [v.request.address, v.outcome, v.sent, v.errors.length]), [
      ['192.0.2.10', 'added', 5, 0],
      ['192.0.2.11', 'added', 5, 0],
      ['2001:db8::12', 'added', 5, 0],
    ]);
    assert.equal(routes.linkReads, 2, 'one MAC lookup per interface');
    assert.equal(clock.pending(), 0);
  });

  it('takes count and interval, and keeps each VIP on its own schedule from the time it came up', async () => {
    const { clock, routes, sender, announcer } = setup();
    routes.delays.set('192.0.2.11', 250);
    const run = announcer.announce([a, b], { count: 3, intervalMs: 100 });
    await clock.advance(1000);
    const report = await run;
    assert.deepEqual(
      when(sender).map((s) => s.split(' ').slice(0, 3).join(' ')),
      ['0 eth0 192.0.2.10', '100 eth0 192.0.2.10', '200 eth0 192.0.2.10', '250 eth0 192.0.2.11', '350 eth0 192.0.2.11', '450 eth0 192.0.2.11'],
    );
    assert.deepEqual([report.allUpAt, report.allFirstAt, report.finishedAt], [1250, 1250, 1450]);
  });

  it('stops on cancellation (deactivation): no announcement after abort, no timer left, report says cancelled', async () => {
    const { clock, sender, announcer } = setup();
    const controller = new AbortController();
    const run = announcer.announce([a, b], { signal: controller.signal });
    await clock.advance(1500);
    controller.abort();
    const report = await run;
    assert.equal(report.cancelled, true);
    assert.equal(report.ok, false);
    assert.deepEqual(report.vips.map((v) => v.sent), [2, 2]);
    assert.equal(clock.pending(), 0);
    await clock.advance(10_000);
    assert.equal(sender.sent.length, 4);
  });

  it('does nothing when cancelled before it starts', async () => {
    const { routes, sender, announcer } = setup();
    const report = await announcer.announce([a], { signal: AbortSignal.abort() });
    assert.deepEqual([report.cancelled, report.vips[0]?.outcome, report.allUpAt, sender.sent.length, routes.up.size], [true, null, null, 0, 0]);
  });

  it('reports a VIP that could not be brought up, and still announces the others', async () => {
    const { clock, routes, sender, announcer } = setup();
    routes.failures.set('192.0.2.10', new LinkError('EPERM', 'add-address', '192.0.2.10/32 on eth0:1', 'permission denied'));
    const run = announcer.announce([a, b], { count: 2, intervalMs: 10 });
    await clock.advance(10);
    const report = await run;
    assert.equal(report.ok, false);
    assert.equal(report.allUpAt, null);
    assert.equal(report.allFirstAt, null);
    assert.deepEqual(report.vips.map((v) => [v.outcome, v.sent, v.errors.map((e) => (e as LinkError).code)]), [
      [null, 0, ['EPERM']],
      ['added', 2, []],
    ]);
    assert.equal(sender.sent.length, 2);
  });

  it('goes on after a failed send, and reports it', async () => {
    const clock = new ManualClock();
    const routes = new MemoryRoutes(clock);
    let calls = 0;
    const sender = new RecordingArpSender(clock, () => (++calls === 2 ? new Error('sendto: ENETDOWN') : null));
    const run = new Announcer({ routes, sender, clock }).announce([a], { count: 3, intervalMs: 10 });
    await clock.advance(20);
    const report = await run;
    assert.deepEqual([report.vips[0]?.sent, report.vips[0]?.errors.map(String), report.vips[0]?.firstAt, report.ok], [2, ['Error: sendto: ENETDOWN'], 0, false]);
  });

  it('brings a VIP up but does not announce it from an interface without a hardware address', async () => {
    const { clock, routes, sender, announcer } = setup();
    routes.macs.set('eth1', null);
    const run = announcer.announce([c], { count: 1 });
    await clock.advance(0);
    const report = await run;
    assert.deepEqual([report.vips[0]?.outcome, sender.sent.length, (report.vips[0]?.errors[0] as LinkError).code], ['added', 0, 'NO_MAC']);
    assert.match(String(report.vips[0]?.errors[0]), /announce eth1: the interface has no hardware address/);
  });

  it('skips duplicate VIPs as piranha did, and reports them', async () => {
    const { clock, sender, announcer } = setup();
    const again = vipRequest({ address: '192.0.2.10', device: 'eth1:7' });
    const run = announcer.announce([a, again, b], { count: 1 });
    await clock.advance(0);
    const report = await run;
    assert.deepEqual(report.duplicates, [again]);
    assert.deepEqual(sender.sent.map((s) => s.ip), ['192.0.2.10', '192.0.2.11']);
    assert.deepEqual(dedupe([a, a, b]).unique, [a, b]);
  });

  it('refuses a bad count or interval', async () => {
    const { announcer } = setup();
    await assert.rejects(announcer.announce([a], { count: 0 }), TypeError);
    await assert.rejects(announcer.announce([a], { count: 1.5 }), TypeError);
    await assert.rejects(announcer.announce([a], { intervalMs: -1 }), TypeError);
  });

  it('schedules count announcements interval apart', () => {
    assert.deepEqual(announceTimes(100, 5, 1000), [100, 1100, 2100, 3100, 4100]);
    assert.deepEqual(announceTimes(0, 1, 1000), [0]);
  });

  it('works over a RouteClient: the addresses are in the kernel, and a second run (resending arps) finds them present', async () => {
    const kernel = new FakeRouteKernel([{ name: 'lo' }, { name: 'eth0', mac: '02:aa:bb:cc:dd:ee' }]);
    const { connection, socket } = dial(kernel.func);
    const client = RouteClient.open(connection);
    const clock = new ManualClock();
    const sender = new RecordingArpSender(clock);
    const announcer = new Announcer({ routes: client, sender, clock });
    const first = announcer.announce([a, b], { count: 2, intervalMs: 1000 });
    await settle(10);
    await clock.advance(1000);
    const report = await first;
    assert.equal(report.ok, true);
    assert.deepEqual(kernel.addressList().map((x) => [x.address, x.label]), [['192.0.2.10', 'eth0:1'], ['192.0.2.11', 'eth0:2']]);
    assert.deepEqual([...new Set(sender.sent.map((s) => `${s.device} ${s.mac}`))], ['eth0 02:aa:bb:cc:dd:ee']);
    assert.equal(socket.requests.filter((r) => r.type === RTM.GETLINK).length, 1, 'the MAC lookup and the index lookup share one request');
    const second = announcer.announce([a, b], { count: 1 });
    await settle(10);
    assert.deepEqual((await second).vips.map((v) => v.outcome), ['present', 'present']);
  });
});
