import { isDiagnosable, type StoreCheck } from '@skills/protocol';
import { finishedRecord, pendingRecord } from '@skills/store-contract';
import { describePostgres, useDatabases } from '@skills/store-contract/postgres';
import { expect, it } from 'vitest';
import { migrations, openPostgresStore, type PostgresStore } from './index.js';

const databases = useDatabases();

async function filled(): Promise<{ url: string; store: PostgresStore }> {
  const url = await databases.create();
  const store = await openPostgresStore({ url });
  await store.applyBatch({ inserts: [pendingRecord(1), finishedRecord(2, 'completed', 2), finishedRecord(3, 'failed', 1, { workflowPhase: null })] });
  return { url, store };
}

const byName = (checks: StoreCheck[]) => Object.fromEntries(checks.map((c) => [c.name, c]));

describePostgres("PostgreSQL's own checks (diagnose)", () => {
  it('a sound store passes every check, and no detail holds the password', async () => {
    const { url, store } = await filled();
    try {
      expect(isDiagnosable(store)).toBe(true);
      const checks = await store.diagnose();
      expect(checks.map((c) => [c.name, c.status])).toEqual([
        ['reachable', 'ok'],
        ['server version', 'ok'],
        ['migrations', 'ok'],
        ['accepts writes', 'ok'],
        ['aggregates', 'ok'],
        ['references', 'ok'],
      ]);
      const found = byName(checks);
      expect(found['server version']!.detail).toMatch(/^PostgreSQL \d+\.\d+/);
      const newest = migrations.at(-1)!;
      expect(found['migrations']!.detail).toBe(`${migrations.length} of ${migrations.length} applied, checksums match (newest: ${newest.version} ${newest.name})`);
      expect(found['aggregates']!.detail).toBe('equal a recount of the 3 invocations');
      expect(found['references']!.detail).toBe('every id of 11 columns refers to a stored row');
      expect(JSON.stringify(checks)).not.toContain(new URL(url).password);
    } finally {
      await store.close();
    }
  });

  it('aggregates that differ from the rows, and a migration applied with another checksum, fail', async () => {
    const { url, store } = await filled();
    try {
      await databases.sql('UPDATE skill_phase_stats SET completed = completed + 1 WHERE phase_id <> 0', [], url);
      await databases.sql('UPDATE query_skill_stats SET failed = failed + 1', [], url);
      await databases.sql(`UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1`, [], url);
      const found = byName(await store.diagnose());
      expect(found['aggregates']).toMatchObject({ status: 'fail', detail: '1 (skill, phase) and 3 (query, skill) counts differ from a recount of the 3 invocations' });
      expect(found['migrations']!.status).toBe('fail');
      expect(found['migrations']!.detail).toContain(`schema migration 1 (${migrations[0]!.name}) was applied with checksum tampered`);
      expect(found['reachable']!.status).toBe('ok');
    } finally {
      await store.close();
    }
  });

  it('ids that refer to no stored row (no foreign key on the write path) fail "references", column by column', async () => {
    const { url, store } = await filled();
    try {
      // Migration 4 left foreign keys only off the write path.
      const keys = await databases.sql<{ t: string }>(`SELECT DISTINCT conrelid::regclass::text AS t FROM pg_constraint WHERE contype = 'f' ORDER BY 1`, [], url);
      expect(keys.map((k) => k.t)).toEqual(['catalog', 'embeddings', 'model_state']);
      // What a prune would do if it deleted a name still in use: the schema no longer refuses it.
      await databases.sql('DELETE FROM sessions WHERE name = $1', [pendingRecord(1).sessionId], url); // all 3 invocations' session
      await databases.sql('UPDATE invocations SET skill_id = skill_id + 1000, source_id = 1000 WHERE id = $1', [pendingRecord(2).id], url);
      const found = byName(await store.diagnose());
      expect(found['references']).toEqual({
        name: 'references',
        status: 'fail',
        detail: 'ids that refer to no stored row: 1 invocations.skill_id, 3 invocations.session_id, 1 invocations.source_id',
      });
      expect(found['aggregates']!.status).toBe('fail');
    } finally {
      await store.close();
    }
  });

  it('a database that refuses writes fails "accepts writes"; switched back, it passes again', async () => {
    const { url, store } = await filled();
    // The setting applies to new sessions: the store's are ended, and its pool opens new ones.
    const setReadOnly = (on: boolean) => databases.setReadOnly(url, on);
    try {
      await setReadOnly(true);
      const found = byName(await store.diagnose());
      expect(found['accepts writes']).toEqual({ name: 'accepts writes', status: 'fail', detail: 'default_transaction_read_only is on: every write is refused' });
      expect(found['aggregates']!.status).toBe('ok');
      await setReadOnly(false);
      const after = byName(await store.diagnose());
      expect(after['accepts writes']!.status).toBe('ok');
    } finally {
      await store.close();
    }
  });

  it('a role that may only read opens the store, and fails "accepts writes" with the reason', async () => {
    const { url, store } = await filled();
    await store.close();
    const role = `reader_${new URL(url).pathname.slice(-6)}`;
    await databases.sql(`CREATE ROLE ${role} LOGIN PASSWORD 'reader-pw'`);
    await databases.sql(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`, [], url);
    const asReader = new URL(url);
    asReader.username = role;
    asReader.password = 'reader-pw';
    const reader = await openPostgresStore({ url: asReader.href });
    try {
      expect(await reader.countInvocations()).toBe(3);
      const found = byName(await reader.diagnose());
      expect(found['accepts writes']!.status).toBe('fail');
      expect(found['accepts writes']!.detail).toMatch(/permission denied for table store_meta/);
      expect(found['aggregates']!.status).toBe('ok');
    } finally {
      await reader.close();
      await databases.sql(`DROP OWNED BY ${role}`, [], url);
      await databases.sql(`DROP ROLE ${role}`);
    }
  });

  it('a server that went away fails "reachable" and runs no other check', async () => {
    const url = await databases.create();
    const store = await openPostgresStore({ url });
    await store.close();
    const stopped = await openPostgresStore({ url });
    try {
      await databases.sql(`ALTER DATABASE ${new URL(url).pathname.slice(1)} WITH ALLOW_CONNECTIONS false`);
      await databases.terminate(url);
      const checks = await stopped.diagnose();
      expect(checks).toHaveLength(1);
      expect(checks[0]).toMatchObject({ name: 'reachable', status: 'fail' });
      expect(checks[0]!.detail).toMatch(/^reachable failed: .*not currently accepting connections/);
      expect(checks[0]!.detail).not.toContain(new URL(url).password);
    } finally {
      await stopped.close();
      await databases.sql(`ALTER DATABASE ${new URL(url).pathname.slice(1)} WITH ALLOW_CONNECTIONS true`);
    }
  });
});
