/**
 * The real netlink socket: the `netlink` package's RawNetlinkSocket (pinned 0.3.0), used only as a
 * datagram transport under our own codec.
 */
import { RawNetlinkSocket } from 'netlink';
import { NetlinkConnection, type ConnectionOptions, type DatagramSocket } from './connection.js';

/** RECV_BUFFER is large so that a burst of pipelined replies is not dropped (ENOBUFS). */
const RECV_BUFFER = 8 * 1024 * 1024;
const SEND_BUFFER = 1024 * 1024;

/**
 * guardListener wraps a listener of a RawNetlinkSocket. The binding turns an exception thrown by
 * a listener into a C++ exception that aborts the process, so a listener must never throw: what
 * it cannot handle is reported on stderr (naming `who` and `what`) and dropped.
 */
export function guardListener<A extends unknown[]>(who: string, what: string, fn: (...args: A) => void): (...args: A) => void {
  return (...args: A): void => {
    try {
      fn(...args);
    } catch (err) {
      process.stderr.write(`${who}: ${what} handler failed: ${(err as Error).stack ?? String(err)}\n`);
    }
  };
}

/** openDatagramSocket opens a netlink socket of a protocol (NETLINK_GENERIC, NETLINK_ROUTE). */
export function openDatagramSocket(protocol: number): DatagramSocket {
  const raw = new RawNetlinkSocket(protocol, { recvBufferSize: RECV_BUFFER, sendBufferSize: SEND_BUFFER });
  return {
    portId: raw.address().port,
    receiveBuffer: raw.getRecvBufferSize(),
    send: (datagram) =>
      new Promise<void>((resolve, reject) => {
        raw.send(datagram, {}, guardListener('netlink', 'send completion', (err?: Error) => (err ? reject(err) : resolve())));
      }),
    onDatagram: (fn) => {
      raw.on('message', guardListener('netlink', 'message', (msg: Buffer) => fn(msg)));
    },
    onError: (fn) => {
      raw.on('error', guardListener('netlink', 'error', (err: Error) => fn(err)));
    },
    close: () => raw.close(),
  };
}

/** openConnection opens a NetlinkConnection of a protocol on a real socket. */
export function openConnection(protocol: number, options: ConnectionOptions = {}): NetlinkConnection {
  return new NetlinkConnection(openDatagramSocket(protocol), options);
}
