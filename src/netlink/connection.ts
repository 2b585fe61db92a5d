/**
 * NetlinkConnection: requests over a datagram socket, replies matched by sequence number.
 * Many requests may be in flight at once (pipelining); multipart dumps are gathered across
 * datagrams until NLMSG_DONE; an interrupted dump (NLM_F_DUMP_INTR) fails with EINTR so the
 * caller can retry; NLMSG_ERROR becomes a NetlinkError naming the operation.
 */
import { constants } from 'node:os';
import { NLM_F, NLMSG } from './constants.js';
import { NetlinkError, NetlinkProtocolError } from './errors.js';
import { decodeError, decodeMessages, encodeMessage, type NetlinkMessage } from './message.js';

/** NetlinkRequest is one request: the operation name is for errors and logs only. */
export interface NetlinkRequest {
  readonly operation: string;
  readonly type: number;
  readonly flags: number;
  readonly payload: Uint8Array;
}

/** NetlinkTransport executes requests and returns their reply messages (without ACK/DONE). */
export interface NetlinkTransport {
  execute(request: NetlinkRequest): Promise<NetlinkMessage[]>;
  close(): void;
}

/** DatagramSocket is the little a connection needs from a netlink socket. */
export interface DatagramSocket {
  readonly portId: number;
  send(datagram: Uint8Array): Promise<void>;
  onDatagram(fn: (datagram: Uint8Array) => void): void;
  onError(fn: (err: Error) => void): void;
  close(): void;
}

/** ConnectionOptions tune a connection. */
export interface ConnectionOptions {
  /** timeoutMs fails a request with ETIMEDOUT when no final answer came in time (default 10 s). */
  readonly timeoutMs?: number;
}

/** ConnectionStats counts what a connection dropped instead of acting on. */
export interface ConnectionStats {
  unmatched: number;
  malformed: number;
}

interface Pending {
  readonly request: NetlinkRequest;
  readonly replies: NetlinkMessage[];
  readonly resolve: (m: NetlinkMessage[]) => void;
  readonly reject: (e: Error) => void;
  /** deadline is set when the request is actually sent (a queued dump has none yet). */
  deadline: number;
  interrupted: boolean;
}

/** MAX_DATAGRAM bounds how many queued requests go out together in one send. */
const MAX_DATAGRAM = 64 * 1024;

/** NetlinkConnection implements NetlinkTransport over a DatagramSocket. */
export class NetlinkConnection implements NetlinkTransport {
  private seq = Math.floor(Math.random() * 0x7fffffff);
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  private readonly timeoutMs: number;
  private outbox: Array<{ seq: number; bytes: Uint8Array }> = [];
  /** The kernel runs one dump per socket at a time (EBUSY otherwise), so dumps wait their turn. */
  private readonly dumpQueue: Array<{ seq: number; bytes: Uint8Array }> = [];
  private dumpInFlight: number | null = null;
  private flushScheduled = false;
  private sweeper: NodeJS.Timeout | null = null;
  /** stats counts datagrams and messages that were dropped. */
  readonly stats: ConnectionStats = { unmatched: 0, malformed: 0 };

  constructor(
    private readonly socket: DatagramSocket,
    options: ConnectionOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    socket.onDatagram((d) => this.receive(d));
    socket.onError((e) => this.failAll(e));
  }

  /**
   * execute sends a request. Requests made in the same tick are sent together in one datagram
   * (the kernel processes every message of a datagram and answers each), so pipelined callers
   * pay one system call per batch rather than per request.
   */
  execute(request: NetlinkRequest): Promise<NetlinkMessage[]> {
    if (this.closed) return Promise.reject(new NetlinkError(request.operation, constants.errno.EBADF, `${request.operation}: the netlink connection is closed`));
    this.seq = (this.seq + 1) >>> 0 || 1;
    const seq = this.seq;
    return new Promise<NetlinkMessage[]>((resolve, reject) => {
      this.pending.set(seq, { request, replies: [], resolve, reject, deadline: Infinity, interrupted: false });
      const bytes = encodeMessage({ type: request.type, flags: request.flags | NLM_F.REQUEST, seq, pid: this.socket.portId, payload: request.payload });
      if ((request.flags & NLM_F.DUMP) === NLM_F.DUMP) {
        if (this.dumpInFlight !== null) {
          this.dumpQueue.push({ seq, bytes });
          return;
        }
        this.dumpInFlight = seq;
      }
      this.send({ seq, bytes });
    });
  }

