/**
 * The failover benchmark's summary, pure: the figures of each timer set for both
 * implementations, the ratio pulse / keepalived, and pulse's verdict against the targets.
 */
import { partnerOf } from './pair.js';
import { maximum, median } from './stats.js';
import type { TrialResult } from './trial.js';

/** TimerSetResults are the trials of one timer set. */
export interface TimerSetResults {
  /** label names the timers, keepalive/deadtime in seconds ("2/5"). */
  readonly label: string;
  readonly deadtimeMs: number;
  readonly pulse: readonly TrialResult[];
  readonly keepalived: readonly TrialResult[];
}

/** Target is a limit on pulse's median and/or maximum of a figure, or on the ratio of medians. */
interface Target {
  readonly text: string;
  readonly met: (m: { median: number; max: number; ratio: number }) => boolean;
}

interface Row {
  readonly figure: string;
  readonly kind: 'kill' | 'term';
  readonly pick: (r: TrialResult) => number | null;
  readonly target: (deadtimeMs: number) => Target | null;
}

const ROWS: readonly Row[] = [
  {
    figure: 'detection beyond deadtime',
    kind: 'kill',
    pick: (r) => r.detection,
    target: () => ({ text: 'median <= +1 ms, max <= +10 ms', met: (m) => m.median <= 1 && m.max <= 10 }),
  },
  { figure: 'activation, 100 VIPs (decision -> all first GARPs)', kind: 'kill', pick: (r) => r.activation, target: () => ({ text: 'max <= 50 ms', met: (m) => m.max <= 50 }) },
  { figure: 'the same, as pulse logs it', kind: 'kill', pick: (r) => r.selfReported, target: () => null },
  { figure: 'kill -9 -> first GARP', kind: 'kill', pick: (r) => r.stopToGarp, target: () => ({ text: 'ratio <= 1.0', met: (m) => m.ratio <= 1 }) },
  { figure: 'last heartbeat -> first GARP', kind: 'kill', pick: (r) => r.lastHeartbeatToGarp, target: () => null },
  { figure: 'phase of the kill (last heartbeat -> kill)', kind: 'kill', pick: (r) => r.phase, target: () => null },
  { figure: 'clean stop (SIGTERM) -> first GARP', kind: 'term', pick: (r) => r.stopToGarp, target: () => ({ text: 'max <= 20 ms', met: (m) => m.max <= 20 }) },
];

function values(trials: readonly TrialResult[], row: Row): number[] {
  return trials.filter((t) => t.kind === row.kind).flatMap((t) => {
    const v = row.pick(t);
    return v === null ? [] : [v];
  });
}

function ms(x: number): string {
  if (Number.isNaN(x)) return '-';
  const digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return x.toFixed(digits);
}

/** summaryTable renders the summary as a Markdown table, one row per figure and timer set. */
export function summaryTable(sets: readonly TimerSetResults[]): string {
  const out = ['| timers | figure | pulse median / max (ms) | keepalived median / max (ms) | ratio of medians (max) | target (pulse) | verdict |', '|---|---|---|---|---|---|---|'];
  for (const set of sets)
    for (const row of ROWS) {
      const p = values(set.pulse, row);
      const k = values(set.keepalived, row);
      if (p.length === 0 && k.length === 0) continue;
      const pm = { median: median(p), max: maximum(p) };
      const km = { median: median(k), max: maximum(k) };
      const ratio = pm.median / km.median;
      const ratioText = k.length === 0 || p.length === 0 ? '' : `${ratio.toFixed(2)} (${(pm.max / km.max).toFixed(2)})`;
      const target = row.target(set.deadtimeMs);
      const verdict = target === null || p.length === 0 ? '' : target.met({ ...pm, ratio }) ? 'MET' : 'MISSED';
      out.push(`| ${set.label} | ${row.figure} | ${ms(pm.median)} / ${ms(pm.max)} | ${ms(km.median)} / ${ms(km.max)} | ${ratioText} | ${target?.text ?? ''} | ${verdict} |`);
    }
  return out.join('\n');
}

/** trialLine renders one trial for the running log. */
export function trialLine(impl: string, label: string, n: number, r: TrialResult): string {
  const parts = [`${label.padEnd(9)} ${impl.padEnd(10)} ${r.kind} ${String(n).padStart(2)} ${r.stopped}->${partnerOf(r.stopped)}`];
  if (r.detection !== null) parts.push(`detect ${sign(r.detection)} ms (log ${sign(r.detectionByLog ?? NaN)})`);
  if (r.activation !== null) parts.push(`activation ${ms(r.activation)} ms${r.selfReported === null ? '' : ` (self ${ms(r.selfReported)})`}`);
  const stop = r.kind === 'kill' ? 'kill' : 'SIGTERM';
  parts.push(`${stop}->GARP ${ms(r.stopToGarp)} ms (${stop}->decision ${ms(r.stopToDecision)}, decision->GARP ${ms(r.decisionToGarp)})`, `phase ${ms(r.phase)} ms`, `steal ${r.stealMs.toFixed(0)} ms`);
  return parts.join('  ');
}

function sign(x: number): string {
  return `${x >= 0 ? '+' : ''}${ms(x)}`;
}
