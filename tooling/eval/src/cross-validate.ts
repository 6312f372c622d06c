import { seededRandom, silentLogger, type Logger } from '@skills/protocol';
import { passesThreshold, RankingAccumulator, type RankingMetrics } from '@skills/tracker';
import type { LabelledQuery } from './csv.js';
import { loadInputs, openRanker, withHistoryStore, type EvalOptions } from './run-eval.js';

/** Seed of the fold assignment: the same history gives the same folds. */
const FOLD_SEED = 7;
/** Learned shares tried: 0 (the similarity ranker) to 1 (the learned score alone), in twentieths. */
const SHARES = Array.from({ length: 21 }, (_, i) => i / 20);
/**
 * Learned scores tried as the keep-below-the-threshold cut: 0.5 (any opinion above "none") to
 * 0.95, and null (never: the similarity threshold alone).
 */
const KEEPS: readonly (number | null)[] = [...Array.from({ length: 10 }, (_, i) => 0.5 + i / 20), null];

/** Held-out figures of one setting. */
type Scored = RankingMetrics & { readonly learnedShare: number; readonly learnedKeep: number | null };

/** What `pnpm eval --cv K` reports. */
export interface CrossValidationReport {
  readonly folds: number;
  readonly rows: number;
  /** The similarity threshold applied (the embedder's own, as the default settings). */
  readonly minSimilarity: number;
  /** Hit@1 / Hit@5 of each learned share over all held-out rows, unfiltered (the share orders; the threshold then filters). */
  readonly shares: readonly (RankingMetrics & { readonly learnedShare: number })[];
  /** The share with the best Hit@1 (then Hit@5, then the smaller share). */
  readonly best: number;
  /** At the best share, each keep cut (null: none). */
  readonly keeps: readonly Scored[];
  /**
   * The strictest cut whose Hit@5 is within one standard error of the best cut's (the
   * one-standard-error rule: no looser than the noise justifies).
   */
  readonly bestKeep: number | null;
  /** Held-out rows whose skill was not among the ranked candidates at all (no threshold). */
  readonly absent: number;
}

/** One held-out candidate: today's score, its success rate, its similarity, and the learned score when the model ranked it. */
interface Candidate {
  readonly skill: string;
  readonly score: number;
  readonly success: number;
  readonly similarityScore: number;
  readonly learnedScore: number | undefined;
}

/**
 * Cross-validation inside the history only: distinct query texts are dealt into `folds` folds
 * (seeded shuffle, so a repeated text never sits on both sides); each fold is held out in turn,
 * the rest imported into a fresh store, and the learned ranker (with share 0, to read both parts
 * apart) ranks the held-out rows unfiltered. Every share is then scored on the same candidates:
 * `(1 − share) · score + share · success · learned` (success is the only other factor without a phase);
 * then, at the best share, with the similarity threshold applied as users get it, every cut of
 * {@link passesThreshold}'s learned keep.
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
        held.push({
          row,
          candidates: recs.map((r) => ({ skill: r.skillName, score: r.score, success: r.successRate, similarityScore: r.similarityScore, learnedScore: r.learnedScore })),
        });
      }
      await recommender.close();
    });
    progress('cv fold', fold + 1, options.folds);
  }
  const minSimilarity = embedder.minSimilarity;
  // keep undefined: no threshold at all (the share orders the candidates; the cut decides which are shown).
  const score = (share: number, keep?: number | null): Scored => {
    const acc = new RankingAccumulator();
    for (const { row, candidates } of held) {
      const blended = candidates
        .filter((c) => keep === undefined || passesThreshold(c, minSimilarity, keep ?? Number.POSITIVE_INFINITY))
        .map((c) => ({ skill: c.skill, score: c.learnedScore === undefined ? c.score : (1 - share) * c.score + share * c.success * c.learnedScore }));
      blended.sort((a, b) => b.score - a.score || (a.skill < b.skill ? -1 : 1));
      acc.add(row.skill, blended.map((b) => b.skill));
    }
    return { learnedShare: share, learnedKeep: keep ?? null, ...acc.result() };
  };
  const shares = SHARES.map((share) => score(share));
  const best = shares.reduce((a, b) => (b.hitAt1 > a.hitAt1 || (b.hitAt1 === a.hitAt1 && b.hitAt5 > a.hitAt5) ? b : a)).learnedShare;
  const keeps = KEEPS.map((keep) => score(best, keep));
  const top = keeps.reduce((a, b) => (b.hitAt5 > a.hitAt5 ? b : a));
  const standardError = Math.sqrt((top.hitAt5 * (1 - top.hitAt5)) / (held.length || 1));
  // KEEPS runs from loosest to strictest (null: never keeps): the last within the noise of the best.
  const bestKeep = keeps.filter((k) => k.hitAt5 >= top.hitAt5 - standardError).at(-1)!.learnedKeep;
  const absent = held.filter(({ row, candidates }) => !candidates.some((c) => c.skill === row.skill)).length;
  return { folds: options.folds, rows: held.length, minSimilarity, shares, best, keeps, bestKeep, absent };
}
