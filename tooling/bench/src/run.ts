import { loadavg } from 'node:os';
import type { BenchPlan } from './plan.js';
import { checkTargets, machineInfo, type BenchReport, type BenchResults } from './report.js';
import { runDirect, runNoop } from './suites/direct.js';
import { runMcp } from './suites/mcp.js';
import { runRecommend } from './suites/recommend.js';

/** The suites, in the order they run. */
export const SUITES = ['noop', 'direct', 'mcp', 'recommend'] as const;
export type SuiteName = (typeof SUITES)[number];

export interface RunOptions {
  readonly plan: BenchPlan;
  /** Run only these suites; default all. */
  readonly only?: readonly SuiteName[];
  /** Progress lines (stderr by default in main). */
  readonly log?: (line: string) => void;
}

/**
 * Runs the suites of a plan and returns the report. A suite that throws is recorded in
 * `errors` and the others still run: the caller decides what a failure means.
 */
export async function runBench(options: RunOptions): Promise<BenchReport> {
  const { plan } = options;
  const log = options.log ?? (() => {});
  const only = new Set(options.only ?? SUITES);
  const started = performance.now();
  const machine = { ...machineInfo(), loadAverage: loadavg() };
  const results: BenchResults = {};
  const errors: { suite: string; message: string }[] = [];
  const attempt = async <K extends SuiteName>(suite: K, run: () => Promise<NonNullable<BenchResults[K]>>) => {
    if (!only.has(suite)) return;
    try {
      results[suite] = await run();
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`${suite}: FAILED: ${message}`);
      errors.push({ suite, message: error instanceof Error ? error.message : String(error) });
    }
  };
  await attempt('noop', () => runNoop(plan, log));
  await attempt('direct', () => runDirect(plan, log));
  await attempt('mcp', () => runMcp(plan, log));
  await attempt('recommend', () => runRecommend(plan, log));
  // A size or an embedder that failed inside the suite is an error too (its other figures stand).
  for (const size of results.recommend?.sizes ?? []) {
    const at = `recommend at ${size.invocations.toLocaleString('en-US')} invocations`;
    if (size.error) errors.push({ suite: at, message: size.error });
    for (const e of size.embedders ?? []) if (e.error) errors.push({ suite: `${at}, ${e.embedder}`, message: e.error });
    if (size.serverError) errors.push({ suite: `${at}, server`, message: size.serverError });
  }
  return {
    tool: '@skills/bench',
    mode: plan.mode,
    date: new Date().toISOString(),
    durationSeconds: (performance.now() - started) / 1000,
    machine,
    node: process.version,
    results,
    targets: checkTargets(results),
    errors,
  };
}
