/**
 * The typed face of the packet addon (native/packet.cc): a send-only AF_PACKET socket for
 * whole Ethernet frames, and SO_BINDTODEVICE for UDP sockets. The addon is loaded on first use
 * with node-gyp-build from `native/`, so importing this module never fails; using it without a
 * build throws AddonNotBuiltError.
 */
import type { Socket as DgramSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { getSystemErrorMap } from 'node:util';
import { errnoName } from '../netlink/errors.js';

/** PacketBinding is what the addon exports; tests may pass a fake one. */
export interface PacketBinding {
  /** open makes a send-only AF_PACKET socket and returns its descriptor. */
  open(): number;
  /** send transmits one Ethernet frame on a named interface and returns the bytes sent. */
  send(fd: number, ifname: string, frame: Uint8Array): number;
  close(fd: number): void;
  /** bindToDevice sets SO_BINDTODEVICE ('' removes it). */
  bindToDevice(fd: number, ifname: string): void;
  /** boundDevice reads SO_BINDTODEVICE ('' when unbound). */
  boundDevice(fd: number): string;
  /** Prober runs many TCP connections on one epoll set (native/probe.cc; typed in src/native/prober.ts). */
  Prober?: ProberConstructor;
}

/** ProberConstructor makes a Prober; `onEvents(count)` is called once per batch of events. */
export type ProberConstructor = new (onEvents: (count: number) => void) => ProberHandle;

/** ProberHandle is the addon's Prober as native/probe.cc defines it. */
export interface ProberHandle {
  /** events holds the last batch: [slot, kind, a, b] per event. */
  readonly events: Int32Array;
  /** data holds the bytes that the batch's DATA events point into. */
  readonly data: Uint8Array;
  /** start connects `slot` to host:port; 0, or the errno of a failure at once. */
  start(slot: number, host: string, port: number, send: Uint8Array | null, readMax: number): number;
  /** release closes the slot's connection (with RST) and frees the slot. */
  release(slot: number): void;
  /** close releases every slot and stops watching for events. */
  close(): void;
}

/** NativeErrorCode lists the codes of errors that are not a system call's errno. */
export type NativeErrorCode = 'ERR_NATIVE_NOT_BUILT';

/** NativeError is the base of this module's errors; callers branch on `code`. */
export abstract class NativeError extends Error {
  abstract readonly code: string;
  /** op says what was being done ('open packet socket', 'send on eth0'). */
  abstract readonly op: string;
}

/** AddonNotBuiltError says that native/build holds no addon for this Node; `cause` is node-gyp-build's error. */
export class AddonNotBuiltError extends NativeError {
  readonly code: NativeErrorCode = 'ERR_NATIVE_NOT_BUILT';
  readonly op = 'load the native addon';

  constructor(options?: { cause?: unknown }) {
    super('the native addon is not built: run npm run build', options);
    this.name = 'AddonNotBuiltError';
  }
}

/**
 * SystemCallError is a failed system call in the addon. `code` is the errno name ('ENODEV'),
 * `errno` the positive number, `syscall` the call ('socket', 'if_nametoindex', 'sendto',
 * 'setsockopt', ...) and `reason` the C library's strerror text, for perror-style messages.
 */
export class SystemCallError extends NativeError {
  readonly code: string;

  constructor(
    readonly op: string,
    readonly syscall: string,
    readonly errno: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${op}: ${syscall}: ${reason}`, options);
    this.name = 'SystemCallError';
    this.code = errnoName(errno);
  }

  /** fromCode makes the error a system call would give for an errno name, as fakes need; the reason defaults to libuv's text. */
  static fromCode(op: string, syscall: string, code: string, reason?: string): SystemCallError {
    const errno = (constants.errno as Record<string, number | undefined>)[code];
    if (errno === undefined) throw new TypeError(`unknown errno name ${code}`);
    return new SystemCallError(op, syscall, errno, reason ?? getSystemErrorMap().get(-errno)?.[1] ?? code);
  }
}

let loaded: PacketBinding | null = null;

/** loadPacketBinding loads the addon once (from native/ at the package root) or throws AddonNotBuiltError. */
export function loadPacketBinding(): PacketBinding {
  if (loaded !== null) return loaded;
  const require = createRequire(import.meta.url);
  // This file runs as dist/src/native/packet.js; the addon lives in <root>/native.
  const dir = fileURLToPath(new URL('../../../native', import.meta.url));
  try {
    const load = require('node-gyp-build') as (dir: string) => PacketBinding;
    loaded = load(dir);
  } catch (e) {
    if (e instanceof Error && /No native build was found/.test(e.message)) throw new AddonNotBuiltError({ cause: e });
    throw e;
  }
  return loaded;
}

/** call runs one addon call and turns the addon's errno errors into SystemCallError. */
function call<T>(op: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const x = e as { errno?: unknown; syscall?: unknown; message?: unknown };
    if (e instanceof Error && typeof x.errno === 'number' && typeof x.syscall === 'string') throw new SystemCallError(op, x.syscall, x.errno, e.message, { cause: e });
    throw e;
  }
}

/**
 * PacketSocket is one send-only AF_PACKET socket (it receives nothing). Opening needs
 * CAP_NET_RAW. Each send names its interface, which is looked up at that moment, so a device
 * that was re-created since is found again.
 */
export class PacketSocket {
  private fd: number;

  private constructor(
    private readonly binding: PacketBinding,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** open makes the socket; it throws SystemCallError (syscall 'socket') or AddonNotBuiltError. */
  static open(binding?: PacketBinding): PacketSocket {
    const b = binding ?? loadPacketBinding();
    return new PacketSocket(b, call('open packet socket', () => b.open()));
  }

  /**
   * send transmits a complete Ethernet frame on `device`; the destination MAC and EtherType are
   * taken from the frame. It throws SystemCallError: syscall 'if_nametoindex' (ENODEV) for an
   * unknown device, 'sendto' for a refused send (ENETDOWN for a device that is down).
   */
  send(device: string, frame: Uint8Array): number {
    if (this.fd < 0) throw SystemCallError.fromCode(`send on ${device}`, 'sendto', 'EBADF', 'the packet socket is closed');
    return call(`send on ${device}`, () => this.binding.send(this.fd, device, frame));
  }

  /** close closes the socket; closing twice does nothing. */
  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    call('close packet socket', () => this.binding.close(fd));
  }
}

/**
 * bindToDevice ties a socket to one interface with SO_BINDTODEVICE (an empty name unties it),
 * which Node's dgram cannot do. `socket` is a bound dgram socket or a descriptor.
 */
export function bindToDevice(socket: DgramSocket | number, device: string, binding?: PacketBinding): void {
  const fd = typeof socket === 'number' ? socket : dgramFd(socket);
  const b = binding ?? loadPacketBinding();
  call(`bind socket to ${device === '' ? 'no device' : device}`, () => b.bindToDevice(fd, device));
}

/** boundDevice returns the interface a socket is tied to, or '' when it is not tied to one. */
export function boundDevice(socket: DgramSocket | number, binding?: PacketBinding): string {
  const fd = typeof socket === 'number' ? socket : dgramFd(socket);
  const b = binding ?? loadPacketBinding();
  return call('read bound device', () => b.boundDevice(fd));
}

/**
 * dgramFd returns the descriptor of a bound dgram socket. Node has no public accessor; this
 * reads the socket's internal state the way `socket._handle.fd` does, without that getter's
 * deprecation warning (DEP0112). It throws a TypeError when the socket has no descriptor yet.
 */
export function dgramFd(socket: DgramSocket): number {
  const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const handle = state === undefined ? undefined : (socket as unknown as Record<symbol, { handle?: { fd?: unknown } } | undefined>)[state]?.handle;
  const fd = handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new TypeError('the dgram socket has no descriptor: bind it first');
  return fd;
}
