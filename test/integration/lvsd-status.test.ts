/**
 * lvsd's status endpoints on this machine's real sockets: the unix status socket and the HTTP
 * metrics endpoint, in front of a daemon on the fake IPVS kernel (the kernel proves its counters
 * in the VM suite lvsd-status).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { IpvsClient } from '../../src/ipvs/client.js';
import { LvsDaemon, type Checkers } from '../../src/lvsd/daemon.js';
import { LvsdError } from '../../src/lvsd/errors.js';
import { HealthHistory } from '../../src/lvsd/health-history.js';
import { StatusService } from '../../src/lvsd/status-service.js';
import { readStatusSocket } from '../../src/lvsd/status-socket.js';
import { FakeIpvsKernel } from '../../src/testing/ipvs-kernel.js';
import { dial } from '../../src/testing/nltest.js';
import { parse, repoPath } from '../helpers/config.js';
import { parseExposition } from '../helpers/prometheus.js';

const CONFIG = `serial_no = 7
primary = 192.0.2.1
virtual web {
     active = 1
     address = 192.0.2.10 eth0:1
     server a {
         address = 10.0.0.1
         active = 1
         weight = 5
     }
}
`;
const key = { family: 4 as const, protocol: 'tcp' as const, address: '192.0.2.10', port: 80 };
const dir = mkdtempSync(join(tmpdir(), 'lvsd-status-'));
const services: StatusService[] = [];
after(async () => {
  for (const s of services) await s.close();
});

const noCheckers: Checkers & { describe(): [] } = { add: () => undefined, remove: () => undefined, stop: () => Promise.resolve(), describe: () => [] };

async function start(socketPath: string | null, metrics = false) {
  const kernel = new FakeIpvsKernel();
  const client = await IpvsClient.open(dial(kernel.func).connection);
  const config = parse(CONFIG).config;
  const log: string[] = [];
  const logger = { info: (m: string) => log.push(m), debug: () => undefined };
  const daemon = new LvsDaemon(config, client, noCheckers, logger);
  await daemon.start();
  const history = new HealthHistory();
  const id = daemon.snapshot()[0]?.id as string;
  const up = { id, state: 'up' as const, weight: 5, reason: 'ok' };
  history.record(up);
  daemon.onChecker(up);
  await daemon.reconcileNow();
  kernel.setCounters(key, { stats: { conns: 3n, inbytes: 2n ** 62n } });
  kernel.setCounters(key, { stats: { conns: 2n }, activeConns: 1 }, { address: '10.0.0.1', port: 80, family: 4 });
  const status = new StatusService({ client, daemon, checkers: noCheckers, history, file: '/x/lvs.cf', config, socketPath, metrics: metrics ? { host: '127.0.0.1', port: 0 } : null, log: logger });
  await status.open();
  services.push(status);
  return { kernel, status, log };
}

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('status socket', () => {
  it('serves one JSON document per connection, with the kernel counters, on a socket only its owner can use', async () => {
    const path = join(dir, 'a.sock');
    await start(path);
    assert.equal(lstatSync(path).mode & 0o777, 0o600);
    const text = await readStatusSocket(path);
    assert.match(text, /"bytesIn": 4611686018427387904\b/, 'exact 64-bit counter');
    const doc = JSON.parse(text) as { version: number; config: { serialNo: number }; services: Array<{ counters: { connections: number }; servers: Array<{ health: string; kernelWeight: number; activeConnections: number; counters: { connections: number } }> }> };
    assert.equal(doc.version, 1);
    assert.equal(doc.config.serialNo, 7);
    assert.equal(doc.services[0]?.counters.connections, 3);
    assert.deepEqual([doc.services[0]?.servers[0]?.health, doc.services[0]?.servers[0]?.kernelWeight, doc.services[0]?.servers[0]?.activeConnections, doc.services[0]?.servers[0]?.counters.connections], ['up', 5, 1, 2]);
  });

  it('is removed when lvsd stops', async () => {
    const path = join(dir, 'b.sock');
    const { status } = await start(path);
    await status.close();
    assert.equal(existsSync(path), false);
  });

  it('replaces the socket of an lvsd that crashed, and refuses one another lvsd answers on or a path that is not a socket', async () => {
    const path = join(dir, 'c.sock');
    // A process that dies by SIGKILL leaves its socket file behind.
    const crashed = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => crashed.stdout.once('data', resolve));
    crashed.kill('SIGKILL');
    await new Promise((resolve) => crashed.once('exit', resolve));
    assert.equal(lstatSync(path).isSocket(), true);
    await start(path);
    assert.match(await readStatusSocket(path), /"serialNo": 7/);

    await assert.rejects(start(path), (e: unknown) => e instanceof LvsdError && e.code === 'STATUS_SOCKET_BUSY' && /another lvsd answers/.test(e.message));
    const file = join(dir, 'not-a-socket');
    writeFileSync(file, 'keep me');
    await assert.rejects(start(file), (e: unknown) => e instanceof LvsdError && e.code === 'STATUS_SOCKET_NOT_SOCKET');
    assert.equal(readFileSync(file, 'utf8'), 'keep me');
  });

  it('tells a client clearly that no lvsd is there', async () => {
    await assert.rejects(readStatusSocket(join(dir, 'none.sock')), (e: unknown) => e instanceof LvsdError && e.code === 'STATUS_UNAVAILABLE' && /there is no such socket; is lvsd running/.test(e.message));
  });

  it('lvsd --status prints the document, and exits 1 with a message when lvsd is not running', async () => {
    const path = join(dir, 'd.sock');
    await start(path);
    const run = (socket: string) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(process.execPath, [repoPath('bin/lvsd.js'), '--status', '--status-socket', socket], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
        child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
        child.on('exit', (code) => resolve({ code, out, err }));
      });
    const ok = await run(path);
    assert.equal(ok.code, 0, ok.err);
    assert.equal((JSON.parse(ok.out) as { version: number }).version, 1);
    const missing = await run(join(dir, 'gone.sock'));
    assert.equal(missing.code, 1);
    assert.equal(missing.out, '');
    assert.match(missing.err, /^lvsd: no status from lvsd at .*gone\.sock: there is no such socket; is lvsd running/);
  });
});

describe('metrics endpoint', () => {
  it('answers GET /metrics with a valid exposition of the kernel counters, 404 elsewhere and 405 for other methods', async () => {
    const { status, log } = await start(null, true);
    const port = status.metricsAddress?.port as number;
    assert.ok(log.includes(`serving metrics on http://127.0.0.1:${port}/metrics`));
    const res = await get(port, '/metrics?x=1');
    assert.equal(res.status, 200);
    assert.equal(res.type, 'text/plain; version=0.0.4; charset=utf-8');
    const scrape = parseExposition(res.body);
    const web = { virtual: 'web', service: 'tcp 192.0.2.10:80' };
    assert.equal(scrape.get('lvs_service_bytes_in_total', web), '4611686018427387904');
    assert.equal(scrape.get('lvs_destination_connections_total', { ...web, server: 'a', destination: '10.0.0.1:80' }), '2');
    assert.equal(scrape.get('lvs_config_serial_number'), '7');
    assert.equal((await get(port, '/')).status, 404);
    assert.equal((await get(port, '/metrics/x')).status, 404);
    const post = await get(port, '/metrics', 'POST');
    assert.equal(post.status, 405);
  });

  it('refuses to start when its port is taken', async () => {
    const { status } = await start(null, true);
    const port = status.metricsAddress?.port as number;
    const kernel = new FakeIpvsKernel();
    const client = await IpvsClient.open(dial(kernel.func).connection);
    const config = parse(CONFIG).config;
    const logger = { info: () => undefined, debug: () => undefined };
    const daemon = new LvsDaemon(config, client, noCheckers, logger);
    const second = new StatusService({ client, daemon, checkers: noCheckers, history: new HealthHistory(), file: 'x', config, socketPath: null, metrics: { host: '127.0.0.1', port }, log: logger });
    await assert.rejects(second.open(), (e: unknown) => e instanceof LvsdError && e.code === 'METRICS_LISTEN' && e.message.includes(`127.0.0.1:${port}`));
  });
});
