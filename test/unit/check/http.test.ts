/**
 * The HTTP/HTTPS GET check (an lvs-director extension) against real servers on 127.0.0.1:
 * status ranges, body regex, Host and SNI, TLS verification on and off, and hostile servers.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { BODY_LIMIT, httpCheckSpec, type HttpCheckOptions } from '../../../src/check/http-spec.js';
import { runCheck } from '../../../src/check/run.js';
import type { CheckResult } from '../../../src/check/result.js';
import { Behaviours as B, closedTcpPort, httpServer, stalledListener, tcpServer, TLS_CERT, type HttpHandler, type LoopbackServer } from './support/servers.js';

const TIMEOUT = 300;
const SLACK = 250;
const servers: LoopbackServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function web(handler: HttpHandler, tls = false): Promise<Awaited<ReturnType<typeof httpServer>>> {
  const s = await httpServer(handler, tls);
  servers.push(s);
  return s;
}
async function raw(behaviour: Parameters<typeof tcpServer>[0]): Promise<LoopbackServer> {
  const s = await tcpServer(behaviour);
  servers.push(s);
  return s;
}

async function check(o: Partial<HttpCheckOptions> & { port: number }): Promise<CheckResult & { wallMs: number }> {
  const t0 = performance.now();
  const r = await runCheck(httpCheckSpec({ server: '127.0.0.1', timeoutMs: TIMEOUT, ...o }));
  return { ...r, wallMs: performance.now() - t0 };
}

const answer =
  (status: number, body = '', headers: Record<string, string> = {}): HttpHandler =>
  (_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };

describe('HTTP: status and body', () => {
  it('passes a status in the accepted ranges (200-399 by default)', async () => {
    const s = await web(answer(200, 'hello'));
    const r = await check({ port: s.port, path: '/health' });
    assert.deepEqual([r.ok, r.reason], [true, `HTTP GET http://127.0.0.1:${s.port}/health returned status 200`]);
    assert.equal((await check({ port: (await web(answer(302, '', { Location: '/x' }))).port })).ok, true);
  });

  it('fails a status outside them, saying which', async () => {
    const s = await web(answer(503, 'down'));
    const r = await check({ port: s.port });
    assert.deepEqual([r.code, r.reason], ['http-status', `HTTP GET http://127.0.0.1:${s.port}/ returned status 503 (expected 200-399)`]);
    const moved = await web(answer(301));
    assert.equal((await check({ port: moved.port, status: '200-204' })).code, 'http-status');
    assert.equal((await check({ port: s.port, status: '200,503' })).ok, true);
  });

  it('judges the body with a POSIX ERE', async () => {
    const s = await web(answer(200, '{"status":"ok","db":"up"}\n'));
    assert.equal((await check({ port: s.port, bodyRegex: '"db":"(up|ok)"' })).ok, true);
    const r = await check({ port: s.port, bodyRegex: '"db":"down"' });
    assert.deepEqual([r.code, r.reason], ['mismatch', `HTTP GET http://127.0.0.1:${s.port}/: the body does not match "db":"down"`]);
  });

  it('sends the Host header it is told to, else the address and port', async () => {
    const hosts: (string | undefined)[] = [];
    const s = await web((req, res) => {
      hosts.push(req.headers.host);
      res.end();
    });
    await check({ port: s.port });
    await check({ port: s.port, hostHeader: 'www.example.com' });
    assert.deepEqual(hosts, [`127.0.0.1:${s.port}`, 'www.example.com']);
  });
});

describe('HTTPS: SNI and certificate verification', () => {
  it('verifies against a given CA and sends the SNI name', async () => {
    const s = await web(answer(200, 'secure'), true);
    const r = await check({ port: s.port, tls: true, ca: TLS_CERT, hostHeader: 'check.test' });
    assert.equal(r.ok, true, r.reason);
    assert.deepEqual(s.sni, ['check.test']);
  });

  it('verifies an address against the certificate\u2019s IP names, without SNI', async () => {
    const s = await web(answer(200), true);
    const r = await check({ port: s.port, tls: true, ca: TLS_CERT });
    assert.equal(r.ok, true, r.reason);
    assert.deepEqual(s.sni, [false]);
  });

  it('fails a self-signed certificate when verifying against the system roots', async () => {
    const s = await web(answer(200), true);
    const r = await check({ port: s.port, tls: true, servername: 'check.test' });
    assert.equal(r.code, 'tls-failed');
    assert.match(r.reason, /^TLS handshake with 127\.0\.0\.1:\d+ failed: DEPTH_ZERO_SELF_SIGNED_CERT: /);
  });

  it('fails a certificate that does not name the server', async () => {
    const s = await web(answer(200), true);
    const r = await check({ port: s.port, tls: true, ca: TLS_CERT, servername: 'other.test' });
    assert.equal(r.code, 'tls-failed');
    assert.match(r.reason, /ERR_TLS_CERT_ALTNAME_INVALID/);
  });

  it('passes anything with verification off', async () => {
    const s = await web(answer(200), true);
    assert.equal((await check({ port: s.port, tls: true, verifyTls: false, servername: 'other.test' })).ok, true);
  });

  it('a plain HTTP server behind an https check fails the handshake', async () => {
    const s = await web(answer(200));
    const r = await check({ port: s.port, tls: true, verifyTls: false });
    assert.equal(r.code, 'tls-failed');
  });
});

describe('HTTP: hostile servers stay bounded', () => {
  const atDeadline = (r: { wallMs: number; durationMs: number }, t: { diagnostic: (m: string) => void }): void => {
    t.diagnostic(`verdict after ${r.wallMs.toFixed(0)} ms (deadline ${TIMEOUT} ms)`);
    assert.ok(r.durationMs >= TIMEOUT - 1 && r.wallMs < TIMEOUT + SLACK, `took ${r.wallMs.toFixed(0)} ms`);
  };

  it('refused: connect failed, at once', async () => {
    const r = await check({ port: await closedTcpPort() });
    assert.equal(r.code, 'connect-failed');
    assert.match(r.reason, /Connection refused$/);
  });

  it('a full accept queue: CONNECT timed out', async (t) => {
    const stalled = await stalledListener();
    try {
      const r = await check({ port: stalled.port });
      assert.equal(r.code, 'connect-timeout');
      atDeadline(r, t);
    } finally {
      stalled.close();
    }
  });

  it('silent: READ timed out at the deadline', async (t) => {
    const s = await raw(B.silent());
    const r = await check({ port: s.port });
    assert.deepEqual([r.code, r.reason], ['read-timeout', `READ to 127.0.0.1:${s.port} timed out`]);
    atDeadline(r, t);
  });

  it('slowloris headers: READ timed out at the deadline', async (t) => {
    const s = await raw(B.slowloris('HTTP/1.1 200 OK\r\nX-Slow: ', 100));
    const r = await check({ port: s.port });
    assert.equal(r.code, 'read-timeout');
    atDeadline(r, t);
  });

  it('slowloris body: READ timed out at the deadline when the regex needs more', async (t) => {
    const s = await web((_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('z'), 100);
      res.on('close', () => clearInterval(timer));
    });
    const r = await check({ port: s.port, bodyRegex: 'ok' });
    assert.equal(r.code, 'read-timeout');
    atDeadline(r, t);
  });

  it('endless headers: refused past the header limit, fast', async () => {
    const s = await raw((c) => {
      c.write('HTTP/1.1 200 OK\r\n');
      B.endless('X')(c);
    });
    const r = await check({ port: s.port });
    assert.deepEqual([r.code, r.reason], ['http-protocol', `HTTP response from 127.0.0.1:${s.port} is malformed: HPE_HEADER_OVERFLOW`]);
    assert.ok(r.wallMs < TIMEOUT);
  });

  it(`endless body: at most ${BODY_LIMIT} bytes looked at, then judged`, async () => {
    const s = await web((_req, res) => {
      res.writeHead(200);
      const block = Buffer.alloc(16384, 'A');
      const pump = (): void => {
        while (!res.destroyed && res.write(block));
      };
      res.on('drain', pump);
      pump();
    });
    const miss = await check({ port: s.port, bodyRegex: 'B' });
    assert.deepEqual([miss.code, miss.bytesRead], ['mismatch', BODY_LIMIT]);
    assert.ok(miss.wallMs < TIMEOUT);
    const hit = await check({ port: s.port, bodyRegex: 'AAA' });
    assert.ok(hit.ok && hit.bytesRead <= BODY_LIMIT);
    const statusOnly = await check({ port: s.port });
    assert.deepEqual([statusOnly.ok, statusOnly.bytesRead], [true, 0]);
  });

  it('garbage: a malformed response', async () => {
    const s = await raw(B.banner(Buffer.from([0xff, 0x00, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a])));
    const r = await check({ port: s.port });
    assert.equal(r.code, 'http-protocol');
    assert.ok(r.wallMs < TIMEOUT);
  });

  it('RST after the request: READ returned error, connection reset', async () => {
    const s = await raw(B.resetOnData());
    const r = await check({ port: s.port });
    assert.deepEqual([r.code, r.reason], ['read-failed', 'READ returned error 104:Connection reset by peer']);
  });

  it('a close before any answer is not mistaken for a reset', async () => {
    const s = await raw((c) => void c.once('data', () => c.end()));
    const r = await check({ port: s.port });
    assert.deepEqual([r.code, r.reason], ['http-protocol', `HTTP server 127.0.0.1:${s.port} closed the connection without a response`]);
    assert.ok(r.wallMs < TIMEOUT);
  });

  it('a body cut short by a close fails when the body is judged', async () => {
    const s = await raw((c) => void c.once('data', () => c.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort')));
    const r = await check({ port: s.port, bodyRegex: 'never' });
    assert.deepEqual([r.code, r.reason], ['http-protocol', `HTTP response from 127.0.0.1:${s.port} ended before its body was complete`]);
    assert.equal((await check({ port: s.port, bodyRegex: '^sh' })).ok, true);
  });
});
