/**
 * TcpTransport: the socket work under nanny's TCP check (tcp.ts), apart from judging. A
 * connection connects, writes the send string once, and reads at most `readMax` bytes, telling
 * its handlers each step. Two implementations give the same events: netTransport on
 * node:net, and the probe transport (tcp-probe.ts) on the addon's epoll prober, which costs
 * far less CPU per check when thousands run a second.
 */
import { connect } from 'node:net';

/** TcpHandlers receive a connection's steps, in this order; `error` may come at any step and ends it. */
export interface TcpHandlers {
  connected(): void;
  /** written: the send string is in the kernel (at once after `connected` when there is none). */
  written(): void;
  /** data: reply bytes, valid only during the call (the judge keeps no copy). */
  data(chunk: Uint8Array): void;
  /** end: the peer closed its side. */
  end(): void;
  /** error: `code` is the errno name ('ECONNREFUSED'). */
  error(err: { readonly code: string }): void;
}

/** TcpConnection is an open check connection; close it once the check has its verdict. */
export interface TcpConnection {
  close(): void;
}

/** TcpTransport opens check connections. */
export interface TcpTransport {
  readonly name: string;
  open(host: string, port: number, send: Uint8Array | null, readMax: number, handlers: TcpHandlers): TcpConnection;
}

/** netTransport runs each check on a net.Socket: portable, and needing no addon. */
export const netTransport: TcpTransport = {
  name: 'net',
  open(host, port, send, readMax, h) {
    const socket = connect({ host, port, noDelay: true });
    let read = 0;
    socket.on('connect', () => {
      h.connected();
      if (send === null) return h.written();
      socket.write(send, (err) => {
        if (err === null || err === undefined) h.written();
      });
    });
    socket.on('data', (chunk: Buffer) => {
      if (read >= readMax) return;
      const piece = chunk.subarray(0, readMax - read);
      read += piece.length;
      h.data(piece);
    });
    socket.on('end', () => h.end());
    socket.on('error', (err: NodeJS.ErrnoException) => h.error({ code: err.code ?? 'EIO' }));
    return { close: () => socket.destroy() };
  },
};
