/**
 * The metrics endpoint: HTTP GET /metrics answers with the Prometheus text made by `produce()`;
 * any other path is 404 and any other method 405. A few connections at a time, each with short
 * timeouts; the work of a scrape is bounded by the producer (one dump, shared by concurrent
 * scrapes).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostPort } from '../ipvs/types.js';
import { LvsdError } from './errors.js';
import type { MetricsAddress } from './metrics-address.js';
import { CONTENT_TYPE } from './prometheus-text.js';

/** MetricsServer is a listening metrics endpoint. */
export interface MetricsServer {
  /** address is where it listens (the real port when 0 was asked for). */
  readonly address: MetricsAddress;
  close(): Promise<void>;
}

/** serveMetrics listens at `at` and answers scrapes with `produce()`. */
export async function serveMetrics(at: MetricsAddress, produce: () => Promise<string>): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const plain = (status: number, text: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(text);
    };
    if (path !== '/metrics') return plain(404, 'not found: lvsd serves only /metrics\n');
    if (req.method !== 'GET') return plain(405, 'method not allowed: use GET\n', { allow: 'GET' });
    produce().then(
      (text) => res.writeHead(200, { 'content-type': CONTENT_TYPE }).end(text),
      (e: unknown) => plain(500, `lvsd could not make its metrics: ${e instanceof Error ? e.message : String(e)}\n`),
    );
  });
  server.maxConnections = 16;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new LvsdError('METRICS_LISTEN', 'serve metrics', `cannot serve metrics on ${hostPort(at.host, at.port)}: ${e.message}`, { cause: e })));
    server.listen(at.port, at.host, resolve);
  });
  const bound = server.address() as AddressInfo;
  return {
    address: { host: at.host, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
