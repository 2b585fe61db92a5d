/**
 * nanny's TCP check against real servers on 127.0.0.1: every row of the §4.3 table, every
 * expect mode and escape on the wire, and hostile servers with their bounds asserted (time
 * within the deadline plus slack, bytes kept, memory, and the connection let go of).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runCheck } from '../../../src/check/run.js';
import { ProbeTransport } from '../../../src/check/tcp-probe.js';
import { netTransport, type TcpTransport } from '../../../src/check/tcp-transport.js';
import { checkSpecFromOptions, type NannyCheckOptions } from '../../../src/check/spec.js';
import type { CheckResult } from '../../../src/check/result.js';
import { ManualClock } from '../../../src/testing/manual-clock.js';
import { Behaviours as B, closedTcpPort, endlessServerProcess, stalledListener, tcpServer, type LoopbackServer } from './support/servers.js';

/** TIMEOUT is the check deadline used here; SLACK is what a loaded test machine may add to it. */
const TIMEOUT = 300;
const SLACK = 250;

const servers: LoopbackServer[] = [];
async function serve(behaviour: Parameters<typeof tcpServer>[0]): Promise<LoopbackServer> {
  const s = await tcpServer(behaviour);
  servers.push(s);
  return s;
}
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** Every test runs on both transports: the addon's prober (the default) and node:net. */
const transports: TcpTransport[] = [new ProbeTransport(), netTransport];

/** checkVia runs nanny's check with the given options against 127.0.0.1 and measures wall time too. */
async function checkVia(tcpTransport: TcpTransport, o: Partial<NannyCheckOptions>): Promise<CheckResult & { wallMs: number }> {
  const { spec } = checkSpecFromOptions({ server: '127.0.0.1', interval: TIMEOUT / 1000, ...o });
  const t0 = performance.now();
  const r = await runCheck(spec, { tcpTransport });
  return { ...r, wallMs: performance.now() - t0 };
}

/** fast asserts a verdict came well before the deadline. */
function fast(r: { wallMs: number }): void {
  assert.ok(r.wallMs < TIMEOUT - 50, `took ${r.wallMs.toFixed(0)} ms`);
}

/** Diag is the part of a test context that reports measurements. */
type Diag = { diagnostic: (message: string) => void };

/** atDeadline asserts a verdict came at the deadline, not before and not much after, and reports the time. */
function atDeadline(r: { wallMs: number; durationMs: number }, t?: Diag): void {
  t?.diagnostic(`verdict after ${r.wallMs.toFixed(0)} ms (deadline ${TIMEOUT} ms)`);
  assert.ok(r.durationMs >= TIMEOUT - 1 && r.wallMs < TIMEOUT + SLACK, `took ${r.wallMs.toFixed(0)} ms (deadline ${TIMEOUT})`);
}

/** released asserts the server saw every connection closed soon after the verdict. */
async function released(s: LoopbackServer): Promise<void> {
  // A check that ends with RST can finish before the server has even accepted the connection.
  for (let waited = 0; s.stats.accepted === 0 && waited < 1000; waited += 5) await new Promise((r) => setTimeout(r, 5));
  const timer = new Promise<string>((r) => setTimeout(() => r('still open'), 1000).unref());
  assert.equal(await Promise.race([s.allClosed().then(() => 'closed'), timer]), 'closed');
  assert.ok(s.stats.accepted > 0);
}

