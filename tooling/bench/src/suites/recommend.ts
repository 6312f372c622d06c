import { createEmbedder } from '@skills/embeddings';
import { SkillsMcpClient } from '@skills/mcp-client';
import { DEFAULT_SETTINGS, seededRandom, type Settings } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { Dashboard, loadSettings, SkillsService } from '@skills/tracker';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseBytes, tempFolder } from '../fs.js';
import { cleanEnv, timeProcess } from '../process-time.js';
import type { BenchPlan } from '../plan.js';
import { startServer, type ServerProcess } from '../server-process.js';
import { collectGarbage, percentiles, type Percentiles } from '../stats.js';
import { workloadSource, zipfSource, type QuerySource } from '../query-sources.js';
import { completedNow, finishedRecords, recommendationQueries, Workload } from '../workload.js';
import { recordingLogger } from './direct.js';
import { indexVersusScan, type ScanResults } from './exact-scan.js';

/** Queries timed through the index and the exact scan (a scan of a million-invocation store's vectors takes a good fraction of a second). */
const SCAN_QUERIES = 50;
/** Invocations written per transaction when filling a store. */
const FILL_BATCH = 5_000;

export interface RecommendSizeResults {
  readonly invocations: number;
  /** Set when measuring this size failed; the other figures are then missing. */
  readonly error?: string;
  readonly distinctQueries: number;
  /** Filling the store (applyBatchSync of finished records, 5,000 per transaction), per second. */
  readonly fillPerSecond: number;
  /** Bytes on disk per invocation before any vector is stored, and after the recommender stored them. */
  readonly bytesPerInvocation: number;
  readonly bytesPerInvocationWithEmbeddings: number;
  /** Bytes the vectors added, per distinct query (they are stored once per distinct query). */
  readonly embeddingBytesPerDistinctQuery: number;
  /** Vectors the lexical embedder stored, and the distinct queries stored (counted up to 100k invocations). */
  readonly storedVectors?: { readonly vectors: number; readonly queries: number };
  readonly embedders: readonly EmbedderResults[];
  /** The lexical index beside the exact brute-force scan of the same vectors (the limit). */
  readonly scan?: ScanResults;
  /** The dashboard's figures computed from scratch on this store (nothing cached), in ms. */
  readonly dashboardMillis?: { readonly overview: number; readonly skill: number };
  /**
   * A fresh process that opens the store (vectors stored) and answers once, as a one-shot
   * `skills recommend` does, per ranker, beside a bare `node -e ''` start (the limit).
   */
  readonly oneShot?: OneShotResults;
  /** The server's resident memory once it has answered a recommendation on this store. */
  readonly serverMemory: { readonly rssBytes: number; readonly peakBytes: number } | null;
  readonly serverError?: string;
}

/** Median of {@link ONE_SHOT_RUNS} fresh processes: wall ms from spawn to exit, and the peak resident memory. */
export interface OneShotFigure {
  readonly millis: number;
  readonly peakRssBytes: number;
}

export interface OneShotResults {
  readonly bareNode: OneShotFigure;
  /** By ranker (`similarity`, `learned`), the settings' `auto` embedder (lexical where no model is local). */
  readonly rankers: Readonly<Record<string, OneShotFigure>>;
}

export interface EmbedderResults {
  readonly embedder: string;
  readonly skipped?: string;
  /** Set when opening or recommending failed. */
  readonly error?: string;
  /** Open a store whose vectors are not stored yet, and answer once (embeds every distinct query). */
  readonly firstOpenSeconds?: number;
  /** Open the store again (vectors stored) and answer once: ready. */
  readonly readySeconds?: number;
  /** ms per recommendation: the same queries again (their embedding cached) and queries never seen. */
  readonly cachedMillis?: Percentiles;
  readonly freshMillis?: Percentiles;
  /** ms per recommendation right after one invocation was tracked (the recommender catches up first). */
  readonly afterWriteMillis?: Percentiles;
}

export interface RecommendResults {
  /** What the queries are: real text (MetaTool) when it is on this machine, else generated. */
  readonly workload: string;
  readonly sizes: readonly RecommendSizeResults[];
  /**
   * With real text: the same measurements on generated text (a Zipf vocabulary) at
   * `plan.recommend.generatedSizes`, so both workloads are reported.
   */
  readonly generated?: { readonly workload: string; readonly sizes: readonly RecommendSizeResults[] };
  readonly problems: readonly string[];
}

