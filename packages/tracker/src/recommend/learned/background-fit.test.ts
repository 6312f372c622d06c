import { join } from 'node:path';
import { LexicalEmbedder, SparseIndex, type Vector } from '@skills/embeddings';
import type { InvocationRecord } from '@skills/protocol';
import { finishedRecord } from '@skills/store-contract';
import { openSqliteStore } from '@skills/store-sqlite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../test-support/temp.js';
import { Recommender, type RankingOptions } from '../recommender.js';
import { LearnedRanker, type PairCounts } from './learned-ranker.js';

const OPTIONS: RankingOptions = { minSimilarity: 0, maxRecommendations: 5, enablePhaseAware: false, phaseWeight: 0 };
const embedder = new LexicalEmbedder();

/** Two skills, each taught by `perSkill` distinct queries (past the cold start). */
function history(perSkill: number): { text: (id: number) => string; counts: PairCounts[] } {
  const text = (id: number) => (id % 2 === 0 ? `write a sql migration number ${id}` : `tune the cache layer ${id}`);
  const counts = Array.from({ length: 2 * perSkill }, (_, i) => ({ queryId: i + 1, skill: (i + 1) % 2, invocations: 2, failed: i % 5 === 0 ? 1 : 0 }));
  return { text, counts };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('learned ranker: the fit does its set-up in the background', () => {
  it('reads no vector when a fit starts; reads each pair once in its slices, then the model is ready', async () => {
    const { text, counts } = history(500);
    const vectors = new Map<number, Vector>(counts.map((c) => [c.queryId, embedder.embedOne(text(c.queryId))]));
    let reads = 0;
    const ranker = new LearnedRanker(embedder.id);
    ranker.replace(counts, (id) => (reads++, vectors.get(id)));
    // Before, every vector was read (a copy out of the index) and weighed here, on the caller's path.
    expect(reads).toBe(0);
    expect(ranker.ready).toBe(false);
    await ranker.trained();
    expect(reads).toBe(counts.length);
    expect(ranker.ready).toBe(true);
    expect(ranker.fits).toBe(1);
  });

  it('a process that opens, answers once and closes copies no vector out of the index for the model, and answers as the similarity ranker', async () => {
    const path = join(tempDir(), 'skills.db');
    const store = await openSqliteStore({ path });
    try {
      const records: InvocationRecord[] = [];
      const { text } = history(0);
      for (let i = 1; i <= 2000; i++) {
        records.push(finishedRecord(i, 'completed', 1, { id: `bg-${i}`, skillName: i % 2 === 0 ? 'db-works' : 'cache-tuner', userQuery: text(i), workflowPhase: null }));
      }
      await store.applyBatch({ inserts: records });
      const similarity = await Recommender.open(store, embedder, { ...OPTIONS, ranker: 'similarity' });
      const expected = await similarity.recommend({ userQuery: 'add a sql column' });
      await similarity.close();

      // Counts reads of stored query vectors (the ranking itself reads none: it searches the postings).
      const get = vi.spyOn(SparseIndex.prototype, 'get');
      const learned = await Recommender.open(store, embedder, { ...OPTIONS, ranker: 'learned' });
      const answer = await learned.recommend({ userQuery: 'add a sql column' });
      await learned.close();
      expect(get).not.toHaveBeenCalled();
      expect(answer).toEqual(expected);
      expect(learned.learnedModel?.fits).toBe(0);
    } finally {
      await store.close();
    }
  });
});
