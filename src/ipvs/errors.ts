/**
 * IPVS errors in operator language: the kernel's errno read in the light of the operation that
 * got it (reference netlink.md §1.10). ENOENT means "no scheduler module" on NEW_SERVICE but
 * "no such destination" on DEL_DEST; the same number needs different words.
 */
import { NetlinkError } from '../netlink/errors.js';

/** IpvsOperation names what the client was doing. */
export type IpvsOperation =
  | 'resolve'
  | 'info'
  | 'list-services'
  | 'get-service'
  | 'add-service'
  | 'edit-service'
  | 'delete-service'
  | 'list-destinations'
  | 'add-destination'
  | 'edit-destination'
  | 'delete-destination'
  | 'get-timeouts'
  | 'set-timeouts'
  | 'list-daemons'
  | 'start-daemon'
  | 'stop-daemon'
  | 'flush'
  | 'zero';

/** IpvsError is a refused IPVS operation. `code` is the errno name; `operation` and `target` say what was refused. */
export class IpvsError extends Error {
  readonly code: string;
  readonly errno: number;

  constructor(
    readonly operation: IpvsOperation,
    readonly target: string,
    cause: NetlinkError,
    readonly meaning: string,
  ) {
    super(`${describeOperation(operation)}${target === '' ? '' : ` ${target}`}: ${meaning}`, { cause });
    this.name = 'IpvsError';
    this.code = cause.code;
    this.errno = cause.errno;
  }
}

const VERBS: Record<IpvsOperation, string> = {
  resolve: 'open IPVS',
  info: 'read IPVS info',
  'list-services': 'list services',
  'get-service': 'get service',
  'add-service': 'add service',
  'edit-service': 'edit service',
  'delete-service': 'delete service',
  'list-destinations': 'list destinations of',
  'add-destination': 'add destination',
  'edit-destination': 'edit destination',
  'delete-destination': 'delete destination',
  'get-timeouts': 'read timeouts',
  'set-timeouts': 'set timeouts',
  'list-daemons': 'list sync daemons',
  'start-daemon': 'start sync daemon',
  'stop-daemon': 'stop sync daemon',
  flush: 'flush the IPVS table',
  zero: 'zero counters',
};

/** describeOperation renders an operation as a verb phrase. */
export function describeOperation(op: IpvsOperation): string {
  return VERBS[op];
}

/** ErrorContext carries what helps explain an error: the scheduler or PE name a service asked for. */
export interface ErrorContext {
  readonly scheduler?: string;
  readonly persistenceEngine?: string | null;
}

/** meaningOf explains an errno for an operation. */
export function meaningOf(op: IpvsOperation, code: string, context: ErrorContext = {}): string {
  const service = op.endsWith('-service') || op === 'zero' || op === 'list-destinations';
  const destination = op.endsWith('-destination');
  switch (code) {
    case 'EPERM':
      return 'permission denied: IPVS needs CAP_NET_ADMIN (run as root)';
    case 'ENOENT':
      if (op === 'resolve') return "the kernel has no IPVS: load it with 'modprobe ip_vs' (or build CONFIG_IP_VS)";
      if (op === 'add-service' || op === 'edit-service') {
        const pe = context.persistenceEngine;
        return pe !== undefined && pe !== null
          ? `scheduler module ip_vs_${context.scheduler ?? '?'} or persistence engine ip_vs_pe_${pe} not found`
          : `scheduler module ip_vs_${context.scheduler ?? '?'} not found (is it built for this kernel?)`;
      }
      if (destination) return 'no such destination in that service';
      break;
    case 'ESRCH':
      if (op === 'stop-daemon') return 'no sync daemon is running in that state';
      if (service || destination) return 'no such service';
      break;
    case 'EEXIST':
      if (op === 'add-service') return 'service already exists';
      if (op === 'add-destination') return 'destination already exists in that service';
      if (op === 'start-daemon') return 'a sync daemon is already running in that state';
      break;
    case 'ERANGE':
      if (destination) return 'weight out of range (0..2147483647), or lower threshold above upper threshold';
      break;
    case 'EINVAL':
      if (destination)
        return 'invalid destination: not a unicast address, a mixed address family without tunnelling, or a GUE tunnel without a port';
      if (op === 'add-service' || op === 'edit-service') return 'invalid service (for IPv6 the persistence netmask must be a prefix length 1..128)';
      if (op === 'start-daemon' || op === 'stop-daemon') return 'invalid sync daemon settings (state, multicast group)';
      if (op === 'set-timeouts') return 'timeout out of range';
      return 'invalid request';
    case 'ENODEV':
      if (op === 'start-daemon') return 'no such multicast interface';
      break;
    case 'EAFNOSUPPORT':
      return 'address family not supported (is IPv6 IPVS built, and IPv6 enabled?)';
    case 'EOPNOTSUPP':
      return 'operation not supported by this kernel';
    case 'ETIMEDOUT':
      return 'no answer from the kernel';
  }
  return code;
}

/** toIpvsError wraps a NetlinkError (other errors pass through unchanged). */
export function toIpvsError(err: unknown, op: IpvsOperation, target: string, context: ErrorContext = {}): unknown {
  if (!(err instanceof NetlinkError)) return err;
  return new IpvsError(op, target, err, meaningOf(op, err.code, context));
}
