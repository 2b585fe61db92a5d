/**
 * The lvsd shell: one writer of the IPVS table. It holds the configuration and what the checkers
 * said, and after every change reconciles the table to desiredTable(config, health), touching
 * only the services the configuration owns: the whole table at start, and after checker events
 * only the services of the servers that changed (gathered over 20 ms). Reloads apply a diff (planReload): only the services
 * it names are read and changed; checkers start and stop only for servers that were added,
 * removed or changed; unchanged servers keep their health; removed servers drain (Drainer).
 */
import { systemClock, type Clock } from '../clock.js';
import type { LvsConfig } from '../config/model.js';
import type { IpvsClient } from '../ipvs/client.js';
import { describeOp } from '../ipvs/op-text.js';
import { applyPlan, planReconcile, readServices, reconcile, serviceId, type ReconcileReport } from '../ipvs/reconcile.js';
import type { ServiceKey, Timeouts } from '../ipvs/types.js';
import type { Logger } from '../log.js';
import { externalDestinations } from './client-monitor.js';
import { activeServiceKey, desiredTable, type ServerHealth } from './desired.js';
import { DEFAULT_DRAIN_TIMEOUT_MS } from './drain.js';
import { Drainer } from './drainer.js';
import type { CheckerEvent } from './hub.js';
import { planReload } from './reload.js';
import { checkTargets, type CheckTarget } from './targets.js';

/** Checkers is what the daemon needs of the checker hub. */
export interface Checkers {
  /** add starts checking a target; `running` starts its checker from "up at the configured weight". */
  add(target: CheckTarget, running?: boolean): void;
  remove(id: string): void;
  stop(): Promise<void>;
}

/** DaemonOptions tune the daemon. */
export interface DaemonOptions {
  /** clock times drains and the gathering of checker events (default: the system clock). */
  readonly clock?: Clock;
  /** drainTimeoutMs bounds a removed real server's drain; 0 deletes it at once (default DEFAULT_DRAIN_TIMEOUT_MS). */
  readonly drainTimeoutMs?: number;
}

