/**
 * Real servers on loopback, one per behaviour, for the check tests: each binds 127.0.0.1 port 0
 * and tracks its connections so a test can assert that the checker let go of them.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import { repoPath } from '../../../helpers/config.js';

/** LoopbackServer is a listening TCP server and what happened to its connections. */
export interface LoopbackServer {
  readonly port: number;
  /** accepted counts connections; closed counts those that have closed since. */
  readonly stats: { accepted: number; closed: number };
  /** allClosed resolves once every accepted connection has closed. */
  allClosed(): Promise<void>;
  close(): Promise<void>;
}

function track(server: Server, sockets: Set<Socket>): Pick<LoopbackServer, 'stats' | 'allClosed' | 'close'> & { port: () => number } {
  const stats = { accepted: 0, closed: 0 };
  let waiters: (() => void)[] = [];
  server.on('connection', (s: Socket) => {
    stats.accepted++;
    sockets.add(s);
    s.on('error', () => undefined);
    // Read (and drop) whatever the behaviour leaves unread, so that the client's close is seen.
    s.resume();
    s.on('close', () => {
      stats.closed++;
      sockets.delete(s);
      if (stats.closed === stats.accepted) for (const w of waiters.splice(0)) w();
    });
  });
  return {
    stats,
    port: () => {
      const a = server.address();
      return typeof a === 'object' && a !== null ? a.port : 0;
    },
    allClosed: () => (stats.closed === stats.accepted ? Promise.resolve() : new Promise((r) => (waiters = [...waiters, r]))),
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** tcpServer runs `behaviour` on every accepted connection. */
export async function tcpServer(behaviour: (s: Socket) => void): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  const server = createServer(behaviour);
  const t = track(server, sockets);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: t.port(), stats: t.stats, allClosed: t.allClosed, close: t.close };
}

/** closedTcpPort returns a loopback port that nothing listens on (it was bound, then released). */
export async function closedTcpPort(): Promise<number> {
  const s = await tcpServer(() => undefined);
  await s.close();
  return s.port;
}

/** Behaviours are the real-server personalities the tests need. */
export const Behaviours = {
  /** banner writes text on connect and keeps the connection open. */
  banner: (text: string | Buffer) => (s: Socket) => void s.write(text),
  /** bannerAndClose writes text and closes. */
  bannerAndClose: (text: string | Buffer) => (s: Socket) => void s.end(text),
  /** closeAtOnce closes without a byte. */
  closeAtOnce: () => (s: Socket) => void s.end(),
  /** echo writes back what it reads. */
  echo: () => (s: Socket) => void s.on('data', (d) => s.write(d)),
  /** recorder keeps what it reads in `into` and answers `reply` on the first piece. */
  recorder: (into: Buffer[], reply: string) => (s: Socket) =>
    void s.on('data', (d) => {
      into.push(d);
      if (into.length === 1) s.write(reply);
    }),
  /** pieces writes each piece `gapMs` after the previous one. */
  pieces: (pieces: readonly string[], gapMs: number) => (s: Socket) => {
    let i = 0;
    const t = setInterval(() => {
      if (i < pieces.length) s.write(pieces[i++] as string);
      else clearInterval(t);
    }, gapMs);
    s.on('close', () => clearInterval(t));
  },
  /** slowloris writes one byte of `text` (cycling) every `gapMs`, forever. */
  slowloris: (text: string, gapMs: number) => (s: Socket) => {
    let i = 0;
    const t = setInterval(() => s.write(text[i++ % text.length] as string), gapMs);
    s.on('close', () => clearInterval(t));
  },
  /** endless writes 64 KiB blocks of `fill` as fast as the peer takes them, forever. */
  endless: (fill = 'A') => (s: Socket) => {
    const block = Buffer.alloc(64 * 1024, fill);
    const pump = (): void => {
      while (!s.destroyed && s.write(block));
    };
    s.on('drain', pump);
    pump();
  },
  /** silent accepts and never writes. */
  silent: () => () => undefined,
  /** reset sends an RST as soon as it has accepted. */
  reset: () => (s: Socket) => void s.resetAndDestroy(),
  /** resetOnData sends an RST when the first bytes arrive. */
  resetOnData: () => (s: Socket) => void s.once('data', () => s.resetAndDestroy()),
} as const;

