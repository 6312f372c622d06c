#!/usr/bin/env node
// pnpm eval: recommendation quality on labelled `query,skill` CSV files (MetaTool by default).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { consoleLogger, DEFAULT_SETTINGS, EmbedderChoiceSchema, SkillsError, type EmbedderChoice } from '@skills/protocol';
import { BOOTSTRAP_RESAMPLES, fitWithoutRests, LINEAR, type RankingMetrics } from '@skills/tracker';
import { crossValidate, type CrossValidationReport } from './cross-validate.js';
import { runEval, type EvalReport, type RankerReport } from './run-eval.js';

const USAGE = `usage: pnpm eval [--history FILE] [--queries FILE] [--catalog FILE] [--json]
                 [--embedder lexical|transformer|auto] [--model-path DIR] [--limit N] [--min-similarity X]
       pnpm eval --cv K [--history FILE] [--catalog FILE] [--json] [--embedder ...]

Imports the history (query,skill rows, each a completed invocation) into an empty temporary
store and asks both rankers (similarity and learned) for recommendations for every query of
--queries, with bootstrap 95% intervals. --cv K instead splits the history into K folds and
fits the learned ranker's blend share on them (--queries is never read). Defaults: the MetaTool files
in ../shared/eval/metatool/ next to the repository (or in $SKILLS_EVAL_DATA); when they are
absent the evaluation is skipped (exit 0). A missing explicit file is an error (exit 2).`;

