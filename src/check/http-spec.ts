/**
 * The HTTP/HTTPS GET check, an lvs-director extension (piranha had only send/expect): its pure,
 * validated description. The status must fall in one of the accepted ranges and, when a body
 * regex is given, the first BODY_LIMIT bytes of the body must match it (the same POSIX ERE
 * dialect as `use_regex`). The lvs.cf keywords that fill HttpCheckOptions come later.
 */
import { isIP } from 'node:net';
import { parseInetAton, parseIPv6 } from '../config/values.js';
import { EreError } from './ere.js';
import { compileEre, type EreProgram } from './ere-nfa.js';
import { CheckSpecError } from './errors.js';
import { checkTimeout } from './spec.js';

/** BODY_LIMIT is how much of a body an HTTP check reads. */
export const BODY_LIMIT = 64 * 1024;
/** HEADER_LIMIT bounds the status line and headers together. */
export const HEADER_LIMIT = 16 * 1024;

/** StatusRange is an inclusive range of accepted status codes. */
export interface StatusRange {
  readonly min: number;
  readonly max: number;
}

/** HttpCheckSpec describes one GET request and what its answer must be. */
export interface HttpCheckSpec {
  readonly kind: 'http';
  readonly tls: boolean;
  /** host is the address connected to; `hostHeader` and `servername` name the site. */
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly hostHeader: string;
  /** servername is the TLS SNI name (null: none, as for an address). */
  readonly servername: string | null;
  /** verifyTls checks the certificate chain and that it names `servername` (or `host`). */
  readonly verifyTls: boolean;
  /** ca replaces the system's trusted roots (PEM), e.g. an internal CA. */
  readonly ca: string | null;
  readonly status: readonly StatusRange[];
  readonly bodyRegex: EreProgram | null;
  readonly timeoutMs: number;
}

/** HttpCheckOptions are the settings of an HTTP check, with defaults where a field is left out. */
export interface HttpCheckOptions {
  readonly server: string;
  readonly tls?: boolean;
  /** port defaults to 80, or 443 with TLS. */
  readonly port?: number;
  /** path defaults to "/". */
  readonly path?: string;
  /** hostHeader defaults to the address (with the port when it is not the scheme's default). */
  readonly hostHeader?: string | null;
  /** servername defaults to the Host header's name when it is a name, not an address. */
  readonly servername?: string | null;
  /** verifyTls defaults to true. */
  readonly verifyTls?: boolean;
  readonly ca?: string | null;
  /** status lists accepted codes and ranges, e.g. "200-299,301,302"; the default is "200-399". */
  readonly status?: string;
  readonly bodyRegex?: string | null;
  readonly timeoutMs: number;
}

/** httpCheckSpec validates HTTP check settings; it throws CheckSpecError. */
export function httpCheckSpec(o: HttpCheckOptions): HttpCheckSpec {
  const host = parseInetAton(o.server) ?? parseIPv6(o.server);
  if (host === null) throw new CheckSpecError('BAD_ADDRESS', 'server', `bad IP address -- ${o.server}`);
  const tls = o.tls === true;
  const port = o.port ?? (tls ? 443 : 80);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CheckSpecError('BAD_PORT', 'port', `${port} is not a port (1..65535)`);
  const path = o.path ?? '/';
  if (!/^\/[\x21-\x7e]*$/.test(path)) throw bad('path', `path '${path}' must start with / and hold no spaces or control characters`);
  const defaultPort = port === (tls ? 443 : 80);
  const hostHeader = o.hostHeader ?? (host.includes(':') ? `[${host}]` : host) + (defaultPort ? '' : `:${port}`);
  if (!/^[A-Za-z0-9._\-:[\]]+$/.test(hostHeader)) throw bad('hostHeader', `Host header '${hostHeader}' is not a host name`);
  const headerName = hostHeader.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  const servername = o.servername === undefined ? (isIP(headerName) === 0 ? headerName : null) : o.servername;
  if (servername !== null && (isIP(servername) !== 0 || !/^[A-Za-z0-9._-]+$/.test(servername)))
    throw bad('servername', `TLS server name '${servername}' must be a DNS name (SNI cannot carry an address)`);
  return {
    kind: 'http',
    tls,
    host,
    port,
    path,
    hostHeader,
    servername,
    verifyTls: o.verifyTls ?? true,
    ca: o.ca ?? null,
    status: parseStatusRanges(o.status ?? '200-399'),
    bodyRegex: bodyRegex(o.bodyRegex ?? null),
    timeoutMs: checkTimeout(o.timeoutMs, 'timeout'),
  };
}

/** parseStatusRanges reads "200-299,301,302" into ranges; it throws CheckSpecError. */
export function parseStatusRanges(text: string): StatusRange[] {
  const ranges = text.split(',').map((part) => {
    const m = /^\s*(\d{3})\s*(?:-\s*(\d{3})\s*)?$/.exec(part);
    const min = Number(m?.[1]);
    const max = m?.[2] === undefined ? min : Number(m[2]);
    if (m === null || min < 100 || max > 599 || min > max) throw bad('status', `'${part.trim()}' is not a status code or range (100..599, e.g. 200-399)`);
    return { min, max };
  });
  return ranges;
}

/** statusAccepted tells whether a status code falls in one of the ranges. */
export function statusAccepted(status: number, ranges: readonly StatusRange[]): boolean {
  return ranges.some((r) => status >= r.min && status <= r.max);
}

/** formatStatusRanges writes ranges back as text. */
export function formatStatusRanges(ranges: readonly StatusRange[]): string {
  return ranges.map((r) => (r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`)).join(',');
}

function bodyRegex(source: string | null): EreProgram | null {
  if (source === null) return null;
  try {
    return compileEre(source);
  } catch (e) {
    if (!(e instanceof EreError)) throw e;
    throw new CheckSpecError('BAD_REGEX', 'bodyRegex', `Error '${e.message}' processing the body regular expression`, { cause: e });
  }
}

function bad(option: string, message: string): CheckSpecError {
  return new CheckSpecError('BAD_HTTP', option, message);
}
