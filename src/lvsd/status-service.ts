/**
 * StatusService: lvsd's status for pulse, the GUI and operators. It keeps what the daemon does
 * not (the running file's load time, reload results), makes documents from the daemon's state
 * through a StatusSource, and serves them on the status socket and, when configured, as
 * Prometheus metrics over HTTP.
 */
import type { LvsConfig } from '../config/model.js';
import type { IpvsClient } from '../ipvs/client.js';
import { hostPort } from '../ipvs/types.js';
import type { Logger } from '../log.js';
import { VERSION } from '../version.js';
import type { LvsDaemon } from './daemon.js';
import type { HealthHistory } from './health-history.js';
import type { CheckerProcess } from './hub.js';
import type { MetricsAddress } from './metrics-address.js';
import { serveMetrics, type MetricsServer } from './metrics-server.js';
import { formatMetrics } from './metrics.js';
import { toJson } from './status-json.js';
import { serveStatusSocket, type StatusSocket } from './status-socket.js';
import { StatusSource, type StatusParts } from './status-source.js';
import type { StatusDocument } from './status.js';

/** StatusServiceOptions wire the service to lvsd. */
export interface StatusServiceOptions {
  readonly client: Pick<IpvsClient, 'services' | 'destinations'>;
  readonly daemon: Pick<LvsDaemon, 'snapshot' | 'counters' | 'lastReport'>;
  readonly checkers: { describe(): CheckerProcess[] };
  readonly history: HealthHistory;
  readonly file: string;
  readonly config: LvsConfig;
  /** socketPath is where to serve the status socket (null: nowhere). */
  readonly socketPath: string | null;
  /** metrics is where to serve metrics (null: nowhere). */
  readonly metrics: MetricsAddress | null;
  readonly log: Logger;
  /** now is the wall clock in milliseconds (default Date.now). */
  readonly now?: () => number;
}

/** StatusService serves lvsd's status. */
export class StatusService {
  private config: LvsConfig;
  private loadedAt: number;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly reloads = { ok: 0, failed: 0 };
  private readonly source: StatusSource;
  private socket: StatusSocket | null = null;
  private http: MetricsServer | null = null;

  constructor(private readonly options: StatusServiceOptions) {
    this.now = options.now ?? Date.now;
    this.config = options.config;
    this.startedAt = this.now();
    this.loadedAt = this.startedAt;
    this.source = new StatusSource({ client: options.client, gather: () => this.parts(), now: this.now });
  }

  /** open starts serving; it rejects with an LvsdError (and serves nothing) when an endpoint cannot be served. */
  async open(): Promise<void> {
    const { socketPath, metrics, log } = this.options;
    try {
      if (socketPath !== null) this.socket = await serveStatusSocket(socketPath, async () => toJson(await this.snapshot()));
      if (metrics !== null) {
        this.http = await serveMetrics(metrics, async () => formatMetrics(await this.snapshot()));
        log.info(`serving metrics on http://${hostPort(this.http.address.host, this.http.address.port)}/metrics`);
      }
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  /** metricsAddress is where metrics are served (the real port when 0 was asked for), or null. */
  get metricsAddress(): MetricsAddress | null {
    return this.http?.address ?? null;
  }

  /** snapshot makes a status document now. */
  snapshot(): Promise<StatusDocument> {
    return this.source.snapshot();
  }

  /** reloaded notes a configuration that replaced the running one. */
  reloaded(config: LvsConfig): void {
    this.config = config;
    this.loadedAt = this.now();
    this.reloads.ok++;
  }

  /** reloadFailed notes a reload that was refused (the running configuration is kept). */
  reloadFailed(): void {
    this.reloads.failed++;
  }

  /** close stops serving and removes the socket file. */
  async close(): Promise<void> {
    const socket = this.socket;
    const http = this.http;
    this.socket = null;
    this.http = null;
    await Promise.all([socket?.close(), http?.close()]);
  }

  private parts(): StatusParts {
    const { daemon, history } = this.options;
    const checked = daemon.snapshot();
    const ids = new Set(checked.map((c) => c.id));
    // The history forgets servers a reload removed here, where the current ones are known.
    history.retain(ids);
    return {
      startedAt: this.startedAt,
      pid: process.pid,
      lvsdVersion: VERSION,
      configFile: this.options.file,
      config: this.config,
      configLoadedAt: this.loadedAt,
      reloads: { ...this.reloads },
      checked: ids,
      health: new Map(checked.flatMap((c) => (c.health === null ? [] : [[c.id, c.health] as const]))),
      history: history.view(),
      checkers: this.options.checkers.describe(),
      reconcile: { runs: daemon.counters.reconciliations, failedOperations: daemon.counters.failedOperations, last: daemon.lastReport },
    };
  }
}
