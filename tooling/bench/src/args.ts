import { resolve } from 'node:path';
import { FULL, QUICK, TINY, type BenchPlan } from './plan.js';
import { SUITES, type SuiteName } from './suite-names.js';

export const USAGE = `usage: pnpm bench [--quick] [--only ${SUITES.join(',')}] [--out FILE] [--check]

Measures the direct, no-op and MCP trackers, the Claude Code hooks, recommendations and storage,
the learned ranker's training and saved model, and the same writes, recommendations and dashboard on
PostgreSQL (a throwaway cluster of Debian's postgresql-15, or the server SKILLS_BENCH_POSTGRES_URL names),
each beside its limit measured in the same run, prints a markdown table and writes every figure
as JSON: a full run of every suite to bench-results/latest.json (committed), a --quick or --only
run to bench-results/partial.json (git-ignored), so a smoke run never replaces the full run's figures.

  --quick   every benchmark at small sizes (a few minutes); fails only on an error
  --only    run only these suites
  --out     where to write the JSON
  --check   exit with 1 when a target, absolute or on a ratio, is missed (full mode)`;

export interface BenchArgs {
  readonly plan: BenchPlan;
  readonly only?: SuiteName[];
  /** Absolute path of the JSON report. */
  readonly out: string;
  readonly check: boolean;
  readonly help: boolean;
}

/**
 * Where the JSON goes without `--out`: the committed `bench-results/latest.json` only for a
 * full run of every suite; any other run (quick, tiny, a subset) to the git-ignored
 * `bench-results/partial.json`.
 */
export function defaultOut(root: string, mode: BenchPlan['mode'], only: readonly SuiteName[] | undefined): string {
  const complete = mode === 'full' && (only === undefined || SUITES.every((s) => only.includes(s)));
  return resolve(root, 'bench-results', complete ? 'latest.json' : 'partial.json');
}

/** Reads the command line; throws a message naming the argument on bad input. */
export function parseArgs(argv: readonly string[], root: string): BenchArgs {
  let plan: BenchPlan = FULL;
  let only: SuiteName[] | undefined;
  let out: string | undefined;
  let check = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') plan = QUICK;
    else if (arg === '--tiny') plan = TINY;
    else if (arg === '--check') check = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--only' || arg === '--out') {
      const value = argv[++i];
      if (!value) throw new Error(`${arg} needs a value`);
      if (arg === '--out') out = resolve(value);
      else {
        only = value.split(',').map((s) => s.trim()) as SuiteName[];
        const unknown = only.filter((s) => !SUITES.includes(s));
        if (unknown.length) throw new Error(`unknown suite ${unknown.join(', ')} (known: ${SUITES.join(', ')})`);
      }
    } else throw new Error(`unknown argument ${arg}`);
  }
  return { plan, ...(only ? { only } : {}), out: out ?? defaultOut(root, plan.mode, only), check, help };
}
