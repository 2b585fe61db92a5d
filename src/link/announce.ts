/**
 * The announce service pulse runs on activation (reference piranha.md §2.5-§2.6): bring every
 * VIP up and announce each one `count` times, `interval` apart, the first right after its
 * address is up; all VIPs in parallel; cancellable (deactivation); one report when every VIP is
 * done, on which pulse logs 'gratuitous lvs arps finished'.
 *
 * Differences from piranha, on purpose: the schedule is fixed to the time the address came up
 * (piranha slept one second after each send_arp, so its announcements drifted by the send
 * time); duplicate VIPs are skipped as piranha did, but reported; a failed send does not stop
 * the remaining ones for that VIP (piranha ignored send_arp's exit status too).
 */
import type { ArpSender } from '../arp/sender-interface.js';
import { systemClock, type Clock } from '../clock.js';
import { LinkError } from './errors.js';
import type { AddOutcome, AddressRequest, Link } from './types.js';
import { describeRequest } from './vip.js';

/** DEFAULT_COUNT and DEFAULT_INTERVAL_MS are piranha's: five announcements, one second apart. */
export const DEFAULT_COUNT = 5;
export const DEFAULT_INTERVAL_MS = 1000;

/** AnnounceRoutes is what the announcer needs from a RouteClient. */
export interface AnnounceRoutes {
  addAddress(r: AddressRequest): Promise<AddOutcome>;
  link(name: string): Promise<Pick<Link, 'mac'>>;
}

/** AnnounceOptions tune one announce run. */
export interface AnnounceOptions {
  /** count is how many announcements each VIP gets (default 5; at least 1). */
  readonly count?: number;
  /** intervalMs is the time between a VIP's announcements (default 1000). */
  readonly intervalMs?: number;
  /** signal cancels the run: no further announcement is sent, and the report says cancelled. */
  readonly signal?: AbortSignal;
}

/** VipReport is what happened to one VIP. Times are the clock's. */
export interface VipReport {
  readonly request: AddressRequest;
  /** outcome is 'added' or 'present' once the address was up, null when it never came up. */
  readonly outcome: AddOutcome | null;
  readonly upAt: number | null;
  /** firstAt is when the first announcement had been sent, null when it was not. */
  readonly firstAt: number | null;
  /** sent counts the announcements sent. */
  readonly sent: number;
  /** errors holds the bring-up failure and the failed sends, in order. */
  readonly errors: readonly unknown[];
}

/** AnnounceReport is the outcome of one run. */
export interface AnnounceReport {
  readonly startedAt: number;
  /** allUpAt is when the last VIP came up, null when one did not. */
  readonly allUpAt: number | null;
  /** allFirstAt is when the last first announcement had been sent, null when one was not. */
  readonly allFirstAt: number | null;
  readonly finishedAt: number;
  readonly cancelled: boolean;
  readonly vips: readonly VipReport[];
  /** duplicates are requests skipped because an earlier one has the same address. */
  readonly duplicates: readonly AddressRequest[];
  /** ok is true when every VIP came up and got every announcement. */
  readonly ok: boolean;
}

/** announceTimes is the schedule of one VIP: `count` times `intervalMs` apart from `upAt`. */
export function announceTimes(upAt: number, count: number, intervalMs: number): number[] {
  return Array.from({ length: count }, (_, k) => upAt + k * intervalMs);
}

/** dedupe keeps the first request of each address (family and text) and returns the rest as duplicates. */
export function dedupe(requests: readonly AddressRequest[]): { unique: AddressRequest[]; duplicates: AddressRequest[] } {
  const seen = new Set<string>();
  const unique: AddressRequest[] = [];
  const duplicates: AddressRequest[] = [];
  for (const r of requests) {
    const key = `${r.family}/${r.address}`;
    if (seen.has(key)) duplicates.push(r);
    else {
      seen.add(key);
      unique.push(r);
    }
  }
  return { unique, duplicates };
}

/** Announcer brings VIPs up and announces them through an ArpSender. */
export class Announcer {
  private readonly routes: AnnounceRoutes;
  private readonly sender: ArpSender;
  private readonly clock: Clock;