function serviceSettings(dbPath: string, folder: string, embedder: Settings['embedder']): Settings {
  return loadSettings({ cwd: folder, env: {}, overrides: { backend: 'direct', dbPath, embedder } }).settings;
}

/** Fills a new store with `count` finished invocations of the workload; returns the rate and how many texts were distinct. */
export async function fillStore(path: string, count: number, source?: QuerySource): Promise<{ perSecond: number; distinctQueries: number }> {
  const store = await openSqliteStore({ path });
  const stream = new Workload({ seed: 31, ...(source ? { source } : {}) });
  const rand = seededRandom(37);
  const end = Date.now();
  let seconds = 0;
  try {
    for (let first = 0; first < count; first += FILL_BATCH) {
      const items = Array.from({ length: Math.min(FILL_BATCH, count - first) }, () => stream.next());
      const records = finishedRecords(items, first, count, end, rand);
      const t0 = performance.now();
      store.applyBatchSync({ inserts: records });
      seconds += (performance.now() - t0) / 1000;
    }
  } finally {
    await store.close();
  }
  return { perSecond: count / seconds, distinctQueries: stream.distinctQueries };
}

async function timeRecommendations(service: SkillsService, queries: readonly string[], warmup: number): Promise<Percentiles> {
  const samples: number[] = [];
  for (let i = 0; i < warmup + queries.length; i++) {
    const userQuery = queries[i % queries.length]!;
    const t0 = performance.now();
    await service.recommend({ userQuery, limit: 5 });
    const ms = performance.now() - t0;
    if (i >= warmup) samples.push(ms);
  }
  return percentiles(samples);
}

/** Recommendations timed right after a write: a host tracks, then asks, again and again. */
const AFTER_WRITE_SAMPLES = 20;

/**
 * Tracks one invocation (a new query, or one asked before, by turns), then times the next
 * recommendation, which first catches up with the write.
 */
async function timeAfterWrites(service: SkillsService, samples: number, source: QuerySource): Promise<Percentiles> {
  const stream = new Workload({ seed: 53, source });
  const queries = recommendationQueries(samples, 303, source);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const item = stream.next();
    await service.apply({ inserts: [completedNow(item, `after-write-${i}-${Date.now()}`, 'bench-after-write')] });
    const t0 = performance.now();
    await service.recommend({ userQuery: queries[i]!, limit: 5 });
    times.push(performance.now() - t0);
  }
  return percentiles(times);
}

/** Fresh processes per one-shot figure (the median is reported). */
const ONE_SHOT_RUNS = 3;
/** This package's folder, where `@skills/tracker` resolves for a script read from stdin. */
const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Prints the process's peak resident memory (bytes) as its last line. */
const PEAK_RSS = 'console.log(process.resourceUsage().maxRSS * 1024);';

/**
 * Times one-shot recommendations in fresh processes, each ranker after a bare Node start: the
 * service opened as the CLI opens it (the settings' defaults, `auto` embedder), one answer, closed.
 */
async function timeOneShots(dbPath: string, folder: string, query: string): Promise<OneShotResults> {
  const env = cleanEnv();
  const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const measure = async (script: string): Promise<OneShotFigure> => {
    const millis: number[] = [];
    const peaks: number[] = [];
    for (let i = 0; i < ONE_SHOT_RUNS; i++) {
      const run = await timeProcess({ args: ['--input-type=module', '-'], cwd: BENCH_DIR, env, input: script });
      millis.push(run.millis);
      peaks.push(Number(run.stdout.trim().split('\n').at(-1)));
    }
    return { millis: median(millis), peakRssBytes: median(peaks) };
  };
  const bareNode = await measure(PEAK_RSS);
  const rankers: Record<string, OneShotFigure> = {};
  for (const ranker of ['similarity', 'learned'] as const) {
    const overrides = JSON.stringify({ backend: 'direct', dbPath, embedder: 'auto', ranker });
    rankers[ranker] = await measure(`
      import { loadSettings, SkillsService } from '@skills/tracker';
      const quiet = { debug() {}, info() {}, warn() {}, error() {} };
      const { settings } = loadSettings({ cwd: ${JSON.stringify(folder)}, env: {}, overrides: ${overrides} });
      const service = await SkillsService.open({ settings, cwd: ${JSON.stringify(folder)}, logger: quiet });
      await service.recommend({ userQuery: ${JSON.stringify(query)}, limit: 5 });
      await service.close();
      ${PEAK_RSS}`);
  }
  return { bareNode, rankers };
}

