import {
  checkAppliedMigrations,
  migrationChecksum,
  orderedMigrations,
  StoreError,
  type AppliedMigration,
  type Migration,
} from '@skills/protocol';
import { sql } from 'kysely';
import type { Connection } from './connection.js';
import { migrations as shippedMigrations } from './migrations/index.js';

/**
 * Brings the file's schema up to the newest of `list`, in one IMMEDIATE transaction so that two
 * processes opening a new file never both apply a step. Refuses a file that was built by different
 * migrations (a checksum differs) or by newer code (a version this code does not know). A read-only
 * connection only checks, and refuses a file that still needs a step.
 *
 * Foreign keys are off while the steps run, as SQLite's procedure for rebuilding a table asks:
 * dropping a parent table (to create it anew) would otherwise delete its children's rows. The
 * references are checked after the last step, before the commit.
 */
export function migrate(conn: Connection, location: string, list: readonly Migration[] = shippedMigrations): void {
  const known = orderedMigrations(list);
  if (conn.readonly) {
    conn.read(() => {
      const applied = appliedMigrations(conn, location);
      checkAppliedMigrations(applied, known, { location, kind: 'file', packageName: '@skills/store-sqlite' });
      if (applied.length < known.length) {
        throw new StoreError(
          `${location} is at schema version ${applied.length} and this code needs ${known.length}: ` +
            'open it once without readonly to upgrade it',
        );
      }
    });
    return;
  }
  // Not settable inside a transaction.
  conn.db.pragma('foreign_keys = OFF');
  try {
    applyPending(conn, location, known);
  } finally {
    conn.db.pragma('foreign_keys = ON');
  }
}

function applyPending(conn: Connection, location: string, known: readonly Migration[]): void {
  conn.write(() => {
    conn.db.exec(
      conn.builder.schema
        .createTable('schema_migrations')
        .ifNotExists()
        .addColumn('version', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('checksum', 'text', (c) => c.notNull())
        .addColumn('applied_at', 'text', (c) => c.notNull())
        .compile().sql,
    );
    const applied = appliedMigrations(conn, location);
    checkAppliedMigrations(applied, known, { location, kind: 'file', packageName: '@skills/store-sqlite' });
    for (const migration of known.slice(applied.length)) {
      conn.db.exec(migration.sql);
      conn.run(
        conn.builder.insertInto('schema_migrations').values({
          version: migration.version,
          name: migration.name,
          checksum: migrationChecksum(migration),
          applied_at: new Date().toISOString(),
        }),
      );
    }
    if (applied.length < known.length) {
      const broken = conn.db.pragma('foreign_key_check') as { table: string; parent: string }[];
      if (broken.length > 0) {
        const pairs = new Map<string, number>();
        for (const { table, parent } of broken) pairs.set(`${table} -> ${parent}`, (pairs.get(`${table} -> ${parent}`) ?? 0) + 1);
        const list = [...pairs].map(([pair, n]) => `${pair} (${n})`).join(', ');
        throw new StoreError(`upgrading ${location} would leave rows referring to missing rows: ${list}; nothing was changed`);
      }
    }
  });
}

function appliedMigrations(conn: Connection, location: string): AppliedMigration[] {
  const table = conn.get(
    sql`select 1 from sqlite_master where type = 'table' and name = ${'schema_migrations'}`.compile(conn.builder),
  );
  if (table === undefined) {
    if (conn.readonly) throw new StoreError(`${location} is not a skills store (it has no schema_migrations table)`);
    return [];
  }
  return conn.all<AppliedMigration>(
    conn.builder.selectFrom('schema_migrations').select(['version', 'name', 'checksum']).orderBy('version'),
  );
}
