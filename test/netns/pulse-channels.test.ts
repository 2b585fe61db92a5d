/**
 * pulse with two heartbeat channels (public 10.77.0.0/24 on eth0, private 10.78.0.0/24 on eth1):
 * a heartbeat on either channel keeps the partner alive, so losing one channel is no failure and
 * losing both is. nftables in the backup drops what the master sends on a channel, and counts
 * it, so the test can show the loss was real. Timers 0.2 / 0.6 s.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { netnsUnavailable, type Netns } from '../helpers/netns.js';
import { nft, nftCounter, nftMissing } from './nft.js';
import { pairFixture, startPulse, until, vipAddress, vipsOn } from './pulse-net.js';

const skip = netnsUnavailable() ?? false;
const VIP = vipAddress(0);
const MASTER = { public: '10.77.0.1', private: '10.78.0.1' } as const;

/** dropFromMaster makes a router drop the heartbeats the master sends it on the given channels (and nothing else). */
function dropFromMaster(ns: Netns, channels: ReadonlyArray<'public' | 'private'>): void {
  const rules = channels.map((c) => `add rule inet chan in ip saddr ${MASTER[c]} udp dport 539 counter name "${c}" drop`);
  nft(ns, ['flush chain inet chan in', ...rules].join('\n'));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('pulse with a public and a private heartbeat channel', { skip }, () => {
  const fixture = pairFixture({ private: true });

  it('heartbeats lost on one channel only: no failover; on both: the backup takes over after deadtime, and stands down once they flow again', async (t) => {
    const { net, config } = fixture;
    assert.equal(nftMissing(), null);
    nft(net.b, 'table inet chan { counter public { }; counter private { }; chain in { type filter hook input priority 0; policy accept; }; }');
    const a = startPulse(net.a, config);
    fixture.track(a);
    await a.waitFor(/pulse: partner dead: activating lvs/, 10_000);
    await until(() => vipsOn(net.a).includes(VIP), 5000, 'the VIP on A');
    const b = startPulse(net.b, config);
    fixture.track(b);
    await b.waitFor(/pulse: STARTING PULSE AS BACKUP/, 10_000);
    await b.waitFor(/Received Heartbeat from partner/, 5000);

    // Five deadtimes with the public channel cut, then five with the private one cut.
    for (const cut of ['public', 'private'] as const) {
      const droppedBefore = nftCounter(net.b, 'chan', cut);
      dropFromMaster(net.b, [cut]);
      await sleep(3000);
      assert.ok(nftCounter(net.b, 'chan', cut) - droppedBefore >= 50, `the ${cut} channel was not cut`);
      assert.equal(b.find(/activating lvs/), undefined, `the backup took over with only the ${cut} channel cut:\n${b.text()}`);
      assert.deepEqual(vipsOn(net.b), []);
    }

    // Both cut: the master is dead to the backup after deadtime (0.6 s), not before.
    const cutAt = performance.now();
    dropFromMaster(net.b, ['public', 'private']);
    const took = await b.waitFor(/pulse: partner dead: activating lvs/, 5000);
    const delay = took.at - cutAt;
    assert.ok(delay >= 300 && delay < 3000, `takeover ${delay.toFixed(0)} ms after both channels were cut`);
    t.diagnostic(`both channels cut: the backup activated ${delay.toFixed(0)} ms later (deadtime 600 ms)`);
    await until(() => vipsOn(net.b).includes(VIP), 5000, 'the VIP on B');
    // The master still hears the backup: both are active, and the master re-announces.
    const fromA = a.lines.length;
    await a.waitFor(/pulse: partner active: resending arps/, 5000, fromA);

    // The channels come back: master wins, the backup stands down.
    const fromB = b.lines.length;
    dropFromMaster(net.b, []);
    await b.waitFor(/pulse: partner active: deactivating LVS/, 5000, fromB);
    await until(() => vipsOn(net.a).includes(VIP) && !vipsOn(net.b).includes(VIP), 5000, 'the VIP on A only');
    assert.deepEqual(await Promise.all([b.stop(), a.stop()]), [
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
  });
});
