import { createHash } from 'node:crypto';
import { DEFAULT_PROJECT, QUERY_KEY_BYTES } from '@skills/protocol';
import { at, pendingRecord, recount } from '@skills/store-contract';
import { describe, expect, it } from 'vitest';
import { Connection } from './connection.js';
import { migrations, openSqliteStore } from './index.js';
import { migrate } from './migrator.js';
import { recountAggregates } from './test-support/recount.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();

const queryKey = (text: string) => createHash('sha256').update(text).digest().subarray(0, QUERY_KEY_BYTES);

/**
 * A file as code with migrations 1 to 4 wrote it: names, queries, invocations in every status,
 * the aggregates (counted from the rows by SQL, as that code kept them), a vector, a catalog entry
 * and a model state.
 */
function fileAtVersion4(path: string): void {
  const conn = Connection.open(path, false);
  migrate(conn, path, migrations.slice(0, 4));
  const db = conn.db;
  db.exec(`
    INSERT INTO skills (id, name) VALUES (1, 'code-reviewer'), (2, 'builder');
    INSERT INTO sessions (id, name) VALUES (1, 'session-1'), (2, 'session-2');
    INSERT INTO phases (id, name) VALUES (1, 'review');
    INSERT INTO sources (id, name) VALUES (1, 'cli');
  `);
  const addQuery = db.prepare('INSERT INTO queries (id, hash, text) VALUES (?, ?, ?)');
  addQuery.run(1, queryKey('fix the build'), 'fix the build');
  addQuery.run(2, queryKey('review my change'), 'review my change');
  // A query pruned since: its id is never given again.
  addQuery.run(3, queryKey('pruned'), 'pruned');
  db.prepare('DELETE FROM queries WHERE id = 3').run();
  const addRow = db.prepare(`INSERT INTO invocations
    (id, skill_id, session_id, invoked_at, status, completed, completed_at, duration, query_id, phase_id, alternatives, selection_rank, follow_ups, error_type, source_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  addRow.run('old-1', 2, 1, Date.parse(at(1)), 1, 1, Date.parse(at(2)), 1.5, 1, null, null, null, '["open-pr"]', null, 1);
  addRow.run('old-2', 2, 2, Date.parse(at(3)), 2, 0, Date.parse(at(4)), 2, 1, 1, null, null, null, 'Crash', null);
  addRow.run('old-3', 1, 1, Date.parse(at(5)), 0, 0, null, null, 2, 1, '["builder"]', 2, null, null, null);
  addRow.run('old-4', 1, 2, Date.parse(at(6)), 3, 0, null, null, 1, 1, null, null, null, null, 1);
  addRow.run('old-5', 1, 2, Date.parse(at(7)), 1, 1, Date.parse(at(8)), 0.25, null, null, null, null, null, null, null);
  db.exec(`
    INSERT INTO skill_phase_stats
      SELECT skill_id, coalesce(phase_id, 0), count(*), sum(status = 1), sum(status = 2), sum(status = 3), sum(status = 0),
             coalesce(sum(CASE WHEN status = 1 AND duration IS NOT NULL THEN CAST(duration * 1000000 + 0.5 AS INTEGER) END), 0),
             sum(status = 1 AND duration IS NOT NULL), max(invoked_at)
      FROM invocations GROUP BY skill_id, coalesce(phase_id, 0);
    INSERT INTO query_skill_stats
      SELECT query_id, skill_id, count(*), sum(status = 1), sum(status = 2)
      FROM invocations WHERE query_id IS NOT NULL GROUP BY query_id, skill_id;
    INSERT INTO embeddings (query_id, embedder_id, vector) VALUES (1, 'lexical', x'0102'), (2, 'lexical', x'0304');
    INSERT INTO catalog (skill_name, description) VALUES ('builder', 'Builds the project');
    INSERT INTO model_state (key, version, trained_up_to, bytes, updated_at) VALUES ('learned-ranker', 'v1', 2, x'0506', 0);
  `);
  conn.close();
}

describe('migration 5 (projects)', () => {
  it('upgrades a file from version 4: every row, aggregate, catalog entry and model state belongs to default, and the counts equal a recount', async () => {
    const path = tmp.path('version-4.db');
    fileAtVersion4(path);

    const store = await openSqliteStore({ path });
    const records = (await store.exportAll()).invocations;
    expect(records.map((r) => [r.id, r.project])).toEqual(['old-1', 'old-2', 'old-3', 'old-4', 'old-5'].map((id) => [id, DEFAULT_PROJECT]));
    expect(records.every((r) => !('alternativeScores' in r))).toBe(true);
    expect(await store.getInvocation('old-3')).toMatchObject({ alternativesConsidered: ['builder'], selectionRank: 2, userQuery: 'review my change', project: DEFAULT_PROJECT });
    expect(await store.listProjects()).toEqual([DEFAULT_PROJECT]);
    expect(await store.listCatalog()).toEqual([{ skillName: 'builder', description: 'Builds the project', project: DEFAULT_PROJECT }]);
    expect(await store.getModelState('learned-ranker')).toEqual({ version: 'v1', trainedUpTo: 2, bytes: Uint8Array.of(5, 6) });

    const view = store.forProject(DEFAULT_PROJECT);
    for (const s of [store, view]) {
      const { stored, recounted } = await recount(s);
      expect(stored).toEqual(recounted);
      expect(stored.invocations).toBe(5);
    }
    expect(await view.listQuerySkillCounts()).toEqual(await store.listQuerySkillCounts());
    expect(await view.skillStats()).toEqual(await store.skillStats());
    expect(await view.getEmbeddings('lexical')).toEqual(new Map([[1, Uint8Array.of(1, 2)], [2, Uint8Array.of(3, 4)]]));
    expect(await view.getModelState('learned-ranker')).toMatchObject({ version: 'v1' });
    expect(await store.forProject('alpha').countInvocations()).toBe(0);
    expect(await store.forProject('alpha').listQueries()).toEqual([]);

    expect(await view.listQueries()).toEqual([
      { id: 1, text: 'fix the build' },
      { id: 2, text: 'review my change' },
    ]);

    // The upgraded file takes new projects beside the old history, and stays consistent. Another
    // project's first use of an old text is a query of its own, above every id given before.
    await store.forProject('alpha').applyBatch({ inserts: [pendingRecord(9, { userQuery: 'fix the build' })] });
    expect(await store.forProject('alpha').listQueries()).toEqual([{ id: 4, text: 'fix the build' }]);
    expect(await view.listQueries(2)).toEqual([]);
    await store.applyBatch({ inserts: [pendingRecord(10, { userQuery: 'review my change' })] });
    expect((await view.listQueries()).map((q) => q.id)).toEqual([1, 2]);
    await store.applyBatch({ completions: [{ id: 'old-3', completed: true, completedAt: at(20), durationSeconds: 3 }] });
    expect(await store.listProjects()).toEqual(['alpha', DEFAULT_PROJECT]);
    expect(await view.countInvocations({ status: 'completed' })).toBe(3);
    expect(await view.countInvocations()).toBe(6);
    await store.close();
    const after = recountAggregates(path);
    expect(after.stored).toEqual(after.recounted);
    expect(after.stored.skillPhase.filter((r) => r.project_id === 1)).toHaveLength(4);
  });
});
