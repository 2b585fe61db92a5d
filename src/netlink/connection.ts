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
  /** timeoutMs overrides the connection's timeout for this request (slow kernel operations). */
  readonly timeoutMs?: number;
}

/** NetlinkTransport executes requests and returns their reply messages (without ACK/DONE). */
export interface NetlinkTransport {
  execute(request: NetlinkRequest): Promise<NetlinkMessage[]>;
  close(): void;
}

/** DatagramSocket is the little a connection needs from a netlink socket. */
export interface DatagramSocket {
  readonly portId: number;
  /** receiveBuffer is the socket's receive buffer in bytes, when known (it bounds requests in flight). */
  readonly receiveBuffer?: number;
  send(datagram: Uint8Array): Promise<void>;
  onDatagram(fn: (datagram: Uint8Array) => void): void;
  onError(fn: (err: Error) => void): void;
  close(): void;
}

/** ConnectionOptions tune a connection. */
export interface ConnectionOptions {
  /** timeoutMs fails a request with ETIMEDOUT when no final answer came in time after sending (default 10 s). */
  readonly timeoutMs?: number;
  /** maxInFlight bounds requests sent and not yet answered (default: what the receive buffer holds). */
  readonly maxInFlight?: number;
}

/** ConnectionStats counts what a connection dropped instead of acting on. */
export interface ConnectionStats {
  unmatched: number;
  malformed: number;
}

interface Pending {
  readonly request: NetlinkRequest;
  readonly bytes: Uint8Array;
  readonly dump: boolean;
  readonly replies: NetlinkMessage[];
  readonly resolve: (m: NetlinkMessage[]) => void;
  readonly reject: (e: Error) => void;
  /** deadline is set when the request is sent; a queued one has none yet. */
  deadline: number;
  sent: boolean;
  interrupted: boolean;
  /** covered lists earlier requests of the same datagram whose ACK this request's answer stands for. */
  covered: number[];
}

/** MAX_DATAGRAM bounds how many queued requests go out together in one send. */
const MAX_DATAGRAM = 64 * 1024;
/**
 * ACK_COST is what one queued reply costs in the receive buffer (skb truesize, not the 36 bytes
 * of an ACK): past rcvbuf / ACK_COST answers in flight the kernel drops them with ENOBUFS.
 */
const ACK_COST = 1024;

/** NetlinkConnection implements NetlinkTransport over a DatagramSocket. */
export class NetlinkConnection implements NetlinkTransport {
  private seq = Math.floor(Math.random() * 0x7fffffff);
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;
  private inFlight = 0;
  /** requests and dumps not sent yet, each in order (a queue with a moving head: O(1) per request). */
  private readonly waiting = { requests: new Queue<number>(), dumps: new Queue<number>() };
  private dumpRunning = false;
  private outbox: Uint8Array[] = [];
  private outboxSeqs: number[] = [];
  private flushScheduled = false;
  private sweeper: NodeJS.Timeout | null = null;
  /** stats counts datagrams and messages that were dropped. */
  readonly stats: ConnectionStats = { unmatched: 0, malformed: 0 };

  constructor(
    private readonly socket: DatagramSocket,
    options: ConnectionOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxInFlight = options.maxInFlight ?? Math.max(16, Math.floor((socket.receiveBuffer ?? 256 * ACK_COST) / ACK_COST));
    socket.onDatagram((d) => this.receive(d));
    socket.onError((e) => this.failAll(e));
  }

  /**
   * execute sends a request. Requests made in the same tick go out together in one datagram (the
   * kernel processes every message of a datagram and answers each); at most maxInFlight are
   * unanswered at once, and the kernel's one-dump-per-socket rule is kept.
   */
  execute(request: NetlinkRequest): Promise<NetlinkMessage[]> {
    if (this.closed) return Promise.reject(new NetlinkError(request.operation, constants.errno.EBADF, `${request.operation}: the netlink connection is closed`));
    this.seq = (this.seq + 1) >>> 0 || 1;
    const seq = this.seq;
    const bytes = encodeMessage({ type: request.type, flags: request.flags | NLM_F.REQUEST, seq, pid: this.socket.portId, payload: request.payload });
    return new Promise<NetlinkMessage[]>((resolve, reject) => {
      const dump = (request.flags & NLM_F.DUMP) === NLM_F.DUMP;
      this.pending.set(seq, { request, bytes, dump, replies: [], resolve, reject, deadline: Infinity, sent: false, interrupted: false, covered: [] });
      (dump ? this.waiting.dumps : this.waiting.requests).push(seq);
      this.pump();
    });
  }

