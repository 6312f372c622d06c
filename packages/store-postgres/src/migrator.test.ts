import { StoreError } from '@skills/protocol';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { migrations, openPostgresStore } from './index.js';
import { migrate } from './migrator.js';
import type { StoreDatabase } from './schema.js';
import { describePostgres, useDatabases } from '@skills/store-contract/postgres';

const databases = useDatabases();

async function withDb<T>(url: string, fn: (db: Kysely<StoreDatabase>) => Promise<T>): Promise<T> {
  const db = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

describePostgres('migrations', () => {
  it('are applied once, with their checksums, even by stores opening a new database at the same time', async () => {
    const url = await databases.create();
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore({ url })));
    await Promise.all(stores.map((s) => s.close()));
    const applied = await withDb(url, (db) => db.selectFrom('schema_migrations').select(['version', 'name']).orderBy('version').execute());
    expect(applied).toEqual(migrations.map((m) => ({ version: m.version, name: m.name })));
  });

  it('refuse a database built by a different migration or by newer code, and change nothing', async () => {
    const url = await databases.create();
    await (await openPostgresStore({ url })).close();
    await withDb(url, async (db) => {
      const edited = migrations.map((m, i) => (i === 0 ? { ...m, sql: `${m.sql}\n-- edited` } : m));
      await expect(migrate(db, 'the test database', edited)).rejects.toThrow(
        /schema migration 1 \(initial-schema\) was applied with checksum [0-9a-f]{64}, but this code's migration 1 .* refusing to open it/,
      );
      await db.insertInto('schema_migrations').values({ version: migrations.length + 1, name: 'from-the-future', checksum: 'x', applied_at: new Date().toISOString() }).execute();
    });
    const error = await openPostgresStore({ url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain(`is at schema version ${migrations.length + 1}, newer than this code knows (${migrations.length})`);
  });
});
