import { StoreError } from '@skills/protocol';
import { sql, type Kysely } from 'kysely';
import { migrationChecksum, type Migration } from './migration.js';
import { migrations as shippedMigrations } from './migrations/index.js';
import type { StoreDatabase } from './schema.js';

/** The advisory lock two processes opening a new database take, so that one applies each step. */
const MIGRATION_LOCK = 7_401_286_151_771_251n;

interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
}

/**
 * Brings the database's schema up to the newest of `list`, in one transaction (PostgreSQL's DDL
 * is transactional) under an advisory lock. Refuses a database built by different migrations (a
 * checksum differs) or by newer code (a version this code does not know).
 */
export async function migrate(db: Kysely<StoreDatabase>, location: string, list: readonly Migration[] = shippedMigrations): Promise<void> {
  const known = checkedList(list);
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
    verify(applied, known, location);
    for (const migration of known.slice(applied.length)) {
      await sql.raw(migration.sql).execute(trx);
      await trx
        .insertInto('schema_migrations')
        .values({ version: migration.version, name: migration.name, checksum: migrationChecksum(migration), applied_at: new Date().toISOString() })
        .execute();
    }
  });
}

function checkedList(list: readonly Migration[]): Migration[] {
  const sorted = [...list].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration versions must be 1, 2, 3, ...; found ${m.version} at position ${i + 1}`);
  });
  return sorted;
}

function verify(applied: readonly AppliedMigration[], known: readonly Migration[], location: string): void {
  const newest = applied.at(-1);
  if (newest && newest.version > known.length) {
    throw new StoreError(
      `${location} is at schema version ${newest.version}, newer than this code knows (${known.length}): ` +
        'open it with a newer version of @skills/store-postgres',
    );
  }
  applied.forEach((row, i) => {
    const migration = known[i];
    if (!migration || row.version !== migration.version) {
      throw new StoreError(`${location} records schema migration ${row.version} out of sequence: the database is damaged`);
    }
    const expected = migrationChecksum(migration);
    if (row.checksum !== expected) {
      throw new StoreError(
        `${location}: schema migration ${row.version} (${row.name}) was applied with checksum ${row.checksum}, ` +
          `but this code's migration ${migration.version} (${migration.name}) has checksum ${expected}: ` +
          'the database was built by different migrations, refusing to open it',
      );
    }
  });
}
