import {
  checkAppliedMigrations,
  migrationChecksum,
  orderedMigrations,
  StoreError,
  type AppliedMigration,
  type Migration,
} from '@skills/protocol';
import { sql, type Kysely } from 'kysely';
import { migrations as shippedMigrations } from './migrations/index.js';
import type { StoreDatabase } from './schema.js';

/** The advisory lock two processes opening a new database take, so that one applies each step. */
const MIGRATION_LOCK = 7_401_286_151_771_251n;

/**
 * Brings the database's schema up to the newest of `list`, in one transaction (PostgreSQL's DDL
 * is transactional) under an advisory lock. Refuses a database built by different migrations (a
 * checksum differs) or by newer code (a version this code does not know).
 */
export async function migrate(db: Kysely<StoreDatabase>, location: string, list: readonly Migration[] = shippedMigrations): Promise<void> {
  const known = orderedMigrations(list);
  // Up to date: only read, so that a database refusing writes (a standby, default_transaction_read_only) still opens.
  if (await upToDate(db, location, known)) return;
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
    await trx.schema
      .createTable('schema_migrations')
      .ifNotExists()
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('checksum', 'text', (c) => c.notNull())
      .addColumn('applied_at', 'timestamptz', (c) => c.notNull())
      .execute();
    const applied: AppliedMigration[] = await trx.selectFrom('schema_migrations').select(['version', 'name', 'checksum']).orderBy('version').execute();
    checkAppliedMigrations(applied, known, { location, kind: 'database', packageName: '@skills/store-postgres' });
    for (const migration of known.slice(applied.length)) {
      await sql.raw(migration.sql).execute(trx);
      await trx
        .insertInto('schema_migrations')
        .values({ version: migration.version, name: migration.name, checksum: migrationChecksum(migration), applied_at: new Date().toISOString() })
        .execute();
    }
  });
}

/** True when every migration of `known` is recorded; throws as {@link checkAppliedMigrations} does. */
async function upToDate(db: Kysely<StoreDatabase>, location: string, known: readonly Migration[]): Promise<boolean> {
  const table = await sql<{ name: string | null }>`SELECT to_regclass('schema_migrations')::text AS name`.execute(db);
  if (table.rows[0]?.name == null) return false;
  const applied: AppliedMigration[] = await db.selectFrom('schema_migrations').select(['version', 'name', 'checksum']).orderBy('version').execute();
  checkAppliedMigrations(applied, known, { location, kind: 'database', packageName: '@skills/store-postgres' });
  return applied.length === known.length;
}
