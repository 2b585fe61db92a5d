/**
 * pulse's own SIGHUP (piranha only passed it on to lvsd): lvs.cf is read again, and the VIP set
 * and the timers of a valid file take effect at once, while an invalid file is refused and the
 * running state kept. And the addresses a crashed earlier run left behind are removed at start.
 * Routers in namespaces (pulse-net.ts), pulse with --test-start, the scripted peer as a backup
 * that reports what pulse sends, tcpdump in a third namespace to see the announcements.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { netnsUnavailable } from '../helpers/netns.js';
import { startCapture, tcpdumpMissing } from './capture.js';
import { pairConfigText, pairFixture, pulseNet, startPeer, startPulse, until, vipAddress, vipsOn, writeConfig, type Peer, type PulseNet } from './pulse-net.js';

const skip = netnsUnavailable() ?? false;
const LINK_OPS = new URL('./scripts/link-ops.js', import.meta.url).pathname;

/** senderIp is the sender protocol address of an Ethernet ARP frame. */
function senderIp(frame: Uint8Array): string {
  return [...frame.subarray(28, 32)].join('.');
}

/** heartbeatsSince are the trailers the peer received from index `from` on. */
function heartbeatsSince(peer: Peer, from: number): Array<{ magic: string; keepaliveMs?: number; deadtimeMs?: number }> {
  return peer.lines.slice(from).flatMap((l) => (l.text.startsWith('{"magic"') ? [JSON.parse(l.text) as { magic: string; keepaliveMs?: number; deadtimeMs?: number }] : []));
}

describe('pulse SIGHUP', { skip }, () => {
  const fixture = pairFixture({ vips: 1 });

  it('an added VIP comes up and is announced, a removed one goes, new timers apply; an invalid file is refused and the state kept', async () => {
    const { net, config } = fixture;
    assert.equal(tcpdumpMissing(), null);
    const peer = await startPeer(net.b, '10.77.0.2', '10.77.0.1', '-', 'backup');
    fixture.track(peer);
    peer.command({ send: 'lvs-stopped', everyMs: 100 });
    const a = startPulse(net.a, config);
    fixture.track(a);
    await a.waitFor(/pulse: backup inactive: activating lvs/, 10_000);
    await a.waitFor(/pulse: gratuitous lvs arps finished/, 5000);
    assert.deepEqual(vipsOn(net.a), [vipAddress(0)]);
    const first = heartbeatsSince(peer, 0).at(-1);
    assert.deepEqual([first?.magic, first?.keepaliveMs, first?.deadtimeMs], ['lvs-running', 200, 600]);

    // A second VIP and faster timers.
    const capture = await startCapture(net.c, 'eth0', `arp and host ${vipAddress(1)}`, 2);
    let fromA = a.lines.length;
    let fromPeer = peer.lines.length;
    writeFileSync(config, pairConfigText({ vips: 2, keepalive: 0.1, deadtime: 0.3 }));
    a.child.kill('SIGHUP');
    await until(() => vipsOn(net.a).includes(vipAddress(1)), 5000, 'the added VIP on A');
    const frames = await capture.frames();
    assert.deepEqual(frames.map(senderIp), [vipAddress(1), vipAddress(1)]);
    assert.deepEqual(vipsOn(net.a).sort(), [vipAddress(0), vipAddress(1)]);
    await until(() => heartbeatsSince(peer, fromPeer).some((h) => h.deadtimeMs === 300), 5000, 'heartbeats with the new timers');
    assert.deepEqual(
      heartbeatsSince(peer, fromPeer)
        .filter((h) => h.deadtimeMs === 300)
        .map((h) => [h.magic, h.keepaliveMs])[0],
      ['lvs-running', 100],
    );
    assert.equal(a.find(/deactivating|configuration not reloaded/, fromA), undefined, a.text());

    // One VIP removed again.
    writeFileSync(config, pairConfigText({ vips: 1, keepalive: 0.1, deadtime: 0.3 }));
    a.child.kill('SIGHUP');
    await until(() => !vipsOn(net.a).includes(vipAddress(1)), 5000, 'the removed VIP gone from A');
    assert.deepEqual(vipsOn(net.a), [vipAddress(0)]);

    // A start-only setting: reloaded with a notice that it waits for a restart; heartbeats stay on 539.
    fromA = a.lines.length;
    writeFileSync(config, pairConfigText({ vips: 1, keepalive: 0.1, deadtime: 0.3 }).replace('heartbeat_port = 539', 'heartbeat_port = 540'));
    a.child.kill('SIGHUP');
    await a.waitFor(/^pulse: configuration reloaded, but these settings take effect only when pulse restarts: heartbeat_port 539 -> 540$/, 5000, fromA);

    // An invalid file: refused with its error; still active, the VIP up, heartbeats as before.
    const refusedFrom = a.lines.length;
    fromA = refusedFrom;
    writeFileSync(config, pairConfigText({ vips: 1 }).replace('port = 80', 'port = eighty'));
    a.child.kill('SIGHUP');
    await a.waitFor(/pulse: configuration not reloaded: the running one is kept/, 5000, fromA);
    await a.waitFor(/^pulse: error parsing \S+lvs\.cf at line 14: invalid argument$/, 5000, fromA);
    await a.waitFor(/lvs\.cf:14:13: error: invalid argument/, 5000, fromA);
    // A file without an active service is refused too.
    fromA = a.lines.length;
    writeFileSync(config, pairConfigText({ vips: 1 }).replace(/^ {5}active = 1$/m, '     active = 0'));
    a.child.kill('SIGHUP');
    await a.waitFor(/pulse: configuration not reloaded: the running one is kept/, 5000, fromA);
    await a.waitFor(/^pulse: no active lvs services defined in \S+lvs\.cf$/, 5000, fromA);
    fromPeer = peer.lines.length;
    await new Promise((r) => setTimeout(r, 1000));
    const since = heartbeatsSince(peer, fromPeer);
    assert.ok(since.length >= 20, `only ${since.length} heartbeats in a second`);
    assert.ok(
      since.every((h) => h.magic === 'lvs-running' && h.deadtimeMs === 300),
      JSON.stringify(since.slice(0, 3)),
    );
    assert.deepEqual(vipsOn(net.a), [vipAddress(0)]);
    assert.equal(a.find(/deactivating/, refusedFrom), undefined, a.text());

    peer.child.stdin?.end();
    assert.deepEqual(await a.stop(), { code: 0, signal: null });
    assert.deepEqual(vipsOn(net.a), []);
  });
});

