import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { skills, tempDir } from './support.js';

describe('skills eval: both rankers on the store’s own history', () => {
  it('evaluates a real store file in time order, as text and as JSON, and leaves the store as it was', async () => {
    const dir = tempDir();
    const db = join(dir, 'team.db');
    expect((await skills(['demo', '--db', db, '--json'], { cwd: dir })).code).toBe(0);
    const before = (await skills(['export', '--db', db], { cwd: dir })).stdout;

    const text = await skills(['eval', '--db', db], { cwd: dir });
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Evaluated \d+ completed invocations with a query \(of \d+\) in /);
    expect(text.stdout).toMatch(/^similarity +Hit@1 0\.\d{4} \[0\.\d{4}, [01]\.\d{4}\] +Hit@5 /m);
    expect(text.stdout).toMatch(/^learned +Hit@1 /m);
    expect(text.stdout).toMatch(/^Chosen from shown recommendations: \d+; the chosen skill was ranked first in \d+ \(\d+\.\d%\)\./m);
    expect(text.stdout).toMatch(/^The rankings shown at the time, on the \d+ chosen invocations whose skill completed \(\d+ of \d+ choices kept their scores\):$/m);
    expect(text.stdout).toMatch(/^shown +Hit@1 0\.\d{4} \[/m);
    expect(text.stdout).toMatch(/^replayed on the same: similarity Hit@1 0\.\d{4}, Hit@5 [01]\.\d{4}; learned Hit@1 /m);

    const json = await skills(['eval', '--db', db, '--json'], { cwd: dir });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as {
      database: string;
      invocations: number;
      evaluated: number;
      rankers: Record<'similarity' | 'learned', { metrics: { queries: number; hitAt1: number }; intervals: { hitAt1: { low: number; high: number } } }>;
      verdict: { winner: string };
      shown: { choices: number; rankedFirst: number };
    };
    expect(report.database).toBe(db);
    expect(report.evaluated).toBeGreaterThan(0);
    expect(report.evaluated).toBeLessThanOrEqual(report.invocations);
    for (const r of Object.values(report.rankers)) {
      expect(r.metrics.queries).toBe(report.evaluated);
      expect(r.intervals.hitAt1.low).toBeLessThanOrEqual(r.metrics.hitAt1);
      expect(r.intervals.hitAt1.high).toBeGreaterThanOrEqual(r.metrics.hitAt1);
    }
    expect(['similarity', 'learned']).toContain(report.verdict.winner);
    expect(report.shown.rankedFirst).toBeLessThanOrEqual(report.shown.choices);
    // Same history, same figures: the replay waits for every fit, and the store was only read.
    expect(JSON.parse((await skills(['eval', '--db', db, '--json'], { cwd: dir })).stdout)).toEqual(report);
    expect((await skills(['export', '--db', db], { cwd: dir })).stdout.replace(/"exportedAt": "[^"]+"/, '')).toBe(before.replace(/"exportedAt": "[^"]+"/, ''));
  }, 120_000);

  it('says precisely why an empty store cannot be evaluated, and exits 1', async () => {
    const dir = tempDir();
    const db = join(dir, 'empty.db');
    const track = await skills(['track', 'code-reviewer', '--db', db], { cwd: dir });
    expect(track.code).toBe(0);
    const r = await skills(['eval', '--db', db], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `skills eval: none of the 1 invocation in ${db} has a query and completed: nothing to evaluate ` +
        '(the evaluation ranks the query of each completed invocation and checks that its skill comes first)\n',
    );
  });

  it('--help shows an example', async () => {
    const r = await skills(['eval', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('skills eval --db .skills/skills.db --json');
  });
});
