/**
 * The lvsd shell: one writer of the IPVS table. It holds the configuration and what the checkers
 * said, and after every change reconciles the table to desiredTable(config, health), touching
 * only the services the configuration owns. Reloads apply a diff: checkers start and stop only
 * for servers that were added, removed or changed; unchanged servers keep their health.
 */
import type { LvsConfig } from '../config/model.js';
import type { IpvsClient } from '../ipvs/client.js';
import { reconcile, serviceId, type ReconcileReport } from '../ipvs/reconcile.js';
import type { Timeouts } from '../ipvs/types.js';
import type { Logger } from '../log.js';
import { externalDestinations } from './client-monitor.js';
import { desiredTable, serviceKeyOf, type ServerHealth } from './desired.js';
import type { CheckerEvent } from './hub.js';
import { checkTargets, sameTarget, type CheckTarget } from './targets.js';

/** Checkers is what the daemon needs of the checker hub. */
export interface Checkers {
  add(target: CheckTarget): void;
  remove(id: string): void;
  stop(): Promise<void>;
}

/** ownedIds lists the IPVS identities of a configuration's active services. */
function ownedIds(config: LvsConfig): Set<string> {
  const out = new Set<string>();
  for (const v of config.virtuals) {
    const key = v.active ? serviceKeyOf(v) : null;
    if (key !== null) out.add(serviceId(key));
  }
  return out;
}

/** LvsDaemon programs the table from a configuration and its checkers. */
export class LvsDaemon {
  private config: LvsConfig;
  private targets = new Map<string, CheckTarget>();
  private readonly health = new Map<string, ServerHealth>();
  private owned: Set<string>;
  private pending: Promise<void> = Promise.resolve();
  private scheduled = false;
  /** lastReport is what the last reconciliation did (for status and tests). */
  lastReport: ReconcileReport | null = null;
  /** counters count the reconciliations run and the kernel operations they could not do (for status). */
  readonly counters = { reconciliations: 0, failedOperations: 0 };

  constructor(
    config: LvsConfig,
    private readonly client: IpvsClient,
    private readonly checkers: Checkers,
    private readonly log: Logger,
  ) {
    this.config = config;
    this.owned = ownedIds(config);
  }

  /** start sets the configured timeouts, starts the checkers and programs the services. */
  async start(): Promise<void> {
    const g = this.config.global;
    if (g.tcpTimeout > 0 || g.tcpfinTimeout > 0 || g.udpTimeout > 0) {
      const t: Timeouts = { tcp: g.tcpTimeout, tcpFin: g.tcpfinTimeout, udp: g.udpTimeout };
      try {
        await this.client.setTimeouts(t);
      } catch (e) {
        this.log.info(`ipvsadm failed to set timeouts (${t.tcp} ${t.tcpFin} ${t.udp}): ${(e as Error).message}`);
      }
    }
    for (const v of this.config.virtuals) if (v.active) this.log.info(`starting virtual service ${v.name} active: ${v.port}`);
    this.applyTargets(checkTargets(this.config));
    await this.reconcileNow();
  }

  /** onChecker records a checker's finding and reconciles soon. */
  onChecker(e: CheckerEvent): void {
    const target = this.targets.get(e.id);
    if (target === undefined) return;
    this.health.set(e.id, e.state === 'down' ? { up: false, weight: 0, quiesced: target.quiesce } : { up: true, weight: e.weight, quiesced: false });
    this.schedule();
  }

  /** reload switches to a new (already validated) configuration, changing only what differs. */
  async reload(next: LvsConfig): Promise<void> {
    this.log.info('rereading configuration file');
    const before = this.owned;
    this.config = next;
    this.owned = new Set([...before, ...ownedIds(next)]);
    this.applyTargets(checkTargets(next));
    await this.reconcileNow();
    this.owned = ownedIds(next);
  }

  /** stop ends the checkers and removes the services this daemon owns. */
  async stop(): Promise<void> {
    await this.checkers.stop();
    await this.pending;
    for (const v of this.config.virtuals) {
      const key = v.active ? serviceKeyOf(v) : null;
      if (key === null) continue;
      this.log.info(`shutting down virtual service ${v.name}`);
      await this.client.deleteService(key).catch(() => undefined);
    }
  }

  /** health of every checked server, for status. */
  snapshot(): Array<{ id: string; health: ServerHealth | null }> {
    return [...this.targets.keys()].map((id) => ({ id, health: this.health.get(id) ?? null }));
  }

  private applyTargets(next: CheckTarget[]): void {
    const wanted = new Map(next.map((t) => [t.id, t]));
    for (const [id, old] of this.targets) {
      const now = wanted.get(id);
      if (now === undefined || !sameTarget(now, old)) {
        this.checkers.remove(id);
        this.targets.delete(id);
        // A changed server keeps its last health (no gap in the table) until its new checker reports.
        if (now === undefined) this.health.delete(id);
      }
    }
    for (const t of next) {
      if (this.targets.has(t.id)) continue;
      this.targets.set(t.id, t);
      this.checkers.add(t);
      this.log.info(`create_monitor for ${t.label}`);
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Gather the events of one moment (many checkers may report at once) into one reconciliation.
    setTimeout(() => {
      this.scheduled = false;
      void this.reconcileNow();
    }, 20);
  }

  /** reconcileNow brings the table to the desired state; reconciliations never overlap. */
  reconcileNow(): Promise<void> {
    const run = async (): Promise<void> => {
      const owned = this.owned;
      const foreign = externalDestinations(this.config);
      const report = await reconcile(this.client, desiredTable(this.config, this.health), { owns: (k) => owned.has(serviceId(k)), foreign });
      this.lastReport = report;
      this.counters.reconciliations++;
      this.counters.failedOperations += report.failed.length;
      for (const f of report.failed) this.log.info(`ipvs change failed: ${(f.error as Error).message}`);
    };
    this.pending = this.pending.then(run, run);
    return this.pending;
  }
}
