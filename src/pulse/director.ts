/**
 * The director carries out pulse's activation and deactivation (reference piranha.md §2.5-§2.6)
 * on our own services: active_cmd (no shell), lvsd as a child with readiness, the sync daemon,
 * the VIPs over rtnetlink and their announcements from the announcer, all VIPs in parallel.
 *
 * Operations run one after another, in the order they were asked for; a deactivation or a VIP
 * release cancels an activation that is still waiting for lvsd. Every outcome is logged; no
 * operation throws.
 *
 * Differences from piranha, on purpose: with --test-start the VIPs still come up and are
 * announced (as in piranha, where that part was not guarded by the flag) but they are also taken
 * down again on deactivation (piranha left them up); taking a VIP down removes its address and
 * leaves the interface alone (piranha ran `ifconfig eth0:1 down`); on a clean stop the VIPs go
 * first, before lvsd is stopped, so the partner can take them at once.
 */
import type { LvsConfig } from '../config/model.js';
import type { DaemonState } from '../ipvs/types.js';
import type { AnnounceReport, Announcer } from '../link/announce.js';
import type { AddOutcome, AddressRequest, RemoveOutcome } from '../link/types.js';
import { describeRequest } from '../link/vip.js';
import type { Logger } from '../log.js';
import { runCommand } from './commands.js';
import type { VipGuard } from './guard.js';
import { describeEnd, LvsdChild, LvsdStartError, lvsdCommand, type ChildEnd } from './lvsd-child.js';
import { switchSyncDaemon, type SyncDaemons } from './sync-daemon.js';
import { pulseAddresses } from './vips.js';

/** AddressControl is what the director needs of the route client. */
export interface AddressControl {
  addAddress(r: AddressRequest): Promise<AddOutcome>;
  removeAddress(r: AddressRequest): Promise<RemoveOutcome>;
  /** link looks an interface up (the route client keeps its index for the next requests). */
  link(name: string): Promise<unknown>;
}

/** DirectorOptions wire the director. */
export interface DirectorOptions {
  readonly configFile: string;
  /** norun is --test-start: no lvsd, no active/inactive commands. */
  readonly norun: boolean;
  readonly foreground: boolean;
  readonly verbose: boolean;
  readonly lvsdProgram: string;
  readonly lvsdReadyTimeoutMs?: number;
  readonly log: Logger;
  readonly routes: AddressControl;
  readonly announcer: Pick<Announcer, 'announce'>;
  readonly announceCount: number;
  readonly announceIntervalMs: number;
  readonly guard: Pick<VipGuard, 'hold' | 'release'> | null;
  /** syncDaemons opens the IPVS client for the sync daemon (only called when syncdaemon = 1). */
  readonly syncDaemons: () => Promise<SyncDaemons>;
  /** onChildFailure reports an unexpected end of lvsd, or its failure to become ready. */
  readonly onChildFailure: (end: ChildEnd) => void;
  /** now is the clock used for the activation timings. */
  readonly now: () => number;
}

/** ActivationTiming is what one activation took, from the decision. */
export interface ActivationTiming {
  readonly decidedAt: number;
  readonly lvsdReadyAt: number | null;
  readonly report: AnnounceReport;
}

/** Director performs the actions of the state machine. */
export class Director {
  private config: LvsConfig;
  private requests: readonly AddressRequest[];
  private lvsd: LvsdChild | null = null;
  private activation: AbortController | null = null;
  private announcing: AbortController | null = null;
  private chain: Promise<void> = Promise.resolve();
  /** up holds the addresses this director brought up and has not taken down. */
  private up: AddressRequest[] = [];
  /** onActivated receives the timings of each completed announcement run (for -v and the benchmark). */
  onActivated: ((t: ActivationTiming) => void) | null = null;

  constructor(
    config: LvsConfig,
    private readonly o: DirectorOptions,
  ) {
    this.config = config;
    this.requests = pulseAddresses(config).requests;
  }

