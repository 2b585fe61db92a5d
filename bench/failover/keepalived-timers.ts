/**
 * keepalived's VRRPv3 timers for a given detection budget, pure. A VRRPv3 backup declares the
 * master down `3 x advert + skew` after its last advertisement, where the advertisement interval
 * is carried in centiseconds and skew = (256 - priority) x advert / 256. keepalived 2.2.7
 * computes the skew in microseconds as ((256 - priority) x advert_cs x 625) / 16 with integer
 * division (vrrp.h, VRRP_TIMER_SKEW_CALC), which is what `masterDownMicros` reproduces.
 */

/** VrrpTimers is one keepalived setting: advert_int in centiseconds and the priority of both routers. */
export interface VrrpTimers {
  readonly advertCs: number;
  readonly priority: number;
  /** skewMs is the skew of a backup of this priority. */
  readonly skewMs: number;
  /** downMs is 3 x advert + skew, the master-down interval. */
  readonly downMs: number;
}

/** masterDownMicros is keepalived's master-down interval in microseconds. */
export function masterDownMicros(advertCs: number, priority: number): number {
  return 3 * advertCs * 10_000 + Math.floor(((256 - priority) * advertCs * 625) / 16);
}

/**
 * vrrpTimersFor finds the settings whose master-down interval equals `deadtimeMs` exactly
 * (priority 1..254, advert 1..4095 cs) and returns the one with the highest priority: the
 * smallest skew and the longest advertisement interval, which is keepalived's best case both
 * for a kill (the last advertisement lies further back, on average) and for a clean stop (the
 * backup takes over one skew after the priority-0 advertisement). With no exact setting it
 * throws a RangeError naming the budget.
 */
export function vrrpTimersFor(deadtimeMs: number): VrrpTimers {
  const target = Math.round(deadtimeMs * 1000);
  for (let priority = 254; priority >= 1; priority--)
    for (let advertCs = 1; advertCs <= 4095; advertCs++) {
      const down = masterDownMicros(advertCs, priority);
      if (down > target) break;
      if (down === target) return { advertCs, priority, skewMs: (down - 3 * advertCs * 10_000) / 1000, downMs: down / 1000 };
    }
  throw new RangeError(`no VRRPv3 advert interval (centiseconds) and priority give 3 x advert + skew = ${deadtimeMs} ms exactly`);
}
