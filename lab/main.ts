/**
 * The main job (npm start): the two-router lab. It starts pulse on both routers, shows client
 * requests through the VIP spread over the real servers, kills the active router's pulse with
 * SIGKILL, shows the backup taking over and the requests continuing, and prints a timeline.
 * Exit status 0 when all of that happened.
 */
import { performance } from 'node:perf_hooks';
import { spread, TwoRouterLab, VIP, type Answer, type RouterName } from './two-routers.js';

const START = Date.now();
const wall = (perfAt: number): number => performance.timeOrigin + perfAt;
const secs = (ms: number): string => (ms / 1000).toFixed(2).padStart(6);
const say = (text: string): void => void process.stdout.write(`${text}\n`);
const NOISE = /DEBUG -- (Sending heartbeat|Received Heartbeat|setting (NEED|SEND)_heartbeat)/;

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null> | T | null): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main(): Promise<number> {
  say('lvs-director two-router lab: routers A (primary) and B (backup), 3 real servers, 1 client');
  say(`VIP ${VIP}:80, LVS direct routing, etc/lab/lvs.cf (keepalive 1 s, deadtime 3 s)\n`);
  const lab = await TwoRouterLab.build((router: RouterName, text: string) => {
    if (!NOISE.test(text)) say(`  [${secs(Date.now() - START)}] ${router} | ${text}`);
  });
  try {
    const a = lab.startPulse('A', ['-v']);
    const b = lab.startPulse('B', ['-v']);
    await a.waitFor(/pulse: gratuitous lvs arps finished/, 180_000);
    say('\nwaiting for the checkers to bring the real servers in');
    await until('all three real servers to answer through the VIP', 180_000, async () => {
      const got = await lab.requests(6, { intervalMs: 0, timeoutMs: 3000 }).done;
      return new Set(got.map((x) => x.server)).size === 3 && got.every((x) => x.server !== null) ? got : null;
    });
    const before = await lab.requests(30, { intervalMs: 20, timeoutMs: 3000 }).done;
    say(`\n30 requests through the VIP, served by: ${JSON.stringify(spread(before))}`);
    say(`IPVS table on A:\n${lab.ipvs('A').trimEnd().replace(/^/gm, '    ')}\n`);
    if (before.some((x) => x.server === null)) throw new Error('a request failed before the failover');

    say('killing the active router\'s pulse (A) with SIGKILL; the client keeps sending a request every 100 ms');
    const during: Answer[] = [];
    const steady = lab.requests(100_000, { intervalMs: 100, timeoutMs: 1000, onAnswer: (x) => during.push(x) });
    await until('the client to be running', 60_000, () => (during.length > 0 ? true : null));
    const fromB = b.lines.length;
    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    const decided = await b.waitFor(/pulse: partner dead: activating lvs/, 120_000, fromB);
    const announced = await b.waitFor(/pulse: DEBUG -- \d+ addresses up/, 120_000, fromB);
    const firstAfter = await until('a request answered through B', 180_000, () => during.find((x) => x.at > wall(announced.at) && x.server !== null) ?? null);
    // Let the client run a little longer on B, then stop it.
    await until('ten more answers', 60_000, () => (during.filter((x) => x.at >= firstAfter.at).length >= 10 ? true : null));
    steady.stop();
    await steady.done;
    const afterKill = during.filter((x) => x.at >= killedAt);
    const failed = afterKill.filter((x) => x.server === null);
    const lastOk = [...during].reverse().find((x) => x.at < killedAt && x.server !== null);
    const onB = during.filter((x) => x.at >= firstAfter.at);
    say(`\nafter the failover, served by: ${JSON.stringify(spread(onB))}`);
    say(`IPVS table on B:\n${lab.ipvs('B').trimEnd().replace(/^/gm, '    ')}`);
    say(`VIP on A: ${lab.hasVip('A') ? 'yes (!)' : 'no'}, on B: ${lab.hasVip('B') ? 'yes' : 'no (!)'}\n`);
    say('timeline (seconds after kill -9 of pulse on A):');
    if (lastOk !== undefined) say(`  ${secs(lastOk.at - killedAt)}  last request answered before the kill (${lastOk.server})`);
    say(`  ${secs(0)}  kill -9 pulse on A`);
    say(`  ${secs(wall(decided.at) - killedAt)}  B: partner dead: activating lvs`);
    say(`  ${secs(wall(announced.at) - killedAt)}  B: lvsd ready, VIP up and announced`);
    say(`  ${secs(firstAfter.at - killedAt)}  first request answered through B (${firstAfter.server})`);
    say(`requests after the kill: ${afterKill.length}, failed: ${failed.length} (timeouts and refusals while the VIP moved)`);
    const ok = !lab.hasVip('A') && lab.hasVip('B') && onB.every((x) => x.server !== null) && new Set(onB.map((x) => x.server)).size === 3;
    say(ok ? '\nlab OK: the backup took over and the requests continue over all three real servers' : '\nlab FAILED: see above');
    return ok ? 0 : 1;
  } finally {
    await lab.destroy();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`lab: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
