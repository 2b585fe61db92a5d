/**
 * Link events by subscription (the RTNLGRP_LINK multicast group, RTMGRP_LINK in the old
 * bit-mask spelling), not by polling: a LinkWatch reports every link's state once at start and
 * then each change as the kernel announces it (carrier loss on a veth arrives within a
 * millisecond or so; physical NICs may be held back by the kernel's link-watch rate limit, up to
 * one second).
 *
 * Consistency: the watch subscribes first and dumps second. A link that had a notification
 * while the dump was running is reported from the notification, not the dump (any later change
 * brings another notification). When the kernel drops notifications (ENOBUFS), the watch dumps
 * again and reports every link whose state may have changed, and the removal of links that
 * disappeared meanwhile.
 */
import { decodeMessages } from '../netlink/message.js';
import { linkEventOf } from './codec.js';
import { RTNLGRP } from './constants.js';
import { LinkError } from './errors.js';
import { openRouteMulticast, type MulticastSocket } from './multicast.js';
import type { Link, LinkEvent } from './types.js';

/** LinkSource lists the links for the initial state and resynchronisation (a RouteClient). */
export interface LinkSource {
  links(): Promise<Link[]>;
}

/** WatchOptions give the watch its socket (a real one by default) and where to read links from. */
export interface WatchOptions {
  readonly source: LinkSource;
  readonly socket?: MulticastSocket;
}

const eventOf = (l: Link): LinkEvent => ({ name: l.name, index: l.index, carrier: l.carrier, operstate: l.operstate, up: l.up, removed: false });

/** LinkWatch delivers link events to listeners and to `for await` loops. */
export class LinkWatch implements AsyncIterable<LinkEvent> {
  private readonly listeners = new Set<(e: LinkEvent) => void>();
  private readonly errorListeners = new Set<(e: Error) => void>();
  private readonly known = new Map<number, LinkEvent>();
  /** live collects the links notified while a dump is running (null when none is). */
  private live: Set<number> | null = null;
  private resyncing: Promise<void> | null = null;
  /** again is set when notifications were lost during a resynchronisation: one more follows it. */
  private again = false;
  private closed = false;
  private readonly iterators = new Set<{ push(e: LinkEvent | null): void }>();
  /** ready settles when the initial state has been reported (it rejects when the first dump failed). */
  readonly ready: Promise<void>;

  private constructor(
    private readonly socket: MulticastSocket,
    private readonly source: LinkSource,
  ) {
    socket.onDatagram((d) => this.receive(d));
    socket.onError((err) => this.socketError(err));
    this.ready = this.resync();
    this.ready.catch(() => undefined);
  }

  /** watch subscribes to link notifications and reports the current state of every link. */
  static watch(options: WatchOptions): LinkWatch {
    return new LinkWatch(options.socket ?? openRouteMulticast([RTNLGRP.LINK]), options.source);
  }

  /** on adds a listener and returns the function that removes it. */
  on(fn: (e: LinkEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** onError adds a listener for failures (a resynchronisation that failed); it returns its remover. */
  onError(fn: (e: Error) => void): () => void {
    this.errorListeners.add(fn);
    return () => this.errorListeners.delete(fn);
  }

  /** state returns the last known state of every link, by index. */
  state(): ReadonlyMap<number, LinkEvent> {
    return this.known;
  }

  /** close unsubscribes; `for await` loops over the watch end. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    for (const it of this.iterators) it.push(null);
    this.iterators.clear();
  }

  private emit(e: LinkEvent): void {
    if (this.closed) return;
    if (e.removed) this.known.delete(e.index);
    else this.known.set(e.index, e);
    for (const fn of this.listeners) fn(e);
    for (const it of this.iterators) it.push(e);
  }

  private receive(datagram: Uint8Array): void {
    let events: LinkEvent[];
    try {
      events = decodeMessages(datagram).flatMap((m) => {
        const e = linkEventOf(m);
        return e === null ? [] : [e];
      });
    } catch (err) {
      this.fail(new LinkError('EPROTO', 'watch-links', '', `malformed notification: ${(err as Error).message}`, { cause: err }));
      return;
    }
    for (const e of events) {
      this.live?.add(e.index);
      this.emit(e);
    }
  }

  private socketError(err: Error & { code?: string }): void {
    // Notifications were lost: read the whole state again.
    if (err.code === 'ENOBUFS') {
      if (this.resyncing !== null) this.again = true;
      else this.resync().catch(() => undefined);
      return;
    }
    this.fail(new LinkError(err.code ?? 'EIO', 'watch-links', '', err.message, { cause: err }));
  }

  /** resync dumps the links and reports those not notified meanwhile, and the removal of links gone. */
  private resync(): Promise<void> {
    if (this.resyncing !== null) return this.resyncing;
    const live = new Set<number>();
    this.live = live;
    const run = async (): Promise<void> => {
      try {
        const links = await this.source.links();
        const present = new Set(links.map((l) => l.index));
        for (const [index, e] of [...this.known]) if (!present.has(index) && !live.has(index)) this.emit({ ...e, removed: true });
        for (const l of links) if (!live.has(l.index)) this.emit(eventOf(l));
      } catch (err) {
        this.fail(err instanceof Error ? err : new Error(String(err)));
        throw err;
      } finally {
        this.live = null;
        this.resyncing = null;
        if (this.again && !this.closed) {
          this.again = false;
          this.resync().catch(() => undefined);
        }
      }
    };
    this.resyncing = run();
    return this.resyncing;
  }

  private fail(err: Error): void {
    if (this.closed) return;
    for (const fn of this.errorListeners) fn(err);
  }

  /** The async iterator yields every event from the moment it was made until close(). */
  [Symbol.asyncIterator](): AsyncIterator<LinkEvent> {
    const queue: Array<LinkEvent | null> = [];
    let wake: (() => void) | null = null;
    const it = {
      push: (e: LinkEvent | null): void => {
        queue.push(e);
        wake?.();
        wake = null;
      },
    };
    if (this.closed) queue.push(null);
    else this.iterators.add(it);
    const next = async (): Promise<IteratorResult<LinkEvent>> => {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const e = queue.shift() as LinkEvent | null;
      if (e === null) {
        queue.unshift(null);
        return { done: true, value: undefined };
      }
      return { done: false, value: e };
    };
    return {
      next,
      return: () => {
        this.iterators.delete(it);
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}
