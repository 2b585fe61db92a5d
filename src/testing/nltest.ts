/**
 * Fakes for netlink tests, in the style of mdlayher/netlink's nltest: a kernel is a function
 * from one request message to its reply messages; fakeSocket turns it into a DatagramSocket so
 * the real NetlinkConnection (sequencing, multipart, errors) runs on top of it.
 */
import { NetlinkConnection, type ConnectionOptions, type DatagramSocket } from '../netlink/connection.js';
import { NLM_F, NLMSG } from '../netlink/constants.js';
import { decodeMessages, encodeError, encodeMessage, type NetlinkMessage } from '../netlink/message.js';

/** NetlinkFunc is a fake kernel: the replies to one request, in order. */
export type NetlinkFunc = (request: NetlinkMessage) => NetlinkMessage[] | Promise<NetlinkMessage[]>;

/** FakeSocketOptions shape how replies are packed into datagrams. */
export interface FakeSocketOptions {
  /** messagesPerDatagram packs at most this many reply messages per datagram (default: all in one). */
  readonly messagesPerDatagram?: number;
  readonly portId?: number;
}

/** FakeSocket is a DatagramSocket backed by a NetlinkFunc, recording the requests it got. */
export interface FakeSocket extends DatagramSocket {
  readonly requests: NetlinkMessage[];
  /** inject delivers raw bytes as if the kernel had sent them. */
  inject(datagram: Uint8Array): void;
}

/** fakeSocket makes a DatagramSocket whose kernel is `fn`. */
export function fakeSocket(fn: NetlinkFunc, options: FakeSocketOptions = {}): FakeSocket {
  const listeners: Array<(d: Uint8Array) => void> = [];
  const errorListeners: Array<(e: Error) => void> = [];
  const requests: NetlinkMessage[] = [];
  const perDatagram = options.messagesPerDatagram ?? Infinity;
  const deliver = (d: Uint8Array): void => {
    for (const l of listeners) l(d);
  };
  const socket: FakeSocket = {
    portId: options.portId ?? 4242,
    requests,
    inject: deliver,
    async send(datagram) {
      // Each request of a datagram is answered on its own, so a slow answer does not hold the others.
      await Promise.all(decodeMessages(datagram).map((request) => answer(request)));
    },
    onDatagram: (fn2) => listeners.push(fn2),
    onError: (fn2) => errorListeners.push(fn2),
    close: () => {
      listeners.length = 0;
    },
  };

  return socket;

  async function answer(request: NetlinkMessage): Promise<void> {
    requests.push(request);
    const replies = await fn(request);
    // Deliver asynchronously, like a socket, and in datagrams of the configured size.
    setImmediate(() => {
      const step = perDatagram === Infinity ? Math.max(1, replies.length) : perDatagram;
      for (let i = 0; i < replies.length; i += step) deliver(concat(replies.slice(i, i + step).map(encodeMessage)));
    });
  }
}

/** dial makes a real NetlinkConnection over a fake kernel. */
export function dial(fn: NetlinkFunc, options: FakeSocketOptions & ConnectionOptions = {}): { connection: NetlinkConnection; socket: FakeSocket } {
  const socket = fakeSocket(fn, options);
  return { connection: new NetlinkConnection(socket, options), socket };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** reply builds a message answering `request` (same seq and port). */
export function reply(request: NetlinkMessage, payload: Uint8Array, type = request.type, flags = 0): NetlinkMessage {
  return { type, flags, seq: request.seq, pid: request.pid, payload };
}

/** ack is the NLMSG_ERROR with error 0 that acknowledges `request`. */
export function ack(request: NetlinkMessage): NetlinkMessage {
  return errno(request, 0);
}

/** errno is the NLMSG_ERROR refusing `request` with a (positive) errno and optional extended-ACK text. */
export function errno(request: NetlinkMessage, n: number, extAck?: string): NetlinkMessage {
  const e = encodeError(n, request, extAck);
  return reply(request, e.payload, NLMSG.ERROR, e.flags);
}

/** done ends a dump. */
export function done(request: NetlinkMessage): NetlinkMessage {
  return reply(request, new Uint8Array(4), NLMSG.DONE, NLM_F.MULTI);
}

/** multipart answers a dump: each payload as an NLM_F_MULTI message, then NLMSG_DONE. */
export function multipart(request: NetlinkMessage, payloads: readonly Uint8Array[], type = request.type): NetlinkMessage[] {
  return [...payloads.map((p) => reply(request, p, type, NLM_F.MULTI)), done(request)];
}
