/**
 * lvsd reloads against the fake kernel, with a manual clock: each kind of change produces exactly
 * the operations it needs, touches only the services it names, keeps unchanged servers' checkers
 * and health, and drains removed servers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { IPVS_CMD } from '../../../src/ipvs/constants.js';
import type { ServiceKey } from '../../../src/ipvs/types.js';
import { LvsDaemon, type Checkers } from '../../../src/lvsd/daemon.js';
import type { CheckTarget } from '../../../src/lvsd/targets.js';
import { FakeIpvsKernel } from '../../../src/testing/ipvs-kernel.js';
import { ManualClock, settle } from '../../../src/testing/manual-clock.js';
import { dial } from '../../../src/testing/nltest.js';
import { parse } from '../../helpers/config.js';

interface ServerSpec {
  readonly name: string;
  readonly address: string;
  readonly port?: number;
  readonly weight?: number;
  readonly active?: boolean;
}

interface Spec {
  readonly scheduler?: string;
  readonly persistent?: number;
  readonly quiesce?: boolean;
  readonly servers?: readonly ServerSpec[];
  readonly mail?: boolean;
  readonly webActive?: boolean;
  readonly network?: string;
  readonly tcpTimeout?: number;
}

const A: ServerSpec = { name: 'a', address: '10.0.0.1' };
const B: ServerSpec = { name: 'b', address: '10.0.0.2' };
const C: ServerSpec = { name: 'c', address: '10.0.0.3' };

/** lvs writes an lvs.cf: virtual web (192.0.2.10:80) with the given servers, and virtual mail (:25) unless left out. */
function lvs(spec: Spec = {}): string {
  const servers = (spec.servers ?? [A, B])
    .map((s) => `     server ${s.name} {\n         address = ${s.address}\n         active = ${s.active === false ? 0 : 1}\n         weight = ${s.weight ?? 1}\n${s.port === undefined ? '' : `         port = ${s.port}\n`}     }\n`)
    .join('');
  const web = `virtual web {\n     active = ${spec.webActive === false ? 0 : 1}\n     address = 192.0.2.10 eth0:1\n     port = 80\n     scheduler = ${spec.scheduler ?? 'wlc'}\n${spec.persistent === undefined ? '' : `     persistent = ${spec.persistent}\n`}${spec.quiesce === true ? '     quiesce_server = 1\n' : ''}${servers}}\n`;
  const mail = spec.mail === false ? '' : 'virtual mail {\n     active = 1\n     address = 192.0.2.10 eth0:1\n     port = 25\n     scheduler = rr\n     server m {\n         address = 10.0.0.5\n         active = 1\n     }\n}\n';
  return `primary = 192.0.2.1\nnetwork = ${spec.network ?? 'nat'}\n${spec.tcpTimeout === undefined ? '' : `tcp_timeout = ${spec.tcpTimeout}\n`}${web}${mail}`;
}

const WEB: ServiceKey = { family: 4, protocol: 'tcp', address: '192.0.2.10', port: 80 };
/** RB is server b as an IPVS destination of web. */
const RB = { address: '10.0.0.2', port: 80, family: 4 as const };

