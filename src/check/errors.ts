/**
 * Errors of the check layer: a refused check description (CheckSpecError, with a stable code),
 * and the C library's wording of errno values for the log texts nanny printed with strerror().
 */
import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';

/** CheckSpecErrorCode names why a check description was refused. */
export type CheckSpecErrorCode = 'BAD_ADDRESS' | 'BAD_PORT' | 'BAD_TIMEOUT' | 'BAD_STRING' | 'BAD_ESCAPE' | 'BAD_REGEX' | 'EMPTY_PROGRAM' | 'BAD_HTTP';

/** CheckSpecError is a check description that cannot run. `option` names the nanny option (or HTTP field) at fault. */
export class CheckSpecError extends Error {
  constructor(
    readonly code: CheckSpecErrorCode,
    readonly option: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CheckSpecError';
  }
}

/** GLIBC_TEXT is strerror() in glibc for the errors a check meets (libuv's own texts differ). */
const GLIBC_TEXT: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ECONNABORTED: 'Software caused connection abort',
  EPIPE: 'Broken pipe',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  EHOSTDOWN: 'Host is down',
  ENETUNREACH: 'Network is unreachable',
  ENETDOWN: 'Network is down',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EADDRINUSE: 'Address already in use',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ENOEXEC: 'Exec format error',
  EMSGSIZE: 'Message too long',
  ENOBUFS: 'No buffer space available',
  EMFILE: 'Too many open files',
  EAGAIN: 'Resource temporarily unavailable',
  EINVAL: 'Invalid argument',
  EPROTO: 'Protocol error',
  EIO: 'Input/output error',
};

/** errnoText returns the errno number and glibc's text for an errno name ('ECONNREFUSED' → 111, 'Connection refused'). */
export function errnoText(code: string): { errno: number; text: string } {
  const errno = (constants.errno as Record<string, number | undefined>)[code] ?? 0;
  const text = GLIBC_TEXT[code] ?? getSystemErrorMap().get(-errno)?.[1] ?? code;
  return { errno, text };
}
