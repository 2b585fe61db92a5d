/**
 * The heartbeat channels (reference piranha.md §2.3): one UDP socket per channel (public, and
 * private when configured), bound to this node's address and heartbeat_port, sending to the
 * partner's address and the same port. Only datagrams from a partner address reach the
 * listener; everything is counted.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';

/** ChannelName names a channel as piranha's log lines do. */
export type ChannelName = 'public' | 'private';

/** ChannelSpec is one channel's addresses. */
export interface ChannelSpec {
  readonly name: ChannelName;
  readonly local: string;
  readonly partner: string;
}

/** ChannelCounters count what the channels saw. */
export interface ChannelCounters {
  sent: number;
  sendErrors: number;
  received: number;
  /** foreign counts datagrams from a non-partner address (piranha: "Unexpected heartbeat from"). */
  foreign: number;
}

/** Datagram is one received heartbeat candidate. */
export interface Datagram {
  readonly channel: ChannelName;
  readonly from: string;
  readonly bytes: Buffer;
}

/** HeartbeatBindError says that a channel could not be bound (piranha: "failed to bind to heartbeat address"). */
export class HeartbeatBindError extends Error {
  readonly code = 'HEARTBEAT_BIND';
  constructor(
    readonly channel: ChannelSpec,
    readonly port: number,
    cause: Error,
  ) {
    super(`failed to bind to heartbeat address: ${cause.message} (${channel.name} channel ${channel.local}:${port})`, { cause });
    this.name = 'HeartbeatBindError';
  }
}

/** HeartbeatChannels sends and receives heartbeats. */
export class HeartbeatChannels {
  readonly counters: ChannelCounters = { sent: 0, sendErrors: 0, received: 0, foreign: 0 };
  private closed = false;

  private constructor(
    private readonly sockets: ReadonlyArray<{ spec: ChannelSpec; socket: Socket }>,
    private readonly port: number,
  ) {}

  /** open binds every channel. It rejects with HeartbeatBindError. */
  static async open(specs: readonly ChannelSpec[], port: number, handlers: { onDatagram(d: Datagram): void; onForeign(d: Datagram): void; onSendError(channel: ChannelName, err: Error): void }): Promise<HeartbeatChannels> {
    const opened: Array<{ spec: ChannelSpec; socket: Socket }> = [];
    let channels: HeartbeatChannels | null = null;
    try {
      for (const spec of specs) {
        const socket = createSocket({ type: isIP(spec.local) === 6 ? 'udp6' : 'udp4' });
        opened.push({ spec, socket });
        await new Promise<void>((resolve, reject) => {
          socket.once('error', (e) => reject(new HeartbeatBindError(spec, port, e)));
          socket.bind({ address: spec.local, port, exclusive: true }, () => resolve());
        });
        socket.removeAllListeners('error');
        socket.on('error', (e) => handlers.onSendError(spec.name, e));
        socket.on('message', (bytes, rinfo) => {
          const d: Datagram = { channel: spec.name, from: rinfo.address, bytes };
          const c = channels?.counters;
          if (rinfo.address !== spec.partner && !specs.some((s) => s.partner === rinfo.address)) {
            if (c) c.foreign++;
            handlers.onForeign(d);
            return;
          }
          if (c) c.received++;
          handlers.onDatagram(d);
        });
      }
    } catch (e) {
      for (const o of opened) o.socket.close();
      throw e;
    }
    channels = new HeartbeatChannels(opened, port);
    return channels;
  }

  /** send sends one datagram on every channel to the partner (errors go to onSendError). */
  send(bytes: Uint8Array, onError: (channel: ChannelName, err: Error) => void): void {
    if (this.closed) return;
    for (const { spec, socket } of this.sockets)
      socket.send(bytes, this.port, spec.partner, (err) => {
        if (err) {
          this.counters.sendErrors++;
          onError(spec.name, err);
        } else this.counters.sent++;
      });
  }

  /** close closes every socket (once). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const { socket } of this.sockets) socket.close();
  }
}
