/**
 * Netlink errors as values with context: which operation, which errno, what the kernel said.
 * Callers branch on `code` (an errno name such as 'ENOENT'), never on message text.
 */
import { constants } from 'node:os';

const names = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/** errnoName returns the symbolic name of an errno number ('ENOENT'), or 'E<n>'. */
export function errnoName(errno: number): string {
  return names.get(errno) ?? `E${errno}`;
}

/**
 * NetlinkError is a kernel refusal or a protocol failure of one netlink operation.
 * `errno` is positive; `extAck` is the kernel's extended-ACK text when it sent one.
 */
export class NetlinkError extends Error {
  readonly code: string;

  constructor(
    readonly operation: string,
    readonly errno: number,
    message?: string,
    readonly extAck: string | null = null,
    options?: { cause?: unknown },
  ) {
    const name = errnoName(errno);
    super(message ?? `${operation}: ${name}${extAck === null ? '' : ` (${extAck})`}`, options);
    this.name = 'NetlinkError';
    this.code = name;
  }
}

/** NetlinkProtocolError is a malformed message from the kernel (or a fake). */
export class NetlinkProtocolError extends Error {
  readonly code = 'NETLINK_PROTOCOL';

  constructor(message: string) {
    super(message);
    this.name = 'NetlinkProtocolError';
  }
}