/** Opens the store and computes the dashboard's overview and one skill's page, each once and cold. */
async function timeDashboard(dbPath: string, folder: string, logger: ReturnType<typeof recordingLogger>): Promise<RecommendSizeResults['dashboardMillis']> {
  const service = await SkillsService.open({ settings: serviceSettings(dbPath, folder, 'lexical'), cwd: folder, logger });
  try {
    const dashboard = Dashboard.of(service);
    collectGarbage();
    let t0 = performance.now();
    const { skills } = await dashboard.overview('day');
    const overview = performance.now() - t0;
    t0 = performance.now();
    await dashboard.skill(skills[0]!.skillName, 'day');
    return { overview, skill: performance.now() - t0 };
  } finally {
    await service.close();
  }
}

async function measureEmbedder(
  plan: BenchPlan,
  dbPath: string,
  folder: string,
  embedder: 'lexical' | 'transformer',
  logger: ReturnType<typeof recordingLogger>,
  source: QuerySource,
): Promise<EmbedderResults> {
  const settings = serviceSettings(dbPath, folder, embedder);
  const probe = 'warm the code paths up';
  // Open cold: no vectors of this embedder are stored yet; the first answer embeds every distinct query.
  collectGarbage();
  let t0 = performance.now();
  let service = await SkillsService.open({ settings, cwd: folder, logger });
  await service.recommend({ userQuery: probe });
  const firstOpenSeconds = (performance.now() - t0) / 1000;
  await service.close();

  collectGarbage();
  t0 = performance.now();
  service = await SkillsService.open({ settings, cwd: folder, logger });
  await service.recommend({ userQuery: probe });
  const readySeconds = (performance.now() - t0) / 1000;
  try {
    // Cached: a small set of queries asked again and again (hosts repeat themselves).
    const repeated = recommendationQueries(10, 101, source);
    for (const q of repeated) await service.recommend({ userQuery: q, limit: 5 });
    const cachedMillis = await timeRecommendations(service, repeated, plan.recommend.warmup);
    // Fresh: every query new, so its embedding is computed inside the timed call.
    const fresh = recommendationQueries(plan.recommend.queries + plan.recommend.warmup, 202, source);
    const freshMillis = await timeRecommendations(service, fresh.slice(plan.recommend.warmup), 0);
    const afterWriteMillis = await timeAfterWrites(service, AFTER_WRITE_SAMPLES, source);
    return { embedder: (await service.embedder()).id, firstOpenSeconds, readySeconds, cachedMillis, freshMillis, afterWriteMillis };
  } finally {
    await service.close();
  }
}

