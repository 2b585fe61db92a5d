import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepalivedConfigText } from '../../../../bench/failover/keepalived-pair.js';
import { masterDownMicros, vrrpTimersFor } from '../../../../bench/failover/keepalived-timers.js';

describe('keepalived timers for a detection budget', () => {
  it("computes keepalived's master-down interval: 3 x advert + (256 - priority) x advert / 256", () => {
    assert.equal(masterDownMicros(100, 100), 3_000_000 + 609_375);
    assert.equal(masterDownMicros(8, 64), 240_000 + 60_000);
    // keepalived's integer division: (256 - 255) x 1 x 625 / 16 = 39.06 -> 39 us.
    assert.equal(masterDownMicros(1, 255), 30_039);
  });

  it('finds exact settings for the benchmark budgets, preferring the highest priority', () => {
    assert.deepEqual(vrrpTimersFor(5000), { advertCs: 160, priority: 224, skewMs: 200, downMs: 5000 });
    assert.deepEqual(vrrpTimersFor(300), { advertCs: 8, priority: 64, skewMs: 60, downMs: 300 });
    assert.deepEqual(vrrpTimersFor(150), { advertCs: 4, priority: 64, skewMs: 30, downMs: 150 });
    for (const d of [5000, 300, 150, 6000, 18_000]) {
      const t = vrrpTimersFor(d);
      assert.equal(masterDownMicros(t.advertCs, t.priority), d * 1000);
    }
  });

  it('refuses a budget no setting meets exactly', () => {
    assert.throws(() => vrrpTimersFor(10), RangeError);
    assert.throws(() => vrrpTimersFor(301), /3 x advert \+ skew = 301 ms/);
  });

  it('writes a keepalived.conf with unicast peers, the timers, and one /32 per VIP on eth0', () => {
    const text = keepalivedConfigText({ node: 'b', timers: vrrpTimersFor(300), vips: 2 });
    assert.match(text, /vrrp_version 3\n/);
    assert.match(text, /priority 64\n {2}advert_int 0\.08\n {2}unicast_src_ip 10\.77\.0\.2\n {2}unicast_peer \{\n {4}10\.77\.0\.1\n {2}\}/);
    assert.match(text, /virtual_ipaddress \{\n {4}10\.77\.1\.100\/32 dev eth0\n {4}10\.77\.1\.101\/32 dev eth0\n {2}\}/);
    assert.match(text, /state BACKUP\n {2}nopreempt\n/);
  });
});
