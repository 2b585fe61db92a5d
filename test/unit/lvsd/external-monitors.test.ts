/** ExternalMonitors with a real program (a small shell script standing in for a client_monitor). */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { clientMonitorArgv } from '../../../src/lvsd/client-monitor.js';
import { ExternalMonitors, removeLeftovers } from '../../../src/lvsd/external-monitors.js';
import type { CheckerEvent } from '../../../src/lvsd/hub.js';
import { checkTargets, type CheckTarget } from '../../../src/lvsd/targets.js';
import { FakeIpvsKernel } from '../../../src/testing/ipvs-kernel.js';
import { ManualClock } from '../../../src/testing/manual-clock.js';
import { dial } from '../../../src/testing/nltest.js';
import { parse } from '../../helpers/config.js';

/** fakeMonitor writes a client_monitor that logs its argv and its SIGTERM, says it is up, and waits. */
function fakeMonitor(): { program: string; log: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'client-monitor-'));
  const log = join(dir, 'log');
  const program = join(dir, 'monitor');
  writeFileSync(
    program,
    `#!/bin/sh
line=argv; for a in "$0" "$@"; do line="$line <$a>"; done; echo "$line" >> ${log}
trap 'echo "term $$" >> ${log}; exit 0' TERM
echo "monitor: starting"
echo "monitor: [ active ] making $3:$7 available"
while :; do sleep 1 & wait $!; done
`,
  );
  chmodSync(program, 0o755);
  return { program, log: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l !== '') : []) };
}

const config = (program: string): string => `primary = 192.0.2.1
virtual web {
     active = 1
     address = 192.0.2.10 eth0:1
     send_program = "/bin/check %h %p"
     expect = "OK"
     client_monitor = ${program}
     server a {
         address = 10.0.0.1
         active = 1
     }
     server b {
         address = 10.0.0.2
         active = 1
         weight = 3
     }
}
`;

const waitFor = async (what: string, test: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

function setup(restart: boolean) {
  const fake = fakeMonitor();
  const targets = checkTargets(parse(config(fake.program)).config);
  const clock = new ManualClock();
  const events: CheckerEvent[] = [];
  const deaths: string[] = [];
  const order: string[] = [];
  const monitors = new ExternalMonitors({
    flags: { verbose: false, nodaemon: false },
    clock,
    onEvent: (e) => events.push(e),
    onLog: () => undefined,
    onDeath: (t) => {
      deaths.push(t.label);
      return restart;
    },
    prepare: (ts) => {
      order.push(`prepare ${ts.map((t) => t.label).join(' ')} after ${fake.log().length} starts`);
      return Promise.resolve();
    },
  });
  const argvLine = (t: CheckTarget): string => `argv ${clientMonitorArgv(t.external!, t.options, { verbose: false, nodaemon: false }).map((a) => `<${a}>`).join(' ')}`;
  return { fake, targets, clock, events, deaths, order, monitors, argvLine };
}

describe('ExternalMonitors', () => {
  it('prepares, then runs one program per server with its argv, and reads its up line', async () => {
    const { fake, targets, events, order, monitors, argvLine } = setup(true);
    for (const t of targets) monitors.add(t);
    await waitFor('both programs say they are up', () => events.filter((e) => e.state === 'up').length === 2);
    assert.deepEqual(order, ['prepare web/a web/b after 0 starts']);
    assert.deepEqual(fake.log().sort(), targets.map(argvLine).sort());
    assert.deepEqual(
      events.map((e) => [e.id, e.state, e.weight]).sort(),
      targets.map((t) => [t.id, 'up', Number(t.options.weight)]).sort(),
    );
    assert.deepEqual(monitors.describe().map((c) => [c.name, c.program, c.pid !== null, c.restarts]), [['web/a', fake.program, true, 0], ['web/b', fake.program, true, 0]]);
    await monitors.stop();
    assert.equal(fake.log().filter((l) => l.startsWith('term')).length, 2, 'each program was asked to stop with SIGTERM and waited for');
  });

  it('restarts a program that died (hard_shutdown = 0): reported, marked down, started again after 100 ms and prepared again', async () => {
    const { fake, targets, clock, events, deaths, order, monitors } = setup(true);
    const a = targets[0] as CheckTarget;
    monitors.add(a);
    await waitFor('the program says it is up', () => events.length === 1);
    const pid = monitors.describe()[0]?.pid as number;
    process.kill(pid, 'SIGKILL');
    await waitFor('the death is reported', () => deaths.length === 1);
    assert.deepEqual(events.at(-1)?.state, 'down');
    await clock.advance(99);
    assert.equal(fake.log().length, 1, 'not restarted before its backoff');
    await clock.advance(1);
    await waitFor('the program runs again and says it is up', () => events.filter((e) => e.state === 'up').length === 2);
    assert.equal(fake.log().length, 2);
    assert.deepEqual(order, ['prepare web/a after 0 starts', 'prepare web/a after 1 starts']);
    const [now] = monitors.describe();
    assert.ok(now?.pid !== null && now?.pid !== pid);
    assert.equal(now?.restarts, 1);
    monitors.remove(a.id);
    await waitFor('the removed program got SIGTERM', () => fake.log().some((l) => l.startsWith('term')));
    assert.deepEqual(monitors.describe(), []);
    await monitors.stop();
  });

  it('leaves a dead program dead when told to (hard_shutdown = 1)', async () => {
    const { fake, targets, clock, events, deaths, monitors } = setup(false);
    monitors.add(targets[0] as CheckTarget);
    await waitFor('the program says it is up', () => events.length === 1);
    process.kill(monitors.describe()[0]?.pid as number, 'SIGKILL');
    await waitFor('the death is reported', () => deaths.length === 1);
    await clock.advance(60_000);
    assert.equal(fake.log().length, 1);
    assert.equal(monitors.describe()[0]?.pid, null);
    assert.equal(events.length, 1, 'no down event: lvsd is shutting down');
    await monitors.stop();
  });

  it('reports a program that cannot be run as a death', async () => {
    const { targets, deaths, monitors } = setup(false);
    const t = targets[0] as CheckTarget;
    monitors.add({ ...t, external: { ...t.external!, program: '/nonexistent/monitor' } });
    await waitFor('the failure is reported', () => deaths.length === 1);
    await monitors.stop();
  });
});

describe('removeLeftovers', () => {
  it('deletes a monitored server\'s destination when present, and is quiet when it is not', async () => {
    const kernel = new FakeIpvsKernel();
    const client = await IpvsClient.open(dial(kernel.func).connection);
    const targets = checkTargets(parse(config('/opt/monitor')).config);
    const key = { family: 4 as const, protocol: 'tcp' as const, address: '192.0.2.10', port: 80 };
    assert.deepEqual(await removeLeftovers(client, targets), [], 'no service yet');
    await client.addService({ key, scheduler: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff, persistenceEngine: null });
    await client.addDestination(key, { address: '10.0.0.1', port: 80, family: 4, forwarding: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnelType: 'ipip', tunnelPort: 0, tunnelFlags: 0 });
    assert.deepEqual(await removeLeftovers(client, targets), []);
    assert.deepEqual(kernel.describe(), ['tcp 192.0.2.10:80 wlc flags=0 timeout=0']);
  });
});
