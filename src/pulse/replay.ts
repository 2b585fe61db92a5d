/**
 * Replay protection for authenticated heartbeats, without state on disk.
 *
 * A sender numbers its datagrams with {@link nextSequence}: the wall-clock time in
 * microseconds, or one more than the last number when the clock has not moved on (or went
 * back), so numbers only grow, and also across a restart as long as the clock is right.
 * A receiver keeps, per partner, the last number it accepted ({@link ReplayGuard}); a datagram
 * that does not go beyond it is a replay. The first datagram from a partner, and the first
 * after a silence longer than the window, can only be judged by the clock: its number must be
 * within the window (default {@link DEFAULT_REPLAY_WINDOW_MS}, 30 s) of our own wall-clock
 * time. This relies on both directors keeping time with NTP: if their clocks are further
 * apart than the window, each refuses the other's heartbeats as stale until they agree.
 */

/** DEFAULT_REPLAY_WINDOW_MS is how far a partner's clock may be from ours: 30 seconds. */
export const DEFAULT_REPLAY_WINDOW_MS = 30_000;

/**
 * nextSequence returns the sequence number for the next datagram: the larger of `prev + 1`
 * and `realtimeMs` (a wall-clock reading such as Date.now()) in whole microseconds. Give every
 * datagram its own number, the public and the private channel included.
 */
export function nextSequence(prev: bigint, realtimeMs: number): bigint {
  if (!Number.isFinite(realtimeMs)) throw new RangeError(`nextSequence: realtimeMs ${realtimeMs} is not a time`);
  const now = BigInt(Math.max(0, Math.floor(realtimeMs * 1000)));
  return now > prev ? now : prev + 1n;
}

/** ReplayVerdict is the guard's judgement of one datagram. */
export type ReplayVerdict = 'ok' | 'replay' | 'stale';

/** ReplayGuardOptions tune a ReplayGuard. */
export interface ReplayGuardOptions {
  /** windowMs is how far a fresh partner's sequence time may be from our clock; default 30 s. */
  readonly windowMs?: number;
}

/**
 * ReplayGuard remembers the last sequence number accepted from each partner and judges new
 * ones. Call it only for datagrams whose HMAC verified, so a forger cannot move it on, and key
 * it by the partner (not by channel): with one number per datagram, a copy of the public
 * channel's datagram replayed on the private channel is then refused too. A datagram that
 * arrives after a newer one on the other channel is refused as a replay, which costs nothing
 * since the newer one said at least as much.
 */
export class ReplayGuard {
  readonly windowMs: number;
  private readonly last = new Map<string, { seq: bigint; atMs: number }>();

  constructor(opts: ReplayGuardOptions = {}) {
    const windowMs = opts.windowMs ?? DEFAULT_REPLAY_WINDOW_MS;
    if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError(`ReplayGuard: windowMs ${windowMs} must be a positive number of milliseconds`);
    this.windowMs = windowMs;
  }

  /**
   * check judges sequence number `seq` from `peer`, received at wall-clock time `realtimeMs`,
   * and on 'ok' records it as the peer's latest. The silence since the last accepted datagram
   * is measured on `monotonicMs` when given (a Clock's now()), so that a step of our wall clock
   * while heartbeats flow does not make the partner's next one look stale; else on `realtimeMs`.
   * Pass it on every call or on none.
   */
  check(peer: string, seq: bigint, realtimeMs: number, monotonicMs?: number): ReplayVerdict {
    if (!Number.isFinite(realtimeMs)) throw new RangeError(`ReplayGuard.check: realtimeMs ${realtimeMs} is not a time`);
    const at = monotonicMs ?? realtimeMs;
    const last = this.last.get(peer);
    if (last !== undefined && seq <= last.seq) return 'replay';
    const silent = last === undefined || !(at - last.atMs <= this.windowMs);
    if (silent && !this.nearOurClock(seq, realtimeMs)) return 'stale';
    this.last.set(peer, { seq, atMs: at });
    return 'ok';
  }

  private nearOurClock(seq: bigint, realtimeMs: number): boolean {
    const ourMicros = BigInt(Math.floor(realtimeMs * 1000));
    const distance = seq > ourMicros ? seq - ourMicros : ourMicros - seq;
    return distance <= BigInt(Math.floor(this.windowMs * 1000));
  }
}
