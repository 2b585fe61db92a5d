/**
 * The director with fakes: the route client on the fake rtnetlink kernel, the real announcer
 * on a fake ARP sender and a manual clock, a recording guard and sync daemon, and a stand-in
 * lvsd (support/fake-lvsd.ts) that the director really spawns. Everything that happens, in the
 * director's log, in the fakes and in the child, goes to one timeline file in causal order.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LvsConfig } from '../../../src/config/model.js';
import type { DaemonState, SyncDaemon } from '../../../src/ipvs/types.js';
import { Announcer } from '../../../src/link/announce.js';
import { RouteClient } from '../../../src/link/client.js';
import { RTM } from '../../../src/link/constants.js';
import { Director, type ActivationTiming } from '../../../src/pulse/director.js';
import type { ChildEnd } from '../../../src/pulse/lvsd-child.js';
import type { SyncDaemons } from '../../../src/pulse/sync-daemon.js';
import { FakeArpSender, failTimes, type LinkFunc } from '../../../src/testing/arp-fake.js';
import { FakeRouteKernel } from '../../../src/testing/link-fakes.js';
import { ManualClock } from '../../../src/testing/manual-clock.js';
import { dial } from '../../../src/testing/nltest.js';
import { parse } from '../../helpers/config.js';
import type { FakeLvsdScript } from './support/fake-lvsd.js';

const FAKE_LVSD = new URL('./support/fake-lvsd.js', import.meta.url).pathname;
const E = constants.errno;

let root = '';
const made: Rig[] = [];
before(() => {
  root = mkdtempSync(join(tmpdir(), 'pulse-director-'));
});
after(async () => {
  // A test that failed half-way may have left its lvsd running; the ends of commands are logged late.
  for (const r of made) for (const pid of r.lvsdPids()) if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (const r of made) await commandsEnded(r);
  rmSync(root, { recursive: true, force: true });
});

/** Vip is an address and the device lvs.cf gives it. */
type Vip = readonly [address: string, device: string];
const V100: Vip = ['10.77.1.100', 'eth0:1'];
const V101: Vip = ['10.77.1.101', 'eth0:2'];
const V102: Vip = ['10.77.1.102', 'eth0:3'];

/** configText is an lvs.cf with one virtual service per VIP. */
function configText(o: { vips: readonly Vip[]; activeCmd: string | null; inactiveCmd: string | null; syncdaemon: boolean }): string {
  const lines = ['serial_no = 1', 'primary = 10.77.0.1', 'service = lvs', 'backup_active = 1', 'backup = 10.77.0.2', 'heartbeat = 1', 'keepalive = 2', 'deadtime = 5', 'network = direct'];
  if (o.syncdaemon) lines.push('syncdaemon = 1', 'syncd_iface = eth0', 'syncd_id = 3');
  if (o.activeCmd !== null) lines.push(`active_cmd = "${o.activeCmd}"`);
  if (o.inactiveCmd !== null) lines.push(`inactive_cmd = "${o.inactiveCmd}"`);
  o.vips.forEach(([address, device], i) => lines.push(`virtual web${i} {`, '  active = 1', `  address = ${address} ${device}`, '  port = 80', '}'));
  return `${lines.join('\n')}\n`;
}

function config(text: string): LvsConfig {
  const r = parse(text);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  return r.config;
}

/** FakeSyncDaemons is the IPVS client's sync daemon part, in memory, writing to the timeline. */
class FakeSyncDaemons implements SyncDaemons {
  running: SyncDaemon[] = [];
  constructor(private readonly note: (text: string) => void) {}
  daemons(): Promise<SyncDaemon[]> {
    return Promise.resolve([...this.running]);
  }
  startDaemon(d: SyncDaemon): Promise<void> {
    this.note(`sync: start ${d.state} on ${d.interface} syncid ${d.syncId}`);
    this.running.push(d);
    return Promise.resolve();
  }
  stopDaemon(state: DaemonState): Promise<void> {
    this.note(`sync: stop ${state}`);
    this.running = this.running.filter((d) => d.state !== state);
    return Promise.resolve();
  }
}

