/**
 * Drainer: the shell around the drain core. It holds the drains lvsd has started, puts them into
 * every desired table (overlay), and once a period dumps the destinations of each service that
 * has drains; drains that are over (no connections left, gone, or timed out) are dropped and their
 * services handed back to lvsd, whose next reconciliation of them deletes the destinations.
 */
import type { Clock, Timer } from '../clock.js';
import type { DesiredTable } from '../ipvs/reconcile.js';
import { serviceId } from '../ipvs/reconcile.js';
import type { DestinationEntry, DestinationKey, ServiceKey } from '../ipvs/types.js';
import { describeDrain, drainKey, endedDrains, overlayDrains, type Drain, type DrainEnd } from './drain.js';

/** DRAIN_CHECK_MS is how often the connection counters of draining servers are read. */
export const DRAIN_CHECK_MS = 1000;

/** DrainerOptions wire a drainer to lvsd. */
export interface DrainerOptions {
  readonly clock: Clock;
  /** destinations dumps one service's destinations with their connection counters. */
  readonly destinations: (key: ServiceKey) => Promise<readonly DestinationEntry[]>;
  /** ended receives the services whose drains are over; it reconciles them (deleting the destinations). */
  readonly ended: (services: readonly ServiceKey[]) => Promise<void>;
  readonly log: (message: string) => void;
  /** checkMs is the period of the counter reads (default DRAIN_CHECK_MS). */
  readonly checkMs?: number;
}

/** Drainer keeps the drains of one lvsd. */
export class Drainer {
  private readonly drains = new Map<string, Drain>();
  private timer: Timer | null = null;
  private checking = false;
  private stopped = false;

  constructor(private readonly options: DrainerOptions) {}

  /** size is the number of destinations draining. */
  get size(): number {
    return this.drains.size;
  }

  /** list returns the drains, for status and tests. */
  list(): Drain[] {
    return [...this.drains.values()];
  }

  /** has tells whether a destination of a service is draining. */
  has(service: ServiceKey, destination: DestinationKey): boolean {
    return this.drains.has(drainKey(service, destination));
  }

  /** start begins draining destinations; one already draining keeps its deadline. */
  start(drains: readonly Drain[]): void {
    if (this.stopped) return;
    for (const d of drains) {
      const key = drainKey(d.service, d.destination);
      if (this.drains.has(key)) continue;
      this.drains.set(key, d);
      this.options.log(`draining real server ${describeDrain(d)}`);
    }
    this.arm();
  }

  /** overlay puts the drains into a desired table (of the services in `scope`, or all) and forgets those it made pointless. */
  overlay(desired: DesiredTable, scope?: ReadonlySet<string>): DesiredTable {
    const { table, settled } = overlayDrains(desired, this.drains, scope);
    for (const key of settled) this.drains.delete(key);
    return table;
  }

  /** stop ends every drain (lvsd is stopping and removes its services whole). */
  stop(): void {
    this.stopped = true;
    this.drains.clear();
    this.timer?.cancel();
    this.timer = null;
  }

  private arm(): void {
    if (this.stopped || this.timer !== null || this.checking || this.drains.size === 0) return;
    this.timer = this.options.clock.setTimer(this.options.checkMs ?? DRAIN_CHECK_MS, () => {
      this.timer = null;
      void this.check();
    });
  }

  /** check reads the counters of the services with drains and ends the drains that are over. */
  async check(): Promise<void> {
    if (this.checking || this.stopped) return;
    this.checking = true;
    try {
      const services = new Map<string, ServiceKey>();
      for (const d of this.drains.values()) services.set(serviceId(d.service), d.service);
      const observed = new Map<string, readonly DestinationEntry[]>();
      await Promise.all(
        [...services].map(async ([id, key]) => {
          try {
            observed.set(id, await this.options.destinations(key));
          } catch (e) {
            this.options.log(`cannot read the connections of draining servers of ${id}: ${(e as Error).message}`);
          }
        }),
      );
      if (this.stopped) return;
      const ended = endedDrains(this.drains, observed, this.options.clock.now());
      const touched = new Map<string, ServiceKey>();
      for (const end of ended) {
        const key = drainKey(end.drain.service, end.drain.destination);
        if (this.drains.get(key) !== end.drain) continue;
        this.drains.delete(key);
        touched.set(serviceId(end.drain.service), end.drain.service);
        this.options.log(endText(end));
      }
      if (touched.size > 0) await this.options.ended([...touched.values()]);
    } finally {
      this.checking = false;
      this.arm();
    }
  }
}

function endText(end: DrainEnd): string {
  const what = describeDrain(end.drain);
  switch (end.reason) {
    case 'no connections':
      return `drained real server ${what}: no connections left, removing it`;
    case 'timeout':
      return `drain of real server ${what} timed out, removing it`;
    case 'gone':
      return `draining real server ${what} is no longer in the table`;
  }
}
