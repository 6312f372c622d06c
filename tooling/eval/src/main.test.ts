import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const main = join(import.meta.dirname, '..', 'dist', 'main.js');

/**
 * Runs the built command. A synchronous run blocks the test's own timeout, so it carries its own
 * deadline (room for a loaded machine; a run here takes about a second).
 */
function evalCli(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  if (run.error) throw new Error(`pnpm eval ${args.join(' ')}: ${run.error.message}; stderr: ${run.stderr}`);
  return run;
}

/** A small labelled set written to a temp folder (the suite never reads the shared data). */
function files() {
  const dir = mkdtempSync(join(tmpdir(), 'skills-eval-test-'));
  const rows = [
    ['run the unit tests', 'test-runner'],
    ['the pytest suite fails', 'test-runner'],
    ['run tests for the parser', 'test-runner'],
    ['fix the mypy type errors', 'type-checker'],
    ['type check the package', 'type-checker'],
    ['deploy the service to production', 'deployer'],
    ['roll back the deployment, "now"', 'deployer'],
  ];
  const csv = (r: string[][]) => ['query,skill', ...r.map(([q, s]) => `"${q!.replaceAll('"', '""')}",${s}`)].join('\n');
  writeFileSync(join(dir, 'history.csv'), csv(rows));
  writeFileSync(
    join(dir, 'dev.csv'),
    csv([
      ['run the tests again', 'test-runner'],
      ['mypy type errors', 'type-checker'],
      ['deploy to production', 'deployer'],
      // Labelled wrong on purpose: a miss at rank 1.
      ['deploy the service now', 'type-checker'],
    ]),
  );
  return { dir, history: join(dir, 'history.csv'), queries: join(dir, 'dev.csv') };
}

describe('pnpm eval', () => {
  it('reports both rankers with intervals, the paired difference, latency, costs and the machine as JSON', () => {
    const f = files();
    const child = evalCli(['--history', f.history, '--queries', f.queries, '--json', '--embedder', 'lexical']);
    expect(child.status).toBe(0);
    const report = JSON.parse(child.stdout);
    expect(report.embedder).toMatch(/^lexical\//);
    expect(report.counts).toMatchObject({ historyRows: 7, distinctHistoryQueries: 7, skills: 3, queries: 4 });
    expect(report.defaultRanker).toMatch(/^(learned|similarity)$/);
    for (const name of ['similarity', 'learned']) {
      const r = report.rankers[name];
      expect(r.ranker).toBe(name);
      expect(r.metrics).toMatchObject({ queries: 4, hitAt1: 0.75 });
      expect(r.metrics.hitAt5).toBeGreaterThanOrEqual(0.75);
      expect(r.metrics.mrrAt5).toBeLessThan(1);
      expect(r.intervals.hitAt1.low).toBeLessThanOrEqual(0.75);
      expect(r.intervals.hitAt1.high).toBeGreaterThanOrEqual(0.75);
      expect(r.latencyMs.p50).toBeGreaterThan(0);
    }
    // Too little history for the learned model (cold start): it ranks as the similarity ranker.
    expect(report.difference.hitAt1).toEqual({ mean: 0, interval: { low: 0, high: 0 } });
    expect(report.verdict).toEqual({ hitAt1Better: false, hitAt5NotLower: true, winner: 'similarity' });
    expect(report.learnedCost.model).toBe(`${report.embedder}/linear-v1`);
    expect(report.learnedCost.meanQueryFeatures).toBeGreaterThan(0);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
  });

  it('prints a readable report', () => {
    const f = files();
    const child = evalCli(['--history', f.history, '--queries', f.queries, '--embedder', 'lexical', '--limit', '3']);
    expect(child.status).toBe(0);
    expect(child.stdout).toMatch(/^similarity +Hit@1 0\.7500 \[[\d.]+, [\d.]+\] +Hit@5 /m);
    expect(child.stdout).toMatch(/^learned +Hit@1 0\.7500 \[/m);
    expect(child.stdout).toMatch(/^learned − sim\. +Hit@1 \+0\.0000 \[/m);
    expect(child.stdout).toMatch(/latency p50 [\d.]+ ms, p95/);
    expect(child.stdout).toMatch(/^tuning +.*nothing tuned on these queries$/m);
  });

  it('--cv K fits the blend on folds of the history and never reads the queries', () => {
    const f = files();
    const child = evalCli(['--history', f.history, '--queries', join(f.dir, 'absent.csv'), '--cv', '2', '--embedder', 'lexical', '--json']);
    expect(child.status).toBe(0);
    const cv = JSON.parse(child.stdout);
    expect(cv).toMatchObject({ folds: 2, rows: 7 });
    expect(cv.shares).toHaveLength(21);
    expect(cv.shares.map((s: { learnedShare: number }) => s.learnedShare)).toContain(cv.best);
    // The keep cuts, at the best share, from 0.5 to never (null).
    expect(cv.keeps.map((k: { learnedKeep: number | null }) => k.learnedKeep)).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, null]);
    expect(cv.keeps.map((k: { learnedKeep: number | null }) => k.learnedKeep)).toContain(cv.bestKeep);
    expect(cv.absent).toBeGreaterThanOrEqual(0);
    expect(evalCli(['--history', f.history, '--cv', '1']).status).toBe(2);
  });

  it('skips with exit 0 when the default data is absent', () => {
    const child = evalCli([], { SKILLS_EVAL_DATA: join(tmpdir(), 'no-such-eval-data') });
    expect(child.status).toBe(0);
    expect(child.stdout).toMatch(/^skipped: the evaluation data is not here/);
  });

  it('fails with exit 2 on a missing explicit file or a bad flag', () => {
    const missing = evalCli(['--history', join(tmpdir(), 'nope.csv')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--history file not found/);
    expect(evalCli(['--limit', 'x']).status).toBe(2);
    expect(evalCli(['--embedder', 'magic']).status).toBe(2);
    expect(evalCli(['--bogus']).status).toBe(2);
  });
});
