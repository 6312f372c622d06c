import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createEmbedder, type Embedder } from '@skills/embeddings';
import {
  DEFAULT_SETTINGS,
  isModelStateStore,
  percentile,
  silentLogger,
  type CatalogEntry,
  type EmbedderChoice,
  type Logger,
  type NewInvocation,
  type SkillsStore,
} from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import {
  bootstrapIntervals,
  compareRankers,
  LEARNED_STATE_KEY,
  passesThreshold,
  RANKING,
  RankingAccumulator,
  Recommender,
  type MetricsWithIntervals,
  type RankerChoice,
  type RankerComparison,
  type RankingMetrics,
} from '@skills/tracker';
import { readLabelledCsv, type LabelledQuery } from './csv.js';

/** What to evaluate. */
export interface EvalOptions {
  readonly historyFile: string;
  readonly queriesFile: string;
  /** A JSON object `{ skillName: description }` registered as the skill catalogue. */
  readonly catalogFile?: string;
  readonly embedder: EmbedderChoice;
  /** A local folder holding the transformer model (else the library's cache). */
  readonly modelPath?: string;
  /** Recommendations asked per query. */
  readonly limit: number;
  /** The threshold users get: null is the settings' default, the embedder's own threshold. */
  readonly minSimilarity: number | null;
  /** Called with progress lines for long phases. */
  readonly progress?: (phase: string, done: number, total: number) => void;
  readonly logger?: Logger;
}

/** The machine the figures were measured on. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
}

/** One ranker's figures on the labelled queries. */
export interface RankerReport {
  readonly ranker: RankerChoice;
  /** What users get: rankings with the threshold applied. */
  readonly metrics: RankingMetrics & { readonly emptyResults: number };
  /** Bootstrap 95% intervals of those metrics (queries resampled). */
  readonly intervals: MetricsWithIntervals['intervals'];
  /** The same rankings with no threshold at all. */
  readonly unfiltered: RankingMetrics;
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly mean: number; readonly max: number };
  /** Opening the recommender: embedding (or reading stored vectors) and indexing; the learned model then fits in the background. */
  readonly openMs: number;
}

/** The learned ranker's cost, beside its quality. */
export interface LearnedCost {
  readonly model: string;
  /** Rows (distinct query, skill pairs) trained on, and the model's non-zero weights. */
  readonly rows: number;
  readonly weights: number;
  /** Mean non-zero features of a query: scoring costs at most skills × this many multiply-adds. */
  readonly meanQueryFeatures: number;
  readonly scoringBound: number;
  /** A full fit's work (its rests not counted), and per row; refits come when the rows double, so per invocation about twice that plus one step. */
  readonly fitMs: number;
  readonly fitUsPerRow: number;
  /** The model as kept with the store (so that a restart does not refit), in bytes; 0 when none was saved. */
  readonly persistedBytes: number;
}

/** Everything `pnpm eval` reports. */
export interface EvalReport extends RankerComparison {
  readonly embedder: string;
  readonly counts: {
    readonly historyRows: number;
    readonly distinctHistoryQueries: number;
    readonly skills: number;
    readonly catalogEntries: number;
    readonly queries: number;
    /** Queries whose expected skill has no history (cannot be hit from history alone). */
    readonly unseenSkillQueries: number;
  };
  readonly limit: number;
  /** The threshold in force: recommendations less similar were left out. */
  readonly minSimilarity: number;
  /** The ranking the settings use by default. */
  readonly defaultRanker: RankerChoice;
  /** The learned ranker's blend share and keep cut in force (fitted by `--cv` on history). */
  readonly learnedShare: number;
  readonly learnedKeep: number;
  readonly rankers: { readonly similarity: RankerReport; readonly learned: RankerReport };
  readonly learnedCost: LearnedCost;
  readonly timingsMs: { readonly import: number };
  readonly machine: MachineInfo;
}

/** Invocations imported per write batch. */
const IMPORT_BATCH = 2000;