  /**
   * prepare looks up the VIPs' interfaces once at start, so that an activation sends its address
   * requests at once instead of waiting for the interface indexes first. An interface that is
   * missing now is not an error here: the activation reports it.
   */
  async prepare(): Promise<void> {
    await Promise.allSettled([...new Set(this.requests.map((r) => r.link))].map((name) => this.o.routes.link(name)));
  }

  /** activate starts an activation (decided now). */
  activate(): void {
    const decidedAt = this.o.now();
    const ac = new AbortController();
    this.activation = ac;
    this.enqueue(() => this.doActivate(ac.signal, decidedAt));
  }

  /** deactivate cancels a pending activation and deactivates. */
  deactivate(wasActive: boolean): void {
    this.activation?.abort();
    this.enqueue(() => this.doDeactivate(wasActive));
  }

  /** releaseVips cancels a pending activation and takes the VIPs down. */
  releaseVips(): void {
    this.activation?.abort();
    this.announcing?.abort();
    this.enqueue(() => this.doRelease());
  }

  /** rearp runs active_cmd again and announces every VIP again. */
  rearp(): void {
    this.enqueue(() => {
      this.runScript(this.config.global.activeCmd);
      this.startAnnouncing(this.o.now());
      return Promise.resolve();
    });
  }

  /** hup passes SIGHUP to lvsd, if it runs. */
  hup(): void {
    this.lvsd?.hup();
  }

  /**
   * reconfigure switches to a new configuration: when addresses are up, new VIPs are brought up
   * and announced, and VIPs no longer configured are taken down.
   */
  reconfigure(next: LvsConfig): void {
    const requests = pulseAddresses(next).requests;
    this.enqueue(async () => {
      this.config = next;
      this.requests = requests;
      if (this.up.length === 0) return;
      const key = (r: AddressRequest): string => `${r.family}/${r.address}/${r.prefix}/${r.label ?? r.link}`;
      const wanted = new Set(requests.map(key));
      const gone = this.up.filter((r) => !wanted.has(key(r)));
      await this.remove(gone);
      const have = new Set(this.up.map(key));
      const added = requests.filter((r) => !have.has(key(r)));
      if (added.length > 0) {
        this.up = [...this.up, ...added];
        this.o.guard?.hold(this.up);
        // Under the running announcements' controller, so that a release stops these too.
        this.announcing ??= new AbortController();
        const signal = this.announcing.signal;
        void this.o.announcer.announce(added, { count: this.o.announceCount, intervalMs: this.o.announceIntervalMs, signal }).then((r) => this.logFailures(r));
      }
    });
  }

  /** idle resolves when every operation asked for so far is done. */
  idle(): Promise<void> {
    return this.chain;
  }

  private enqueue(op: () => Promise<void>): void {
    this.chain = this.chain.then(op).catch((e: unknown) => this.o.log.info(`internal error: ${(e as Error).stack ?? String(e)}`));
  }

  private runScript(command: string | null): void {
    if (this.o.norun || command === null) return;
    this.o.log.debug(`Executing '${command}'`);
    const run = runCommand(command, (pid) => this.o.log.info(`Skipping death of unknown child ${pid}`));
    if (run.error !== null) this.o.log.info(`could not run '${command}': ${run.error.message}`);
  }

  private async syncDaemon(state: DaemonState): Promise<void> {
    const g = this.config.global;
    if (!g.syncdaemon) return;
    try {
      const done = await switchSyncDaemon(await this.o.syncDaemons(), state, { iface: g.syncdIface, syncId: g.syncdId });
      for (const d of done) this.o.log.debug(`sync daemon: ${d}`);
    } catch (e) {
      this.o.log.info(`sync daemon as ${state} failed: ${(e as Error).message}`);
    }
  }

