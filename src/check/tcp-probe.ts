/**
 * The probe transport: nanny's TCP check connections on the addon's Prober (native/probe.cc),
 * one epoll set per process watched by one libuv handle. JavaScript keeps a handler per slot
 * and is called once per batch of events, so a check costs no net.Socket, stream or handle.
 * Connections end with RST (SO_LINGER 0): checks leave no TIME_WAIT sockets behind.
 */
import { errnoName } from '../netlink/errors.js';
import { loadPacketBinding, type PacketBinding, type ProberHandle } from '../native/packet.js';
import type { TcpConnection, TcpHandlers, TcpTransport } from './tcp-transport.js';

/** The event kinds of native/probe.cc. */
const CONNECTED = 1;
const WRITTEN = 2;
const DATA = 3;
const EOF = 4;
const ERROR = 5;

/** READ_LIMIT is the most bytes the prober reads for one connection (kMaxRead in probe.cc). */
export const READ_LIMIT = 1024;

/** ProbeTransport gives out prober slots and routes each batch of events to their handlers. */
export class ProbeTransport implements TcpTransport {
  readonly name = 'probe';
  private readonly prober: ProberHandle;
  private readonly handlers: Array<TcpHandlers | undefined> = [];
  private readonly free: number[] = [];
  /** Slots released while a batch is being routed are reused only after it, so no later event of the batch reaches a new connection. */
  private readonly freeAfterBatch: number[] = [];
  private routing = false;

  constructor(binding: PacketBinding = loadPacketBinding()) {
    if (binding.Prober === undefined) throw new TypeError('this addon build has no Prober');
    this.prober = new binding.Prober((count) => this.route(count));
  }

  open(host: string, port: number, send: Uint8Array | null, readMax: number, h: TcpHandlers): TcpConnection {
    if (readMax > READ_LIMIT) throw new RangeError(`a probe reads at most ${READ_LIMIT} bytes, not ${readMax}`);
    const slot = this.free.pop() ?? this.handlers.length;
    const errno = this.prober.start(slot, host, port, send, readMax);
    if (errno !== 0) {
      this.free.push(slot);
      // As from net.connect: the failure comes after open() has returned.
      process.nextTick(() => h.error({ code: errnoName(errno) }));
      return { close: () => undefined };
    }
    this.handlers[slot] = h;
    return { close: () => this.release(slot, h) };
  }

  /** close ends every connection; the transport cannot be used after. */
  close(): void {
    this.prober.close();
  }

  private release(slot: number, h: TcpHandlers): void {
    if (this.handlers[slot] !== h) return;
    this.handlers[slot] = undefined;
    this.prober.release(slot);
    (this.routing ? this.freeAfterBatch : this.free).push(slot);
  }

  private route(count: number): void {
    const events = this.prober.events;
    this.routing = true;
    try {
      for (let i = 0; i < count * 4; i += 4) {
        const h = this.handlers[events[i] as number];
        if (h === undefined) continue;
        const a = events[i + 2] as number;
        switch (events[i + 1]) {
          case CONNECTED:
            h.connected();
            break;
          case WRITTEN:
            h.written();
            break;
          case DATA:
            h.data(this.prober.data.subarray(a, a + (events[i + 3] as number)));
            break;
          case EOF:
            h.end();
            break;
          case ERROR:
            h.error({ code: errnoName(a) });
            break;
        }
      }
    } finally {
      this.routing = false;
      for (const slot of this.freeAfterBatch.splice(0)) this.free.push(slot);
    }
  }
}

let shared: ProbeTransport | null | undefined;
let unavailable = '';

/** probeTransport returns the process's probe transport, or null when the addon cannot give one (then TCP checks use node:net). */
export function probeTransport(): ProbeTransport | null {
  if (shared === undefined) {
    try {
      shared = new ProbeTransport();
    } catch (e) {
      shared = null;
      unavailable = e instanceof Error ? e.message : String(e);
    }
  }
  return shared;
}

/** fallbackNotice is the line to log once when TCP checks must run on node:net, or null when the prober is in use. */
export function fallbackNotice(): string | null {
  if (probeTransport() !== null) return null;
  return `TCP checks run on node:net, at about twice the CPU a check: ${unavailable}`;
}
