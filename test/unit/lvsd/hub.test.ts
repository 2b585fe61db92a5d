/** The checker hub with real nanny --multi processes against a loopback server. */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { after, describe, it } from 'node:test';
import { CheckerHub, type CheckerEvent } from '../../../src/lvsd/hub.js';
import { repoPath } from '../../helpers/config.js';

const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

function answering(): Promise<number> {
  const server = createServer((s) => {
    s.on('error', () => undefined);
    s.once('data', () => s.end('PONG\n'));
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

const waitFor = async (what: string, test: () => boolean, ms = 8000): Promise<void> => {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

function hubWith(restart: boolean): { hub: CheckerHub; events: CheckerEvent[]; deaths: number[] } {
  const events: CheckerEvent[] = [];
  const deaths: number[] = [];
  const hub = new CheckerHub({
    command: [process.execPath, repoPath('bin/nanny.js'), '--multi'],
    shards: 1,
    onEvent: (e) => events.push(e),
    onLog: () => undefined,
    onDeath: (shard) => {
      deaths.push(shard);
      return restart;
    },
  });
  return { hub, events, deaths };
}

const target = (port: number) => ({
  id: 't1',
  service: null,
  label: 'web/a',
  quiesce: false,
  options: { server: '127.0.0.1', port: String(port), interval: '1', reentrytime: '1', sendString: 'PING\\n', expectString: 'PONG' },
  external: null,
});

describe('CheckerHub', () => {
  it('restarts a killed checker and gives it its servers again; checks resume within 2 s (hard_shutdown = 0)', async () => {
    const port = await answering();
    const { hub, events, deaths } = hubWith(true);
    hub.add(target(port));
    await waitFor('the first up event', () => events.some((e) => e.state === 'up'));
    const [pid] = hub.pids();
    assert.ok(pid !== undefined);
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    const before = events.length;
    await waitFor('the restarted checker reports', () => events.length > before && hub.pids()[0] !== pid);
    assert.ok(Date.now() - killedAt < 2000, `checks resumed after ${Date.now() - killedAt} ms`);
    assert.deepEqual(deaths, [0]);
    await hub.stop();
  });

  it('starts a checker added as running from up: a server that refuses is reported down, not merely never up', async () => {
    const closed = await answering();
    await new Promise<void>((resolve) => (servers.pop() as Server).close(() => resolve()));
    const { hub, events } = hubWith(true);
    hub.add({ ...target(closed), id: 'fresh' });
    hub.add({ ...target(closed), id: 'running' }, true);
    await waitFor('the running one is reported down', () => events.some((e) => e.id === 'running' && e.state === 'down'));
    assert.deepEqual(events.filter((e) => e.id === 'fresh'), []);
    await hub.stop();
  });

  it('reports a dead checker and leaves it dead when told to (hard_shutdown = 1)', async () => {
    const port = await answering();
    const { hub, events, deaths } = hubWith(false);
    hub.add(target(port));
    await waitFor('the first up event', () => events.some((e) => e.state === 'up'));
    const [pid] = hub.pids();
    process.kill(pid as number, 'SIGKILL');
    await waitFor('the death is reported', () => deaths.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(hub.pids(), []);
    await hub.stop();
  });
});
