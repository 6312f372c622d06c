export { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, bootstrapIntervals, type Interval } from './bootstrap.js';
export { compareRankers, withIntervals, type MetricsWithIntervals, type RankerComparison } from './compare.js';
export { RankingAccumulator, type PerQuery, type RankingMetrics } from './metrics.js';
export {
  evaluateStore,
  NothingToEvaluateError,
  shownChoices,
  shownList,
  type ReplayOptions,
  type ShownChoices,
  type ShownRanking,
  type StoreEvaluation,
  type SuccessCount,
} from './replay.js';
export { passesThreshold } from '../scoring.js';
export { fitWithoutRests } from '../learned/learned-ranker.js';