for (const tcpTransport of transports) {
  describe(`on the ${tcpTransport.name} transport`, () => {
  const check = (o: Partial<NannyCheckOptions>): Promise<CheckResult & { wallMs: number }> => checkVia(tcpTransport, o);

    describe('TCP: the §4.3 table', () => {
      it('virtual port 80, nothing configured: sends GET / HTTP/1.0 and expects HTTP', async () => {
        const got: Buffer[] = [];
        const s = await serve(B.recorder(got, 'HTTP/1.1 200 OK\r\n\r\n'));
        const r = await check({ port: 80, rport: s.port });
        assert.deepEqual([r.ok, r.code], [true, 'ok']);
        assert.equal(Buffer.concat(got).toString(), 'GET / HTTP/1.0\r\n\r\n');
      });

      it('the HTTP default fails a server that does not speak HTTP', async () => {
        const s = await serve(B.recorder([], 'SSH-2.0-OpenSSH\r\n'));
        const r = await check({ port: 80, rport: s.port });
        assert.deepEqual([r.code, r.reason], ['mismatch', `Trouble. Received results are not what we expected from (127.0.0.1:${s.port})`]);
      });

      it('no send, no expect, another port: a connect is enough, even to a silent server', async () => {
        const s = await serve(B.silent());
        const r = await check({ port: s.port });
        assert.deepEqual([r.ok, r.bytesRead], [true, 0]);
        fast(r);
        await released(s);
      });

      it('connect only, nothing listening: down, with nanny\u2019s (verbose) text', async () => {
        const port = await closedTcpPort();
        const r = await check({ port });
        assert.deepEqual([r.code, r.reason], ['connect-failed', `Failed to connect 127.0.0.1:${port} ping socket: Connection refused`]);
        fast(r);
      });

      it('send only: writes the string, reads nothing, passes', async () => {
        const got: Buffer[] = [];
        const s = await serve(B.recorder(got, ''));
        const r = await check({ port: s.port, sendString: 'PING\\r\\n' });
        assert.equal(r.ok, true);
        await released(s);
        assert.equal(Buffer.concat(got).toString(), 'PING\r\n');
      });

      it('expect only: a banner check', async () => {
        const s = await serve(B.banner('220 mail.example.com ESMTP\r\n'));
        assert.equal((await check({ port: s.port, expectString: '220' })).ok, true);
        const r = await check({ port: s.port, expectString: '554' });
        assert.equal(r.code, 'mismatch');
        fast(r);
      });

      it('send and expect: write, then judge the answer', async () => {
        const s = await serve(B.echo());
        assert.equal((await check({ port: s.port, sendString: 'HELO x\\r\\n', expectString: 'HELO' })).ok, true);
        assert.equal((await check({ port: s.port, sendString: 'HELO x\\r\\n', expectString: 'EHLO' })).code, 'mismatch');
      });
    });

    describe('TCP: expect modes on the wire', () => {
      it('prefix: a reply shorter than the expect string and then closed is too short, in nanny\u2019s words', async () => {
        const s = await serve(B.bannerAndClose('22'));
        const r = await check({ port: s.port, expectString: '220 ' });
        assert.deepEqual([r.code, r.reason], ['read-short', `READ from 127.0.0.1:${s.port} was too short[2>=4]`]);
      });

      it('prefix: a reply split across segments passes (nanny\u2019s single read failed it)', async () => {
        const s = await serve(B.pieces(['HT', 'TP/1.0 200 OK\r\n'], 30));
        const r = await check({ port: s.port, expectString: 'HTTP/1.0 200' });
        assert.equal(r.ok, true, r.reason);
      });

      it('"*": any byte passes', async () => {
        const s = await serve(B.banner('x'));
        assert.equal((await check({ port: s.port, expectString: '*' })).ok, true);
      });

      it('"*": a close without a byte passes too (nanny\u2019s quirk, kept)', async () => {
        const s = await serve(B.closeAtOnce());
        const r = await check({ port: s.port, expectString: '*' });
        assert.deepEqual([r.ok, r.bytesRead], [true, 0]);
      });

      it('"*": silence until the deadline fails', async (t) => {
        const s = await serve(B.silent());
        const r = await check({ port: s.port, expectString: '*' });
        assert.deepEqual([r.code, r.reason], ['read-timeout', `READ to 127.0.0.1:${s.port} timed out`]);
        atDeadline(r, t);
      });

      it('a prefix check on a close without data is too short [0>=n]', async () => {
        const s = await serve(B.closeAtOnce());
        const r = await check({ port: s.port, expectString: '220' });
        assert.equal(r.reason, `READ from 127.0.0.1:${s.port} was too short[0>=3]`);
      });

      it('regex: matches anywhere; a mismatch fails', async () => {
        const s = await serve(B.banner('220 mail.example.com ESMTP Postfix\r\n'));
        assert.equal((await check({ port: s.port, expectString: 'ESMTP (Postfix|Exim)', regex: true })).ok, true);
        assert.equal((await check({ port: s.port, expectString: '^220 [a-z]+\\\\.example\\\\.com', regex: true })).ok, true);
        const r = await check({ port: s.port, expectString: '^554', regex: true });
        assert.equal(r.code, 'mismatch');
      });

      it('regex: a reply split across segments is read on until it matches', async () => {
        const s = await serve(B.pieces(['2', '20 ready\r\n'], 30));
        assert.equal((await check({ port: s.port, expectString: '^220 ready', regex: true })).ok, true);
      });

      it('regex: `$` holds where the reply read so far ends, as in nanny', async () => {
        const s = await serve(B.banner('OK'));
        assert.equal((await check({ port: s.port, expectString: '^OK$', regex: true })).ok, true);
      });
    });

    describe('TCP: escapes on the wire', () => {
      it('sends \\\\ \\r \\n \\t \\\' \\" as the bytes they mean, and expects them likewise', async () => {
        const got: Buffer[] = [];
        const s = await serve(B.recorder(got, 'a\\b\r\nc\td\'e"f'));
        const escaped = 'a\\\\b\\r\\nc\\td\\\'e\\"f';
        const r = await check({ port: s.port, sendString: escaped, expectString: escaped });
        assert.equal(r.ok, true, r.reason);
        assert.equal(Buffer.concat(got).toString(), 'a\\b\r\nc\td\'e"f');
      });

      it('with --suppress the backslashes go out as written', async () => {
        const got: Buffer[] = [];
        const s = await serve(B.recorder(got, 'ok'));
        await check({ port: s.port, sendString: 'a\\r\\n', expectString: 'ok', suppress: true });
        assert.equal(Buffer.concat(got).toString(), 'a\\r\\n');
      });
    });

    describe('TCP: hostile servers stay bounded', () => {
      it('a full accept queue (SYNs dropped): CONNECT timed out at the deadline', async (t) => {
        const stalled = await stalledListener();
        try {
          const r = await check({ port: stalled.port, expectString: '*' });
          assert.deepEqual([r.code, r.reason], ['connect-timeout', `CONNECT to 127.0.0.1:${stalled.port} timed out`]);
          atDeadline(r, t);
        } finally {
          stalled.close();
        }
      });

      it('silent (accepts, says nothing): READ timed out at the deadline, connection closed', async (t) => {
        const s = await serve(B.silent());
        const r = await check({ port: s.port, sendString: 'GET / HTTP/1.0\\r\\n\\r\\n', expectString: 'HTTP' });
        assert.deepEqual([r.code, r.reason], ['read-timeout', `READ to 127.0.0.1:${s.port} timed out`]);
        atDeadline(r, t);
        await released(s);
      });

      it('slowloris (a byte every 100 ms, forever): too short at the deadline, connection closed', async (t) => {
        const s = await serve(B.slowloris('220 mail.example.com ESMTP', 100));
        const r = await check({ port: s.port, expectString: '220 mail.example.com' });
        assert.equal(r.code, 'read-short');
        assert.match(r.reason, /^READ from 127\.0\.0\.1:\d+ was too short\[[1-3]>=20\]$/);
        atDeadline(r, t);
        await released(s);
      });

      it('slowloris against a regex that never matches: fails at the deadline', async (t) => {
        const s = await serve(B.slowloris('zzzz', 100));
        const r = await check({ port: s.port, expectString: '220', regex: true });
        assert.equal(r.code, 'mismatch');
        atDeadline(r, t);
        await released(s);
      });

      it('slowloris against a ^-anchored regex: fails on the first wrong byte, as nanny did', async () => {
        const s = await serve(B.slowloris('zzzz', 100));
        const r = await check({ port: s.port, expectString: '^220', regex: true });
        assert.deepEqual([r.code, r.bytesRead], ['mismatch', 1]);
        fast(r);
        await released(s);
      });

      it('slowloris still passes "*" on its first byte', async () => {
        const s = await serve(B.slowloris('x', 100));
        const r = await check({ port: s.port, expectString: '*' });
        assert.equal(r.ok, true);
        fast(r);
      });

      it('endless banner: judged on its first bytes, at most the read bound kept, connection closed', async () => {
        const s = await serve(B.endless('A'));
        const prefix = await check({ port: s.port, expectString: 'HTTP' });
        assert.deepEqual([prefix.code, prefix.bytesRead], ['mismatch', 4]);
        const regex = await check({ port: s.port, expectString: 'never', regex: true });
        assert.deepEqual([regex.code, regex.bytesRead], ['mismatch', 254]);
        fast(regex);
        await released(s);
      });

      it('endless banner (in another process): each check allocates under 1 MiB and nothing stays', async (t) => {
        const server = await endlessServerProcess();
        try {
          const gc = exposeGc();
          const growth = (from: NodeJS.MemoryUsage, to: NodeJS.MemoryUsage): number => to.arrayBuffers - from.arrayBuffers + (to.heapUsed - from.heapUsed);
          gc();
          const start = process.memoryUsage();
          let worst = 0;
          for (let i = 0; i < 100; i++) {
            gc();
            const before = process.memoryUsage();
            const r = await check({ port: server.port, expectString: 'x*y', regex: true });
            worst = Math.max(worst, growth(before, process.memoryUsage()));
            assert.deepEqual([r.code, r.bytesRead], ['mismatch', 254]);
          }
          gc();
          gc();
          const kept = growth(start, process.memoryUsage());
          const mib = (n: number): string => (n / 1048576).toFixed(2);
          t.diagnostic(`memory: at most ${mib(worst)} MiB allocated by one check, ${mib(kept)} MiB kept after 100 checks`);
          assert.ok(worst < 1024 * 1024, `one check allocated ${mib(worst)} MiB`);
          assert.ok(kept < 1024 * 1024, `kept ${mib(kept)} MiB`);
        } finally {
          server.close();
        }
      });

      it('garbage: a mismatch at once', async () => {
        const s = await serve(B.banner(Buffer.from([0xff, 0x00, 0xfe, 0x13, 0x37, 0x00, 0x80])));
        const plain = await check({ port: s.port, expectString: '220' });
        assert.equal(plain.code, 'mismatch');
        const re = await check({ port: s.port, expectString: '^220', regex: true });
        assert.equal(re.code, 'mismatch');
        fast(re);
      });

      it('RST after our request: READ returned error, in nanny\u2019s words', async () => {
        const s = await serve(B.resetOnData());
        const r = await check({ port: s.port, sendString: 'hello', expectString: 'HTTP' });
        assert.deepEqual([r.code, r.reason], ['read-failed', 'READ returned error 104:Connection reset by peer']);
        fast(r);
      });

      it('RST as soon as accepted: down, connection reset', async () => {
        const s = await serve(B.reset());
        const r = await check({ port: s.port, expectString: '220' });
        assert.equal(r.ok, false);
        assert.ok(r.code === 'connect-failed' || r.code === 'read-failed', r.code);
        assert.match(r.reason, /Connection reset by peer$/);
        fast(r);
      });
    });

    describe('TCP: deadline and cancellation on an injected clock (no waiting)', () => {
      let silent: LoopbackServer;
      before(async () => {
        silent = await serve(B.silent());
      });

      it('the deadline firing during connect says CONNECT timed out', async () => {
        const stalled = await stalledListener();
        try {
          const clock = new ManualClock();
          const { spec } = checkSpecFromOptions({ server: '127.0.0.1', port: stalled.port, expectString: '*', interval: 10 });
          const result = runCheck(spec, { clock, tcpTransport });
          await clock.advance(10_000);
          const r = await result;
          assert.deepEqual([r.code, r.durationMs], ['connect-timeout', 10_000]);
          assert.equal(clock.pending(), 0);
        } finally {
          stalled.close();
        }
      });

      it('the deadline firing while reading says READ timed out, whatever the interval', async () => {
        const clock = new ManualClock();
        const { spec } = checkSpecFromOptions({ server: '127.0.0.1', port: silent.port, expectString: '*', interval: 3600 });
        const accepted = silent.stats.accepted;
        const result = runCheck(spec, { clock, tcpTransport });
        while (silent.stats.accepted === accepted) await new Promise((r) => setImmediate(r));
        await clock.advance(3_600_000);
        const r = await result;
        assert.deepEqual([r.code, r.durationMs], ['read-timeout', 3_600_000]);
        await released(silent);
      });

      it('an abort settles the check as aborted and closes the connection', async () => {
        const clock = new ManualClock();
        const ac = new AbortController();
        const { spec } = checkSpecFromOptions({ server: '127.0.0.1', port: silent.port, expectString: '*' });
        const result = runCheck(spec, { clock, signal: ac.signal, tcpTransport });
        ac.abort();
        const r = await result;
        assert.deepEqual([r.ok, r.code, r.reason], [false, 'aborted', 'check aborted']);
        assert.equal(clock.pending(), 0);
      });

      it('an already aborted signal settles at once', async () => {
        const { spec } = checkSpecFromOptions({ server: '127.0.0.1', port: silent.port });
        const r = await runCheck(spec, { signal: AbortSignal.abort(), tcpTransport });
        assert.equal(r.code, 'aborted');
      });
    });
  });
  }

  /** exposeGc returns the garbage collector without a command-line flag. */
  function exposeGc(): () => void {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
}