interface RigOptions {
  readonly vips?: readonly Vip[];
  readonly norun?: boolean;
  readonly lvsd?: Omit<FakeLvsdScript, 'timeline'>;
  readonly lvsdProgram?: string;
  readonly readyTimeoutMs?: number;
  /** activeCmd and inactiveCmd default to touching a file named so in the rig's directory. */
  readonly activeCmd?: string | null;
  readonly inactiveCmd?: string | null;
  readonly syncdaemon?: boolean;
  /** syncOpenError makes opening the IPVS client for the sync daemon fail. */
  readonly syncOpenError?: Error;
  readonly arpLink?: LinkFunc;
  readonly count?: number;
  readonly intervalMs?: number;
}

/** Rig is a director, its fakes and what they recorded. */
interface Rig {
  readonly director: Director;
  readonly kernel: FakeRouteKernel;
  readonly clock: ManualClock;
  readonly arp: FakeArpSender;
  readonly failures: ChildEnd[];
  readonly timings: ActivationTiming[];
  /** base is the rig's directory; lvsdScript the fake lvsd's instructions in it. */
  readonly base: string;
  readonly lvsdScript: string;
  /** config is the rig's lvs.cf with other VIPs. */
  config(vips: readonly Vip[]): LvsConfig;
  /** raw is the timeline as written. */
  raw(): string[];
  /** timeline is the timeline from line `from` on, with pids and the directory replaced, without the ends of commands (they come whenever they come). */
  timeline(from?: number): string[];
  /** lvsdPids are the pids of the fake lvsd processes started so far. */
  lvsdPids(): number[];
  /** vips lists the fake kernel's addresses as `address label`. */
  vips(): string[];
}

/** rig wires a director to fakes in a directory of its own. */
function rig(o: RigOptions = {}): Rig {
  const base = mkdtempSync(join(root, 'rig-'));
  const timelineFile = join(base, 'timeline');
  writeFileSync(timelineFile, '');
  const note = (text: string): void => appendFileSync(timelineFile, `${text}\n`);
  const lvsdScript = join(base, 'lvsd.json');
  writeFileSync(lvsdScript, JSON.stringify({ timeline: timelineFile, ...(o.lvsd ?? { ready: 'now' }) }));
  const activeCmd = o.activeCmd === undefined ? `/usr/bin/touch ${base}/active` : o.activeCmd;
  const inactiveCmd = o.inactiveCmd === undefined ? `/usr/bin/touch ${base}/inactive` : o.inactiveCmd;
  const text = (vips: readonly Vip[]): string => configText({ vips, activeCmd, inactiveCmd, syncdaemon: o.syncdaemon ?? true });

  const kernel = new FakeRouteKernel();
  const routes = RouteClient.open(dial(kernel.func).connection);
  const clock = new ManualClock(0);
  const arp = new FakeArpSender(o.arpLink);
  const announcer = new Announcer({ routes, sender: arp, clock });
  const sync = new FakeSyncDaemons(note);
  const failures: ChildEnd[] = [];
  const timings: ActivationTiming[] = [];
  const director = new Director(config(text(o.vips ?? [V100, V101])), {
    configFile: lvsdScript,
    norun: o.norun ?? false,
    foreground: true,
    verbose: false,
    lvsdProgram: o.lvsdProgram ?? FAKE_LVSD,
    ...(o.readyTimeoutMs === undefined ? {} : { lvsdReadyTimeoutMs: o.readyTimeoutMs }),
    log: { info: (m) => note(`log: ${m}`), debug: (m) => note(`debug: ${m}`) },
    routes,
    announcer: {
      announce: (requests, options) => {
        note(`announce: ${requests.map((r) => r.address).join(' ')}`);
        return announcer.announce(requests, options);
      },
    },
    announceCount: o.count ?? 1,
    announceIntervalMs: o.intervalMs ?? 1000,
    guard: { hold: (requests) => note(`guard: hold ${requests.map((r) => r.address).join(' ')}`), release: () => note('guard: release') },
    syncDaemons: () => (o.syncOpenError === undefined ? Promise.resolve(sync) : Promise.reject(o.syncOpenError)),
    onChildFailure: (end) => failures.push(end),
    now: () => clock.now(),
  });
  director.onActivated = (t) => timings.push(t);

  const raw = (): string[] => readFileSync(timelineFile, 'utf8').split('\n').filter((l) => l !== '');
  const r: Rig = {
    director,
    kernel,
    clock,
    arp,
    failures,
    timings,
    base,
    lvsdScript,
    config: (vips) => config(text(vips)),
    raw,
    timeline: (from = 0) =>
      raw()
        .slice(from)
        .filter((l) => !l.includes('Skipping death of unknown child'))
        .map((l) => l.replace(/started as \d+/, 'started as PID').replace(/lvsd \d+ ended/, 'lvsd PID ended').split(base).join('DIR')),
    lvsdPids: () => raw().flatMap((l) => /^lvsd: started as (\d+)/.exec(l)?.slice(1).map(Number) ?? []),
    vips: () => kernel.addressList().map((a) => `${a.address} ${a.label ?? a.link}`),
  };
  made.push(r);
  return r;
}