/** The repository root: the nearest folder above this file holding pnpm-workspace.yaml. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
    dir = up;
  }
}

function fail(message: string): never {
  console.error(`eval: ${message}`);
  console.error(USAGE);
  process.exit(2);
}

const f4 = (x: number) => x.toFixed(4);
const signed = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(4);
const ci = (i: { low: number; high: number }) => `[${f4(i.low)}, ${f4(i.high)}]`;

function rankerLines(name: string, r: RankerReport): string[] {
  const m = r.metrics;
  return [
    `${name.padEnd(11)} Hit@1 ${f4(m.hitAt1)} ${ci(r.intervals.hitAt1)}  Hit@5 ${f4(m.hitAt5)} ${ci(r.intervals.hitAt5)}  MRR@5 ${f4(m.mrrAt5)} ${ci(r.intervals.mrrAt5)}`,
    `${''.padEnd(11)} empty results ${m.emptyResults}; unfiltered Hit@1 ${f4(r.unfiltered.hitAt1)}, Hit@5 ${f4(r.unfiltered.hitAt5)}; ` +
      `latency p50 ${r.latencyMs.p50.toFixed(2)} ms, p95 ${r.latencyMs.p95.toFixed(2)} ms, max ${r.latencyMs.max.toFixed(2)} ms; open ${r.openMs} ms`,
  ];
}

function format(r: EvalReport): string {
  const d = r.difference;
  const c = r.learnedCost;
  return [
    `embedder        ${r.embedder}`,
    `history         ${r.counts.historyRows} rows, ${r.counts.distinctHistoryQueries} distinct queries, ${r.counts.skills} skills` +
      (r.counts.catalogEntries ? `, ${r.counts.catalogEntries} catalogue entries` : ''),
    `queries         ${r.counts.queries} (${r.counts.unseenSkillQueries} expect a skill with no history)`,
    `ranking         limit ${r.limit}, minSimilarity ${r.minSimilarity} (the default settings unless --min-similarity), no phase; default ranker: ${r.defaultRanker}`,
    `tuning          similarity: constants set on principle (see RANKING); learned: blend share ${r.learnedShare} and keep cut ${r.learnedKeep} fitted by --cv 5 on history only; nothing tuned on these queries`,
    `intervals       bootstrap 95% over queries (${BOOTSTRAP_RESAMPLES} resamples, seeded)`,
    ...rankerLines('similarity', r.rankers.similarity),
    ...rankerLines('learned', r.rankers.learned),
    `learned − sim.  Hit@1 ${signed(d.hitAt1.mean)} [${signed(d.hitAt1.interval.low)}, ${signed(d.hitAt1.interval.high)}]  ` +
      `Hit@5 ${signed(d.hitAt5.mean)} [${signed(d.hitAt5.interval.low)}, ${signed(d.hitAt5.interval.high)}] (paired)`,
    `rule            Hit@1 gain above the noise (interval > 0): ${r.verdict.hitAt1Better ? 'yes' : 'no'}; Hit@5 not lower: ${r.verdict.hitAt5NotLower ? 'yes' : 'no'} -> ${r.verdict.winner === 'learned' ? 'the learned ranker wins on quality' : 'the learned ranker does not win'}`,
    `learned model   ${c.model}: ${c.rows} rows, ${c.weights} non-zero weights; scoring ≤ skills × features = ${r.counts.skills} × ${c.meanQueryFeatures.toFixed(0)} ≈ ${c.scoringBound} multiply-adds per query`,
    `training        full fit ${c.fitMs} ms of work (${c.fitUsPerRow.toFixed(1)} µs per row, ${LINEAR.epochs} passes), in the background (a quarter of a core at most); refit when the rows double, one online step per new invocation in between`,
    `persistence     the model kept with the store: ${(c.persistedBytes / 2 ** 20).toFixed(1)} MiB (${(c.persistedBytes / (c.rows || 1)).toFixed(0)} bytes per row); a restart continues from it instead of refitting`,
    `timings         import ${r.timingsMs.import} ms`,
    `machine         ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}, ${r.machine.platform}`,
  ].join('\n');
}

function formatCv(r: CrossValidationReport): string {
  const row = (label: string, s: RankingMetrics, note: string) => `${label.padStart(13)}   ${f4(s.hitAt1)}  ${f4(s.hitAt5)}  ${f4(s.mrrAt5)}${note}`;
  return [
    `cross-validation on history only: ${r.folds} folds by distinct query text, ${r.rows} held-out rows (the dev queries are not read); threshold minSimilarity ${r.minSimilarity}`,
    'learned share   Hit@1   Hit@5   MRR@5   (no threshold: the share orders the candidates)',
    ...r.shares.map((s) => row(s.learnedShare.toFixed(2), s, s.learnedShare === r.best ? '  <- best Hit@1' : '')),
    `learned keep (share ${r.best.toFixed(2)}): a skill below the threshold is kept when its learned score reaches this`,
    'learned keep    Hit@1   Hit@5   MRR@5',
    ...r.keeps.map((s) => row(s.learnedKeep === null ? 'never' : s.learnedKeep.toFixed(2), s, s.learnedKeep === r.bestKeep ? '  <- strictest within one standard error of the best Hit@5' : '')),
    `held-out rows whose skill was not among the candidates at all: ${r.absent}`,
    `share 0 is the similarity ranker; the chosen settings' figures are tuned on these folds (optimistic): judge them on dev with pnpm eval`,
  ].join('\n');
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        history: { type: 'string' },
        queries: { type: 'string' },
        catalog: { type: 'string' },
        json: { type: 'boolean', default: false },
        embedder: { type: 'string', default: DEFAULT_SETTINGS.embedder },
        limit: { type: 'string', default: '5' },
        'min-similarity': { type: 'string' },
        'model-path': { type: 'string' },
        cv: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const embedder = EmbedderChoiceSchema.safeParse(args.embedder);
  if (!embedder.success) fail(`--embedder must be lexical, transformer or auto, not "${args.embedder}"`);
  const limit = Number(args.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) fail('--limit must be a whole number from 1 to 100');
  const minSimilarity = args['min-similarity'] === undefined ? null : Number(args['min-similarity']);
  if (minSimilarity !== null && !(minSimilarity >= 0 && minSimilarity <= 1)) fail('--min-similarity must be between 0 and 1');

  const folds = args.cv === undefined ? null : Number(args.cv);
  if (folds !== null && !(Number.isInteger(folds) && folds >= 2 && folds <= 20)) fail('--cv must be a whole number of folds from 2 to 20');

  // SKILLS_EVAL_DATA moves the default folder (tests use it to see the skip).
  const shared = process.env.SKILLS_EVAL_DATA ?? resolve(repoRoot(), '../shared/eval/metatool');
  const files = {
    history: args.history ? resolve(args.history) : join(shared, 'history.csv'),
    queries: args.queries ? resolve(args.queries) : join(shared, 'dev.csv'),
    catalog: args.catalog ? resolve(args.catalog) : undefined,
  };
  for (const [flag, file] of Object.entries(files)) {
    if (file === undefined || existsSync(file) || (flag === 'queries' && folds !== null)) continue;
    const explicit = flag === 'history' ? args.history : flag === 'queries' ? args.queries : args.catalog;
    if (explicit) fail(`--${flag} file not found: ${file}`);
    const message = `skipped: the evaluation data is not here (${file} is missing); pass --history and --queries to use other files`;
    if (args.json) console.log(JSON.stringify({ skipped: true, reason: message }));
    else console.log(message);
    return;
  }

  // Every fit is waited for here, and nothing else is served: no rests between its slices.
  fitWithoutRests();
  const tty = process.stderr.isTTY === true;
  const progress = (phase: string, done: number, total: number) => {
    if (!tty) return;
    const label = phase === 'embed' ? (done < total ? 'embedding history and building the index...' : 'index ready') : `${phase} ${done}/${total}`;
    process.stderr.write(`\r\x1b[2K${label}${done === total && phase !== 'embed' ? '\n' : ''}`);
    if (phase === 'embed' && done === total) process.stderr.write('\n');
  };
  if (folds !== null) {
    const cv = await crossValidate({
      historyFile: files.history,
      catalogFile: files.catalog,
      embedder: embedder.data as EmbedderChoice,
      modelPath: args['model-path'] ? resolve(args['model-path']) : undefined,
      folds,
      progress,
      logger: consoleLogger,
    });
    console.log(args.json ? JSON.stringify(cv, null, 2) : formatCv(cv));
    return;
  }
  const report = await runEval({
    historyFile: files.history,
    queriesFile: files.queries,
    catalogFile: files.catalog,
    embedder: embedder.data as EmbedderChoice,
    modelPath: args['model-path'] ? resolve(args['model-path']) : undefined,
    limit,
    minSimilarity,
    progress,
    logger: consoleLogger,
  });
  console.log(args.json ? JSON.stringify(report, null, 2) : format(report));
}

main().catch((error: unknown) => {
  // Errors the project raises on purpose carry a code and a message meant for people.
  const expected = error instanceof SkillsError;
  console.error(`eval: ${error instanceof Error ? (expected ? error.message : (error.stack ?? error.message)) : String(error)}`);
  process.exit(1);
});
