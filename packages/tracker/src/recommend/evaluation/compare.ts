import type { RankerChoice } from '../recommender.js';
import { bootstrapIntervals, type Interval } from './bootstrap.js';
import type { PerQuery, RankingMetrics } from './metrics.js';

/** One ranker's metrics with their bootstrap 95% intervals (queries resampled). */
export interface MetricsWithIntervals {
  readonly metrics: RankingMetrics;
  readonly intervals: { readonly hitAt1: Interval; readonly hitAt5: Interval; readonly mrrAt5: Interval };
}

/** The learned ranker against the similarity ranker on the same queries. */
export interface RankerComparison {
  /** Paired learned − similarity differences, with bootstrap 95% intervals. */
  readonly difference: {
    readonly hitAt1: { readonly mean: number; readonly interval: Interval };
    readonly hitAt5: { readonly mean: number; readonly interval: Interval };
  };
  /**
   * The quality rule for the default: the learned ranker wins when its Hit@1 gain's paired
   * interval lies above 0 (more than the noise) and its Hit@5 is not lower.
   */
  readonly verdict: { readonly hitAt1Better: boolean; readonly hitAt5NotLower: boolean; readonly winner: RankerChoice };
}

/**
 * Metrics and intervals from per-query outcomes.
 *
 * @example
 * const acc = new RankingAccumulator();
 * acc.add('b', ['a', 'b']);
 * withIntervals(acc.result(), acc.perQuery()).intervals.hitAt5;
 */
export function withIntervals(metrics: RankingMetrics, perQuery: PerQuery): MetricsWithIntervals {
  return { metrics, intervals: bootstrapIntervals(perQuery) };
}

/**
 * Compares two rankers' per-query outcomes on the same queries (same order): paired differences
 * with bootstrap intervals, and the rule's verdict.
 *
 * @example
 * const { verdict } = compareRankers(similarity.perQuery(), learned.perQuery());
 */
export function compareRankers(similarity: PerQuery, learned: PerQuery): RankerComparison {
  const diff = (k: 'hitAt1' | 'hitAt5') => learned[k].map((x, i) => x - similarity[k][i]!);
  const paired = bootstrapIntervals({ hitAt1: diff('hitAt1'), hitAt5: diff('hitAt5') });
  const hitAt1Better = paired.hitAt1.low > 0;
  const hitAt5NotLower = mean(learned.hitAt5) >= mean(similarity.hitAt5);
  return {
    difference: {
      hitAt1: { mean: mean(diff('hitAt1')), interval: paired.hitAt1 },
      hitAt5: { mean: mean(diff('hitAt5')), interval: paired.hitAt5 },
    },
    verdict: { hitAt1Better, hitAt5NotLower, winner: hitAt1Better && hitAt5NotLower ? 'learned' : 'similarity' },
  };
}

function mean(xs: Float64Array): number {
  return xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
}
