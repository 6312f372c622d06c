export { Recommender, type LearnedModelInfo, type RankerChoice, type RankingOptions } from './recommender.js';
export { RANKING } from './scoring.js';
export { centroidsKey, type CentroidCounts } from './saved-centroids.js';
export { LEARNED } from './learned/learned-ranker.js';
export { LEARNED_STATE_KEY } from './learned/model-persistence.js';
export { LINEAR } from './learned/linear-model.js';
export * from './evaluation/index.js';