  constructor(deps: { routes: AnnounceRoutes; sender: ArpSender; clock?: Clock }) {
    this.routes = deps.routes;
    this.sender = deps.sender;
    this.clock = deps.clock ?? systemClock;
  }

  /**
   * announce runs one activation: every VIP is brought up (idempotently) and announced on its
   * own schedule, all in parallel. It resolves once every VIP is done or, after `signal` fired,
   * once nothing is in flight any more; it never rejects for a VIP's failure (see the report).
   */
  async announce(requests: readonly AddressRequest[], options: AnnounceOptions = {}): Promise<AnnounceReport> {
    const count = options.count ?? DEFAULT_COUNT;
    const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    if (!Number.isInteger(count) || count < 1) throw new TypeError(`announce count must be a positive integer, got ${count}`);
    if (!Number.isFinite(intervalMs) || intervalMs < 0) throw new TypeError(`announce interval must be a non-negative number of milliseconds, got ${intervalMs}`);
    const signal = options.signal;
    const startedAt = this.clock.now();
    const { unique, duplicates } = dedupe(requests);
    const macs = new Map<string, Promise<string>>();
    for (const r of unique)
      if (!macs.has(r.link)) {
        const p = this.routes.link(r.link).then((l) => {
          if (l.mac === null) throw new LinkError('NO_MAC', 'announce', r.link, 'the interface has no hardware address to announce');
          return l.mac;
        });
        p.catch(() => undefined);
        macs.set(r.link, p);
      }
    const vips = await Promise.all(unique.map((r) => this.run(r, count, intervalMs, macs.get(r.link) as Promise<string>, signal)));
    const latest = (xs: Array<number | null>): number | null => (xs.some((x) => x === null) ? null : Math.max(startedAt, ...(xs as number[])));
    const cancelled = signal?.aborted ?? false;
    return {
      startedAt,
      allUpAt: latest(vips.map((v) => v.upAt)),
      allFirstAt: latest(vips.map((v) => v.firstAt)),
      finishedAt: this.clock.now(),
      cancelled,
      vips,
      duplicates,
      ok: !cancelled && vips.every((v) => v.errors.length === 0 && v.sent === count),
    };
  }

  private async run(request: AddressRequest, count: number, intervalMs: number, mac: Promise<string>, signal: AbortSignal | undefined): Promise<VipReport> {
    const errors: unknown[] = [];
    let outcome: AddOutcome | null = null;
    let upAt: number | null = null;
    let firstAt: number | null = null;
    let sent = 0;
    const report = (): VipReport => ({ request, outcome, upAt, firstAt, sent, errors });
    if (signal?.aborted === true) return report();
    try {
      outcome = await this.routes.addAddress(request);
      upAt = this.clock.now();
    } catch (err) {
      errors.push(err);
      return report();
    }
    let hw: string;
    try {
      hw = await mac;
    } catch (err) {
      errors.push(err instanceof LinkError && err.operation === 'announce' ? err : new LinkError((err as { code?: string }).code ?? 'EIO', 'announce', describeRequest(request), 'cannot read the interface hardware address', { cause: err }));
      return report();
    }
    for (const due of announceTimes(upAt, count, intervalMs)) {
      if (!(await this.sleepUntil(due, signal))) break;
      try {
        await this.sender.announce(request.link, request.address, hw);
        sent++;
        if (sent === 1 && errors.length === 0) firstAt = this.clock.now();
      } catch (err) {
        errors.push(err);
      }
    }
    return report();
  }

  /** sleepUntil waits for the clock to reach `at`; it resolves false when cancelled first. */
  private sleepUntil(at: number, signal: AbortSignal | undefined): Promise<boolean> {
    if (signal?.aborted === true) return Promise.resolve(false);
    const delay = at - this.clock.now();
    if (delay <= 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const onAbort = (): void => {
        timer.cancel();
        resolve(false);
      };
      const timer = this.clock.setTimer(delay, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
