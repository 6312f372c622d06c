import { at, pendingRecord } from '@skills/store-contract';
import { describe, expect, it } from 'vitest';
import { Connection } from './connection.js';
import { migrations, openSqliteStore } from './index.js';
import { migrate } from './migrator.js';
import { recountAggregates } from './test-support/recount.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();

/** Half an hour before the epoch: its hour is -1, where SQLite's integer division would say 0. */
const BEFORE_1970 = '1969-12-31T23:30:00.000Z';

/** Completed durations (s) at the edges of the duration bins: 0, the last exact bin, powers of two and neighbours, 30 days. */
const EDGE_DURATIONS = [0, 63e-6, 64e-6, 127e-6, 128e-6, (2 ** 20 - 1) / 1e6, 2 ** 20 / 1e6, (2 ** 40 + 1) / 1e6, 2_592_000];

/**
 * A file as code with migrations 1 to 5 wrote it: two projects, invocations in every status over
 * three hours (one before 1970) and three sessions, completed ones of {@link EDGE_DURATIONS}, and
 * the aggregates counted from the rows.
 */
function fileAtVersion5(path: string): void {
  const conn = Connection.open(path, false);
  migrate(conn, path, migrations.slice(0, 5));
  const db = conn.db;
  db.exec(`
    INSERT INTO projects (id, name) VALUES (2, 'alpha');
    INSERT INTO skills (id, name) VALUES (1, 'code-reviewer'), (2, 'builder');
    INSERT INTO sessions (id, name) VALUES (1, 'session-1'), (2, 'session-2'), (3, 'session-3');
  `);
  const addRow = db.prepare(`INSERT INTO invocations (id, skill_id, session_id, invoked_at, status, completed, duration, project_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  addRow.run('old-1', 1, 1, Date.parse(at(1)), 1, 1, 1.5, 1);
  addRow.run('old-2', 2, 1, Date.parse(at(2)), 2, 0, 2, 1);
  addRow.run('old-3', 1, 2, Date.parse(at(70)), 0, 0, null, 1);
  addRow.run('old-4', 1, 2, Date.parse(at(75)), 3, 0, null, 2);
  addRow.run('old-5', 2, 3, Date.parse(at(130)), 0, 0, null, 2);
  addRow.run('old-6', 2, 3, Date.parse(BEFORE_1970), 1, 1, 0.5, 2);
  EDGE_DURATIONS.forEach((d, i) => addRow.run(`edge-${i}`, 1 + (i % 2), 1, Date.parse(at(3)), 1, 1, d, 1));
  db.exec(`
    INSERT INTO skill_phase_stats
      SELECT project_id, skill_id, coalesce(phase_id, 0), count(*), sum(status = 1), sum(status = 2), sum(status = 3), sum(status = 0),
             coalesce(sum(CASE WHEN status = 1 AND duration IS NOT NULL THEN CAST(duration * 1000000 + 0.5 AS INTEGER) END), 0),
             sum(status = 1 AND duration IS NOT NULL), max(invoked_at)
      FROM invocations GROUP BY project_id, skill_id, coalesce(phase_id, 0);
  `);
  conn.close();
}

function expectRollupsRecounted(path: string): void {
  const { stored, recounted } = recountAggregates(path);
  expect(stored).toEqual(recounted);
  // The recount is not vacuous: every project's hours, sessions and durations are there.
  expect(stored.sessions.length).toBeGreaterThan(0);
  expect(stored.activity.length).toBeGreaterThan(0);
  expect(stored.durations.length).toBeGreaterThan(0);
}

describe('migrations 6 and 7 (rollups)', () => {
  it('fill the activity, session and duration rollups of a file from version 5 from its rows, and writes keep them equal to a recount', async () => {
    const path = tmp.path('version-5.db');
    fileAtVersion5(path);

    const store = await openSqliteStore({ path });
    expectRollupsRecounted(path);
    const { stored } = recountAggregates(path);
    // Each edge duration in a bin of its own, the completed rows of 1.5 s and 0.5 s too.
    expect(stored.durations).toHaveLength(EDGE_DURATIONS.length + 2);
    expect(stored.activity.filter((r) => r.project_id === 2 && r.skill_id === 0).map((r) => r.hour)).toEqual([
      -1,
      Math.floor(Date.parse(at(75)) / 3_600_000),
      Math.floor(Date.parse(at(130)) / 3_600_000),
    ]);

    const alpha = store.forProject('alpha');
    expect(await store.forProject('default').sessionCount()).toBe(2);
    expect(await alpha.sessionCount()).toBe(2);
    expect(await store.sessionCount()).toBe(3);
    expect(await alpha.sessionsSince(at(74))).toBe(2);
    expect(await alpha.sessionsSince(at(76))).toBe(1);
    expect(await store.sessionsSince(at(60))).toBe(2);
    const { points } = await alpha.activity({ bucket: 'hour', skillName: 'code-reviewer' });
    expect(points.filter((p) => p.invocations > 0)).toEqual([expect.objectContaining({ start: '2024-05-01T13:00:00.000Z', invocations: 1, abandoned: 1 })]);

    // Completions, abandonment, prune and new rows (one before 1970) move the rollups with the rows.
    await store.applyBatch({
      inserts: [pendingRecord(200, { id: 'new-1', sessionId: 'session-3', project: 'alpha' }), pendingRecord(0, { id: 'new-2', invokedAt: BEFORE_1970 })],
      completions: [{ id: 'old-3', completed: true, completedAt: at(80), durationSeconds: 3 }],
    });
    expectRollupsRecounted(path);
    await store.markAbandoned({ ids: ['old-5'] });
    expectRollupsRecounted(path);
    expect(await store.prune(at(60))).toBe(4 + EDGE_DURATIONS.length);
    expectRollupsRecounted(path);
    expect(await store.forProject('default').sessionCount()).toBe(1);
    expect(await alpha.sessionCount()).toBe(2);
    await store.close();
  });
});
