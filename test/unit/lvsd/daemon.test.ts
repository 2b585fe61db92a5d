import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { LvsDaemon, type Checkers, type DaemonOptions } from '../../../src/lvsd/daemon.js';
import type { CheckTarget } from '../../../src/lvsd/targets.js';
import { IPVS_CMD } from '../../../src/ipvs/constants.js';
import { FakeIpvsKernel } from '../../../src/testing/ipvs-kernel.js';
import { ManualClock } from '../../../src/testing/manual-clock.js';
import { dial } from '../../../src/testing/nltest.js';
import { parse } from '../../helpers/config.js';

const CONFIG = `primary = 192.0.2.1
network = nat
virtual web {
     active = 1
     address = 192.0.2.10 eth0:1
     port = 80
     scheduler = wlc
     sorry_server = 10.0.0.99
     server a {
         address = 10.0.0.1
         active = 1
         weight = 64
     }
     server b {
         address = 10.0.0.2
         active = 1
     }
}
`;

class FakeCheckers implements Checkers {
  readonly targets = new Map<string, CheckTarget>();
  readonly log: string[] = [];
  add(t: CheckTarget): void {
    this.targets.set(t.id, t);
    this.log.push(`add ${t.label}`);
  }
  remove(id: string): void {
    this.targets.delete(id);
    this.log.push(`remove ${id}`);
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

async function setup(text = CONFIG, options: DaemonOptions = {}) {
  const kernel = new FakeIpvsKernel();
  const client = await IpvsClient.open(dial(kernel.func).connection);
  const checkers = new FakeCheckers();
  const lines: string[] = [];
  const daemon = new LvsDaemon(parse(text).config, client, checkers, { info: (m) => lines.push(m), debug: () => undefined }, options);
  await daemon.start();
  const idOf = (addr: string): string => [...checkers.targets.keys()].find((k) => k.includes(`${addr}:`)) as string;
  const table = (): string[] => kernel.describe();
  return { kernel, daemon, checkers, lines, idOf, table };
}

describe('LvsDaemon', () => {
  it('creates the service with the sorry server until a checker says a server is up', async () => {
    const { daemon, lines, idOf, table } = await setup();
    assert.deepEqual(table(), ['  -> 10.0.0.99:80 masq w=1', 'tcp 192.0.2.10:80 wlc flags=0 timeout=0']);
    assert.ok(lines.includes('starting virtual service web active: 80'));
    assert.ok(lines.includes('create_monitor for web/a'));
    daemon.onChecker({ id: idOf('10.0.0.1'), state: 'up', weight: 2, reason: 'ok' });
    await daemon.reconcileNow();
    assert.deepEqual(table(), ['  -> 10.0.0.1:80 masq w=2', 'tcp 192.0.2.10:80 wlc flags=0 timeout=0']);
    daemon.onChecker({ id: idOf('10.0.0.1'), state: 'weight', weight: 4, reason: 'slow start' });
    await daemon.reconcileNow();
    assert.deepEqual(table()[0], '  -> 10.0.0.1:80 masq w=4');
    daemon.onChecker({ id: idOf('10.0.0.1'), state: 'down', weight: 0, reason: 'CONNECT timed out' });
    await daemon.reconcileNow();
    assert.deepEqual(table(), ['  -> 10.0.0.99:80 masq w=1', 'tcp 192.0.2.10:80 wlc flags=0 timeout=0']);
  });

  it('gathers checker events for 20 ms, then reads and writes only the services whose servers changed', async () => {
    const clock = new ManualClock();
    const two = CONFIG + CONFIG.replace('virtual web', 'virtual mail').replace('192.0.2.10 eth0:1', '192.0.2.11 eth0:2').replace(/10\.0\.0\.(\d)/g, '10.0.1.$1');
    const { kernel, daemon, idOf, table } = await setup(two, { clock });
    const dumps = (): number => kernel.commands.get(IPVS_CMD.GET_DEST) ?? 0;
    const before = dumps();
    daemon.onChecker({ id: idOf('10.0.0.1'), state: 'up', weight: 2, reason: 'ok' });
    daemon.onChecker({ id: idOf('10.0.0.2'), state: 'up', weight: 1, reason: 'ok' });
    await clock.advance(19);
    assert.ok(table().includes('  -> 10.0.0.99:80 masq w=1'), 'nothing written before the 20 ms are up');
    await clock.advance(1);
    for (let i = 0; i < 50 && table().includes('  -> 10.0.0.99:80 masq w=1'); i++) await new Promise((r) => setTimeout(r, 2));
    assert.deepEqual(table(), ['  -> 10.0.0.1:80 masq w=2', '  -> 10.0.0.2:80 masq w=1', '  -> 10.0.1.99:80 masq w=1', 'tcp 192.0.2.10:80 wlc flags=0 timeout=0', 'tcp 192.0.2.11:80 wlc flags=0 timeout=0']);
    assert.equal(dumps() - before, 1, 'only the destinations of web were read');
  });

  it('keeps a quiesced server at weight 0', async () => {
    const { daemon, idOf, table } = await setup(CONFIG.replace('scheduler = wlc', 'scheduler = wlc\n     quiesce_server = 1'));
    daemon.onChecker({ id: idOf('10.0.0.2'), state: 'up', weight: 1, reason: 'ok' });
    daemon.onChecker({ id: idOf('10.0.0.2'), state: 'down', weight: 0, reason: 'x' });
    await daemon.reconcileNow();
    assert.deepEqual(table(), ['  -> 10.0.0.2:80 masq w=0', '  -> 10.0.0.99:80 masq w=1', 'tcp 192.0.2.10:80 wlc flags=0 timeout=0']);
  });

  it('reloads as a diff: a scheduler change is one SET_SERVICE, unchanged servers keep their checker and health', async () => {
    const { kernel, daemon, checkers, idOf, table } = await setup();
    daemon.onChecker({ id: idOf('10.0.0.1'), state: 'up', weight: 2, reason: 'ok' });
    await daemon.reconcileNow();
    const writes = kernel.writes();
    checkers.log.length = 0;
    await daemon.reload(parse(CONFIG.replace('scheduler = wlc', 'scheduler = rr')).config);
    assert.equal(kernel.writes() - writes, 1);
    assert.deepEqual(checkers.log, []);
    assert.deepEqual(table(), ['  -> 10.0.0.1:80 masq w=2', 'tcp 192.0.2.10:80 rr flags=0 timeout=0']);
  });

  it('reloads a removed server by stopping its checker and removing it (no draining), and a removed service by deleting it', async () => {
    const { daemon, checkers, idOf, table } = await setup(CONFIG, { drainTimeoutMs: 0 });
    daemon.onChecker({ id: idOf('10.0.0.1'), state: 'up', weight: 2, reason: 'ok' });
    daemon.onChecker({ id: idOf('10.0.0.2'), state: 'up', weight: 1, reason: 'ok' });
    await daemon.reconcileNow();
    const withoutB = CONFIG.replace(/ {5}server b \{[\s\S]*? {5}\}\n/, '');
    await daemon.reload(parse(withoutB).config);
    assert.deepEqual(checkers.log.filter((l) => l.startsWith('remove')), [`remove ${idOf('10.0.0.1').replace('10.0.0.1', '10.0.0.2')}`]);
    assert.deepEqual(table(), ['  -> 10.0.0.1:80 masq w=2', 'tcp 192.0.2.10:80 wlc flags=0 timeout=0']);
    await daemon.reload(parse(withoutB.replace('192.0.2.10 eth0:1', '192.0.2.11 eth0:1')).config);
    assert.deepEqual(table().filter((l) => l.startsWith('tcp')), ['tcp 192.0.2.11:80 wlc flags=0 timeout=0']);
  });

  it('removes its services on stop and leaves other services alone', async () => {
    const { kernel, daemon, table } = await setup();
    const client = await IpvsClient.open(dial(kernel.func).connection);
    await client.addService({ key: { family: 4, protocol: 'tcp', address: '203.0.113.1', port: 25 }, scheduler: 'rr', flags: 0, timeout: 0, netmask: 0xffffffff, persistenceEngine: null });
    await daemon.reconcileNow();
    await daemon.stop();
    assert.deepEqual(table(), ['tcp 203.0.113.1:25 rr flags=0 timeout=0']);
  });
});
