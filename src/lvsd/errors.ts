/**
 * Errors of lvsd's own endpoints (status socket, metrics), with stable codes to branch on. Each
 * names the operation (`op`) and keeps the system error as `cause`.
 */

/** LvsdErrorCode names what went wrong. */
export type LvsdErrorCode =
  | 'METRICS_ADDRESS'
  | 'METRICS_NOT_LOOPBACK'
  | 'METRICS_LISTEN'
  | 'STATUS_SOCKET_BUSY'
  | 'STATUS_SOCKET_NOT_SOCKET'
  | 'STATUS_SOCKET_LISTEN'
  | 'STATUS_UNAVAILABLE';

/** LvsdError is a refused option or an endpoint that cannot be served or reached; the message is meant for the operator. */
export class LvsdError extends Error {
  constructor(
    readonly code: LvsdErrorCode,
    readonly op: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LvsdError';
  }
}
