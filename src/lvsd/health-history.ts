/**
 * HealthHistory: when each real server last changed between up and down, and what its checker
 * last said, for status. The daemon keeps the health the table is built from; this keeps only
 * what an operator asks next ("since when?", "why?").
 */
import type { CheckerEvent } from './hub.js';

/** HealthRecord is the last known state of one server's checks. */
export interface HealthRecord {
  readonly state: 'up' | 'down';
  /** since is when the server entered this state (wall-clock milliseconds). */
  readonly since: number;
  /** reason is the checker's text for its last event. */
  readonly reason: string;
}

/** HealthHistory records checker events by server id. */
export class HealthHistory {
  private readonly records = new Map<string, HealthRecord>();

  /** now is the wall clock in milliseconds (injected for tests). */
  constructor(private readonly now: () => number = Date.now) {}

  /** record notes an event; a weight change of a server that is up keeps its `since`. */
  record(e: CheckerEvent): void {
    const state = e.state === 'down' ? 'down' : 'up';
    const old = this.records.get(e.id);
    this.records.set(e.id, { state, since: old?.state === state ? old.since : this.now(), reason: e.reason });
  }

  /** retain forgets every server not in `ids` (servers a reload removed). */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.records.keys()) if (!ids.has(id)) this.records.delete(id);
  }

  /** view is the records by server id. */
  view(): ReadonlyMap<string, HealthRecord> {
    return this.records;
  }
}
