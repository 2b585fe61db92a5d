/**
 * The status socket: a unix stream socket (mode 0600) where every connection gets one JSON
 * status document and is then closed; and its client, what `lvsd --status` runs. A socket file
 * left by an lvsd that crashed is replaced; one another lvsd still answers on is not, and
 * neither is a path that is not a socket.
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { LvsdError } from './errors.js';

/** DEFAULT_STATUS_SOCKET is where lvsd serves its status unless told otherwise. */
export const DEFAULT_STATUS_SOCKET = '/var/run/lvsd.sock';

/** A client gets this long to take its document before the connection is dropped. */
const CONNECTION_TIMEOUT_MS = 60_000;

/** StatusSocket is a listening status socket. */
export interface StatusSocket {
  readonly path: string;
  /** close stops listening and removes the socket file (if it is still the one made here). */
  close(): Promise<void>;
}

function errno(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? '';
}

/** answers tells whether something accepts connections on a unix socket path. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

async function clearStale(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (e) {
    if (errno(e) === 'ENOENT') return;
    throw new LvsdError('STATUS_SOCKET_LISTEN', 'serve status', `cannot serve status on ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (!isSocket) throw new LvsdError('STATUS_SOCKET_NOT_SOCKET', 'serve status', `cannot serve status on ${path}: it exists and is not a socket (give another --status-socket)`);
  if (await answers(path)) throw new LvsdError('STATUS_SOCKET_BUSY', 'serve status', `cannot serve status on ${path}: another lvsd answers there (stop it first, or give another --status-socket)`);
  try {
    unlinkSync(path);
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw new LvsdError('STATUS_SOCKET_LISTEN', 'serve status', `cannot remove the stale socket ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** serveStatusSocket listens on `path` and answers each connection with `produce()`'s text. */
export async function serveStatusSocket(path: string, produce: () => Promise<string>): Promise<StatusSocket> {
  await clearStale(path);
  const server: Server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.setTimeout(CONNECTION_TIMEOUT_MS, () => socket.destroy());
    socket.resume();
    produce().then(
      (text) => socket.end(text.endsWith('\n') ? text : `${text}\n`),
      (e: unknown) => socket.end(`${JSON.stringify({ version: 1, error: e instanceof Error ? e.message : String(e) })}\n`),
    );
  });
  server.maxConnections = 64;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new LvsdError('STATUS_SOCKET_LISTEN', 'serve status', `cannot serve status on ${path}: ${e.message}`, { cause: e })));
    // The socket is made by bind() inside listen(): with this umask it is never readable by others, not even for a moment.
    const umask = process.umask(0o177);
    try {
      server.listen(path, resolve);
    } finally {
      process.umask(umask);
    }
  });
  chmodSync(path, 0o600);
  const ino = lstatSync(path).ino;
  return {
    path,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      try {
        if (lstatSync(path).ino === ino) unlinkSync(path);
      } catch {
        // Already gone.
      }
    },
  };
}

const WHY: Readonly<Record<string, string>> = {
  ENOENT: 'there is no such socket',
  ECONNREFUSED: 'nothing answers on it (a socket left by an lvsd that stopped)',
  EACCES: 'permission denied (the socket is mode 0600: ask as its owner, usually root)',
  ENOTSOCK: 'it is not a socket',
};

/** readStatusSocket fetches one status document from a running lvsd; it rejects with a STATUS_UNAVAILABLE LvsdError saying why not. */
export function readStatusSocket(path: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = createConnection(path);
    const fail = (why: string, cause?: unknown): void => {
      socket.destroy();
      reject(new LvsdError('STATUS_UNAVAILABLE', 'read status', `no status from lvsd at ${path}: ${why}; is lvsd running (with this --status-socket)?`, { cause }));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs / 1000} s`));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('end', () => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    socket.once('error', (e) => fail(WHY[errno(e)] ?? e.message, e));
  });
}