  /** pump sends waiting requests while there is room, and the next dump once none is running. */
  private pump(): void {
    while (this.inFlight < this.maxInFlight) {
      let seq = this.waiting.requests.shift();
      if (seq === undefined && !this.dumpRunning) seq = this.waiting.dumps.shift();
      if (seq === undefined) break;
      const p = this.pending.get(seq);
      if (p === undefined) continue;
      if (p.dump) this.dumpRunning = true;
      p.sent = true;
      p.deadline = Date.now() + (p.request.timeoutMs ?? this.timeoutMs);
      this.inFlight++;
      this.outbox.push(p.bytes);
      this.outboxSeqs.push(seq);
    }
    if (this.outbox.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    if (this.inFlight > 0) this.sweeper ??= setTimeout(() => this.sweep(), this.timeoutMs);
  }

  /**
   * flush sends the queued requests, packed into datagrams. Within a datagram only the last
   * request that asked for an ACK keeps NLM_F_ACK: the kernel processes a datagram's messages in
   * order and answers a failed one with NLMSG_ERROR whatever its flags, so when the last one is
   * answered every earlier one without an error has succeeded. One reply per datagram instead of
   * one per request spares the kernel, the socket and us most of the work of a large batch.
   */
  private flush(): void {
    this.flushScheduled = false;
    const queued = this.outbox;
    const seqs = this.outboxSeqs;
    this.outbox = [];
    this.outboxSeqs = [];
    let i = 0;
    while (i < queued.length) {
      let size = 0;
      let j = i;
      while (j < queued.length && (j === i || size + (queued[j] as Uint8Array).length <= MAX_DATAGRAM)) size += (queued[j++] as Uint8Array).length;
      const batch = seqs.slice(i, j);
      this.socket.send(this.pack(queued.slice(i, j), batch, size)).catch((err: unknown) => {
        for (const seq of batch) this.finish(seq, err instanceof Error ? err : new Error(String(err)));
      });
      i = j;
    }
  }

  private pack(messages: Uint8Array[], seqs: number[], size: number): Uint8Array {
    const datagram = new Uint8Array(size);
    const view = new DataView(datagram.buffer);
    const acked = seqs.filter((seq) => {
      const p = this.pending.get(seq);
      return p !== undefined && !p.dump && (p.request.flags & NLM_F.ACK) !== 0;
    });
    const barrier = acked.length > 0 ? this.pending.get(acked[acked.length - 1] as number) : undefined;
    let off = 0;
    messages.forEach((m, k) => {
      datagram.set(m, off);
      const seq = seqs[k] as number;
      if (barrier !== undefined && seq !== acked[acked.length - 1] && acked.includes(seq)) {
        view.setUint16(off + 6, view.getUint16(off + 6, true) & ~NLM_F.ACK, true);
        barrier.covered.push(seq);
      }
      off += m.length;
    });
    return datagram;
  }

  /** sweep fails the sent requests whose deadline passed; one timer serves them all. */
  private sweep(): void {
    this.sweeper = null;
    const now = Date.now();
    let next = Infinity;
    for (const [seq, p] of this.pending) {
      if (!p.sent) continue;
      if (p.deadline <= now) this.finish(seq, new NetlinkError(p.request.operation, constants.errno.ETIMEDOUT, `${p.request.operation}: no answer from the kernel within ${p.request.timeoutMs ?? this.timeoutMs} ms`));
      else next = Math.min(next, p.deadline);
    }
    if (next !== Infinity) this.sweeper ??= setTimeout(() => this.sweep(), Math.max(1, next - now));
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
    if (p.sent) {
      this.inFlight--;
      if (p.dump) this.dumpRunning = false;
    }
    if (this.inFlight === 0 && this.sweeper !== null) {
      clearTimeout(this.sweeper);
      this.sweeper = null;
    }
    if (result instanceof Error) p.reject(result);
    else p.resolve(result);
    // The requests this one's answer stands for were processed before it; any without an error succeeded.
    for (const earlier of p.covered) {
      const e = this.pending.get(earlier);
      if (e !== undefined) this.finish(earlier, e.replies);
    }
    if (!this.closed) this.pump();
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

/** Queue is a FIFO with O(1) push and shift (an array with a moving head, compacted now and then). */
class Queue<T> {
  private items: T[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