/** UdpServer is a bound datagram socket. */
export interface UdpServer {
  readonly port: number;
  readonly received: Buffer[];
  close(): Promise<void>;
}

/** udpServer answers each datagram with `reply(datagram)` (null: no answer). */
export async function udpServer(reply: (d: Buffer) => Buffer | null): Promise<UdpServer> {
  const socket: UdpSocket = createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (d, from) => {
    received.push(d);
    const r = reply(d);
    if (r !== null) socket.send(r, from.port, from.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { port: socket.address().port, received, close: () => new Promise((r) => socket.close(() => r())) };
}

/** closedUdpPort returns a loopback UDP port nothing is bound to, so the kernel answers ICMP port unreachable. */
export async function closedUdpPort(): Promise<number> {
  const s = await udpServer(() => null);
  await s.close();
  return s.port;
}

/** HttpHandler answers one request. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** TLS_CERT is a self-signed certificate for check.test and 127.0.0.1 (valid until 2126). */
export const TLS_CERT = readFileSync(repoPath('test/unit/check/fixtures/tls/cert.pem'), 'utf8');
/** TLS_KEY is TLS_CERT's private key (a test key, used nowhere else). */
export const TLS_KEY = readFileSync(repoPath('test/unit/check/fixtures/tls/key.pem'), 'utf8');

/** httpServer serves `handler` over HTTP, or HTTPS with the test certificate; `sni` collects the server names clients sent. */
export async function httpServer(handler: HttpHandler, tls = false): Promise<LoopbackServer & { sni: (string | false)[] }> {
  const sockets = new Set<Socket>();
  const sni: (string | false)[] = [];
  const server = tls ? createHttpsServer({ cert: TLS_CERT, key: TLS_KEY }, handler) : createHttpServer(handler);
  if (tls) server.on('secureConnection', (s: { servername?: string | false }) => sni.push(s.servername ?? false));
  const t = track(server, sockets);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: t.port(), stats: t.stats, allClosed: t.allClosed, close: t.close, sni };
}

/**
 * stalledListener returns a loopback port whose accept queue is full: a child process listens
 * with backlog 1 and blocks its event loop, and filler connections take the queue. The kernel
 * then drops further SYNs, so a connect hangs: a real "CONNECT timed out" without leaving loopback.
 */
export async function stalledListener(): Promise<{ port: number; close: () => void }> {
  const { spawn } = await import('node:child_process');
  const { connect } = await import('node:net');
  const source = `const s = require('net').createServer();
s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  process.stdout.write(s.address().port + '\\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20000);
});`;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = Number(await new Promise<string>((r) => child.stdout.once('data', (d: Buffer) => r(String(d)))));
  const fillers = Array.from({ length: 4 }, () => connect(port, '127.0.0.1').on('error', () => undefined));
  await new Promise((r) => setTimeout(r, 50));
  return {
    port,
    close: () => {
      for (const f of fillers) f.destroy();
      child.kill('SIGKILL');
    },
  };
}

/**
 * endlessServerProcess runs an endless-banner server (64 KiB blocks as fast as the peer reads)
 * in a child process, so that memory measured in the test process is the checker's alone.
 */
export async function endlessServerProcess(): Promise<{ port: number; close: () => void }> {
  const { spawn } = await import('node:child_process');
  const source = `const block = Buffer.alloc(65536, 'A');
const s = require('net').createServer((c) => {
  c.on('error', () => {});
  const pump = () => { while (!c.destroyed && c.write(block)); };
  c.on('drain', pump);
  pump();
});
s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));`;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = Number(await new Promise<string>((r) => child.stdout.once('data', (d: Buffer) => r(String(d)))));
  return { port, close: () => child.kill('SIGKILL') };
}