/** Whether the transformer embedder can load its model here (it never downloads in a benchmark). */
async function transformerAvailability(): Promise<string | null> {
  try {
    await createEmbedder({ ...DEFAULT_SETTINGS, embedder: 'transformer', allowModelDownload: false }, recordingLogger());
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export async function runRecommend(plan: BenchPlan, log: (line: string) => void): Promise<RecommendResults> {
  const logger = recordingLogger();
  const transformerMissing = await transformerAvailability();
  const measureAll = async (sizes: readonly number[], source: QuerySource): Promise<RecommendSizeResults[]> => {
    const results: RecommendSizeResults[] = [];
    for (const size of sizes) {
      const folder = tempFolder();
      try {
        results.push(await measureSize(plan, size, folder, transformerMissing, logger, log, source));
      } catch (error) {
        log(`recommend: ${size.toLocaleString('en-US')} invocations (${source.name}) FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        results.push({ invocations: size, error: error instanceof Error ? error.message : String(error) } as RecommendSizeResults);
      } finally {
        folder.remove();
      }
    }
    return results;
  };
  const { source } = workloadSource();
  log(`recommend: ${source.description}`);
  const sizes = await measureAll(plan.recommend.sizes, source);
  let generated: RecommendResults['generated'];
  if (source.name !== 'zipf' && plan.recommend.generatedSizes.length > 0) {
    const zipf = zipfSource();
    log(`recommend: again on ${zipf.description}`);
    generated = { workload: zipf.description, sizes: await measureAll(plan.recommend.generatedSizes, zipf) };
  }
  const failed = sizes.filter((s) => s.error);
  if (failed.length === sizes.length) throw new Error(failed.map((s) => `${s.invocations}: ${s.error}`).join('; '));
  return { workload: source.description, sizes, ...(generated ? { generated } : {}), problems: logger.problems };
}

async function measureSize(
  plan: BenchPlan,
  size: number,
  folder: ReturnType<typeof tempFolder>,
  transformerMissing: string | null,
  logger: ReturnType<typeof recordingLogger>,
  log: (line: string) => void,
  source: QuerySource,
): Promise<RecommendSizeResults> {
  const dbPath = folder.file('skills.db');
  log(`recommend: filling a store with ${size.toLocaleString('en-US')} invocations`);
  const fill = await fillStore(dbPath, size, source);
  const bytesBefore = databaseBytes(dbPath);

  log(`recommend: ${size.toLocaleString('en-US')} invocations, lexical embedder`);
  const embedders: EmbedderResults[] = [await measureEmbedder(plan, dbPath, folder.path, 'lexical', logger, source).catch(failed('lexical', log))];
  const bytesAfter = databaseBytes(dbPath);
  let storedVectors: RecommendSizeResults['storedVectors'];
  let scan: ScanResults | undefined;
  const lexicalId = embedders[0]!.error ? undefined : embedders[0]!.embedder;
  if (lexicalId) {
    log(`recommend: ${size.toLocaleString('en-US')} invocations, the index beside an exact scan of the same vectors`);
    const store = await openSqliteStore({ path: dbPath, readonly: true });
    try {
      const embedder = await createEmbedder({ ...DEFAULT_SETTINGS, embedder: 'lexical' }, logger);
      scan = await indexVersusScan(await store.getEmbeddings(lexicalId), embedder, recommendationQueries(Math.min(plan.recommend.queries, SCAN_QUERIES), 202, source));
    } finally {
      await store.close();
    }
  }
  if (lexicalId && size <= 100_000) {
    const store = await openSqliteStore({ path: dbPath, readonly: true });
    try {
      storedVectors = { vectors: (await store.getEmbeddings(lexicalId)).size, queries: (await store.listQueries()).length };
    } finally {
      await store.close();
    }
  }
  log(`recommend: ${size.toLocaleString('en-US')} invocations, dashboard figures`);
  const dashboardMillis = await timeDashboard(dbPath, folder.path, logger);

  if (transformerMissing === null) {
    log(`recommend: ${size.toLocaleString('en-US')} invocations, transformer embedder`);
    embedders.push(await measureEmbedder(plan, dbPath, folder.path, 'transformer', logger, source).catch(failed('transformer', log)));
  } else {
    embedders.push({ embedder: 'transformer', skipped: `no local model: ${transformerMissing}` });
  }

  let oneShot: OneShotResults | undefined;
  if (lexicalId && plan.recommend.storageSizes.includes(size)) {
    log(`recommend: ${size.toLocaleString('en-US')} invocations, one-shot recommendations in fresh processes`);
    oneShot = await timeOneShots(dbPath, folder.path, recommendationQueries(1, 505, source)[0]!);
  }
  let serverMemory: RecommendSizeResults['serverMemory'] = null;
  let serverError: string | undefined;
  if (plan.recommend.storageSizes.includes(size)) {
    log(`recommend: server memory with ${size.toLocaleString('en-US')} invocations`);
    let server: ServerProcess | undefined;
    try {
      server = await startServer(dbPath, folder.path);
      const client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 120_000 });
      try {
        await client.recommendSkills({ user_query: 'review my pull request', limit: 5 });
        await client.recommendSkills({ user_query: 'the build fails on CI', limit: 5 });
      } finally {
        await client.close();
      }
      const memory = server.memory();
      serverMemory = memory && { rssBytes: memory.rss, peakBytes: memory.peak };
    } catch (error) {
      serverError = error instanceof Error ? error.message : String(error);
      log(`recommend: the server could not answer on ${size.toLocaleString('en-US')} invocations: ${serverError}`);
    } finally {
      await server?.stop();
    }
  }
  return {
    invocations: size,
    distinctQueries: fill.distinctQueries,
    fillPerSecond: fill.perSecond,
    bytesPerInvocation: bytesBefore / size,
    bytesPerInvocationWithEmbeddings: bytesAfter / size,
    embeddingBytesPerDistinctQuery: (bytesAfter - bytesBefore) / fill.distinctQueries,
    ...(storedVectors ? { storedVectors } : {}),
    embedders,
    ...(scan ? { scan } : {}),
    dashboardMillis,
    ...(oneShot ? { oneShot } : {}),
    serverMemory,
    ...(serverError ? { serverError } : {}),
  };
}

/** An embedder's measurement that failed, recorded instead of thrown: the sizes' other figures still count. */
function failed(embedder: string, log: (line: string) => void) {
  return (error: unknown): EmbedderResults => {
    log(`recommend: ${embedder} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { embedder, error: error instanceof Error ? error.message : String(error) };
  };
}