/** until polls a condition (the fake lvsd and the commands are real processes). */
async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** alive says whether a process exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** commandsEnded waits until every command the director ran has ended (their ends are logged later). */
async function commandsEnded(r: Rig): Promise<void> {
  const count = (re: RegExp): number => r.raw().filter((l) => re.test(l)).length;
  await until(() => count(/^debug: Executing /) === count(/Skipping death of unknown child|^log: could not run /), 'the commands to end');
}

/** finish deactivates, as pulse does at its stop, and waits for everything to be over. */
async function finish(r: Rig): Promise<void> {
  r.director.deactivate(true);
  await r.director.idle();
  await commandsEnded(r);
}

/** activated runs the start-up deactivation and an activation, and waits for the announcements to finish. */
async function activated(r: Rig): Promise<void> {
  r.director.deactivate(false);
  r.director.activate();
  await r.director.idle();
  await until(() => r.raw().includes('log: gratuitous lvs arps finished'), 'the announcements');
}

describe('Director: activation and deactivation', () => {
  it('activates in order: active_cmd, lvsd until it is ready, the sync daemon as master, then the VIPs held by the guard and announced', async () => {
    const r = rig();
    r.director.deactivate(false);
    r.director.activate();
    await r.director.idle();
    await until(() => r.raw().includes('log: gratuitous lvs arps finished'), 'the announcements');
    assert.deepEqual(r.timeline(), [
      "debug: Executing '/usr/bin/touch DIR/inactive'",
      'sync: start backup on eth0 syncid 3',
      'debug: sync daemon: started backup on eth0 syncid 3',
      "debug: Executing '/usr/bin/touch DIR/active'",
      'lvsd: started as PID: --nodaemon -c DIR/lvsd.json',
      'lvsd: ready',
      'sync: stop backup',
      'sync: start master on eth0 syncid 3',
      'debug: sync daemon: stopped backup',
      'debug: sync daemon: started master on eth0 syncid 3',
      'guard: hold 10.77.1.100 10.77.1.101',
      'announce: 10.77.1.100 10.77.1.101',
      'debug: 2 addresses up 0.0 ms and announced 0.0 ms after the decision',
      'log: gratuitous lvs arps finished',
    ]);
    assert.deepEqual(r.vips(), ['10.77.1.100 eth0:1', '10.77.1.101 eth0:2']);
    assert.deepEqual(r.arp.announcements.map((a) => `${a.device} ${a.ip}`).sort(), ['eth0 10.77.1.100', 'eth0 10.77.1.101']);
    assert.equal(r.timings.length, 1);
    assert.equal(r.timings[0]?.decidedAt, 0);
    assert.equal(r.timings[0]?.lvsdReadyAt, 0);
    // The commands really ran, without a shell.
    await until(() => existsSync(join(r.base, 'active')) && existsSync(join(r.base, 'inactive')), 'the files of active_cmd and inactive_cmd');
    await until(() => r.raw().filter((l) => l.includes('Skipping death of unknown child')).length === 2, 'the ends of both commands logged');
    await finish(r);
  });

  it('deactivates in order: inactive_cmd, the sync daemon as backup, lvsd stopped, the VIPs down, the guard released', async () => {
    const r = rig({ lvsd: { ready: 'now', exitCode: 5 } });
    await activated(r);
    const from = r.raw().length;
    r.director.deactivate(true);
    await r.director.idle();
    assert.deepEqual(r.timeline(from), [
      "debug: Executing '/usr/bin/touch DIR/inactive'",
      'sync: stop master',
      'sync: start backup on eth0 syncid 3',
      'debug: sync daemon: stopped master',
      'debug: sync daemon: started backup on eth0 syncid 3',
      'lvsd: SIGTERM',
      'log: lvsd PID ended with exit 5',
      'debug: removing 10.77.1.100/32 on eth0:1',
      'debug: removing 10.77.1.101/32 on eth0:2',
      'guard: release',
    ]);
    assert.deepEqual(r.vips(), []);
    assert.deepEqual(r.failures, [], 'a stop that was asked for is no child failure');
    assert.equal(alive(r.lvsdPids()[0] as number), false);
  });

  it('with --test-start (norun): no lvsd and no commands, but the VIPs still come up, are announced, and go down on deactivation', async () => {
    const r = rig({ norun: true, syncdaemon: false });
    await activated(r);
    assert.deepEqual(r.timeline(), ['guard: hold 10.77.1.100 10.77.1.101', 'announce: 10.77.1.100 10.77.1.101', 'debug: 2 addresses up 0.0 ms and announced 0.0 ms after the decision', 'log: gratuitous lvs arps finished']);
    assert.equal(r.timings[0]?.lvsdReadyAt, null);
    r.director.deactivate(true);
    await r.director.idle();
    assert.deepEqual(r.vips(), []);
    assert.equal(existsSync(join(r.base, 'active')) || existsSync(join(r.base, 'inactive')), false);
  });

  it('hup passes SIGHUP to a running lvsd, and does nothing without one', async () => {
    const r = rig();
    r.director.hup();
    await activated(r);
    r.director.hup();
    await until(() => r.raw().includes('lvsd: SIGHUP'), 'lvsd to get SIGHUP');
    r.director.deactivate(true);
    await r.director.idle();
    assert.equal(r.raw().filter((l) => l === 'lvsd: SIGHUP').length, 1);
  });
});

