import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createEmbedder } from '@skills/embeddings';
import { DEFAULT_SETTINGS, percentile, silentLogger, type EmbedderChoice, type Logger, type NewInvocation } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { Recommender } from '@skills/tracker';
import { readLabelledCsv, type LabelledQuery } from './csv.js';
import { RankingAccumulator, type RankingMetrics } from './metrics.js';

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

/** Everything `pnpm eval` reports. */
export interface EvalReport {
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
  /** What users get: rankings with that threshold applied. */
  readonly metrics: RankingMetrics & { readonly emptyResults: number };
  /** The same rankings with no threshold at all. */
  readonly unfiltered: RankingMetrics;
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly mean: number; readonly max: number };
  readonly timingsMs: { readonly import: number; readonly open: number; readonly queries: number };
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

/**
 * Imports the history into an empty temporary store, opens the recommender and asks for
 * recommendations for every labelled query.
 *
 * @example
 * const report = await runEval({ historyFile: 'history.csv', queriesFile: 'dev.csv', embedder: 'lexical', limit: 5, minSimilarity: 0 });
 * console.log(report.metrics.hitAt1);
 */
export async function runEval(options: EvalOptions): Promise<EvalReport> {
  const logger = options.logger ?? silentLogger;
  const progress = options.progress ?? (() => {});
  const history = readLabelledCsv(readFileSync(options.historyFile, 'utf8'));
  const queries = readLabelledCsv(readFileSync(options.queriesFile, 'utf8'));
  const catalog = options.catalogFile
    ? Object.entries(JSON.parse(readFileSync(options.catalogFile, 'utf8')) as Record<string, string>).map(
        ([skillName, description]) => ({ skillName, description }),
      )
    : [];
  // First, so that an unavailable embedder fails before any work.
  const embedder = await createEmbedder(
    { ...DEFAULT_SETTINGS, embedder: options.embedder, modelPath: options.modelPath ?? null, allowModelDownload: false },
    logger,
  );
  const dir = mkdtempSync(join(tmpdir(), 'skills-eval-'));
  const store = await openSqliteStore({ path: join(dir, 'eval.db') });
  try {
    let started = performance.now();
    const invocations = historyInvocations(history);
    for (let i = 0; i < invocations.length; i += IMPORT_BATCH) {
      await store.applyBatch({ inserts: invocations.slice(i, i + IMPORT_BATCH) });
      progress('import', Math.min(i + IMPORT_BATCH, invocations.length), invocations.length);
    }
    if (catalog.length > 0) await store.upsertCatalog(catalog);
    const importMs = performance.now() - started;

    started = performance.now();
    progress('embed', 0, 1);
    // Rank unfiltered once; the threshold is applied below, so both figures come from one run.
    const recommender = await Recommender.open(store, embedder, {
      minSimilarity: 0,
      maxRecommendations: options.limit,
      enablePhaseAware: false,
      phaseWeight: 0,
    });
    progress('embed', 1, 1);
    const openMs = performance.now() - started;

    const all = new RankingAccumulator();
    const filtered = new RankingAccumulator();
    const threshold = options.minSimilarity ?? embedder.minSimilarity;
    let emptyResults = 0;
    const latencies: number[] = [];
    started = performance.now();
    for (const [i, q] of queries.entries()) {
      const t = performance.now();
      const recs = await recommender.recommend({ userQuery: q.query, limit: options.limit });
      latencies.push(performance.now() - t);
      all.add(q.skill, recs.map((r) => r.skillName));
      const kept = recs.filter((r) => r.similarityScore >= threshold);
      if (kept.length === 0) emptyResults++;
      filtered.add(q.skill, kept.map((r) => r.skillName));
      if ((i + 1) % 200 === 0 || i + 1 === queries.length) progress('recommend', i + 1, queries.length);
    }
    const queriesMs = performance.now() - started;

    const skills = new Set(history.map((h) => h.skill));
    const round = (x: number) => Math.round(x * 1000) / 1000;
    const sorted = Float64Array.from(latencies).sort();
    return {
      embedder: recommender.embedderId,
      counts: {
        historyRows: history.length,
        distinctHistoryQueries: (await store.listQueries()).length,
        skills: skills.size,
        catalogEntries: catalog.length,
        queries: queries.length,
        unseenSkillQueries: queries.filter((q) => !skills.has(q.skill)).length,
      },
      limit: options.limit,
      minSimilarity: threshold,
      metrics: { ...filtered.result(), emptyResults },
      unfiltered: all.result(),
      latencyMs: {
        p50: round(percentile(sorted, 0.5) ?? Number.NaN),
        p95: round(percentile(sorted, 0.95) ?? Number.NaN),
        mean: round(latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1)),
        max: round(Math.max(0, ...latencies)),
      },
      timingsMs: { import: Math.round(importMs), open: Math.round(openMs), queries: Math.round(queriesMs) },
      machine: machineInfo(),
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
