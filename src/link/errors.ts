/**
 * Link-layer errors as values: which operation on which target, a stable `code` (the errno name
 * for kernel refusals, such as 'ENODEV'; BAD_VIP, BAD_DEVICE or NO_MAC for our own checks) and
 * what it means in operator language. Callers branch on `code`, never on the text.
 */
import { NetlinkError } from '../netlink/errors.js';

/** LinkOperation names what the link layer was doing. */
export type LinkOperation = 'list-links' | 'get-link' | 'list-addresses' | 'add-address' | 'remove-address' | 'watch-links' | 'announce';

const VERBS: Record<LinkOperation, string> = {
  'list-links': 'list links',
  'get-link': 'get link',
  'list-addresses': 'list addresses',
  'add-address': 'add address',
  'remove-address': 'remove address',
  'watch-links': 'watch links',
  announce: 'announce',
};

/** LinkError is a refused or impossible link-layer operation. `cause` keeps the NetlinkError when the kernel refused. */
export class LinkError extends Error {
  constructor(
    readonly code: string,
    readonly operation: LinkOperation,
    readonly target: string,
    readonly meaning: string,
    options?: { cause?: unknown },
  ) {
    super(`${VERBS[operation]}${target === '' ? '' : ` ${target}`}: ${meaning}`, options);
    this.name = 'LinkError';
  }
}

/** meaningOf explains an errno name for a link operation. */
export function meaningOf(op: LinkOperation, code: string): string {
  switch (code) {
    case 'EPERM':
      return 'permission denied: changing addresses needs CAP_NET_ADMIN (run as root)';
    case 'ENODEV':
      return 'no such interface';
    case 'EEXIST':
      return 'the address is already on the interface';
    case 'EADDRNOTAVAIL':
      return op === 'remove-address' ? 'the address is not on the interface' : 'address not available';
    case 'EINVAL':
      return op === 'add-address' ? 'invalid address (prefix length, broadcast or label refused by the kernel)' : 'invalid request';
    case 'EAFNOSUPPORT':
      return 'address family not supported (is IPv6 disabled on this interface?)';
    case 'EACCES':
      return 'IPv6 is disabled on this interface';
    case 'ENOBUFS':
      return 'the kernel dropped notifications: the receive buffer overflowed';
    case 'ETIMEDOUT':
      return 'no answer from the kernel';
  }
  return code;
}

/** toLinkError wraps a NetlinkError for an operation and target (other errors pass through unchanged). */
export function toLinkError(err: unknown, op: LinkOperation, target: string): unknown {
  if (!(err instanceof NetlinkError)) return err;
  return new LinkError(err.code, op, target, err.extAck === null ? meaningOf(op, err.code) : `${meaningOf(op, err.code)} (${err.extAck})`, { cause: err });
}
