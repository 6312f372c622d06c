#!/usr/bin/env node
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FULL, QUICK, TINY, type BenchPlan } from './plan.js';
import { markdown } from './report.js';
import { runBench, SUITES, type SuiteName } from './run.js';

const USAGE = `usage: pnpm bench [--quick] [--only noop,direct,mcp,recommend] [--out FILE] [--check]

Measures the direct, no-op and MCP trackers, recommendations and storage, prints a markdown
table and writes every figure as JSON (default bench-results/latest.json at the repository root).

  --quick   every benchmark at small sizes (about a minute); fails only on an error
  --only    run only these suites
  --out     where to write the JSON
  --check   exit with 1 when a target of issue 6 is missed (full mode)`;

/** The repository root, from tooling/bench/dist/main.js. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function parse(argv: readonly string[]): { plan: BenchPlan; only?: SuiteName[]; out: string; check: boolean } {
  let plan: BenchPlan = FULL;
  let only: SuiteName[] | undefined;
  let out = resolve(ROOT, 'bench-results', 'latest.json');
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') plan = QUICK;
    else if (arg === '--tiny') plan = TINY;
    else if (arg === '--check') check = true;
    else if (arg === '--only' || arg === '--out') {
      const value = argv[++i];
      if (!value) throw new Error(`${arg} needs a value`);
      if (arg === '--out') out = resolve(value);
      else {
        only = value.split(',').map((s) => s.trim()) as SuiteName[];
        const unknown = only.filter((s) => !SUITES.includes(s));
        if (unknown.length) throw new Error(`unknown suite ${unknown.join(', ')} (known: ${SUITES.join(', ')})`);
      }
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  return { plan, only, out, check };
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  log(`${args.plan.mode} mode${args.plan.mode === 'full' ? ' (about 10 minutes; --quick for about one)' : ''}`);
  const report = await runBench({ plan: args.plan, only: args.only, log });
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${markdown(report)}\n`);
  log(`finished in ${report.durationSeconds.toFixed(0)} s; every figure in ${args.out}`);
  if (report.errors.length > 0) return 1;
  if (args.check && report.targets.some((t) => t.met === false)) return 1;
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
