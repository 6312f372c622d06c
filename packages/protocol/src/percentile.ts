/**
 * The nearest-rank percentile, the one convention of every figure this project reports (the
 * store's p50/p95 durations, `pnpm eval` and `pnpm bench` latencies): the smallest value with at
 * least the share `p` of the values at or below it, i.e. the value at rank `ceil(p × n)` (at least
 * rank 1) of the `n` values in ascending order. It is always one of the values, never an
 * interpolation between two.
 *
 * `sorted` must be in ascending order (sort once, then ask for several percentiles); `p` is a share
 * from 0 to 1 (0.95 for p95). Null for no values.
 *
 * @example
 * percentile([1, 2, 3, 4], 0.5); // 2
 * percentile([1, 2, 3, 4], 0.95); // 4
 * percentile(Float64Array.from(samples).sort(), 0.99);
 */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile: p must be a share from 0 to 1 (0.95 for p95), got ${p}`);
  if (sorted.length === 0) return null;
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;
}
