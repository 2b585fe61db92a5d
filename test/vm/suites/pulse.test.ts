/**
 * pulse with lvsd and the real IPVS table, in the two-router lab (lab/two-routers.ts): lvsd dying
 * on the active router hands over to the partner at once; kill -9 of the active pulse leaves no
 * VIP and no IPVS service behind on the dead router; a clean stop removes everything. Timing is
 * emulated: every wait is generous and only the order of events is asserted.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { TwoRouterLab, type RouterName } from '../../../lab/two-routers.js';

const inVm = process.env['LVS_VM_GUEST'] === '1' ? false : 'runs inside the IPVS VM (test/vm/run)';
const MINUTES = 60_000;

/** lvsdPid finds the lvsd process running in a router's namespace. */
function lvsdPid(lab: TwoRouterLab, router: RouterName): number | null {
  const pids = lab.routers[router].exec('ip', ['netns', 'pids', lab.routers[router].name]).split('\n').filter(Boolean).map(Number);
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((a) => a.endsWith('bin/lvsd.js'))) return pid;
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

/** servedBy asks the client for `n` requests and returns the distinct servers that answered (null for a failure). */
async function servedBy(lab: TwoRouterLab, n: number): Promise<Set<string | null>> {
  const got = await lab.requests(n, { intervalMs: 0, timeoutMs: 3000 }).done;
  return new Set(got.map((a) => a.server));
}

async function until(what: string, timeoutMs: number, cond: () => Promise<boolean> | boolean): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const allThree = async (lab: TwoRouterLab): Promise<boolean> => {
  const s = await servedBy(lab, 6);
  return s.size === 3 && !s.has(null);
};

describe('pulse + lvsd in the two-router lab (IPVS VM)', { skip: inVm }, () => {
  let lab: TwoRouterLab;
  before(async () => {
    lab = await TwoRouterLab.build();
  });
  after(async () => {
    await lab?.destroy();
  });

  it('lvsd dies on the active router: the partner takes over at once; kill -9 of a pulse leaves nothing behind; a clean stop removes everything', { timeout: 20 * MINUTES }, async () => {
    const a = lab.startPulse('A');
    const b = lab.startPulse('B');
    await a.waitFor(/pulse: gratuitous lvs arps finished/, 5 * MINUTES);
    await until('all three real servers through A', 5 * MINUTES, () => allThree(lab));
    assert.ok(lab.hasVip('A') && !lab.hasVip('B'));
    assert.match(lab.ipvs('A'), /TCP {2}198\.51\.100\.10:80 rr/);

    // lvsd crashes on A: A goes inactive with CHILDFAIL and says so; B takes over without waiting deadtime.
    const pid = lvsdPid(lab, 'A');
    assert.notEqual(pid, null, 'lvsd runs on A');
    const fromB = b.lines.length;
    process.kill(pid as number, 'SIGKILL');
    await a.waitFor(new RegExp(`pulse: Child process ${pid} terminated with signal 9`), 2 * MINUTES);
    await b.waitFor(/pulse: primary inactive: activating lvs/, 2 * MINUTES, fromB);
    await b.waitFor(/pulse: gratuitous lvs arps finished/, 5 * MINUTES, fromB);
    await until('all three real servers through B', 5 * MINUTES, () => allThree(lab));
    assert.ok(!lab.hasVip('A'), 'A took its VIP down');

    // kill -9 of B's pulse: its guard takes the VIP down, its lvsd sees the channel close and
    // removes its service; A (whose CHILDFAIL B's "running" heartbeats cleared) takes over.
    const fromA = a.lines.length;
    b.child.kill('SIGKILL');
    await a.waitFor(/pulse: partner dead: activating lvs/, 2 * MINUTES, fromA);
    await until('the VIP and the service gone from B', 2 * MINUTES, () => !lab.hasVip('B') && !lab.ipvs('B').includes('198.51.100.10'));
    await until('all three real servers through A again', 5 * MINUTES, () => allThree(lab));

    // A clean stop: exit 0, no VIP, no service, no lvsd.
    assert.deepEqual(await a.stop('SIGTERM'), { code: 0, signal: null });
    assert.match(a.text(), /pulse: Terminating due to signal 15/);
    assert.ok(!lab.hasVip('A'));
    assert.doesNotMatch(lab.ipvs('A'), /198\.51\.100\.10/);
    await until('lvsd gone from A', MINUTES, () => lvsdPid(lab, 'A') === null);
  });
});
