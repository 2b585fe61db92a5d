/**
 * pulse on a real network: two routers in namespaces (pulse-net.ts), pulse with --test-start
 * (no lvsd; VIPs still move and are announced), real UDP heartbeats, real addresses. Timers are
 * fast (0.2/0.6 s) and every wait has a generous bound.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { netnsUnavailable } from '../helpers/netns.js';
import { pairConfigText, pairFixture, pulseNet, startPeer, startPulse, until, vipAddress, vipsOn, writeConfig, type LineProcess, type PulseNet } from './pulse-net.js';

const skip = netnsUnavailable() ?? false;
const VIP = vipAddress(0);

/** received counts the peer's received heartbeats of a magic from index `from` on. */
function received(p: LineProcess, magic: string, from = 0): number {
  return p.lines.slice(from).filter((l) => l.text.includes(`"magic":"${magic}"`)).length;
}

describe('pulse between two routers (namespaces)', { skip }, () => {
  const fx = pairFixture();

  it('a simultaneous start: the master activates, the backup never does, the VIP is on the master only', async () => {
    const a = fx.track(startPulse(fx.net.a, fx.config));
    const b = fx.track(startPulse(fx.net.b, fx.config));
    await a.waitFor(/pulse: STARTING PULSE AS MASTER/, 10_000);
    await b.waitFor(/pulse: STARTING PULSE AS BACKUP/, 10_000);
    await a.waitFor(/pulse: (backup inactive|partner dead): activating lvs/, 10_000);
    await until(() => vipsOn(fx.net.a).includes(VIP), 5000, 'the VIP on A');
    await a.waitFor(/pulse: gratuitous lvs arps finished/, 5000);
    // Several deadtimes later the backup has still not activated.
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(b.find(/activating lvs/), undefined, b.text());
    assert.deepEqual(vipsOn(fx.net.b), []);

    // kill -9 of the active pulse: the backup takes over after deadtime; the guard clears A.
    const killedAt = performance.now();
    a.child.kill('SIGKILL');
    const took = await b.waitFor(/pulse: partner dead: activating lvs/, 5000);
    assert.ok(took.at - killedAt < 3000, `takeover ${(took.at - killedAt).toFixed(0)} ms after kill -9`);
    await until(() => vipsOn(fx.net.b).includes(VIP), 5000, 'the VIP on B');
    await until(() => !vipsOn(fx.net.a).includes(VIP), 5000, 'the VIP gone from A (the guard)');

    // The master returns: it stays passive (no automatic failback).
    const a2 = fx.track(startPulse(fx.net.a, fx.config));
    await a2.waitFor(/STARTING PULSE AS MASTER/, 10_000);
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(a2.find(/activating lvs/), undefined, a2.text());
    assert.deepEqual(vipsOn(fx.net.a), []);

    // A clean stop of the active backup: the master takes over at once, far below deadtime.
    const stopAt = performance.now();
    const from = a2.lines.length;
    const stopped = b.stop('SIGTERM');
    const back = await a2.waitFor(/pulse: backup inactive: activating lvs/, 5000, from);
    assert.deepEqual(await stopped, { code: 0, signal: null });
    assert.ok(back.at - stopAt < 500, `handover ${(back.at - stopAt).toFixed(0)} ms after SIGTERM`);
    await until(() => vipsOn(fx.net.a).includes(VIP) && !vipsOn(fx.net.b).includes(VIP), 5000, 'the VIP back on A only');
    assert.match(b.text(), /pulse: Terminating due to signal 15/);
    await a2.stop('SIGTERM');
    assert.deepEqual(vipsOn(fx.net.a), []);
  });

  it('--forceactive on the master takes over from an active backup; the backup stands down', async () => {
    const b = fx.track(startPulse(fx.net.b, fx.config));
    await b.waitFor(/pulse: partner dead: activating lvs/, 10_000);
    await until(() => vipsOn(fx.net.b).includes(VIP), 5000, 'the VIP on B');
    const a = fx.track(startPulse(fx.net.a, fx.config, ['--forceactive']));
    await a.waitFor(/pulse: Forced active on startup: activating lvs/, 10_000);
    await b.waitFor(/pulse: partner active: deactivating LVS/, 5000);
    await a.waitFor(/pulse: partner active: resending arps/, 5000);
    await until(() => vipsOn(fx.net.a).includes(VIP) && !vipsOn(fx.net.b).includes(VIP), 5000, 'the VIP on A only');
    await Promise.all([a.stop(), b.stop()]);
  });

  it('heartbeats from a non-partner address are ignored (the backup still declares the silent master dead)', async () => {
    const stranger = await startPeer(fx.net.c, '10.77.0.3', '10.77.0.2');
    stranger.command({ send: 'lvs-running', everyMs: 50 });
    const b = fx.track(startPulse(fx.net.b, fx.config));
    await b.waitFor(/pulse: partner dead: activating lvs/, 10_000);
    await b.waitFor(/Unexpected heartbeat from 10\.77\.0\.3/, 2000);
    stranger.child.stdin?.end();
    await b.stop();
  });
});

