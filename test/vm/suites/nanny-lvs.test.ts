/**
 * nanny --lvs against the real IPVS table, inside the VM: it adds its real server when the server
 * answers, removes it (or quiesces it to weight 0 with -q) when it stops, and removes it on SIGTERM.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { after, describe, it } from 'node:test';

const inVm = process.env['LVS_VM_GUEST'] === '1' || existsSync('/proc/net/ip_vs');
const nanny = new URL('../../../../bin/nanny.js', import.meta.url).pathname;
const children: ChildProcess[] = [];
/** servers are closed by the after hook too, so that a failed test cannot keep the process (and the VM run) alive. */
const servers: Server[] = [];

const ipvsadm = (...args: string[]): string => execFileSync('ipvsadm', args, { encoding: 'utf8' });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, test: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}:\n${ipvsadm('-Ln')}`);
    await sleep(250);
  }
}

function answering(): Promise<Server> {
  const server = createServer((s) => {
    s.on('error', () => undefined);
    s.once('data', () => s.end('PONG\n'));
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('nanny --lvs on a real kernel', { skip: inVm ? false : 'runs inside the IPVS VM (test/vm/run)' }, () => {
  after(() => {
    for (const c of children) c.kill('SIGKILL');
    for (const s of servers) s.close();
    ipvsadm('-C');
  });

  for (const quiesce of [false, true])
    it(`keeps its entry in step with the server${quiesce ? ', quiescing with -q' : ''}`, async () => {
      ipvsadm('-C');
      const server = await answering();
      const port = (server.address() as AddressInfo).port;
      ipvsadm('-A', '-t', `192.0.2.80:${port}`, '-s', 'wlc');
      const args = ['-n', '-h', '127.0.0.1', '-p', String(port), '-V', '192.0.2.80', '-t', '1', '-a', '1', '-w', '64', '-s', 'PING\\n', '-x', 'PONG', '--lvs', ...(quiesce ? ['-q'] : [])];
      const child = spawn(process.execPath, [nanny, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      const entry = new RegExp(`-> 127\\.0\\.0\\.1:${port} +Masq +(\\d+) `);
      await until('the server is added at weight 64 >> 5 = 2', () => entry.exec(ipvsadm('-Ln'))?.[1] === '2');
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (quiesce) await until('the entry is quiesced to weight 0', () => entry.exec(ipvsadm('-Ln'))?.[1] === '0');
      else await until('the entry is removed', () => !entry.test(ipvsadm('-Ln')));
      const back = await new Promise<Server>((resolve) => {
        const s = createServer((c) => {
          // nanny ends its checks with RST: a server must expect ECONNRESET.
          c.on('error', () => undefined);
          c.once('data', () => c.end('PONG\n'));
        });
        servers.push(s);
        s.listen(port, '127.0.0.1', () => resolve(s));
      });
      await until('the server returns', () => Number(entry.exec(ipvsadm('-Ln'))?.[1] ?? '0') >= 2);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.doesNotMatch(ipvsadm('-Ln'), entry);
      back.close();
    });
});
