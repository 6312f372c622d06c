import { seededRandom } from '@skills/protocol';

/** A 95% interval. */
export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** Resamples of a bootstrap: enough for stable 2.5% / 97.5% percentiles. */
export const BOOTSTRAP_RESAMPLES = 1000;
/** Seed of the resampling: the same run gives the same intervals. */
export const BOOTSTRAP_SEED = 20240101;

/**
 * Percentile bootstrap 95% intervals of the means of several per-query series, all resampled
 * with the same query draws (so an interval of a paired difference, given as its own series,
 * accounts for the pairing).
 *
 * @example
 * const { hit } = bootstrapIntervals({ hit: Float64Array.from([1, 0, 1, 1]) });
 * console.log(hit.low, hit.high);
 */
export function bootstrapIntervals<K extends string>(
  series: Readonly<Record<K, Float64Array>>,
  resamples: number = BOOTSTRAP_RESAMPLES,
  seed: number = BOOTSTRAP_SEED,
): Record<K, Interval> {
  const keys = Object.keys(series) as K[];
  const n = keys.length === 0 ? 0 : series[keys[0]!].length;
  for (const k of keys) if (series[k].length !== n) throw new RangeError(`series ${k} has ${series[k].length} values, not ${n}`);
  const random = seededRandom(seed);
  const means = keys.map(() => new Float64Array(resamples));
  for (let b = 0; b < resamples; b++) {
    const sums = keys.map(() => 0);
    for (let i = 0; i < n; i++) {
      const j = Math.floor(random() * n);
      keys.forEach((k, m) => (sums[m]! += series[k][j]!));
    }
    keys.forEach((_, m) => (means[m]![b] = sums[m]! / (n || 1)));
  }
  const out = {} as Record<K, Interval>;
  keys.forEach((k, m) => {
    const sorted = means[m]!.sort();
    out[k] = { low: sorted[Math.floor(0.025 * (resamples - 1))]!, high: sorted[Math.ceil(0.975 * (resamples - 1))]! };
  });
  return out;
}
