import { seededRandom, silentLogger, type Logger } from '@skills/protocol';
import { RankingAccumulator, type RankingMetrics } from '@skills/tracker';
import type { LabelledQuery } from './csv.js';
import { loadInputs, openRanker, withHistoryStore, type EvalOptions } from './run-eval.js';

/** Seed of the fold assignment: the same history gives the same folds. */
const FOLD_SEED = 7;
/** Learned shares tried: 0 (the similarity ranker) to 1 (the learned score alone), in twentieths. */
const SHARES = Array.from({ length: 21 }, (_, i) => i / 20);

/** What `pnpm eval --cv K` reports. */
export interface CrossValidationReport {
  readonly folds: number;
  readonly rows: number;
  /** Hit@1 / Hit@5 of each learned share over all held-out rows. */
  readonly shares: readonly (RankingMetrics & { readonly learnedShare: number })[];
  /** The share with the best Hit@1 (then Hit@5, then the smaller share). */
  readonly best: number;
}

/** One held-out candidate: today's score, its success rate, and the learned score when the model ranked it. */
interface Candidate {
  readonly skill: string;
  readonly score: number;
  readonly success: number;
  readonly learned: number | undefined;
}

/**
 * Cross-validation inside the history only: distinct query texts are dealt into `folds` folds
 * (seeded shuffle, so a repeated text never sits on both sides); each fold is held out in turn,
 * the rest imported into a fresh store, and the learned ranker (with share 0, to read both parts
 * apart) ranks the held-out rows unfiltered. Every share is then scored on the same candidates:
 * `(1 − share) · score + share · success · learned` (success is the only other factor without a phase).
 *
 * @example
 * const cv = await crossValidate({ historyFile: 'history.csv', embedder: 'lexical', limit: 5, folds: 5 });
 * console.log(cv.best);
 */
export async function crossValidate(
  options: Pick<EvalOptions, 'historyFile' | 'catalogFile' | 'embedder' | 'modelPath' | 'progress'> & { readonly folds: number; readonly logger?: Logger },
): Promise<CrossValidationReport> {
  const progress = options.progress ?? (() => {});
  const { history, catalog, embedder } = await loadInputs(options, options.logger ?? silentLogger);
  const texts = [...new Set(history.map((h) => h.query))];
  const random = seededRandom(FOLD_SEED);
  for (let i = texts.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [texts[i], texts[j]] = [texts[j]!, texts[i]!];
  }
  const foldOf = new Map(texts.map((t, i) => [t, i % options.folds]));
  const held: { row: LabelledQuery; candidates: Candidate[] }[] = [];
  for (let fold = 0; fold < options.folds; fold++) {
    const train = history.filter((h) => foldOf.get(h.query) !== fold);
    const test = history.filter((h) => foldOf.get(h.query) === fold);
    await withHistoryStore(train, catalog, async (store) => {
      const recommender = await openRanker(store, embedder, 'learned', 100, 0);
      await recommender.learnedTrained();
      for (const row of test) {
        const recs = await recommender.recommend({ userQuery: row.query, limit: 100 });
        held.push({ row, candidates: recs.map((r) => ({ skill: r.skillName, score: r.score, success: r.successRate, learned: r.learnedScore })) });
      }
    });
    progress('cv fold', fold + 1, options.folds);
  }
  const shares = SHARES.map((share) => {
    const acc = new RankingAccumulator();
    for (const { row, candidates } of held) {
      const blended = candidates.map((c) => ({
        skill: c.skill,
        score: c.learned === undefined ? c.score : (1 - share) * c.score + share * c.success * c.learned,
      }));
      blended.sort((a, b) => b.score - a.score || (a.skill < b.skill ? -1 : 1));
      acc.add(row.skill, blended.map((b) => b.skill));
    }
    return { learnedShare: share, ...acc.result() };
  });
  const best = shares.reduce((a, b) => (b.hitAt1 > a.hitAt1 || (b.hitAt1 === a.hitAt1 && b.hitAt5 > a.hitAt5) ? b : a));
  return { folds: options.folds, rows: held.length, shares, best: best.learnedShare };
}