describe('Director: cancellation', () => {
  for (const cancel of ['deactivate', 'releaseVips'] as const) {
    it(`${cancel} cancels an activation still waiting for lvsd: lvsd is killed, no VIP comes up, no child failure`, async () => {
      const r = rig({ lvsd: { ready: 'never' }, syncdaemon: false });
      r.director.activate();
      await until(() => r.lvsdPids().length === 1, 'lvsd to start');
      const pid = r.lvsdPids()[0] as number;
      if (cancel === 'deactivate') r.director.deactivate(true);
      else r.director.releaseVips();
      await r.director.idle();
      assert.equal(alive(pid), false, 'lvsd is gone');
      assert.deepEqual(r.failures, []);
      assert.deepEqual(r.vips(), []);
      const timeline = r.timeline();
      assert.equal(timeline.find((l) => /announce|guard: hold|Error starting lvsd/.test(l)), undefined, timeline.join('\n'));
      // A later activation works as usual.
      writeFileSync(r.lvsdScript, JSON.stringify({ timeline: join(r.base, 'timeline'), ready: 'now' }));
      r.director.activate();
      await r.director.idle();
      await until(() => r.raw().includes('log: gratuitous lvs arps finished'), 'the announcements');
      assert.deepEqual(r.vips(), ['10.77.1.100 eth0:1', '10.77.1.101 eth0:2']);
      r.director.deactivate(true);
      await r.director.idle();
    });
  }

  it('releaseVips takes the VIPs down at once and stops their announcements', async () => {
    const r = rig({ norun: true, syncdaemon: false, count: 3, intervalMs: 1000 });
    r.director.activate();
    await r.director.idle();
    await until(() => r.arp.announcements.length === 2, 'the first announcements');
    await r.clock.advance(1000);
    assert.equal(r.arp.announcements.length, 4);
    r.director.releaseVips();
    await r.director.idle();
    assert.deepEqual(r.vips(), []);
    await r.clock.advance(5000);
    assert.equal(r.arp.announcements.length, 4, 'no announcement after the release');
    assert.deepEqual(r.timeline().slice(-3), ['debug: removing 10.77.1.100/32 on eth0:1', 'debug: removing 10.77.1.101/32 on eth0:2', 'guard: release']);
    assert.equal(r.raw().includes('log: gratuitous lvs arps finished'), false);
    assert.deepEqual(r.timings, []);
    // The deactivation that follows (a stop) has nothing left to take down.
    r.director.deactivate(true);
    await r.director.idle();
    assert.deepEqual(r.timeline().slice(-1), ['guard: release']);
  });
});

