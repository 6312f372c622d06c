/**
 * The nearest-rank percentile of ascending `sorted` values: the smallest value with at least
 * `p` of them at or below it. Null for no values.
 *
 * @example
 * nearestRank([1, 2, 3, 4], 0.5); // 2
 */
export function nearestRank(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1] as number;
}
