import { LexicalEmbedder } from '@skills/embeddings';
import { isModelStateStore, type SkillsStore } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { LEARNED_STATE_KEY, Recommender, type RankerChoice } from '@skills/tracker';
import { tempFolder } from '../fs.js';
import type { BenchPlan } from '../plan.js';
import { workloadSource, type QuerySource } from '../query-sources.js';
import { collectGarbage, percentiles, type Percentiles } from '../stats.js';
import { completedNow, recommendationQueries, Workload } from '../workload.js';
import { recordingLogger } from './direct.js';
import { fillStore } from './recommend.js';

/** The learned ranker's training cost and its model's size at one store size. */
export interface LearnedSizeResults {
  readonly invocations: number;
  /** Set when measuring this size failed; the other figures are then missing. */
  readonly error?: string;
  /** Rows trained on (distinct query, skill pairs) and non-zero weights of the fitted model. */
  readonly rows: number;
  readonly weights: number;
  /** A full fit: its work (rests not counted), and the wall time until it took over (at a quarter of a core). */
  readonly fullFitWorkSeconds: number;
  readonly fullFitWallSeconds: number;
  /** The model kept with the store, in bytes, and per row. */
  readonly persistedBytes: number;
  readonly persistedBytesPerRow: number;
  /** Reopening with the saved model: open until the learned ranking answers, no refit (`fits` should be 0). */
  readonly reopenSeconds: number;
  readonly reopenFits: number;
  /**
   * ms of the first recommendation after one new invocation (it catches up with the write: for the
   * learned ranker that includes its online step), for each ranker; the difference is the online
   * training cost per invocation.
   */
  readonly afterWriteMillis: { readonly similarity: Percentiles; readonly learned: Percentiles };
  /** Heap growth over the similarity ranker's, on the same store (the model and the counts it keeps), in bytes. */
  readonly heapBytes: number;
}

export interface LearnedResults {
  readonly workload: string;
  readonly sizes: readonly LearnedSizeResults[];
  readonly problems: readonly string[];
}

/**
 * Training cost of the learned ranker per invocation (online step) and of a full refit, and the
 * size of the model kept with the store, at the plan's `learned.sizes` invocations of the bench workload.
 *
 * @example
 * const results = await runLearned(QUICK, console.log);
 */
export async function runLearned(plan: BenchPlan, log: (line: string) => void): Promise<LearnedResults> {
  const logger = recordingLogger();
  const { source } = workloadSource();
  log(`learned: ${source.description}`);
  const sizes: LearnedSizeResults[] = [];
  for (const size of plan.learned.sizes) {
    const folder = tempFolder();
    try {
      sizes.push(await measureSize(size, folder.file('skills.db'), plan.learned.onlineSamples, source, logger, log));
    } catch (error) {
      log(`learned: ${size.toLocaleString('en-US')} invocations FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      sizes.push({ invocations: size, error: error instanceof Error ? error.message : String(error) } as LearnedSizeResults);
    } finally {
      folder.remove();
    }
  }
  return { workload: source.description, sizes, problems: logger.problems };
}

async function measureSize(
  size: number,
  dbPath: string,
  samples: number,
  source: QuerySource,
  logger: ReturnType<typeof recordingLogger>,
  log: (line: string) => void,
): Promise<LearnedSizeResults> {
  const n = size.toLocaleString('en-US');
  log(`learned: filling a store with ${n} invocations`);
  await fillStore(dbPath, size, source);
  const store = await openSqliteStore({ path: dbPath });
  const opened: Recommender[] = [];
  try {
    const embedder = new LexicalEmbedder();
    const open = async (ranker: RankerChoice) => {
      const recommender = await Recommender.open(store, embedder, { minSimilarity: null, maxRecommendations: 5, enablePhaseAware: true, phaseWeight: 0.3, ranker }, logger);
      opened.push(recommender);
      return recommender;
    };
    // The similarity ranker first: it stores the vectors, so that the learned one is timed on training alone.
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    const similarity = await open('similarity');
    await similarity.recommend({ userQuery: 'warm up' });
    collectGarbage();
    const heapSimilarity = process.memoryUsage().heapUsed - heapBefore;

    log(`learned: ${n} invocations, a full fit in the background`);
    let t0 = performance.now();
    const learned = await open('learned');
    await learned.learnedTrained();
    const fullFitWallSeconds = (performance.now() - t0) / 1000;
    const model = learned.learnedModel!;
    collectGarbage();
    const heapBytes = process.memoryUsage().heapUsed - heapBefore - 2 * heapSimilarity;
    const saved = isModelStateStore(store) ? await store.getModelState(LEARNED_STATE_KEY) : null;

    log(`learned: ${n} invocations, reopening with the saved model`);
    t0 = performance.now();
    const reopened = await open('learned');
    await reopened.recommend({ userQuery: 'warm up' });
    const reopenSeconds = (performance.now() - t0) / 1000;
    const reopenFits = reopened.learnedModel!.fits;

    log(`learned: ${n} invocations, ${samples} invocations written one at a time`);
    const afterWriteMillis = {
      similarity: await afterWrites(store, similarity, samples, source, 'similarity'),
      learned: await afterWrites(store, learned, samples, source, 'learned'),
    };
    log(
      `learned: ${n} invocations: ${model.rows} rows, ${model.weights} weights, full fit ${(model.lastFitMs / 1000).toFixed(1)} s of work ` +
        `(${fullFitWallSeconds.toFixed(1)} s in the background), saved model ${saved?.bytes.byteLength ?? 0} bytes, reopened in ${reopenSeconds.toFixed(2)} s ` +
        `with ${reopenFits} fits; after a write p50 ${afterWriteMillis.learned.p50.toFixed(2)} ms learned, ${afterWriteMillis.similarity.p50.toFixed(2)} ms similarity`,
    );
    return {
      invocations: size,
      rows: model.rows,
      weights: model.weights,
      fullFitWorkSeconds: model.lastFitMs / 1000,
      fullFitWallSeconds,
      persistedBytes: saved?.bytes.byteLength ?? 0,
      persistedBytesPerRow: (saved?.bytes.byteLength ?? 0) / (model.rows || 1),
      reopenSeconds,
      reopenFits,
      afterWriteMillis,
      heapBytes,
    };
  } finally {
    // Each recommender's background work (a fit, a model write) ends before the store closes.
    for (const recommender of opened) await recommender.close();
    await store.close();
  }
}

/** Writes one invocation (a query of the workload), then times the recommendation that catches up with it. */
async function afterWrites(store: SkillsStore, recommender: Recommender, samples: number, source: QuerySource, tag: string): Promise<Percentiles> {
  const stream = new Workload({ seed: 71, source });
  const queries = recommendationQueries(samples, 707, source);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const item = stream.next();
    const record = completedNow(item, `learned-bench-${tag}-${i}`, 'bench-learned');
    await store.applyBatch({ inserts: [record] });
    recommender.invalidate();
    const t0 = performance.now();
    await recommender.recommend({ userQuery: queries[i]!, limit: 5 });
    times.push(performance.now() - t0);
  }
  // A refit these writes started (the rows doubled) is not part of the per-invocation cost.
  await recommender.learnedTrained();
  return percentiles(times);
}
