export { Recommender, type RankerChoice, type RankingOptions } from './recommender.js';
export { RANKING } from './scoring.js';
export { LEARNED } from './learned/learned-ranker.js';
export { LINEAR } from './learned/linear-model.js';