  private async doActivate(signal: AbortSignal, decidedAt: number): Promise<void> {
    if (signal.aborted) return;
    this.runScript(this.config.global.activeCmd);
    let lvsdReadyAt: number | null = null;
    if (!this.o.norun) {
      const cmd = lvsdCommand(this.o.lvsdProgram, this.o.configFile, { foreground: this.o.foreground, verbose: this.o.verbose });
      try {
        this.lvsd = await LvsdChild.start(cmd, {
          signal,
          ...(this.o.lvsdReadyTimeoutMs === undefined ? {} : { timeoutMs: this.o.lvsdReadyTimeoutMs }),
          onUnexpectedExit: (end) => {
            this.lvsd = null;
            this.o.onChildFailure(end);
          },
        });
        lvsdReadyAt = this.o.now();
      } catch (e) {
        if (e instanceof LvsdStartError && e.code === 'CANCELLED') return;
        this.o.log.info(`Error starting lvsd: ${(e as Error).message}`);
        this.o.onChildFailure(e instanceof LvsdStartError && e.end !== null ? e.end : { pid: 0, code: 1, signal: null });
        return;
      }
    }
    if (signal.aborted) return;
    await this.syncDaemon('master');
    if (signal.aborted) return;
    this.startAnnouncing(decidedAt, lvsdReadyAt);
  }

  private startAnnouncing(decidedAt: number, lvsdReadyAt: number | null = null): void {
    this.announcing?.abort();
    const ac = new AbortController();
    this.announcing = ac;
    const known = new Set(this.up.map((r) => `${r.family}/${r.address}`));
    this.up = [...this.up, ...this.requests.filter((r) => !known.has(`${r.family}/${r.address}`))];
    this.o.guard?.hold(this.up);
    void this.o.announcer.announce(this.requests, { count: this.o.announceCount, intervalMs: this.o.announceIntervalMs, signal: ac.signal }).then((report) => {
      this.logFailures(report);
      if (report.cancelled) return;
      this.onActivated?.({ decidedAt, lvsdReadyAt, report });
      if (report.allUpAt !== null && report.allFirstAt !== null)
        this.o.log.debug(`${report.vips.length} addresses up ${(report.allUpAt - decidedAt).toFixed(1)} ms and announced ${(report.allFirstAt - decidedAt).toFixed(1)} ms after the decision`);
      this.o.log.info('gratuitous lvs arps finished');
    });
  }

  private logFailures(report: AnnounceReport): void {
    for (const v of report.vips) for (const e of v.errors) this.o.log.info(`${describeRequest(v.request)}: ${(e as Error).message}`);
  }

  private async doDeactivate(wasActive: boolean): Promise<void> {
    this.runScript(this.config.global.inactiveCmd);
    await this.syncDaemon('backup');
    const lvsd = this.lvsd;
    this.lvsd = null;
    if (lvsd !== null) {
      const end = await lvsd.stop();
      if (end.code !== 0) this.o.log.info(`lvsd ${lvsd.pid} ended with ${describeEnd(end)}`);
    }
    if (wasActive || this.up.length > 0) await this.doRelease();
  }

  private async doRelease(): Promise<void> {
    this.announcing?.abort();
    this.announcing = null;
    await this.remove(this.up);
  }

  private async remove(requests: readonly AddressRequest[]): Promise<void> {
    if (requests.length === 0) return;
    const results = await Promise.allSettled(requests.map((r) => this.o.routes.removeAddress(r)));
    const failed = new Set<AddressRequest>();
    results.forEach((r, i) => {
      const req = requests[i] as AddressRequest;
      this.o.log.debug(`removing ${describeRequest(req)}`);
      if (r.status === 'rejected') {
        failed.add(req);
        this.o.log.info(`cannot take ${describeRequest(req)} down: ${(r.reason as Error).message}`);
      }
    });
    const gone = new Set(requests.filter((r) => !failed.has(r)));
    this.up = this.up.filter((r) => !gone.has(r));
    if (this.up.length === 0) this.o.guard?.release();
    else this.o.guard?.hold(this.up);
  }
}
