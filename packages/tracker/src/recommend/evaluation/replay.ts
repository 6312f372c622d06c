import type { Embedder } from '@skills/embeddings';
import { SkillsError, silentLogger, type Completion, type InvocationRecord, type Logger, type SkillsStore } from '@skills/protocol';
import { Recommender, type RankerChoice, type RankingOptions } from '../recommender.js';
import { compareRankers, withIntervals, type MetricsWithIntervals, type RankerComparison } from './compare.js';
import { RankingAccumulator, type RankingMetrics } from './metrics.js';

/** The store holds nothing the evaluation can rank. */
export class NothingToEvaluateError extends SkillsError {
  constructor(message: string) {
    super('NOTHING_TO_EVALUATE', message);
  }
}

/** Completed runs out of finished ones (completed, failed, abandoned). */
export interface SuccessCount {
  readonly completed: number;
  readonly finished: number;
  /** completed / finished; null when none finished. */
  readonly rate: number | null;
}

/**
 * The rankings shown at the time, read back from the records, as a ranker: the same metrics as
 * the replayed rankers', on the same invocations (those chosen from shown recommendations whose
 * query completed), so the three compare directly.
 */
export interface ShownRanking {
  /** The rankings as they were shown; the answer is the chosen skill that succeeded. */
  readonly shown: MetricsWithIntervals;
  /** The replayed rankers on those same invocations. */
  readonly replayed: { readonly similarity: RankingMetrics; readonly learned: RankingMetrics };
}

/** What the stored recommendations (`alternativesConsidered`, `alternativeScores`, `selectionRank`) say about the choices made. */
export interface ShownChoices {
  /** Invocations chosen from shown recommendations (a selection rank was stored). */
  readonly choices: number;
  /** Of those, the ones whose skill was ranked first by what was shown, and their share. */
  readonly rankedFirst: number;
  readonly rankedFirstShare: number | null;
  /** How the skill did when it was the first shown, and when it was not. */
  readonly successWhenFirst: SuccessCount;
  readonly successOtherwise: SuccessCount;
  /** Choices that kept the scores they were shown with (`alternativeScores`). */
  readonly scored: number;
  /** The shown rankings against the replayed ones; null when no chosen invocation with a query completed. */
  readonly ranking: ShownRanking | null;
}

/** What {@link evaluateStore} reports. */
export interface StoreEvaluation extends RankerComparison {
  /** Invocations replayed, in time order. */
  readonly invocations: number;
  /** Invocations ranked: those with a query whose skill completed (the chosen skill that succeeded is the answer). */
  readonly evaluated: number;
  readonly limit: number;
  readonly rankers: { readonly similarity: MetricsWithIntervals; readonly learned: MetricsWithIntervals };
  readonly shown: ShownChoices;
  readonly embedder: string;
}

/** How to evaluate. */
export interface ReplayOptions {
  /** The ranking settings in force (the ranker is set per ranker evaluated). */
  readonly ranking: Omit<RankingOptions, 'ranker' | 'maxRecommendations'>;
  /** Hears after each ranked invocation: done of total. */
  readonly progress?: (done: number, total: number) => void;
  readonly logger?: Logger;
}

/** Recommendations asked per query: Hit@5 and MRR@5 need five. */
const LIMIT = 5;

/**
 * Evaluates both rankers on a store's own history, offline and in time order: the invocations
 * are replayed into `scratch` (an empty store) as they happened (each inserted pending at its
 * start, completed at its end), and before each one with a query that completed, both rankers
 * rank that query from the history before it alone. The answer is the skill that was chosen and
 * succeeded. Also summarises what stored recommendations say about the choices made.
 *
 * @throws {NothingToEvaluateError} when no invocation has a query and completed.
 * @example
 * const report = await evaluateStore(store, scratch, embedder, { ranking: { minSimilarity: null, enablePhaseAware: true, phaseWeight: 0.3 } });
 * console.log(report.rankers.learned.metrics.hitAt1, report.verdict.winner);
 */
export async function evaluateStore(source: SkillsStore, scratch: SkillsStore, embedder: Embedder, options: ReplayOptions): Promise<StoreEvaluation> {
  const { invocations, catalog } = await source.exportAll();
  const records = [...invocations].sort((a, b) => Date.parse(a.invokedAt) - Date.parse(b.invokedAt) || (a.id < b.id ? -1 : 1));
  const asked = records.filter(isEvaluated).length;
  if (asked === 0) {
    throw new NothingToEvaluateError(
      records.length === 0
        ? `${source.location} holds no invocation: nothing to evaluate (track some work first)`
        : `none of the ${records.length} invocation${records.length === 1 ? '' : 's'} in ${source.location} has a query and completed: nothing to evaluate ` +
            '(the evaluation ranks the query of each completed invocation and checks that its skill comes first)',
    );
  }
  if (catalog.length > 0) await scratch.upsertCatalog(catalog);
  const logger = options.logger ?? silentLogger;
  const open = (ranker: RankerChoice) => Recommender.open(scratch, embedder, { ...options.ranking, maxRecommendations: LIMIT, ranker }, logger);
  const rankers = { similarity: await open('similarity'), learned: await open('learned') };
  const hits = { similarity: new RankingAccumulator(), learned: new RankingAccumulator() };
  // The same, on the invocations chosen from shown recommendations, beside what was shown.
  const chosen = { shown: new RankingAccumulator(), similarity: new RankingAccumulator(), learned: new RankingAccumulator() };

  let done = 0;
  for (const step of replaySteps(records)) {
    if (step.kind === 'write') {
      await scratch.applyBatch({ inserts: step.inserts, completions: step.completions });
      if (step.abandoned.length > 0) await scratch.markAbandoned({ ids: step.abandoned });
      for (const r of Object.values(rankers)) r.invalidate();
      continue;
    }
    const r = step.record;
    // A fit under way is waited for: the same history always gives the same figures.
    await rankers.learned.learnedTrained();
    for (const name of ['similarity', 'learned'] as const) {
      const recs = await rankers[name].recommend({ userQuery: r.userQuery!, ...(r.workflowPhase ? { workflowPhase: r.workflowPhase } : {}), limit: LIMIT });
      hits[name].add(r.skillName, recs.map((x) => x.skillName));
      if (r.selectionRank !== null) chosen[name].add(r.skillName, recs.map((x) => x.skillName));
    }
    if (r.selectionRank !== null) chosen.shown.add(r.skillName, shownList(r));
    options.progress?.(++done, asked);
  }
  await rankers.learned.learnedTrained();
  const similarity = hits.similarity.perQuery();
  const learned = hits.learned.perQuery();
  return {
    invocations: records.length,
    evaluated: asked,
    limit: LIMIT,
    rankers: { similarity: withIntervals(hits.similarity.result(), similarity), learned: withIntervals(hits.learned.result(), learned) },
    ...compareRankers(similarity, learned),
    shown: {
      ...shownChoices(records),
      ranking:
        chosen.shown.result().queries === 0
          ? null
          : {
              shown: withIntervals(chosen.shown.result(), chosen.shown.perQuery()),
              replayed: { similarity: chosen.similarity.result(), learned: chosen.learned.result() },
            },
    },
    embedder: embedder.id,
  };
}