  private send(item: { seq: number; bytes: Uint8Array }): void {
    const p = this.pending.get(item.seq);
    if (p !== undefined) p.deadline = Date.now() + this.timeoutMs;
    this.outbox.push(item);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    this.sweeper ??= setTimeout(() => this.sweep(), this.timeoutMs);
  }

  private flush(): void {
    this.flushScheduled = false;
    const queued = this.outbox;
    this.outbox = [];
    let i = 0;
    while (i < queued.length) {
      let size = 0;
      let j = i;
      while (j < queued.length && (j === i || size + (queued[j] as { bytes: Uint8Array }).bytes.length <= MAX_DATAGRAM)) size += (queued[j++] as { bytes: Uint8Array }).bytes.length;
      const batch = queued.slice(i, j);
      const datagram = new Uint8Array(size);
      let off = 0;
      for (const q of batch) {
        datagram.set(q.bytes, off);
        off += q.bytes.length;
      }
      this.socket.send(datagram).catch((err: unknown) => {
        for (const q of batch) this.finish(q.seq, err instanceof Error ? err : new Error(String(err)));
      });
      i = j;
    }
  }

  /** sweep fails the requests whose deadline passed; one timer serves them all. */
  private sweep(): void {
    this.sweeper = null;
    const now = Date.now();
    let next = Infinity;
    for (const [seq, p] of this.pending) {
      if (p.deadline === Infinity) continue;
      if (p.deadline <= now) this.finish(seq, new NetlinkError(p.request.operation, constants.errno.ETIMEDOUT, `${p.request.operation}: no answer from the kernel within ${this.timeoutMs} ms`));
      else next = Math.min(next, p.deadline);
    }
    if (next !== Infinity) this.sweeper = setTimeout(() => this.sweep(), Math.max(1, next - now));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new Error('netlink connection closed'));
    this.socket.close();
  }

  private finish(seq: number, result: NetlinkMessage[] | Error): void {
    const p = this.pending.get(seq);
    if (p === undefined) return;
    this.pending.delete(seq);
    if (seq === this.dumpInFlight) {
      this.dumpInFlight = null;
      const next = this.dumpQueue.shift();
      if (next !== undefined) {
        this.dumpInFlight = next.seq;
        this.send(next);
      }
    }
    if (this.pending.size === 0 && this.sweeper !== null) {
      clearTimeout(this.sweeper);
      this.sweeper = null;
    }
    if (result instanceof Error) p.reject(result);
    else p.resolve(result);
  }

  private failAll(err: Error): void {
    for (const [seq, p] of this.pending) {
      const e = err instanceof NetlinkError ? err : new NetlinkError(p.request.operation, (err as NodeJS.ErrnoException).errno !== undefined ? Math.abs((err as NodeJS.ErrnoException).errno as number) : constants.errno.EIO, `${p.request.operation}: ${err.message}`, null, { cause: err });
      this.finish(seq, e);
    }
  }

  private receive(datagram: Uint8Array): void {
    let messages: NetlinkMessage[];
    try {
      messages = decodeMessages(datagram);
    } catch {
      this.stats.malformed++;
      return;
    }
    for (const m of messages) this.dispatch(m);
  }

  private dispatch(m: NetlinkMessage): void {
    const p = this.pending.get(m.seq);
    if (p === undefined) {
      this.stats.unmatched++;
      return;
    }
    const op = p.request.operation;
    const dump = (p.request.flags & NLM_F.DUMP) === NLM_F.DUMP;
    switch (m.type) {
      case NLMSG.NOOP:
        return;
      case NLMSG.ERROR: {
        let e;
        try {
          e = decodeError(m);
        } catch (err) {
          this.finish(m.seq, err as Error);
          return;
        }
        this.finish(m.seq, e.errno === 0 ? p.replies : new NetlinkError(op, e.errno, undefined, e.extAck));
        return;
      }
      case NLMSG.DONE: {
        const status = m.payload.length >= 4 ? new DataView(m.payload.buffer, m.payload.byteOffset).getInt32(0, true) : 0;
        if (status < 0) this.finish(m.seq, new NetlinkError(op, -status));
        else if (p.interrupted) this.finish(m.seq, new NetlinkError(op, constants.errno.EINTR, `${op}: the table changed during the dump (NLM_F_DUMP_INTR)`));
        else this.finish(m.seq, p.replies);
        return;
      }
      case NLMSG.OVERRUN:
        this.finish(m.seq, new NetlinkProtocolError(`${op}: netlink overrun`));
        return;
      default:
        p.replies.push(m);
        if ((m.flags & NLM_F.DUMP_INTR) !== 0) p.interrupted = true;
        if (!dump && (p.request.flags & NLM_F.ACK) === 0) this.finish(m.seq, p.replies);
    }
  }
}
