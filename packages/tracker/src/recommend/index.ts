// Interim stats-only recommender written by the lead so that the tracker builds while the
// semantic one is being written. helper-2: replace this file freely.
import type { Recommendation, RecommendationQuery, SkillsStore } from '@skills/protocol';
import type { Embedder } from '@skills/embeddings';

export interface RankingOptions {
  minSimilarity: number;
  maxRecommendations: number;
  enablePhaseAware: boolean;
  phaseWeight: number;
}

export class Recommender {
  readonly embedderId: string;
  #store: SkillsStore;
  #options: RankingOptions;

  private constructor(store: SkillsStore, embedder: Embedder, options: RankingOptions) {
    this.#store = store;
    this.embedderId = embedder.id;
    this.#options = options;
  }

  static async open(store: SkillsStore, embedder: Embedder, options: RankingOptions): Promise<Recommender> {
    return new Recommender(store, embedder, options);
  }

  invalidate(): void {}

  async recommend(query: RecommendationQuery): Promise<Recommendation[]> {
    const stats = await this.#store.skillStats();
    return stats.slice(0, query.limit ?? this.#options.maxRecommendations).map((s) => {
      const successRate = (s.completed + 1) / (s.completed + s.failed + s.abandoned + 2);
      return {
        skillName: s.skillName,
        score: successRate,
        similarityScore: 0,
        successRate,
        completed: successRate >= 0.5,
        durationSeconds: s.meanDurationSeconds,
        workflowPhase: null,
        invocationCount: s.invocations,
        reason: `${s.invocations} past invocations`,
      };
    });
  }

  async reindex(): Promise<{ embedded: number }> {
    return { embedded: 0 };
  }
}