/** ownedIds lists the IPVS identities of a configuration's active services. */
function ownedIds(config: LvsConfig): Set<string> {
  const out = new Set<string>();
  for (const v of config.virtuals) {
    const key = activeServiceKey(v);
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
  /** touched holds the services whose checkers reported since the last gathered reconciliation, by serviceId. */
  private readonly touched = new Map<string, ServiceKey>();
  private readonly clock: Clock;
  private readonly drainTimeoutMs: number;
  private readonly drainer: Drainer;
  /** lastReport is what the last reconciliation did (for status and tests). */
  lastReport: ReconcileReport | null = null;
  /** counters count the reconciliations run and the kernel operations they could not do (for status). */
  readonly counters = { reconciliations: 0, failedOperations: 0 };

  constructor(
    config: LvsConfig,
    private readonly client: IpvsClient,
    private readonly checkers: Checkers,
    private readonly log: Logger,
    options: DaemonOptions = {},
  ) {
    this.config = config;
    this.owned = ownedIds(config);
    this.clock = options.clock ?? systemClock;
    this.drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    this.drainer = new Drainer({ clock: this.clock, destinations: (key) => client.destinations(key), ended: (keys) => this.reconcileServices(keys), log: (m) => log.info(m) });
  }

  /** start sets the configured timeouts, starts the checkers and programs the services. */
  async start(): Promise<void> {
    const g = this.config.global;
    if (g.tcpTimeout > 0 || g.tcpfinTimeout > 0 || g.udpTimeout > 0) await this.setTimeouts({ tcp: g.tcpTimeout, tcpFin: g.tcpfinTimeout, udp: g.udpTimeout });
    for (const v of this.config.virtuals) if (v.active) this.log.info(`starting virtual service ${v.name} active: ${v.port}`);
    this.addTargets(checkTargets(this.config));
    await this.reconcileNow();
  }

  /** onChecker records a checker's finding and reconciles soon. */
  onChecker(e: CheckerEvent): void {
    const target = this.targets.get(e.id);
    if (target === undefined) return;
    this.health.set(e.id, e.state === 'down' ? { up: false, weight: 0, quiesced: target.quiesce } : { up: true, weight: e.weight, quiesced: false });
    if (target.service !== null) this.touched.set(serviceId(target.service), target.service);
    this.schedule();
  }

  /** reload switches to a new (already validated) configuration, changing only what differs. */
  async reload(next: LvsConfig): Promise<void> {
    this.log.info('rereading configuration file');
    const plan = planReload({
      before: this.config,
      after: next,
      health: this.health,
      targets: this.targets,
      draining: (key, d) => this.drainer.has(key, d),
      drainDeadline: this.drainTimeoutMs > 0 ? this.clock.now() + this.drainTimeoutMs : null,
    });
    this.config = next;
    for (const v of plan.stopping) this.log.info(`shutting down virtual service ${v.name}`);
    for (const id of plan.stopCheckers) {
      this.checkers.remove(id);
      this.targets.delete(id);
    }
    for (const id of plan.forget) this.health.delete(id);
    for (const [id, h] of plan.health) this.health.set(id, h);
    for (const v of plan.starting) this.log.info(`starting virtual service ${v.name} active: ${v.port}`);
    for (const { target, running } of plan.startCheckers) {
      this.targets.set(target.id, target);
      this.checkers.add(target, running);
      this.log.info(`create_monitor for ${target.label}`);
    }
    this.drainer.start(plan.drains);
    if (plan.timeouts !== null) await this.setTimeouts(plan.timeouts);
    // Until the touched services are reconciled, a full reconciliation must still see them as ours.
    this.owned = new Set([...ownedIds(next), ...plan.services.map(serviceId)]);
    await this.reconcileServices(plan.services);
    this.owned = ownedIds(next);
  }

  /** stop ends the drains and the checkers and removes the services this daemon owns. */
  async stop(): Promise<void> {
    this.drainer.stop();
    await this.checkers.stop();
    await this.pending;
    for (const v of this.config.virtuals) {
      const key = activeServiceKey(v);
      if (key === null) continue;
      this.log.info(`shutting down virtual service ${v.name}`);
      await this.client.deleteService(key).catch(() => undefined);
    }
  }

  /** health of every checked server, for status. */
  snapshot(): Array<{ id: string; health: ServerHealth | null }> {
    return [...this.targets.keys()].map((id) => ({ id, health: this.health.get(id) ?? null }));
  }

  private addTargets(targets: CheckTarget[]): void {
    for (const t of targets) {
      this.targets.set(t.id, t);
      this.checkers.add(t);
      this.log.info(`create_monitor for ${t.label}`);
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Gather the events of one moment (many checkers may report at once) into one
    // reconciliation, which reads and writes only the services of the servers that changed.
    this.clock.setTimer(20, () => {
      this.scheduled = false;
      const keys = [...this.touched.values()];
      this.touched.clear();
      if (keys.length > 0) void this.reconcileServices(keys);
    });
  }

  /** reconcileNow brings the table to the desired state; reconciliations never overlap. */
  reconcileNow(): Promise<void> {
    return this.enqueue(() => {
      const owned = this.owned;
      return reconcile(this.client, this.drainer.overlay(desiredTable(this.config, this.health)), { owns: (k) => owned.has(serviceId(k)), foreign: externalDestinations(this.config) });
    });
  }

  /** reconcileServices brings only the given services (all of them lvsd's) to the desired state, reading only them. */
  reconcileServices(keys: readonly ServiceKey[]): Promise<void> {
    return this.enqueue(async () => {
      const scope = new Set(keys.map(serviceId));
      const virtuals = this.config.virtuals.filter((v) => {
        const key = activeServiceKey(v);
        return key !== null && scope.has(serviceId(key));
      });
      const part = { ...this.config, virtuals };
      const desired = this.drainer.overlay(desiredTable(part, this.health), scope);
      return applyPlan(this.client, planReconcile(desired, await readServices(this.client, keys), { takeAll: true, foreign: externalDestinations(part) }));
    });
  }

  private async setTimeouts(t: Timeouts): Promise<void> {
    try {
      await this.client.setTimeouts(t);
    } catch (e) {
      this.log.info(`ipvsadm failed to set timeouts (${t.tcp} ${t.tcpFin} ${t.udp}): ${(e as Error).message}`);
    }
  }

  /** enqueue runs one reconciliation after the others and logs what it sent. */
  private enqueue(work: () => Promise<ReconcileReport>): Promise<void> {
    const run = async (): Promise<void> => {
      const report = await work();
      this.lastReport = report;
      this.counters.reconciliations++;
      this.counters.failedOperations += report.failed.length;
      for (const op of report.applied) this.log.debug(`ipvs: ${describeOp(op)}`);
      for (const f of report.failed) {
        this.log.debug(`ipvs: ${describeOp(f.op)} (failed)`);
        this.log.info(`ipvs change failed: ${(f.error as Error).message}`);
      }
    };
    this.pending = this.pending.then(run, run);
    return this.pending;
  }
}
