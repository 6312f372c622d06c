#!/usr/bin/env node
// pnpm eval: recommendation quality on labelled `query,skill` CSV files (MetaTool by default).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { consoleLogger, DEFAULT_SETTINGS, EmbedderChoiceSchema, SkillsError, type EmbedderChoice } from '@skills/protocol';
import { runEval, type EvalReport } from './run-eval.js';

const USAGE = `usage: pnpm eval [--history FILE] [--queries FILE] [--catalog FILE] [--json]
                 [--embedder lexical|transformer|auto] [--model-path DIR] [--limit N] [--min-similarity X]

Imports the history (query,skill rows, each a completed invocation) into an empty temporary
store and asks for recommendations for every query of --queries. Defaults: the MetaTool files
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

function format(r: EvalReport): string {
  const pct = (x: number) => x.toFixed(4);
  const u = r.unfiltered;
  return [
    `embedder        ${r.embedder}`,
    `history         ${r.counts.historyRows} rows, ${r.counts.distinctHistoryQueries} distinct queries, ${r.counts.skills} skills` +
      (r.counts.catalogEntries ? `, ${r.counts.catalogEntries} catalogue entries` : ''),
    `queries         ${r.counts.queries} (${r.counts.unseenSkillQueries} expect a skill with no history)`,
    `ranking         limit ${r.limit}, minSimilarity ${r.minSimilarity} (the default settings unless --min-similarity), no phase`,
    `Hit@1           ${pct(r.metrics.hitAt1)}`,
    `Hit@5           ${pct(r.metrics.hitAt5)}`,
    `MRR@5           ${pct(r.metrics.mrrAt5)}`,
    `empty results   ${r.metrics.emptyResults}`,
    `unfiltered      Hit@1 ${pct(u.hitAt1)}, Hit@5 ${pct(u.hitAt5)}, MRR@5 ${pct(u.mrrAt5)} (minSimilarity 0)`,
    `latency/query   p50 ${r.latencyMs.p50.toFixed(2)} ms, p95 ${r.latencyMs.p95.toFixed(2)} ms, mean ${r.latencyMs.mean.toFixed(2)} ms, max ${r.latencyMs.max.toFixed(2)} ms`,
    `timings         import ${r.timingsMs.import} ms, open (embed + index) ${r.timingsMs.open} ms, all queries ${r.timingsMs.queries} ms`,
    `machine         ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}, ${r.machine.platform}`,
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

  // SKILLS_EVAL_DATA moves the default folder (tests use it to see the skip).
  const shared = process.env.SKILLS_EVAL_DATA ?? resolve(repoRoot(), '../shared/eval/metatool');
  const files = {
    history: args.history ? resolve(args.history) : join(shared, 'history.csv'),
    queries: args.queries ? resolve(args.queries) : join(shared, 'dev.csv'),
    catalog: args.catalog ? resolve(args.catalog) : undefined,
  };
  for (const [flag, file] of Object.entries(files)) {
    if (file === undefined || existsSync(file)) continue;
    const explicit = flag === 'history' ? args.history : flag === 'queries' ? args.queries : args.catalog;
    if (explicit) fail(`--${flag} file not found: ${file}`);
    const message = `skipped: the evaluation data is not here (${file} is missing); pass --history and --queries to use other files`;
    if (args.json) console.log(JSON.stringify({ skipped: true, reason: message }));
    else console.log(message);
    return;
  }

  const tty = process.stderr.isTTY === true;
  const progress = (phase: string, done: number, total: number) => {
    if (!tty) return;
    const label = phase === 'embed' ? (done < total ? 'embedding history and building the index...' : 'index ready') : `${phase} ${done}/${total}`;
    process.stderr.write(`\r\x1b[2K${label}${done === total && phase !== 'embed' ? '\n' : ''}`);
    if (phase === 'embed' && done === total) process.stderr.write('\n');
  };
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
