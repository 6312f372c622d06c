import { loadavg } from 'node:os';
import type { BenchPlan } from './plan.js';
import { checkTargets, machineInfo, type BenchReport, type BenchResults, type SuiteLoad } from './report.js';
import { workloadSource } from './query-sources.js';
import { runDirect, runNoop } from './suites/direct.js';
import { runHooks } from './suites/hooks.js';
import { runLearned } from './suites/learned.js';
import { runMcp } from './suites/mcp.js';
import { runPostgres } from './suites/postgres.js';
import { runRecommend } from './suites/recommend.js';
import { SUITES, type SuiteName } from './suite-names.js';

export { SUITES, type SuiteName };

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
  const load: SuiteLoad[] = [];
  const attempt = async <K extends SuiteName>(suite: K, run: () => Promise<NonNullable<BenchResults[K]>>) => {
    if (!only.has(suite)) return;
    const before = loadavg();
    try {
      results[suite] = await run();
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`${suite}: FAILED: ${message}`);
      errors.push({ suite, message: error instanceof Error ? error.message : String(error) });
    } finally {
      const after = loadavg();
      const busy = before[0]! > machine.cpus || after[0]! > machine.cpus;
      load.push({ suite, before, after, busy });
      if (busy) log(`${suite}: WARNING the machine was busy (1-minute load ${before[0]!.toFixed(1)} before, ${after[0]!.toFixed(1)} after, ${machine.cpus} cores)`);
    }
  };
  await attempt('noop', () => runNoop(plan, log));
  await attempt('direct', () => runDirect(plan, log));
  await attempt('mcp', () => runMcp(plan, log));
  await attempt('hooks', () => runHooks(plan, log));
  await attempt('recommend', () => runRecommend(plan, log));
  await attempt('learned', () => runLearned(plan, log));
  await attempt('postgres', () => runPostgres(plan, log));
  // A size or an embedder that failed inside the suite is an error too (its other figures stand).
  const measured = [
    ...(results.recommend?.sizes ?? []).map((size) => ({ size, text: '' })),
    ...(results.recommend?.generated?.sizes ?? []).map((size) => ({ size, text: ', generated text' })),
  ];
  for (const { size, text } of measured) {
    const at = `recommend at ${size.invocations.toLocaleString('en-US')} invocations${text}`;
    if (size.error) errors.push({ suite: at, message: size.error });
    for (const e of size.embedders ?? []) if (e.error) errors.push({ suite: `${at}, ${e.embedder}`, message: e.error });
    if (size.serverError) errors.push({ suite: `${at}, server`, message: size.serverError });
  }
  for (const size of results.learned?.sizes ?? []) {
    if (size.error) errors.push({ suite: `learned at ${size.invocations.toLocaleString('en-US')} invocations`, message: size.error });
  }
  const postgres = results.postgres;
  for (const size of postgres && 'sizes' in postgres ? postgres.sizes : []) {
    if (size.error) errors.push({ suite: `postgres at ${size.invocations.toLocaleString('en-US')} invocations`, message: size.error });
  }
  return {
    tool: '@skills/bench',
    mode: plan.mode,
    date: new Date().toISOString(),
    durationSeconds: (performance.now() - started) / 1000,
    machine,
    node: process.version,
    load,
    busyWarning: busyWarning(load, machine.cpus),
    workload: { queries: workloadSource().source.description, missing: workloadSource().missing },
    results,
    targets: checkTargets(results),
    errors,
  };
}

/** The warning a busy machine deserves, naming the suites it slowed; null when every suite ran on a quiet one. */
export function busyWarning(load: readonly SuiteLoad[], cpus: number): string | null {
  const busy = load.filter((l) => l.busy);
  if (busy.length === 0) return null;
  const peak = Math.max(...busy.flatMap((l) => [l.before[0]!, l.after[0]!]));
  return (
    `the machine was busy during ${busy.map((l) => l.suite).join(', ')} (1-minute load up to ${peak.toFixed(1)} on ${cpus} cores): ` +
    'absolute figures are slower than on a quiet machine; the ratios to limits measured in the same run move less'
  );
}
