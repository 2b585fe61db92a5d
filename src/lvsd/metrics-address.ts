/**
 * The address of the metrics endpoint, `--metrics [ADDRESS:]PORT`: the port alone means
 * 127.0.0.1. The endpoint has no authentication, so an address that is not loopback
 * (127.0.0.0/8, ::1) is refused unless the operator also says --metrics-allow-remote. Pure.
 */
import { ipFamily, ipToBytes } from '../net/address.js';
import { LvsdError } from './errors.js';

/** MetricsAddress is where the endpoint listens. */
export interface MetricsAddress {
  readonly host: string;
  readonly port: number;
}

/** isLoopback tells whether an IP literal is a loopback address. */
export function isLoopback(ip: string): boolean {
  const family = ipFamily(ip);
  if (family === 4) return ipToBytes(ip)[0] === 127;
  if (family === 6) return ipToBytes(ip).every((b, i) => b === (i === 15 ? 1 : 0));
  return false;
}

/** parseMetricsAddress reads `PORT`, `IPv4:PORT`, `[IPv6]:PORT` or `localhost:PORT`; it throws an LvsdError naming the option. */
export function parseMetricsAddress(text: string, allowRemote: boolean): MetricsAddress {
  const bad = (why: string): LvsdError => new LvsdError('METRICS_ADDRESS', 'parse --metrics', `--metrics ${JSON.stringify(text)}: ${why}`);
  const m = /^(?:(?:\[([^\]]*)\]|([^[\]]*)):)?(\d{1,5})$/.exec(text);
  if (m === null) return fail(bad('expected PORT, ADDRESS:PORT or [IPv6]:PORT (e.g. 9100 or 127.0.0.1:9100)'));
  const port = Number(m[3]);
  if (port > 65535) return fail(bad(`port ${port} is not a port (0..65535)`));
  const given = m[1] ?? m[2];
  if (given === undefined) return { host: '127.0.0.1', port };
  const host = given === 'localhost' ? '127.0.0.1' : given;
  const family = ipFamily(host);
  if (family === null) return fail(bad(`${given === '' ? 'an empty address' : JSON.stringify(given)} is not an IP address (leave it out for 127.0.0.1)`));
  if (m[1] !== undefined && family !== 6) return fail(bad(`only IPv6 addresses go in brackets`));
  if (m[2] !== undefined && family === 6) return fail(bad(`write an IPv6 address in brackets: [${host}]:${port}`));
  if (!isLoopback(host) && !allowRemote)
    return fail(new LvsdError('METRICS_NOT_LOOPBACK', 'parse --metrics', `--metrics ${text}: ${host} is not a loopback address and the endpoint has no authentication; add --metrics-allow-remote to serve it there anyway`));
  return { host, port };
}

function fail(e: LvsdError): never {
  throw e;
}
