import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summaryTable, trialLine } from '../../../../bench/failover/report.js';
import { maximum, median } from '../../../../bench/failover/stats.js';
import { figures, type TrialResult } from '../../../../bench/failover/trial.js';

const trial = (more: Partial<TrialResult>): TrialResult => ({
  kind: 'kill',
  stopped: 'a',
  stopToGarp: 290,
  lastHeartbeatToGarp: 300,
  phase: 10,
  stopToDecision: 285,
  decisionToGarp: 5,
  detection: 0.5,
  detectionByLog: 0.7,
  activation: 9,
  selfReported: null,
  stealMs: 0,
  ...more,
});

describe('median and maximum', () => {
  it('take the middle (or the mean of the two middle) and the largest sample', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(maximum([4, 1, 3, 2]), 4);
    assert.ok(Number.isNaN(median([])) && Number.isNaN(maximum([])));
  });
});

describe('figures', () => {
  const seen = { lastHeartbeat: 1000, firstRunning: 1300.4, firstGarp: 1305, allFirstGarps: 1312, missing: [] };

  it("dates pulse's decision by its running heartbeat on the wire, and keepalived's by its log line", () => {
    const t = { stoppedAt: 1010, decisionAt: 1300.9, selfReported: 11.5, stealMs: 20, deadtimeMs: 300 };
    const pulse = figures('kill', 'a', seen, { ...t, protocol: 'pulse' });
    assert.equal(pulse.stopToGarp, 295);
    assert.equal(pulse.lastHeartbeatToGarp, 305);
    assert.equal(pulse.phase, 10);
    assert.ok(Math.abs((pulse.detection as number) - 0.4) < 1e-9);
    assert.ok(Math.abs((pulse.detectionByLog as number) - 0.9) < 1e-9);
    assert.ok(Math.abs((pulse.activation as number) - 11.6) < 1e-9);
    const vrrp = figures('kill', 'a', seen, { ...t, protocol: 'vrrp' });
    assert.ok(Math.abs((vrrp.detection as number) - 0.9) < 1e-9);
    assert.ok(Math.abs(vrrp.decisionToGarp - 4.1) < 1e-9);
    assert.equal(figures('term', 'b', seen, { ...t, protocol: 'pulse' }).detection, null);
  });

  it('refuses an incomplete observation, naming what is missing', () => {
    const t = { stoppedAt: 1010, decisionAt: 1300, selfReported: null, stealMs: 0, deadtimeMs: 300, protocol: 'pulse' as const };
    assert.throws(() => figures('kill', 'a', { ...seen, lastHeartbeat: null }, t), /no heartbeat from router a/);
    assert.throws(() => figures('kill', 'a', { ...seen, allFirstGarps: null, missing: ['10.77.1.100'] }, t), /did not announce 1 VIPs \(10\.77\.1\.100/);
    assert.throws(() => figures('kill', 'a', { ...seen, firstRunning: null }, t), /no "running" heartbeat/);
  });
});

describe('summaryTable', () => {
  it('prints medians and maxima of both, the ratio of medians, and judges pulse against the targets', () => {
    const pulse = [trial({ detection: 0.4, stopToGarp: 280 }), trial({ detection: 0.8, stopToGarp: 300 }), trial({ kind: 'term', stopToGarp: 12, detection: null })];
    const keepalived = [trial({ detection: 1.0, stopToGarp: 250 }), trial({ detection: 2.0, stopToGarp: 270 }), trial({ kind: 'term', stopToGarp: 62, detection: null })];
    const table = summaryTable([{ label: '0.1/0.3', deadtimeMs: 300, pulse, keepalived }]);
    const row = (figure: string): string => table.split('\n').find((l) => l.includes(`| ${figure} |`)) ?? '';
    assert.equal(row('detection beyond deadtime'), '| 0.1/0.3 | detection beyond deadtime | 0.60 / 0.80 | 1.50 / 2.00 | 0.40 (0.40) | median <= +1 ms, max <= +10 ms | MET |');
    assert.equal(row('kill -9 -> first GARP'), '| 0.1/0.3 | kill -9 -> first GARP | 290 / 300 | 260 / 270 | 1.12 (1.11) | ratio <= 1.0 | MISSED |');
    assert.equal(row('clean stop (SIGTERM) -> first GARP'), '| 0.1/0.3 | clean stop (SIGTERM) -> first GARP | 12.0 / 12.0 | 62.0 / 62.0 | 0.19 (0.19) | max <= 20 ms | MET |');
    assert.equal(row('the same, as pulse logs it'), '', 'a figure nobody measured is left out');
  });

  it('renders a trial line with the kind of stop', () => {
    assert.match(trialLine('pulse', '2/5', 3, trial({ stopped: 'b' })), /^2\/5 {7}pulse {6}kill {2}3 b->a {2}detect \+0\.50 ms \(log \+0\.70\)/);
    assert.match(trialLine('pulse', '2/5', 3, trial({ kind: 'term', detection: null })), /SIGTERM->GARP 290 ms/);
  });
});
