/**
 * lvsd against the real IPVS table, inside the VM: real servers are small TCP servers on
 * 127.0.0.1; lvsd programs the service, adds servers its checkers find up, uses the sorry server
 * while none is, reloads on SIGHUP as a diff, keeps running on an invalid reload, and removes its
 * service on SIGTERM.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const inVm = process.env['LVS_VM_GUEST'] === '1' || existsSync('/proc/net/ip_vs');
const lvsd = new URL('../../../../bin/lvsd.js', import.meta.url).pathname;
const children: ChildProcess[] = [];
const ipvsadm = (...args: string[]): string => execFileSync('ipvsadm', args, { encoding: 'utf8' });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, test: (table: string) => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const table = ipvsadm('-Ln');
    if (test(table)) return;
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}:\n${table}`);
    await sleep(250);
  }
}

function answering(port = 0): Promise<Server> {
  const server = createServer((s) => {
    s.on('error', () => undefined);
    s.once('data', () => s.end('PONG\n'));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

const config = (port: number, scheduler: string): string => `primary = 192.0.2.1
network = nat
virtual web {
     active = 1
     address = 192.0.2.90 eth0:1
     port = ${port}
     send = "PING\\n"
     expect = "PONG"
     scheduler = ${scheduler}
     timeout = 1
     reentry = 1
     sorry_server = 127.0.0.2
     server a {
         address = 127.0.0.1
         active = 1
         weight = 1
     }
}
`;

describe('lvsd on a real kernel', { skip: inVm ? false : 'runs inside the IPVS VM (test/vm/run)' }, () => {
  after(() => {
    for (const c of children) c.kill('SIGKILL');
    ipvsadm('-C');
  });

  it('programs, follows its checkers, reloads on SIGHUP and cleans up on SIGTERM', async () => {
    ipvsadm('-C');
    const server = await answering();
    const port = (server.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-'));
    const file = join(dir, 'lvs.cf');
    writeFileSync(file, config(port, 'wlc'));
    const child = spawn(process.execPath, [lvsd, '-c', file, '--pidfile', join(dir, 'lvs.pid'), '--checkers', '1'], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    children.push(child);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const ready = new Promise((resolve) => child.on('message', (m: { type?: string }) => m.type === 'ready' && resolve(true)));
    assert.equal(await Promise.race([ready, sleep(60_000).then(() => false)]), true, `no readiness message:\n${out}`);
    const service = new RegExp(`TCP  192\\.0\\.2\\.90:${port} (\\w+)`);
    const real = new RegExp(`-> 127\\.0\\.0\\.1:${port} +Masq`);
    const sorry = new RegExp(`-> 127\\.0\\.0\\.2:${port} +Masq`);
    await until('the real server is added and the sorry server gone', (t) => real.test(t) && !sorry.test(t));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await until('the sorry server replaces the failed real server', (t) => sorry.test(t) && !real.test(t));
    const back = await answering(port);
    await until('the real server returns', (t) => real.test(t) && !sorry.test(t));

    writeFileSync(file, config(port, 'rr'));
    child.kill('SIGHUP');
    await until('the scheduler is changed in place', (t) => service.exec(t)?.[1] === 'rr' && real.test(t));
    writeFileSync(file, 'primary = 192.0.2.1\nkeepalive six\n');
    child.kill('SIGHUP');
    await sleep(3000);
    assert.match(out, /configuration not reloaded: the running one is kept/);
    assert.ok(real.test(ipvsadm('-Ln')));

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.doesNotMatch(ipvsadm('-Ln'), service);
    assert.match(out, /create_monitor for web\/a/);
    assert.match(out, /shutting down due to signal 15/);
    assert.ok(!existsSync(join(dir, 'lvs.pid')));
    back.close();
  });
});