/** An invocation whose query is ranked: it has one, and its skill completed. */
function isEvaluated(r: InvocationRecord): boolean {
  return r.userQuery !== null && r.status === 'completed';
}

type Step =
  | { readonly kind: 'rank'; readonly record: InvocationRecord }
  | { readonly kind: 'write'; readonly inserts: InvocationRecord[]; readonly completions: Completion[]; readonly abandoned: string[] };

/**
 * The history as it happened: each invocation starts pending at `invokedAt` (ranked first when
 * evaluated) and ends at `completedAt` (an abandoned one with no end, at its start). Writes
 * between two rankings are gathered into one step (inserts are applied before completions).
 */
function* replaySteps(records: readonly InvocationRecord[]): Generator<Step> {
  const ends = records
    .filter((r) => r.status !== 'pending')
    .map((r) => ({ at: Date.parse(r.completedAt ?? r.invokedAt), record: r }))
    .sort((a, b) => a.at - b.at);
  let next = 0;
  const started = new Set<string>();
  let write: Extract<Step, { kind: 'write' }> = { kind: 'write', inserts: [], completions: [], abandoned: [] };
  const flush = function* () {
    if (write.inserts.length + write.completions.length + write.abandoned.length === 0) return;
    yield write;
    write = { kind: 'write', inserts: [], completions: [], abandoned: [] };
  };
  for (const r of records) {
    const start = Date.parse(r.invokedAt);
    // Ends up to this start are history for it (of invocations started: not this one's own, nor a later one's at the same instant).
    for (; next < ends.length && ends[next]!.at <= start && started.has(ends[next]!.record.id); next++) end(ends[next]!.record, write);
    if (isEvaluated(r)) {
      yield* flush();
      yield { kind: 'rank', record: r };
    }
    started.add(r.id);
    write.inserts.push({ ...r, status: 'pending', completed: false, completedAt: null, durationSeconds: null, followUpActions: [], errorType: null });
  }
  for (; next < ends.length; next++) end(ends[next]!.record, write);
  yield* flush();
}

function end(r: InvocationRecord, write: { completions: Completion[]; abandoned: string[] }): void {
  if (r.status === 'abandoned') write.abandoned.push(r.id);
  else {
    write.completions.push({
      id: r.id,
      completed: r.status === 'completed',
      completedAt: r.completedAt ?? r.invokedAt,
      durationSeconds: r.durationSeconds,
      followUpActions: r.followUpActions,
      errorType: r.errorType,
    });
  }
}

/**
 * The skills shown when `r` was chosen, best first. Integrations store them two ways: the chosen
 * skill among `alternativesConsidered` (Claude Code's hook: everything shown, with its scores),
 * or taken out of it (`choiceInvocation`: the others); then it goes back at its `selectionRank`.
 */
export function shownList(r: Pick<InvocationRecord, 'skillName' | 'alternativesConsidered' | 'selectionRank'>): string[] {
  const others = r.alternativesConsidered;
  if (r.selectionRank === null || others.includes(r.skillName)) return [...others];
  const at = Math.min(r.selectionRank - 1, others.length);
  return [...others.slice(0, at), r.skillName, ...others.slice(at)];
}

/** How often the chosen skill was the first shown, and how it then did (the rankings replayed aside). */
export function shownChoices(records: readonly InvocationRecord[]): Omit<ShownChoices, 'ranking'> {
  const chosen = records.filter((r) => r.selectionRank !== null);
  const first = chosen.filter((r) => r.selectionRank === 1);
  const success = (rs: readonly InvocationRecord[]): SuccessCount => {
    const finished = rs.filter((r) => r.status !== 'pending').length;
    const completed = rs.filter((r) => r.status === 'completed').length;
    return { completed, finished, rate: finished > 0 ? completed / finished : null };
  };
  return {
    choices: chosen.length,
    rankedFirst: first.length,
    rankedFirstShare: chosen.length > 0 ? first.length / chosen.length : null,
    successWhenFirst: success(first),
    successOtherwise: success(chosen.filter((r) => r.selectionRank !== 1)),
    scored: chosen.filter((r) => (r.alternativeScores?.length ?? 0) > 0).length,
  };
}
