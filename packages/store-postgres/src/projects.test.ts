import { DEFAULT_PROJECT } from '@skills/protocol';
import { pendingRecord, recount } from '@skills/store-contract';
import { describePostgres, useDatabases } from '@skills/store-contract/postgres';
import { waitFor } from '@skills/vitest-config/wait-for';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { LISTENER_NAME } from './change-feed.js';
import { migrations, openPostgresStore } from './index.js';
import { migrate } from './migrator.js';
import type { StoreDatabase } from './schema.js';

const databases = useDatabases();

/**
 * A store as migrations 1-2 left it (before projects), written in their schema: two invocations
 * of one query, their aggregates, a catalog entry and a model state.
 */
async function storeBeforeProjects(url: string): Promise<void> {
  const db = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
  try {
    await migrate(db, 'the test database', migrations.slice(0, 2));
  } finally {
    await db.destroy();
  }
  await databases.sql(
    `INSERT INTO skills (name) VALUES ('builder');
     INSERT INTO sessions (name) VALUES ('s-1');
     INSERT INTO phases (name) VALUES ('build');
     INSERT INTO queries (hash, text) VALUES (substring(sha256(convert_to('fix the build', 'UTF8')) FROM 1 FOR 16), 'fix the build');
     INSERT INTO invocations (id, skill_id, session_id, invoked_at, status, completed, completed_at, duration, query_id, phase_id, alternatives, selection_rank)
       VALUES ('old-1', 1, 1, '2024-05-01T12:00:00Z', 1, true, '2024-05-01T12:00:01Z', 1, 1, 1, '["linter"]', 1),
              ('old-2', 1, 1, '2024-05-01T12:00:02Z', 0, false, NULL, NULL, 1, NULL, NULL, NULL);
     INSERT INTO skill_phase_stats (skill_id, phase_id, invocations, completed, failed, abandoned, pending, duration_micros, duration_count, last_used_at)
       VALUES (1, 1, 1, 1, 0, 0, 0, 1000000, 1, '2024-05-01T12:00:00Z'), (1, 0, 1, 0, 0, 0, 1, 0, 0, '2024-05-01T12:00:02Z');
     INSERT INTO query_skill_stats (query_id, skill_id, invocations, completed, failed) VALUES (1, 1, 2, 1, 0);
     INSERT INTO catalog (skill_name, description) VALUES ('builder', 'Builds');
     INSERT INTO model_state (key, version, trained_up_to, bytes) VALUES ('learned-ranker', 'v1', 1, '\\x01');`,
    [],
    url,
  );
}

describePostgres('projects', () => {
  it('migration 3 upgrades a store in place: every row, aggregate, catalog entry and model state belongs to default', async () => {
    const url = await databases.create();
    await storeBeforeProjects(url);
    const store = await openPostgresStore({ url });
    try {
      expect(await store.listProjects()).toEqual([DEFAULT_PROJECT]);
      expect(await store.getInvocation('old-1')).toMatchObject({ project: DEFAULT_PROJECT, alternativesConsidered: ['linter'] });
      expect(await store.getInvocation('old-1')).not.toHaveProperty('alternativeScores');
      const defaults = store.forProject(DEFAULT_PROJECT);
      expect(await defaults.countInvocations()).toBe(2);
      expect(await defaults.listCatalog()).toEqual([{ skillName: 'builder', description: 'Builds', project: DEFAULT_PROJECT }]);
      expect(await defaults.getModelState('learned-ranker')).toEqual({ version: 'v1', trainedUpTo: 1, bytes: Uint8Array.of(1) });
      const { stored, recounted } = await recount(defaults);
      expect(stored).toEqual(recounted);

      // The old text is default's; a new project's first use of it is a new query, with a new id.
      expect(await defaults.listQueries()).toEqual([{ id: 1, text: 'fix the build' }]);
      const alpha = store.forProject('alpha');
      await alpha.applyBatch({ inserts: [pendingRecord(1, { skillName: 'builder', userQuery: 'fix the build' })] });
      expect(await alpha.listQueries()).toEqual([{ id: 2, text: 'fix the build' }]);
      expect(await alpha.listQuerySkillCounts()).toEqual([{ queryId: 2, skillName: 'builder', invocations: 1, completed: 0, failed: 0 }]);
      expect(await defaults.listQuerySkillCounts()).toEqual([{ queryId: 1, skillName: 'builder', invocations: 2, completed: 1, failed: 0 }]);
      expect(await alpha.listCatalog()).toEqual([]);
      expect(await alpha.getModelState('learned-ranker')).toBeNull();
      expect((await store.diagnose()).find((c) => c.name === 'aggregates')).toMatchObject({ status: 'ok' });
    } finally {
      await store.close();
    }
  });

  it("views share the store's pool and its one listening connection, however many projects", async () => {
    const url = await databases.create();
    const store = await openPostgresStore({ url, maxConnections: 2 });
    try {
      const views = Array.from({ length: 12 }, (_, i) => store.forProject(`p-${i}`));
      let signals = 0;
      const unsubscribes = views.map((v) => v.watchChanges(() => signals++));
      await Promise.all(views.map((v, i) => v.applyBatch({ inserts: [pendingRecord(i)] })));
      expect(await Promise.all(views.map((v) => v.countInvocations()))).toEqual(views.map(() => 1));
      await waitFor(() => signals > 0, { what: 'a change signal' });
      const connections = await databases.sql<{ name: string; n: number }>(
        `SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1 ORDER BY 1`,
        [],
        url,
      );
      const listeners = connections.filter((c) => c.name === LISTENER_NAME).reduce((n, c) => n + c.n, 0);
      const pooled = connections.filter((c) => c.name !== LISTENER_NAME).reduce((n, c) => n + c.n, 0);
      expect(listeners).toBe(1);
      expect(pooled).toBeLessThanOrEqual(2);
      unsubscribes.forEach((u) => u());
    } finally {
      await store.close();
    }
  });
});