/** The machine, for the record. */
export function machineInfo(): MachineInfo {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** History rows as completed invocations, one session, one second apart. */
export function historyInvocations(history: readonly LabelledQuery[]): NewInvocation[] {
  const start = Date.UTC(2024, 0, 1);
  return history.map((row, i) => {
    const at = new Date(start + i * 1000).toISOString();
    return {
      id: `eval-${i + 1}`,
      skillName: row.skill,
      sessionId: 'eval-history',
      invokedAt: at,
      status: 'completed',
      completed: true,
      completedAt: at,
      durationSeconds: null,
      userQuery: row.query,
      workflowPhase: null,
      alternativesConsidered: [],
      selectionRank: null,
      followUpActions: [],
      errorType: null,
    };
  });
}

/** The labelled files read, the catalogue, and the embedder made from the options. */
export async function loadInputs(options: Pick<EvalOptions, 'historyFile' | 'catalogFile' | 'embedder' | 'modelPath'>, logger: Logger) {
  const history = readLabelledCsv(readFileSync(options.historyFile, 'utf8'));
  const catalog = options.catalogFile
    ? Object.entries(JSON.parse(readFileSync(options.catalogFile, 'utf8')) as Record<string, string>).map(
        ([skillName, description]) => ({ skillName, description }),
      )
    : [];
  const embedder = await createEmbedder(
    { ...DEFAULT_SETTINGS, embedder: options.embedder, modelPath: options.modelPath ?? null, allowModelDownload: false },
    logger,
  );
  return { history, catalog, embedder };
}

/**
 * Runs `work` on an empty temporary store holding `history` (as completed invocations) and
 * `catalog`, then deletes it.
 */
export async function withHistoryStore<T>(
  history: readonly LabelledQuery[],
  catalog: readonly CatalogEntry[],
  work: (store: SkillsStore) => Promise<T>,
  progress: (phase: string, done: number, total: number) => void = () => {},
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'skills-eval-'));
  const store = await openSqliteStore({ path: join(dir, 'eval.db') });
  try {
    const invocations = historyInvocations(history);
    for (let i = 0; i < invocations.length; i += IMPORT_BATCH) {
      await store.applyBatch({ inserts: invocations.slice(i, i + IMPORT_BATCH) });
      progress('import', Math.min(i + IMPORT_BATCH, invocations.length), invocations.length);
    }
    if (catalog.length > 0) await store.upsertCatalog(catalog);
    return await work(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Opens a recommender that ranks unfiltered (thresholds are applied by the caller). */
export function openRanker(store: SkillsStore, embedder: Embedder, ranker: RankerChoice, limit: number, learnedShare?: number): Promise<Recommender> {
  return Recommender.open(store, embedder, {
    minSimilarity: 0,
    maxRecommendations: limit,
    enablePhaseAware: false,
    phaseWeight: 0,
    ranker,
    ...(learnedShare === undefined ? {} : { learnedShare }),
  });
}

function latency(latencies: readonly number[]): RankerReport['latencyMs'] {
  const sorted = Float64Array.from(latencies).sort();
  return {
    p50: round(percentile(sorted, 0.5) ?? Number.NaN),
    p95: round(percentile(sorted, 0.95) ?? Number.NaN),
    mean: round(latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1)),
    max: round(Math.max(0, ...latencies)),
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Asks one ranker for every query: its report, and the per-query outcomes for paired intervals. */
async function evaluateRanker(
  store: SkillsStore,
  embedder: Embedder,
  ranker: RankerChoice,
  queries: readonly LabelledQuery[],
  options: EvalOptions,
  progress: (phase: string, done: number, total: number) => void,
) {
  let started = performance.now();
  progress(`open ${ranker}`, 0, 1);
  const recommender = await openRanker(store, embedder, ranker, options.limit);
  const openMs = Math.round(performance.now() - started);
  // The learned model fits in the background: measure it once it has.
  await recommender.learnedTrained();
  progress(`open ${ranker}`, 1, 1);
  const all = new RankingAccumulator();
  const filtered = new RankingAccumulator();
  const threshold = recommender.minSimilarity === 0 ? (options.minSimilarity ?? embedder.minSimilarity) : recommender.minSimilarity;
  let emptyResults = 0;
  const latencies: number[] = [];
  for (const [i, q] of queries.entries()) {
    const t = performance.now();
    const recs = await recommender.recommend({ userQuery: q.query, limit: options.limit });
    latencies.push(performance.now() - t);
    all.add(q.skill, recs.map((r) => r.skillName));
    // The rule the recommender applies (the learned ranker also keeps what its model is confident of).
    const kept = recs.filter((r) => passesThreshold(r, threshold));
    if (kept.length === 0) emptyResults++;
    filtered.add(q.skill, kept.map((r) => r.skillName));
    if ((i + 1) % 200 === 0 || i + 1 === queries.length) progress(ranker, i + 1, queries.length);
  }
  const perQuery = filtered.perQuery();
  const report: RankerReport = {
    ranker,
    metrics: { ...filtered.result(), emptyResults },
    intervals: bootstrapIntervals(perQuery),
    unfiltered: all.result(),
    latencyMs: latency(latencies),
    openMs,
  };
  return { report, perQuery, recommender, threshold };
}

/**
 * Imports the history into an empty temporary store, opens both rankers on it and asks each for
 * recommendations for every labelled query.
 *
 * @example
 * const report = await runEval({ historyFile: 'history.csv', queriesFile: 'dev.csv', embedder: 'lexical', limit: 5, minSimilarity: 0 });
 * console.log(report.rankers.learned.metrics.hitAt1, report.difference.hitAt1.interval);
 */
export async function runEval(options: EvalOptions): Promise<EvalReport> {
  const logger = options.logger ?? silentLogger;
  const progress = options.progress ?? (() => {});
  // First, so that an unavailable embedder fails before any work.
  const { history, catalog, embedder } = await loadInputs(options, logger);
  const queries = readLabelledCsv(readFileSync(options.queriesFile, 'utf8'));
  const started = performance.now();
  let importMs = 0;
  return withHistoryStore(
    history,
    catalog,
    async (store) => {
      importMs = Math.round(performance.now() - started);
      // The similarity ranker first: it embeds and stores the vectors the learned one then reads.
      const similarity = await evaluateRanker(store, embedder, 'similarity', queries, options, progress);
      const learned = await evaluateRanker(store, embedder, 'learned', queries, options, progress);
      const model = learned.recommender.learnedModel!;
      const saved = isModelStateStore(store) ? await store.getModelState(LEARNED_STATE_KEY) : null;
      const vectors = await embedder.embed(queries.map((q) => q.query));
      const features = vectors.reduce((n, v) => n + (v.kind === 'sparse' ? v.indices.length : v.values.length), 0) / (vectors.length || 1);
      const skills = new Set(history.map((h) => h.skill));
      return {
        embedder: similarity.recommender.embedderId,
        counts: {
          historyRows: history.length,
          distinctHistoryQueries: (await store.listQueries()).length,
          skills: skills.size,
          catalogEntries: catalog.length,
          queries: queries.length,
          unseenSkillQueries: queries.filter((q) => !skills.has(q.skill)).length,
        },
        limit: options.limit,
        minSimilarity: similarity.threshold,
        defaultRanker: DEFAULT_SETTINGS.ranker,
        learnedShare: RANKING.learnedShare,
        learnedKeep: RANKING.learnedKeep,
        rankers: { similarity: similarity.report, learned: learned.report },
        ...compareRankers(similarity.perQuery, learned.perQuery),
        learnedCost: {
          model: model.version,
          rows: model.rows,
          weights: model.weights,
          meanQueryFeatures: round(features),
          scoringBound: Math.round(skills.size * features),
          fitMs: Math.round(model.lastFitMs),
          fitUsPerRow: round((model.lastFitMs * 1000) / (model.rows || 1)),
          persistedBytes: saved?.bytes.byteLength ?? 0,
        },
        timingsMs: { import: importMs },
        machine: machineInfo(),
      };
    },
    progress,
  );
}
