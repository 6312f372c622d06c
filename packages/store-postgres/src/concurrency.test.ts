import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { recount } from '@skills/store-contract';
import { waitFor } from '@skills/vitest-config/wait-for';
import pg from 'pg';
import { expect, it } from 'vitest';
import { openPostgresStore } from './index.js';
import { describePostgres, useDatabases } from '@skills/store-contract/postgres';

const run = promisify(execFile);
const databases = useDatabases();
const record = (id: string, skillName: string, userQuery: string) => ({
  id,
  skillName,
  sessionId: 'session-1',
  invokedAt: '2024-05-01T12:00:00.000Z',
  status: 'pending' as const,
  completed: false,
  completedAt: null,
  durationSeconds: null,
  userQuery,
  workflowPhase: null,
  alternativesConsidered: [],
  selectionRank: null,
  followUpActions: [],
  errorType: null,
});

describePostgres('concurrent writers', () => {
  it('four writer processes on one database: every insert and completion counted exactly once', async () => {
    const url = await databases.create();
    // Migrated once before the writers start, so that they race on the data, not the schema.
    await (await openPostgresStore({ url })).close();
    const [batches, size] = [25, 40];
    const script = join(import.meta.dirname, 'test-support/writer-process.mjs');
    const outputs = await Promise.all(
      [0, 1, 2, 3].map((worker) => run(process.execPath, [script, url, String(worker), String(batches), String(size)])),
    );
    const totals = outputs.map((o) => JSON.parse(o.stdout) as Record<string, number>);
    const sum = (key: string) => totals.reduce((n, t) => n + t[key]!, 0);
    // Own ids: every one stored; shared ids: stored once, three replays each.
    expect(sum('inserted')).toBe(4 * batches * size + batches * size);
    expect(sum('duplicates')).toBe(3 * batches * size);
    expect(sum('completed') + sum('alreadyFinished') + sum('unknown')).toBe(4 * (batches - 1) * size);

    const store = await openPostgresStore({ url });
    try {
      expect(await store.countInvocations()).toBe(5 * batches * size);
      const finished = (await store.countInvocations({ status: 'completed' })) + (await store.countInvocations({ status: 'failed' }));
      expect(finished).toBe(sum('completed'));
      // Each shared id of the first batches was completed by one of the four writers.
      expect(finished).toBeGreaterThanOrEqual((batches - 2) * size);
      const { stored, recounted } = await recount(store);
      expect(stored).toEqual(recounted);
      expect(stored.queryTexts).toHaveLength(7);
    } finally {
      await store.close();
    }
  });

  it('a follower of the change cursor sees a transaction that commits after a later one', async () => {
    const url = await databases.create();
    const [a, b, reader] = [await openPostgresStore({ url }), await openPostgresStore({ url }), await openPostgresStore({ url })];
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    try {
      // b's text is stored already: a write storing a new text would wait for a's (the next test).
      await a.applyBatch({ inserts: [record('first', 'held', 'held query'), record('stored', 'other', 'early query')] });
      // Holds the aggregate row of skill "held": a's next batch inserts its row, then waits here.
      await blocker.query('BEGIN');
      await blocker.query(`SELECT * FROM skill_phase_stats WHERE skill_id = (SELECT id FROM skills WHERE name = 'held') FOR UPDATE`);
      const held = a.applyBatch({ inserts: [record('late', 'held', 'late query')] });
      await waitFor(
        async () => (await blocker.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`)).rows[0].n > 0,
        { what: "a's transaction to wait for the held row" },
      );
      // b began after a and commits first; the reader follows it.
      await b.applyBatch({ inserts: [record('early', 'free', 'early query')] });
      const first = await reader.querySkillCountsSince(null);
      expect(first.counts.map((c) => c.skillName).sort()).toEqual(['free', 'held', 'other']);
      await blocker.query('COMMIT');
      await held;
      const next = await reader.querySkillCountsSince(first.cursor);
      const late = (await reader.listQueries()).find((q) => q.text === 'late query')!.id;
      expect(next).toMatchObject({ complete: false, queryIds: [late] });
      expect(next.counts).toEqual([{ queryId: late, skillName: 'held', invocations: 1, completed: 0, failed: 0 }]);
    } finally {
      await blocker.end();
      await Promise.all([a.close(), b.close(), reader.close()]);
    }
  });

  it("a reader following a project's query ids meets every text, whatever order the writers commit in", async () => {
    const url = await databases.create();
    const [a, b, reader] = [await openPostgresStore({ url }), await openPostgresStore({ url }), await openPostgresStore({ url })];
    const [viewA, viewB, follower] = [a.forProject('alpha'), b.forProject('alpha'), reader.forProject('alpha')];
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    const waiting = async () =>
      (await blocker.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`)).rows[0].n;
    try {
      await viewA.applyBatch({ inserts: [record('first', 'held', 'held query')] });
      // a's next batch stores its new text (drawing its id), then waits for the held aggregate row.
      await blocker.query('BEGIN');
      await blocker.query(`SELECT * FROM skill_phase_stats WHERE skill_id = (SELECT id FROM skills WHERE name = 'held') FOR UPDATE`);
      const held = viewA.applyBatch({ inserts: [record('late', 'held', 'late query')] });
      await waitFor(async () => (await waiting()) === 1, { what: "a's transaction to wait for the held row" });
      // b's new text, drawn after a's, must not be readable before a's: b commits, or waits for a.
      let bDone = false;
      const early = viewB.applyBatch({ inserts: [record('early', 'free', 'early query')] }).finally(() => (bDone = true));
      await waitFor(async () => bDone || (await waiting()) === 2, { what: "b's batch to commit or wait" });
      // The recommender's catch-up: every text above the highest id it has seen.
      const seen = await follower.listQueries();
      const watermark = Math.max(...seen.map((q) => q.id));
      await blocker.query('COMMIT');
      await Promise.all([held, early]);
      seen.push(...(await follower.listQueries(watermark)));
      expect(seen.map((q) => q.text).sort()).toEqual(['early query', 'held query', 'late query']);
    } finally {
      await blocker.end();
      await Promise.all([a.close(), b.close(), reader.close()]);
    }
  });
});
