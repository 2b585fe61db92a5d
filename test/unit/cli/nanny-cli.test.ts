/** nanny end to end through its launcher, against servers on loopback, with --test-start (no IPVS needed). */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { repoPath } from '../../helpers/config.js';

const nanny = repoPath('bin/nanny.js');
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

function listen(reply: string | null): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.on('data', () => {
      if (reply === null) socket.destroy();
      else socket.end(reply);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** lines collects a child's stdout lines and lets a test wait for one matching a pattern. */
function lines(child: ChildProcess): { all: string[]; next: (re: RegExp, ms?: number) => Promise<string> } {
  const all: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (l) => {
    all.push(l);
    for (const w of [...waiters]) if (w.re.test(l)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(l);
    }
  });
  return {
    all,
    next: (re, ms = 8000) =>
      new Promise((resolve, reject) => {
        const found = all.find((l) => re.test(l));
        if (found !== undefined) return resolve(found);
        const timer = setTimeout(() => reject(new Error(`no line matching ${re} in ${ms} ms; got:\n${all.join('\n')}`)), ms);
        waiters.push({ re, resolve: (l) => { clearTimeout(timer); resolve(l); } });
      }),
  };
}

describe('nanny', () => {
  it('adds a server that answers, removes it when it stops, and says what ipvsadm would do (--test-start)', async () => {
    const server = await listen('PONG\n');
    const port = (server.address() as AddressInfo).port;
    const child = spawn(process.execPath, [nanny, '-c', '-h', '127.0.0.1', '-p', String(port), '-V', '192.0.2.10', '-t', '1', '-a', '1', '-w', '64', '-s', 'PING\\n', '-x', 'PONG', '--lvs', '--test-start']);
    children.push(child);
    const out = lines(child);
    await out.next(/^nanny: starting LVS client monitor for 192\.0\.2\.10:\d+ -> 127\.0\.0\.1:\d+$/);
    await out.next(/^nanny: \[ active \] making 127\.0\.0\.1:\d+ available$/);
    assert.match(await out.next(/would run: ipvsadm -a/), new RegExp(`^nanny: test-start: would run: ipvsadm -a -t 192\\.0\\.2\\.10:${port} -r 127\\.0\\.0\\.1:${port} -m -w 2$`));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await out.next(/^nanny: \[inactive\] shutting down 127\.0\.0\.1:\d+ due to connection failure$/);
    await out.next(/would run: ipvsadm -d -t 192\.0\.2\.10/);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.ok(out.all.includes('nanny: Terminating due to signal 15'), out.all.join('\n'));
  });

  it('refuses a command line the original refuses, with its words and exit 1', () => {
    const r = spawnSync(process.execPath, [nanny, '-h', '127.0.0.1'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'nanny: unknown service type\n');
    const s = spawnSync(process.execPath, [nanny, '--lvs'], { encoding: 'utf8' });
    assert.equal(s.stderr, "nanny: No address supplied. Use '--help' for help.\n");
    const e = spawnSync(process.execPath, [nanny, '--lvs', '-h', '127.0.0.1', '-x', 'a\\qb'], { encoding: 'utf8' });
    assert.equal(e.status, 1);
    assert.match(e.stderr, /^nanny: .*\\q/);
  });

  it('serves many targets in --multi mode and reports state changes as JSON lines', async () => {
    const up = await listen('PONG\n');
    const down = await listen(null);
    const child = spawn(process.execPath, [nanny, '--multi']);
    children.push(child);
    const out = lines(child);
    await out.next(/"type":"ready"/);
    for (const [id, s] of [['a', up], ['b', down]] as const) {
      const port = String((s.address() as AddressInfo).port);
      child.stdin.write(`${JSON.stringify({ op: 'add', id, options: { server: '127.0.0.1', port, interval: '1', reentrytime: '1', sendString: 'PING\\n', expectString: 'PONG', weight: '1' } })}\n`);
    }
    const change = JSON.parse(await out.next(/"type":"change","id":"a"/)) as { state: string; weight: number };
    assert.deepEqual([change.state, change.weight], ['up', 1]);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.ok(!out.all.some((l) => l.includes('"type":"change","id":"b"')), 'b never comes up');
    child.stdin.end();
    await new Promise((resolve) => child.on('exit', resolve));
    up.close();
    down.close();
  });
});