describe('Director: rearp and reconfigure', () => {
  it('rearp runs active_cmd again and announces every VIP again', async () => {
    const r = rig({ syncdaemon: false });
    await activated(r);
    const from = r.raw().length;
    r.director.rearp();
    await r.director.idle();
    await until(() => r.raw().slice(from).includes('log: gratuitous lvs arps finished'), 'the second announcements');
    assert.deepEqual(r.timeline(from), [
      "debug: Executing '/usr/bin/touch DIR/active'",
      'guard: hold 10.77.1.100 10.77.1.101',
      'announce: 10.77.1.100 10.77.1.101',
      'debug: 2 addresses up 0.0 ms and announced 0.0 ms after the decision',
      'log: gratuitous lvs arps finished',
    ]);
    assert.equal(r.arp.announcements.length, 4);
    assert.deepEqual(r.vips(), ['10.77.1.100 eth0:1', '10.77.1.101 eth0:2']);
    await finish(r);
  });

  it('reconfigure while active: a new VIP comes up and is announced, a removed one goes down, the rest is left alone', async () => {
    const r = rig({ norun: true, syncdaemon: false });
    await activated(r);
    const from = r.raw().length;
    const announced = r.arp.announcements.length;
    r.director.reconfigure(r.config([V101, V102]));
    await r.director.idle();
    await until(() => r.arp.announcements.length === announced + 1, 'the new VIP announced');
    assert.deepEqual(r.timeline(from), ['debug: removing 10.77.1.100/32 on eth0:1', 'guard: hold 10.77.1.101', 'guard: hold 10.77.1.101 10.77.1.102', 'announce: 10.77.1.102']);
    assert.deepEqual(r.arp.announcements.at(-1)?.ip, '10.77.1.102');
    assert.deepEqual(r.vips(), ['10.77.1.101 eth0:2', '10.77.1.102 eth0:3']);
    // A VIP moved to another alias is taken down and brought up again.
    r.director.reconfigure(r.config([V101, ['10.77.1.102', 'eth0:4']]));
    await r.director.idle();
    await until(() => r.vips().includes('10.77.1.102 eth0:4'), 'the VIP on its new alias');
    assert.deepEqual(r.vips(), ['10.77.1.101 eth0:2', '10.77.1.102 eth0:4']);
    r.director.deactivate(true);
    await r.director.idle();
    assert.deepEqual(r.vips(), []);
  });

  it('the announcements of a VIP added by reconfigure stop when the VIPs are released (no ARP for an address the partner now has)', async () => {
    const r = rig({ norun: true, syncdaemon: false, count: 5, intervalMs: 1000 });
    r.director.activate();
    await r.director.idle();
    await until(() => r.arp.announcements.length === 2, 'the first announcements');
    r.director.reconfigure(r.config([V100, V101, V102]));
    await r.director.idle();
    await until(() => r.arp.announcements.length === 3, 'the first announcement of the added VIP');
    r.director.releaseVips();
    await r.director.idle();
    assert.deepEqual(r.vips(), []);
    await r.clock.advance(10_000);
    assert.deepEqual(r.arp.announcements.map((a) => a.ip).sort(), ['10.77.1.100', '10.77.1.101', '10.77.1.102']);
  });

  it('reconfigure while inactive touches nothing; the next activation brings up the new set', async () => {
    const r = rig({ norun: true, syncdaemon: false });
    r.director.reconfigure(r.config([V101, V102]));
    await r.director.idle();
    assert.deepEqual(r.timeline(), []);
    r.director.activate();
    await r.director.idle();
    await until(() => r.raw().includes('log: gratuitous lvs arps finished'), 'the announcements');
    assert.deepEqual(r.vips(), ['10.77.1.101 eth0:2', '10.77.1.102 eth0:3']);
    await finish(r);
  });
});

