import type { SkillStats } from '@skills/protocol';

/**
 * The constants of the ranking, each with its reason. Chosen on principle and checked on
 * MetaTool dev data (see tooling/eval), not fitted to it.
 *
 * @example
 * console.log(`looks at the ${RANKING.neighbours} nearest past queries`);
 */
export const RANKING = Object.freeze({
  /**
   * Past queries looked at per recommendation. Large enough that every skill with a close
   * past query is seen (at most a few hundred skills), small enough to stay fast.
   */
  neighbours: 100,
  /**
   * Exponent of the neighbour evidence `(Σ w·sim^p)^(1/p)`: a power mean that rewards several
   * close past queries but lets one very close query outweigh many loose ones.
   */
  power: 4,
  /** Share of the nearest-neighbour evidence against the skill centroid's (local vs global evidence, equal). */
  neighbourShare: 0.5,
  /**
   * Pseudo-counts of the Beta(1, 1) prior on success (Laplace's rule of succession):
   * 1 of 1 scores 2/3 and 95 of 100 scores 0.94, so a lucky single run never beats a record.
   */
  priorSuccesses: 1,
  priorFailures: 1,
  /** Pseudo-runs pulling a skill's success in one phase toward its overall success. */
  phasePriorStrength: 2,
  /**
   * With the learned ranker, the share of the learned score (0..1) in relevance, against the
   * similarity relevance. Fitted by `pnpm eval --cv 5` on MetaTool history only (never on dev).
   */
  learnedShare: 0.6,
  /**
   * With the learned ranker, a skill whose learned score reaches this (0..1; 0.5 is "no opinion")
   * is kept even when its closest past query is less similar than `minSimilarity`: the model's
   * confident opinion is evidence too, and the threshold is there to leave out skills with none.
   * Chosen by `pnpm eval --cv 5` on MetaTool history only: the strictest value whose held-out
   * Hit@5 is within one standard error of the best (never on dev).
   */
  learnedKeep: 0.55,
});

/**
 * Whether a ranked skill is recommended: its closest past query (or description) is at least
 * `minSimilarity` similar, or the learned model scores it at least `learnedKeep`.
 *
 * @example
 * passesThreshold({ similarityScore: 0.1, learnedScore: 0.9 }, 0.15); // true: the model is confident
 * passesThreshold({ similarityScore: 0.1 }, 0.15); // false
 */
export function passesThreshold(
  r: { readonly similarityScore: number; readonly learnedScore?: number | undefined },
  minSimilarity: number,
  learnedKeep: number = RANKING.learnedKeep,
): boolean {
  return r.similarityScore >= minSimilarity || (r.learnedScore !== undefined && r.learnedScore >= learnedKeep);
}

/**
 * Smoothed success rate: `(completed + 1) / (finished + 2)`; finished counts failed and
 * abandoned runs too. 0.5 with no finished run.
 *
 * @example
 * smoothedSuccess(1, 1); // 0.667
 * smoothedSuccess(95, 100); // 0.941
 */
export function smoothedSuccess(completed: number, finished: number): number {
  return (completed + RANKING.priorSuccesses) / (finished + RANKING.priorSuccesses + RANKING.priorFailures);
}

/**
 * Success of a skill within one phase, shrunk toward its overall smoothed success: a phase
 * seen a few times moves the estimate a little, a phase never seen leaves it where it is.
 *
 * @example
 * phaseSuccess(0, 3, 0.9); // 0.36: three failures in this phase weigh against 0.9 overall
 */
export function phaseSuccess(completed: number, finished: number, overall: number): number {
  return (completed + RANKING.phasePriorStrength * overall) / (finished + RANKING.phasePriorStrength);
}

/** Runs that ended (completed, failed or abandoned). */
export function finishedRuns(stats: Pick<SkillStats, 'completed' | 'failed' | 'abandoned'>): number {
  return stats.completed + stats.failed + stats.abandoned;
}

/**
 * Weight of one past (query, skill) pair from how often the skill served the query:
 * sublinear, so a query repeated a hundred times is strong evidence but does not drown all else.
 */
export function usageWeight(invocations: number): number {
  return invocations > 0 ? 1 + Math.log(invocations) : 0;
}

/** What the ranking knows about one skill for one query. */
export interface SkillEvidence {
  /** Σ w·sim^p over the skill's neighbours. */
  readonly neighbourSum: number;
  /** Cosine between the query and the skill's centroid (0 when none). */
  readonly centroid: number;
}

/**
 * How well a skill's past queries match the asked one: the power mean of neighbour
 * similarities blended with the centroid similarity. Not capped: several exact matches exceed 1.
 */
export function relevance(e: SkillEvidence): number {
  const neighbours = Math.pow(e.neighbourSum, 1 / RANKING.power);
  return RANKING.neighbourShare * neighbours + (1 - RANKING.neighbourShare) * e.centroid;
}

/**
 * The final score: relevance times the chance the skill works, where the chance blends its
 * overall smoothed success with its success in the asked phase by `phaseWeight`.
 *
 * @example
 * finalScore(0.8, 0.9, 0.5, 0.3); // 0.8 * (0.7 * 0.9 + 0.3 * 0.5)
 */
export function finalScore(relevanceValue: number, success: number, inPhase: number | null, phaseWeight: number): number {
  const chance = inPhase === null ? success : (1 - phaseWeight) * success + phaseWeight * inPhase;
  return relevanceValue * chance;
}

/**
 * The human reason of a recommendation.
 *
 * @example
 * describeReason({ similarQueries: 12, bestSimilarity: 0.82, descriptionSimilarity: null, completed: 23, finished: 25,
 *   phase: null, phaseCompleted: 0, phaseFinished: 0, bestPhase: 'verification' });
 * // '12 similar past queries (best 0.82), 23/25 runs succeeded, best in verification'
 */
export function describeReason(parts: {
  readonly similarQueries: number;
  readonly bestSimilarity: number;
  readonly descriptionSimilarity: number | null;
  /** Raw counts, not the smoothed rate: what people can check. */
  readonly completed: number;
  readonly finished: number;
  readonly phase: string | null;
  readonly phaseCompleted: number;
  readonly phaseFinished: number;
  readonly bestPhase: string | null;
  /** The learned model's score, when it ranked this skill. */
  readonly learnedScore?: number | null;
}): string {
  const out: string[] = [];
  if (parts.similarQueries > 0) {
    const q = parts.similarQueries === 1 ? 'query' : 'queries';
    out.push(`${parts.similarQueries} similar past ${q} (best ${parts.bestSimilarity.toFixed(2)})`);
  }
  if (parts.descriptionSimilarity !== null) {
    out.push(`description matches (${parts.descriptionSimilarity.toFixed(2)})${parts.finished === 0 ? ', no history yet' : ''}`);
  }
  if (parts.finished > 0) out.push(`${parts.completed}/${parts.finished} runs succeeded`);
  if (parts.phase !== null && parts.phaseFinished > 0) out.push(`${parts.phaseCompleted}/${parts.phaseFinished} in ${parts.phase}`);
  if (parts.bestPhase !== null && parts.bestPhase !== parts.phase) out.push(`best in ${parts.bestPhase}`);
  if (parts.learnedScore != null) out.push(`learned ${parts.learnedScore.toFixed(2)}`);
  return out.join(', ');
}
