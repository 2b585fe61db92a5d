/** Summary figures of a benchmark's samples, pure. */

/** median is the middle sample (the mean of the two middle ones for an even count); NaN when there is none. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** maximum is the largest sample; NaN when there is none. */
export function maximum(samples: readonly number[]): number {
  return samples.length === 0 ? NaN : Math.max(...samples);
}
