/**
 * monitor_links = 1 on a real network: a router whose public or private link fails (carrier
 * lost on its veth, or the interface taken down) goes inactive and refuses to activate until the
 * link is back; its partner hears that over the other channel and takes over at once, long
 * before deadtime. Timers 0.3 / 3 s, so that "at once" and "after deadtime" differ plainly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { netnsUnavailable } from '../helpers/netns.js';
import { pairFixture, startPulse, until, vipAddress, vipsOn } from './pulse-net.js';

const skip = netnsUnavailable() ?? false;
const VIP = vipAddress(0);
const DEADTIME_MS = 3000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('pulse with monitor_links', { skip }, () => {
  const fixture = pairFixture({ private: true, monitorLinks: true, keepalive: 0.3, deadtime: DEADTIME_MS / 1000 });

  it('the active router loses its public link: it deactivates, the partner activates at once; the link returns: pulse enabled again, no failback', async (t) => {
    const { net, config } = fixture;
    const a = fixture.track(startPulse(net.a, config));
    const b = fixture.track(startPulse(net.b, config));
    await a.waitFor(/pulse: (backup inactive|partner dead): activating lvs/, 10_000);
    await b.waitFor(/STARTING PULSE AS BACKUP/, 10_000);
    await until(() => vipsOn(net.a).includes(VIP), 5000, 'the VIP on A');
    await sleep(1000);
    assert.equal(b.find(/activating lvs/), undefined, b.text());

    // Carrier off on A's eth0: its peer in the switch goes down.
    let fromA = a.lines.length;
    let fromB = b.lines.length;
    const downAt = performance.now();
    net.sw.ip('link', 'set', 'pa', 'down');
    await a.waitFor(/pulse: Primary NIC: link down/, 5000, fromA);
    await a.waitFor(/pulse: Local NIC link failure: Pulse disabled/, 5000, fromA);
    await a.waitFor(/pulse: local link failure: deactivating LVS/, 5000, fromA);
    const took = await b.waitFor(/pulse: primary inactive: activating lvs/, 5000, fromB);
    assert.ok(took.at - downAt < DEADTIME_MS / 2, `the backup took over ${(took.at - downAt).toFixed(0)} ms after the link failure`);
    t.diagnostic(`carrier lost on the master: the backup activated ${(took.at - downAt).toFixed(0)} ms later`);
    await until(() => vipsOn(net.b).includes(VIP) && !vipsOn(net.a).includes(VIP), 5000, 'the VIP on B only');

    fromA = a.lines.length;
    net.sw.ip('link', 'set', 'pa', 'up');
    await a.waitFor(/pulse: Local NIC link\(s\) restored: Pulse enabled/, 5000, fromA);
    await sleep(1500);
    assert.equal(a.find(/activating lvs/, fromA), undefined, a.text());
    assert.deepEqual(vipsOn(net.a), []);

    // The backup, now active, has its eth0 taken down: the master activates at once.
    fromA = a.lines.length;
    fromB = b.lines.length;
    const adminDownAt = performance.now();
    net.b.ip('link', 'set', 'eth0', 'down');
    await b.waitFor(/pulse: Primary NIC: link down/, 5000, fromB);
    await b.waitFor(/pulse: local link failure: deactivating LVS/, 5000, fromB);
    const back = await a.waitFor(/pulse: backup inactive: activating lvs/, 5000, fromA);
    assert.ok(back.at - adminDownAt < DEADTIME_MS / 2, `the master took over ${(back.at - adminDownAt).toFixed(0)} ms after the link failure`);
    t.diagnostic(`eth0 down on the active backup: the master activated ${(back.at - adminDownAt).toFixed(0)} ms later`);
    await until(() => vipsOn(net.a).includes(VIP) && !vipsOn(net.b).includes(VIP), 5000, 'the VIP on A only');
    fromB = b.lines.length;
    net.b.ip('link', 'set', 'eth0', 'up');
    await b.waitFor(/pulse: Local NIC link\(s\) restored: Pulse enabled/, 5000, fromB);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('a passive router whose private link failed does not take over from a dead partner until the link is back', async () => {
    const { net, config } = fixture;
    const a = fixture.track(startPulse(net.a, config));
    const b = fixture.track(startPulse(net.b, config));
    await a.waitFor(/pulse: (backup inactive|partner dead): activating lvs/, 10_000);
    await b.waitFor(/STARTING PULSE AS BACKUP/, 10_000);
    await b.waitFor(/Received Heartbeat from partner/, 5000);

    let fromB = b.lines.length;
    net.sw.ip('link', 'set', 'qb', 'down');
    await b.waitFor(/pulse: Private NIC: link down/, 5000, fromB);
    await b.waitFor(/pulse: Local NIC link failure: Pulse disabled/, 5000, fromB);
    assert.equal(b.find(/deactivating/, fromB), undefined, 'an inactive router has nothing to deactivate');

    // The master dies; two deadtimes pass; the backup, its private link down, stays passive.
    a.child.kill('SIGKILL');
    await a.exited;
    await sleep(2 * DEADTIME_MS);
    assert.equal(b.find(/activating lvs/, fromB), undefined, b.text());
    assert.deepEqual(vipsOn(net.b), []);

    fromB = b.lines.length;
    net.sw.ip('link', 'set', 'qb', 'up');
    await b.waitFor(/pulse: Local NIC link\(s\) restored: Pulse enabled/, 5000, fromB);
    await b.waitFor(/pulse: partner dead: activating lvs/, DEADTIME_MS + 5000, fromB);
    await until(() => vipsOn(net.b).includes(VIP), 5000, 'the VIP on B');
    await b.stop();
  });
});
