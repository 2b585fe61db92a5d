/**
 * A checker process of a real lvsd killed, inside the VM: with hard_shutdown = 1 (piranha's
 * default) lvsd logs it, removes its services, its pid file and its status socket, and exits
 * non-zero, so that pulse fails over; with hard_shutdown = 0 the checker is restarted, its checks
 * resume and the table keeps the server.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { lvsdStatus, startLvsd, until, type RunningLvsd } from '../lvsd-process.js';

const inVm = process.env['LVS_VM_GUEST'] === '1' || existsSync('/proc/net/ip_vs');
const ipvsadm = (...args: string[]): string => execFileSync('ipvsadm', args, { encoding: 'utf8' });
const running: RunningLvsd[] = [];
const servers: Server[] = [];

function answering(): Promise<number> {
  const server = createServer((s) => {
    s.on('error', () => undefined);
    s.once('data', () => s.end('PONG\n'));
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

const config = (port: number, hardShutdown: 0 | 1): string => `primary = 192.0.2.1
network = nat
hard_shutdown = ${hardShutdown}
virtual web {
     active = 1
     address = 192.0.2.91 eth0:1
     port = ${port}
     send = "PING\\n"
     expect = "PONG"
     timeout = 1
     reentry = 1
     server a {
         address = 127.0.0.1
         active = 1
     }
}
`;

async function setup(hardShutdown: 0 | 1) {
  const port = await answering();
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-death-'));
  const file = join(dir, 'lvs.cf');
  const pidfile = join(dir, 'lvs.pid');
  const socket = join(dir, 'lvsd.sock');
  writeFileSync(file, config(port, hardShutdown));
  const lvsd = await startLvsd(['-c', file, '--pidfile', pidfile, '--status-socket', socket, '--checkers', '1']);
  running.push(lvsd);
  const real = new RegExp(`-> 127\\.0\\.0\\.1:${port} +Masq`);
  await until('the checker has put the real server in the table', () => real.test(ipvsadm('-Ln')), () => ipvsadm('-Ln') + lvsd.output());
  const [checker] = (await lvsdStatus(socket)).checkers;
  assert.ok(checker?.pid !== null && checker?.pid !== undefined, JSON.stringify(checker));
  return { port, pidfile, socket, lvsd, real, checker: checker.pid };
}

describe('a killed checker of a real lvsd', { skip: inVm ? false : 'runs inside the IPVS VM (test/vm/run)' }, () => {
  after(() => {
    for (const r of running) r.child.kill('SIGKILL');
    for (const s of servers) s.close();
    ipvsadm('-C');
  });

  it('hard_shutdown = 1: lvsd logs it, removes its service, pid file and status socket, and exits 1', async () => {
    ipvsadm('-C');
    const { port, pidfile, socket, lvsd, checker } = await setup(1);
    assert.ok(existsSync(pidfile) && existsSync(socket));
    process.kill(checker, 'SIGKILL');
    assert.equal(await lvsd.exited, 1, lvsd.output());
    assert.match(lvsd.output(), /lvs: nanny died! shutting down lvs \(checker 0, signal SIGKILL\)/);
    assert.match(lvsd.output(), /lvs: shutting down virtual service web/);
    assert.doesNotMatch(ipvsadm('-Ln'), new RegExp(`192\\.0\\.2\\.91:${port}`));
    assert.equal(existsSync(pidfile), false, 'pid file removed');
    assert.equal(existsSync(socket), false, 'status socket removed');
  });

  it('hard_shutdown = 0: the checker is restarted, its checks resume, and the server stays in the table', async () => {
    ipvsadm('-C');
    const { socket, lvsd, real, checker } = await setup(0);
    process.kill(checker, 'SIGKILL');
    await until('a new checker runs', async () => {
      const [c] = (await lvsdStatus(socket)).checkers;
      return c?.pid !== null && c?.pid !== checker && c?.restarts === 1;
    }, () => lvsd.output());
    await until('lvsd has logged the restart', () => /lvs: nanny for checker 0 died \(signal SIGKILL\)! restarting it/.test(lvsd.output()), () => lvsd.output());
    const restarted = lvsd.output().indexOf('restarting it');
    await until('the new checker reports', () => /starting LVS client monitor/.test(lvsd.output().slice(restarted)), () => lvsd.output());
    // Under emulation a check of the fresh process may miss its 1 s deadline; the next one puts the server back.
    await until('the server is up in the table', async () => real.test(ipvsadm('-Ln')) && (await lvsdStatus(socket)).services[0]?.servers[0]?.health === 'up', () => ipvsadm('-Ln') + lvsd.output());
    assert.equal(lvsd.child.exitCode, null, 'lvsd keeps running');
    lvsd.child.kill('SIGTERM');
    assert.equal(await lvsd.exited, 0);
  });
});
