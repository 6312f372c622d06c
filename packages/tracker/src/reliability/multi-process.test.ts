import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkStore, lastJson, removeTempDirs, runFixture, tempDir, type RunResult } from './harness.mjs';

afterAll(removeTempDirs);

const WRITERS = 4;
const PER_WRITER = 3_000;

interface WriterReport {
  health: { tracked: number; completed: number; failures: number; lastError: string | null };
  finished: Record<string, string>;
}

describe('several processes tracking into one file', () => {
  it('store exactly what each tracked, with no lock error reaching anyone, and consistent aggregates', async () => {
    const dir = tempDir();
    const dbPath = join(dir, 'shared', 'skills.db'); // not there yet: the writers race to create it
    const stopFile = join(dir, 'stop');
    const reader = runFixture('read-while-writing.mjs', [dbPath, stopFile], { cwd: dir });
    const writers = await Promise.all(
      Array.from({ length: WRITERS }, (_, n) => runFixture('track-many.mjs', [dbPath, `writer-${n}`, String(PER_WRITER)], { cwd: dir })),
    );
    writeFileSync(stopFile, '');
    const readerResult = await reader;

    const describeRun = (r: RunResult) => `exit ${r.code} ${r.signal ?? ''}\nstderr: ${r.stderr}`;
    const finished: Record<string, string> = {};
    for (const writer of writers) {
      expect(writer.stderr, describeRun(writer)).toBe(''); // no "database is locked", nor anything else
      expect(writer.code, describeRun(writer)).toBe(0);
      const report = lastJson<WriterReport>(writer.stdout);
      expect(report.health).toMatchObject({ tracked: PER_WRITER, failures: 0, lastError: null });
      expect(Object.keys(report.finished)).toHaveLength(PER_WRITER);
      Object.assign(finished, report.finished);
    }
    expect(readerResult.stderr).toBe('');
    const reads = lastJson<{ reads: number; errors: string[]; errorCount: number }>(readerResult.stdout);
    expect(reads.errors).toEqual([]);
    expect(reads.reads).toBeGreaterThan(0);

    // Exactly the expected rows (no more, no fewer), each with the status its writer gave it, and
    // every aggregate (skillStats, phaseStats, counts, per-query counts) equal to a recount.
    const check = await checkStore(dbPath, { inserted: Object.keys(finished), finished });
    expect(check.integrity).toEqual(['ok']);
    expect(check.foreignKeys).toEqual([]);
    expect(check.missing).toEqual([]);
    expect(check.wrongStatus).toEqual([]);
    expect(check.count).toBe(WRITERS * PER_WRITER);
    expect(check.problems).toEqual([]);
    // Every writer closed cleanly: the WAL was checkpointed and removed.
    expect(existsSync(`${dbPath}-wal`)).toBe(false);
  });
});