describe('Director: failures are logged, never thrown', () => {
  it('a VIP the kernel refuses to take down is logged and stays held; the next deactivation takes it down', async () => {
    const r = rig({ norun: true, syncdaemon: false });
    await activated(r);
    r.kernel.failures.set(RTM.DELADDR, E.EPERM);
    const from = r.raw().length;
    r.director.deactivate(true);
    await r.director.idle();
    const timeline = r.timeline(from);
    assert.match(timeline.find((l) => l.startsWith('log:')) ?? '', /^log: cannot take 10\.77\.1\.100\/32 on eth0:1 down: .*permission denied/);
    assert.equal(timeline.at(-1), 'guard: hold 10.77.1.100');
    assert.deepEqual(r.vips(), ['10.77.1.100 eth0:1']);
    r.director.deactivate(false);
    await r.director.idle();
    assert.deepEqual(r.vips(), []);
    assert.equal(r.timeline().at(-1), 'guard: release');
  });

  it('a VIP that cannot come up and an announcement that cannot be sent are logged; the other VIP is up and the run finishes', async () => {
    const r = rig({ norun: true, syncdaemon: false, arpLink: failTimes(1, 'ENETDOWN') });
    r.kernel.failures.set(RTM.NEWADDR, E.EPERM);
    await activated(r);
    const logs = r.timeline().filter((l) => l.startsWith('log:'));
    assert.equal(logs.length, 3, logs.join('\n'));
    assert.match(logs[0] ?? '', /^log: 10\.77\.1\.100\/32 on eth0:1: .*permission denied/);
    assert.match(logs[1] ?? '', /^log: 10\.77\.1\.101\/32 on eth0:2: send on eth0: .*network is down/);
    assert.equal(logs[2], 'log: gratuitous lvs arps finished');
    assert.deepEqual(r.vips(), ['10.77.1.101 eth0:2']);
    await finish(r);
  });

  it('a sync daemon that cannot be switched is logged and the activation goes on', async () => {
    const r = rig({ norun: true, syncOpenError: new Error('cannot open the IPVS family: ENOENT') });
    await activated(r);
    assert.deepEqual(
      r.timeline().filter((l) => l.startsWith('log:')),
      ['log: sync daemon as backup failed: cannot open the IPVS family: ENOENT', 'log: sync daemon as master failed: cannot open the IPVS family: ENOENT', 'log: gratuitous lvs arps finished'],
    );
    assert.deepEqual(r.vips(), ['10.77.1.100 eth0:1', '10.77.1.101 eth0:2']);
    await finish(r);
  });

  it('an active_cmd that cannot run is logged and the activation goes on', async () => {
    const r = rig({ activeCmd: '/nonexistent/active-cmd --now', syncdaemon: false });
    await activated(r);
    assert.ok(r.timeline().includes("log: could not run '/nonexistent/active-cmd --now': cannot run /nonexistent/active-cmd"), r.timeline().join('\n'));
    assert.deepEqual(r.vips(), ['10.77.1.100 eth0:1', '10.77.1.101 eth0:2']);
    await finish(r);
  });

  it('an lvsd that exits before it is ready, is not ready in time, or cannot be run, is logged and reported as a child failure; nothing comes up', async () => {
    const cases = [
      { o: { lvsd: { ready: 'exit', exitCode: 3 } }, log: /^log: Error starting lvsd: lvsd exited before it was ready \(exit 3\)$/, code: 3, signal: null, spawned: true },
      { o: { lvsd: { ready: 'never' }, readyTimeoutMs: 1500 }, log: /^log: Error starting lvsd: lvsd was not ready within 1\.5 s; killed it$/, code: null, signal: 9, spawned: true },
      { o: { lvsdProgram: '/nonexistent/lvsd' }, log: /^log: Error starting lvsd: cannot run \/nonexistent\/lvsd: .*ENOENT/, code: 1, signal: null, spawned: false },
    ] as const;
    for (const c of cases) {
      const r = rig({ syncdaemon: false, ...c.o });
      r.director.activate();
      await r.director.idle();
      const logs = r.timeline().filter((l) => l.startsWith('log:'));
      assert.equal(logs.length, 1, logs.join('\n'));
      assert.match(logs[0] ?? '', c.log);
      assert.deepEqual(r.failures, [{ pid: c.spawned ? r.lvsdPids()[0] : 0, code: c.code, signal: c.signal }]);
      assert.deepEqual(r.vips(), []);
      assert.equal(r.raw().some((l) => l.startsWith('announce:')), false);
    }
  });

  it('an lvsd that ends on its own after it was ready is reported as a child failure, once', async () => {
    const r = rig({ syncdaemon: false, lvsd: { ready: 'now', dieAfterMs: 50, exitCode: 7 } });
    await activated(r);
    await until(() => r.failures.length === 1, 'the child failure');
    assert.deepEqual(r.failures, [{ pid: r.lvsdPids()[0], code: 7, signal: null }]);
    // The machine then deactivates: there is no lvsd left to stop, the VIPs go down.
    const from = r.raw().length;
    r.director.deactivate(true);
    await r.director.idle();
    assert.equal(r.timeline(from).some((l) => l.startsWith('lvsd:')), false);
    assert.deepEqual(r.vips(), []);
    assert.equal(r.failures.length, 1);
  });
});
