/**
 * pulse on a lossy link for five minutes (its own file, so that it runs beside the other
 * suites): two routers, the public channel only, deadtime = 3 x keepalive at fast timers
 * (0.1 / 0.3 s, some 20,000 heartbeats each way), and nftables in each router dropping 30 % of
 * the heartbeats it sends, at random. piranha, sending one heartbeat per keepalive, would fail
 * over within seconds (three in a row lost: 2.7 % per heartbeat); pulse must not fail over at all.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { netnsUnavailable, type Netns } from '../helpers/netns.js';
import { nft, nftCounter, nftMissing } from './nft.js';
import { pairConfigText, pulseNet, startPulse, until, vipAddress, vipsOn, writeConfig, type LineProcess } from './pulse-net.js';

const skip = netnsUnavailable() ?? false;
const VIP = vipAddress(0);
const MINUTES = 5;
const LOSS_PERCENT = 30;

/** dropSentHeartbeats makes a router drop LOSS_PERCENT of the heartbeats it sends, counting all and the dropped. */
function dropSentHeartbeats(ns: Netns): void {
  nft(
    ns,
    `table inet loss {
      counter sent { }
      counter dropped { }
      chain out {
        type filter hook output priority 0; policy accept;
        udp dport 539 counter name "sent"
        udp dport 539 numgen random mod 100 < ${LOSS_PERCENT} counter name "dropped" drop
      }
    }`,
  );
}

/** failoverLines are the lines that any change of the active router logs. */
const failoverLines = /activating lvs|deactivating LVS|resending arps/i;

describe('pulse under heartbeat loss', { skip }, () => {
  it(`30 % of the heartbeats lost both ways, deadtime = 3 x keepalive (0.1 / 0.3 s): no false failover in ${MINUTES} minutes`, { timeout: (MINUTES + 2) * 60_000 }, async (t) => {
    assert.equal(nftMissing(), null);
    const net = pulseNet();
    const running: LineProcess[] = [];
    try {
      const config = writeConfig(net, 'lvs.cf', pairConfigText({ keepalive: 0.1, deadtime: 0.3 }));
      dropSentHeartbeats(net.a);
      dropSentHeartbeats(net.b);
      // The master first, alone: it activates after deadtime; then the backup joins a running master.
      const a = startPulse(net.a, config, [], { verbose: false });
      running.push(a);
      await a.waitFor(/pulse: partner dead: activating lvs/, 10_000);
      await until(() => vipsOn(net.a).includes(VIP), 5000, 'the VIP on A');
      const b = startPulse(net.b, config, [], { verbose: false });
      running.push(b);
      await b.waitFor(/pulse: STARTING PULSE AS BACKUP/, 10_000);
      const fromA = a.lines.length;
      const sentBefore = { a: nftCounter(net.a, 'loss', 'sent'), b: nftCounter(net.b, 'loss', 'sent') };

      const end = performance.now() + MINUTES * 60_000;
      while (performance.now() < end) {
        await new Promise((r) => setTimeout(r, 2000));
        assert.equal(b.find(failoverLines), undefined, `the backup changed state:\n${b.text()}`);
        assert.equal(a.find(failoverLines, fromA), undefined, `the master changed state:\n${a.text()}`);
        assert.ok(vipsOn(net.a).includes(VIP), 'the VIP left A');
        assert.deepEqual(vipsOn(net.b), [], 'the VIP came up on B');
      }

      // The loss was real: some 20,000 heartbeats each way in five minutes, 30 % of them dropped.
      for (const [name, ns] of [['a', net.a], ['b', net.b]] as const) {
        const sent = nftCounter(ns, 'loss', 'sent') - sentBefore[name];
        const dropped = nftCounter(ns, 'loss', 'dropped');
        assert.ok(sent > 10_000, `${name} sent only ${sent} heartbeats in ${MINUTES} minutes`);
        const ratio = dropped / nftCounter(ns, 'loss', 'sent');
        assert.ok(Math.abs(ratio - LOSS_PERCENT / 100) < 0.02, `${name}: ${(ratio * 100).toFixed(1)} % dropped`);
        t.diagnostic(`${name} sent ${sent} heartbeats in ${MINUTES} minutes, ${(ratio * 100).toFixed(1)} % of them dropped`);
      }
      assert.deepEqual(await Promise.all([b.stop(), a.stop()]), [
        { code: 0, signal: null },
        { code: 0, signal: null },
      ]);
    } finally {
      for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop('SIGKILL');
      net.destroy();
    }
  });
});