describe('pulse with an original (4-byte) peer', { skip }, () => {
  const fx = pairFixture();

  it('ours as backup: passive under a running original master, takes over when it goes silent, no failback, stands down when it forces', async () => {
    const old = await startPeer(fx.net.a, '10.77.0.1', '10.77.0.2');
    fx.track(old);
    old.command({ send: 'lvs-running', everyMs: 200 });
    const b = startPulse(fx.net.b, fx.config);
    fx.track(b);
    await b.waitFor(/STARTING PULSE AS BACKUP/, 10_000);
    await old.waitFor(/"magic":"lvs-stopped"/, 5000);
    // What an original pulse reads: exactly its 4 bytes, in little-endian host order.
    assert.match(old.find(/"magic":"lvs-stopped"/)?.text ?? '', /"head":"bddabdad"/);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(b.find(/activating lvs/), undefined);

    old.command({ silent: true });
    await b.waitFor(/pulse: partner dead: activating lvs/, 5000);
    const mark = old.lines.length;
    await old.waitFor(/"magic":"lvs-running","head":"dadbadbd"/, 5000, mark);

    // The original master comes back inactive: no failback.
    old.command({ send: 'lvs-stopped', everyMs: 200 });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(b.find(/deactivating/), undefined);
    assert.ok(vipsOn(fx.net.b).includes(VIP));

    // The original master is forced active: master wins, ours stands down.
    old.command({ send: 'lvs-running', everyMs: 200 });
    await b.waitFor(/pulse: partner active: deactivating LVS/, 5000);
    await until(() => !vipsOn(fx.net.b).includes(VIP), 5000, 'the VIP gone from B');
    old.child.stdin?.end();
    await b.stop();
  });

  it('ours as master: activates when the original backup says stopped, wins over an active original backup, and --forceactive works', async () => {
    const old = await startPeer(fx.net.b, '10.77.0.2', '10.77.0.1');
    fx.track(old);
    old.command({ send: 'lvs-stopped', everyMs: 200 });
    const a = startPulse(fx.net.a, fx.config);
    fx.track(a);
    await a.waitFor(/pulse: backup inactive: activating lvs/, 10_000);
    await old.waitFor(/"magic":"lvs-running"/, 5000);
    // The original backup, active too (split brain): the master stays and re-announces.
    old.command({ send: 'lvs-running', everyMs: 200 });
    await a.waitFor(/pulse: partner active: resending arps/, 5000);
    assert.ok(vipsOn(fx.net.a).includes(VIP));
    await a.stop();

    // --forceactive while the original backup is active.
    const forced = startPulse(fx.net.a, fx.config, ['--forceactive']);
    fx.track(forced);
    await forced.waitFor(/pulse: Forced active on startup: activating lvs/, 10_000);
    await forced.waitFor(/pulse: partner active: resending arps/, 5000);
    old.child.stdin?.end();
    await forced.stop();
  });
});

describe('pulse with a heartbeat key', { skip }, () => {
  let net: PulseNet;
  let config: string;
  let keyFile: string;

  before(() => {
    net = pulseNet();
    keyFile = join(net.dir, 'heartbeat.key');
    writeFileSync(keyFile, 'a-test-key-of-more-than-16-bytes\n', { mode: 0o600 });
    config = writeConfig(net, 'lvs.cf', pairConfigText({ keyFile }));
  });
  after(() => net.destroy());

  it('keyed heartbeats keep the backup passive; forged, replayed and plain ones do not', async () => {
    const master = await startPeer(net.a, '10.77.0.1', '10.77.0.2', keyFile);
    master.command({ send: 'lvs-running', everyMs: 100, mode: 'keyed' });
    const b = startPulse(net.b, config);
    try {
      await b.waitFor(/STARTING PULSE AS BACKUP/, 10_000);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(b.find(/activating lvs/), undefined, b.text());
      assert.equal(received(master, 'lvs-stopped') > 0, true, 'the backup answers');

      // Forged: a valid-looking heartbeat with one bit of its HMAC flipped.
      master.command({ send: 'lvs-running', everyMs: 50, mode: 'forged' });
      await b.waitFor(/pulse: partner dead: activating lvs/, 5000);
      assert.ok(b.find(/rejected/), b.text());
      const mark = b.lines.length;

      // Replayed: the genuine heartbeats sent earlier, again. The backup (now active) would stand
      // down on a "running" from the master; it must not.
      master.command({ replay: true, everyMs: 50 });
      await b.waitFor(/rejected: replayed sequence number/, 5000, mark);
      // Plain 4-byte heartbeats (an original pulse, or a spoofer without the key) are refused too.
      master.command({ send: 'lvs-running', everyMs: 50, mode: 'plain' });
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(b.find(/deactivating/, mark), undefined, b.text());
      assert.ok(vipsOn(net.b).includes(VIP));

      // A genuine "running" from the master: master wins again.
      master.command({ send: 'lvs-running', everyMs: 100, mode: 'keyed' });
      await b.waitFor(/pulse: partner active: deactivating LVS/, 5000, mark);
    } finally {
      master.child.stdin?.end();
      await b.stop();
    }
  });
});
