export { Recommender, type RankingOptions } from './recommender.js';
export { RANKING } from './scoring.js';
