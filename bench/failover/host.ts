/**
 * The host's side of the failover benchmark's timing: CLOCK_REALTIME (the clock of the capture's
 * time stamps) to the microsecond from this process, and the CPU steal time of the machine.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * realtimeOffset is CLOCK_REALTIME minus performance.now(), in milliseconds. Date.now() counts
 * whole milliseconds of CLOCK_REALTIME, so the moment it steps is an exact millisecond; pairing
 * that moment with performance.now() gives the offset to within a loop turn. A step seen late
 * (the process was preempted) gives a wrong offset, so the median of several steps is taken.
 */
export function realtimeOffset(steps = 7): number {
  const offsets: number[] = [];
  for (let i = 0; i < steps; i++) {
    const start = Date.now();
    let mono: number;
    let real: number;
    do {
      mono = performance.now();
      real = Date.now();
    } while (real === start);
    offsets.push(real - mono);
  }
  offsets.sort((x, y) => x - y);
  return offsets[Math.floor(steps / 2)] as number;
}

/** USER_HZ is the unit of /proc/stat (100 ticks a second on Linux). */
const USER_HZ = 100;

/** cpuStealMs reads the machine's CPU steal time so far (all CPUs, /proc/stat), in milliseconds. */
export function cpuStealMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const fields = line.trim().split(/\s+/);
  if (fields[0] !== 'cpu' || fields.length < 9) throw new Error(`/proc/stat: unexpected first line '${line}'`);
  return (Number(fields[8]) * 1000) / USER_HZ;
}