describe('pulse at start', { skip }, () => {
  let net: PulseNet;

  before(() => {
    net = pulseNet();
  });
  after(() => net.destroy());

  it('removes the floating addresses an earlier run left (on a configured alias label, or with our mark) and keeps the others', async () => {
    const config = writeConfig(net, 'lvs.cf', pairConfigText({ vips: 2 }));
    // Left by a crash: on eth0:1 (configured), and marked with IFA_PROTO by lvs-director.
    net.b.ip('addr', 'add', '10.77.1.200/32', 'dev', 'eth0', 'label', 'eth0:1');
    const marked = net.b.node(LINK_OPS, [JSON.stringify([{ op: 'add', vip: { address: '10.77.1.201', device: 'eth0' } }])]);
    assert.equal(marked.status, 0, marked.stderr);
    // The administrator's: on an alias label that is not configured, and on the interface itself.
    net.b.ip('addr', 'add', '10.77.1.202/32', 'dev', 'eth0', 'label', 'eth0:7');
    net.b.ip('addr', 'add', '10.77.1.203/32', 'dev', 'eth0');

    const b = startPulse(net.b, config);
    try {
      await b.waitFor(/STARTING PULSE AS BACKUP/, 10_000);
      assert.deepEqual(vipsOn(net.b).sort(), ['10.77.1.202', '10.77.1.203']);
      assert.ok(b.find(/pulse: removed stale floating address 10\.77\.1\.200\/32 on eth0:1 left by an earlier run/), b.text());
      assert.ok(b.find(/pulse: removed stale floating address 10\.77\.1\.201\/32 on eth0 left by an earlier run/), b.text());
      assert.equal(b.find(/stale floating address 10\.77\.1\.20[23]/), undefined, b.text());
      // No partner: after deadtime it activates with its own VIPs, and takes only those down at stop.
      await b.waitFor(/pulse: partner dead: activating lvs/, 5000);
      await until(() => vipsOn(net.b).length === 4, 5000, 'both VIPs on B');
      assert.deepEqual(await b.stop(), { code: 0, signal: null });
      assert.deepEqual(vipsOn(net.b).sort(), ['10.77.1.202', '10.77.1.203']);
    } finally {
      if (b.child.exitCode === null && b.child.signalCode === null) await b.stop('SIGKILL');
    }
  });
});