class FakeCheckers implements Checkers {
  readonly targets = new Map<string, CheckTarget>();
  readonly log: string[] = [];
  add(t: CheckTarget, running = false): void {
    this.targets.set(t.id, t);
    this.log.push(`add ${t.label}${running ? ' running' : ''}`);
  }
  remove(id: string): void {
    this.log.push(`remove ${this.targets.get(id)?.label ?? id}`);
    this.targets.delete(id);
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

async function setup(text = lvs(), options: { drainTimeoutMs?: number } = {}) {
  const kernel = new FakeIpvsKernel();
  const client = await IpvsClient.open(dial(kernel.func).connection);
  const clock = new ManualClock();
  const checkers = new FakeCheckers();
  const ops: string[] = [];
  const info: string[] = [];
  const daemon = new LvsDaemon(parse(text).config, client, checkers, { info: (m) => info.push(m), debug: (m) => m.startsWith('ipvs: ') && ops.push(m.slice(6)) }, { clock, ...options });
  await daemon.start();
  const idOf = (label: string): string => [...checkers.targets.values()].find((t) => t.label === label)?.id as string;
  /** say reports a checker finding and lets the daemon act on it. */
  const say = async (label: string, state: 'up' | 'down', weight = 1): Promise<void> => {
    daemon.onChecker({ id: idOf(label), state, weight, reason: 'test' });
    await clock.advance(20);
    await settle(20);
  };
  for (const t of [...checkers.targets.values()]) daemon.onChecker({ id: t.id, state: 'up', weight: Number(t.options.weight), reason: 'ok' });
  await clock.advance(20);
  await settle(20);
  const reload = async (next: string): Promise<void> => {
    ops.length = 0;
    checkers.log.length = 0;
    await daemon.reload(parse(next).config);
  };
  /** tick lets `ms` of time pass (drain checks run) and the work they start finish. */
  const tick = async (ms = 1000): Promise<void> => {
    await clock.advance(ms);
    await settle(30);
  };
  return { kernel, client, clock, daemon, checkers, ops, info, say, reload, tick, table: () => kernel.describe() };
}

describe('lvsd reload', () => {
  it('adds a server: no operation until its new checker finds it up, then one NEW_DEST', async () => {
    const t = await setup();
    await t.reload(lvs({ servers: [A, B, C] }));
    assert.deepEqual(t.ops, []);
    assert.deepEqual(t.checkers.log, ['add web/c']);
    await t.say('web/c', 'up');
    assert.deepEqual(t.ops, ['add-destination -t 192.0.2.10:80 -r 10.0.0.3:80 -m -w 1']);
  });

  it('removes a server by draining it: weight 0 at once, deleted at the first check that finds no connections', async () => {
    const t = await setup();
    t.kernel.setCounters(WEB, { activeConns: 2, inactiveConns: 1 }, RB);
    await t.reload(lvs({ servers: [A] }));
    assert.deepEqual(t.ops, ['edit-destination -t 192.0.2.10:80 -r 10.0.0.2:80 -m -w 0']);
    assert.deepEqual(t.checkers.log, ['remove web/b']);
    await t.tick(3000);
    assert.ok(t.table().includes('  -> 10.0.0.2:80 masq w=0'));
    t.kernel.setCounters(WEB, { activeConns: 0, inactiveConns: 1 }, RB);
    await t.tick();
    assert.equal(t.ops.length, 1, 'inactive connections still count');
    t.kernel.setCounters(WEB, { activeConns: 0, inactiveConns: 0 }, RB);
    await t.tick();
    assert.deepEqual(t.ops, ['edit-destination -t 192.0.2.10:80 -r 10.0.0.2:80 -m -w 0', 'delete-destination -t 192.0.2.10:80 -r 10.0.0.2:80']);
    assert.ok(t.info.some((l) => l === 'drained real server 10.0.0.2:80 of tcp 192.0.2.10:80: no connections left, removing it'), t.info.join('\n'));
    assert.deepEqual(t.table(), ['  -> 10.0.0.1:80 masq w=1', '  -> 10.0.0.5:25 masq w=1', 'tcp 192.0.2.10:25 rr flags=0 timeout=0', 'tcp 192.0.2.10:80 wlc flags=0 timeout=0']);
  });

  it('deletes a draining server when its drain time is up, connections or not', async () => {
    const t = await setup(lvs(), { drainTimeoutMs: 10_000 });
    t.kernel.setCounters(WEB, { activeConns: 5, inactiveConns: 0 }, RB);
    await t.reload(lvs({ servers: [A] }));
    await t.tick(9000);
    assert.equal(t.ops.length, 1);
    await t.tick(1000);
    assert.deepEqual(t.ops.slice(1), ['delete-destination -t 192.0.2.10:80 -r 10.0.0.2:80']);
    assert.ok(t.info.includes('drain of real server 10.0.0.2:80 of tcp 192.0.2.10:80 timed out, removing it'));
  });

  it('deletes a removed server at once with a drain time of 0, and one its checker found down whatever the drain time', async () => {
    const t = await setup(lvs(), { drainTimeoutMs: 0 });
    await t.reload(lvs({ servers: [A] }));
    assert.deepEqual(t.ops, ['delete-destination -t 192.0.2.10:80 -r 10.0.0.2:80']);
    const q = await setup(lvs({ quiesce: true }));
    await q.say('web/b', 'down');
    assert.ok(q.table().includes('  -> 10.0.0.2:80 masq w=0'), 'quiesced, not removed');
    await q.reload(lvs({ quiesce: true, servers: [A] }));
    assert.deepEqual(q.ops, ['delete-destination -t 192.0.2.10:80 -r 10.0.0.2:80']);
  });

  it('takes back a server re-added while it drains: its weight returns at once and the drain ends', async () => {
    const t = await setup();
    t.kernel.setCounters(WEB, { activeConns: 1, inactiveConns: 0 }, RB);
    await t.reload(lvs({ servers: [A] }));
    await t.reload(lvs({ servers: [A, { ...B, weight: 3 }] }));
    assert.deepEqual(t.ops, ['edit-destination -t 192.0.2.10:80 -r 10.0.0.2:80 -m -w 3']);
    assert.deepEqual(t.checkers.log, ['add web/b running']);
    t.kernel.setCounters(WEB, { activeConns: 0, inactiveConns: 0 }, RB);
    await t.tick(5000);
    assert.deepEqual(t.ops, ['edit-destination -t 192.0.2.10:80 -r 10.0.0.2:80 -m -w 3']);
    assert.ok(t.table().includes('  -> 10.0.0.2:80 masq w=3'));
  });

  it('changes a weight with one SET_DEST; the new checker starts from up', async () => {
    const t = await setup();
    await t.reload(lvs({ servers: [A, { ...B, weight: 7 }] }));
    assert.deepEqual(t.ops, ['edit-destination -t 192.0.2.10:80 -r 10.0.0.2:80 -m -w 7']);
    assert.deepEqual(t.checkers.log, ['remove web/b', 'add web/b running']);
  });

  it('changes a port: the old entry drains, the new one is added when its checker finds it up', async () => {
    const t = await setup();
    await t.reload(lvs({ servers: [A, { ...B, port: 8080 }] }));
    assert.deepEqual(t.ops, ['edit-destination -t 192.0.2.10:80 -r 10.0.0.2:80 -m -w 0']);
    assert.deepEqual(t.checkers.log, ['remove web/b', 'add web/b']);
    await t.say('web/b', 'up');
    await t.tick();
    assert.deepEqual(t.ops.slice(1).sort(), ['add-destination -t 192.0.2.10:80 -r 10.0.0.2:8080 -m -w 1', 'delete-destination -t 192.0.2.10:80 -r 10.0.0.2:80']);
  });

  it('changes the scheduler or the persistence with one SET_SERVICE, reading only that service', async () => {
    const t = await setup();
    const before = { get: t.kernel.commands.get(IPVS_CMD.GET_SERVICE) ?? 0, dests: t.kernel.commands.get(IPVS_CMD.GET_DEST) ?? 0 };
    await t.reload(lvs({ scheduler: 'rr' }));
    assert.deepEqual(t.ops, ['edit-service -t 192.0.2.10:80 -s rr']);
    assert.deepEqual(t.checkers.log, []);
    assert.equal((t.kernel.commands.get(IPVS_CMD.GET_SERVICE) ?? 0) - before.get, 1, 'one GET_SERVICE, of the changed service');
    assert.equal((t.kernel.commands.get(IPVS_CMD.GET_DEST) ?? 0) - before.dests, 1, 'one destination dump, of the changed service');
    await t.reload(lvs({ scheduler: 'rr', persistent: 300 }));
    assert.deepEqual(t.ops, ['edit-service -t 192.0.2.10:80 -s rr -p 300']);
    assert.deepEqual(t.table().filter((l) => l.startsWith('tcp')), ['tcp 192.0.2.10:25 rr flags=0 timeout=0', 'tcp 192.0.2.10:80 rr flags=1 timeout=300']);
  });

  it('adds a service (then its servers as they come up) and removes one with one DEL_SERVICE, without draining', async () => {
    const t = await setup(lvs({ mail: false }));
    await t.reload(lvs());
    assert.deepEqual(t.ops, ['add-service -t 192.0.2.10:25 -s rr']);
    assert.deepEqual(t.checkers.log, ['add mail/m']);
    assert.ok(t.info.includes('starting virtual service mail active: 25'));
    await t.say('mail/m', 'up');
    assert.deepEqual(t.ops.slice(1), ['add-destination -t 192.0.2.10:25 -r 10.0.0.5:25 -m -w 1']);
    await t.reload(lvs({ mail: false }));
    assert.deepEqual(t.ops, ['delete-service -t 192.0.2.10:25']);
    assert.deepEqual(t.checkers.log, ['remove mail/m']);
    assert.ok(t.info.includes('shutting down virtual service mail'));
    await t.tick(5000);
    assert.deepEqual(t.ops, ['delete-service -t 192.0.2.10:25']);
  });

  it('deletes a service made inactive and leaves an unchanged file without any operation or read', async () => {
    const t = await setup();
    const reads = t.kernel.commands.get(IPVS_CMD.GET_DEST) ?? 0;
    await t.reload(lvs());
    assert.deepEqual(t.ops, []);
    assert.equal(t.kernel.commands.get(IPVS_CMD.GET_DEST) ?? 0, reads);
    await t.reload(lvs({ webActive: false }));
    assert.deepEqual(t.ops, ['delete-service -t 192.0.2.10:80']);
  });

  it('keeps a draining server at weight 0 through full reconciliations after checker events', async () => {
    const t = await setup();
    t.kernel.setCounters(WEB, { activeConns: 1, inactiveConns: 0 }, RB);
    await t.reload(lvs({ servers: [A] }));
    await t.say('web/a', 'up', 4);
    assert.deepEqual(t.ops.slice(1), ['edit-destination -t 192.0.2.10:80 -r 10.0.0.1:80 -m -w 4']);
    assert.ok(t.table().includes('  -> 10.0.0.2:80 masq w=0'));
  });

  it('re-programs every service when the forwarding method changes, and sets changed timeouts', async () => {
    const t = await setup(lvs({ servers: [A] }));
    await t.reload(lvs({ servers: [A], network: 'direct', tcpTimeout: 600 }));
    assert.deepEqual(t.ops.sort(), ['edit-destination -t 192.0.2.10:25 -r 10.0.0.5:25 -g -w 1', 'edit-destination -t 192.0.2.10:80 -r 10.0.0.1:80 -g -w 1']);
    assert.equal(t.kernel.timeouts.tcp, 600);
    assert.deepEqual(t.checkers.log.sort(), ['add mail/m running', 'add web/a running', 'remove mail/m', 'remove web/a']);
  });

  it('ends its drains when it stops', async () => {
    const t = await setup();
    t.kernel.setCounters(WEB, { activeConns: 1, inactiveConns: 0 }, RB);
    await t.reload(lvs({ servers: [A] }));
    assert.equal(t.clock.pending() > 0, true);
    await t.daemon.stop();
    assert.equal(t.clock.pending(), 0);
    assert.deepEqual(t.table(), []);
  });
});
