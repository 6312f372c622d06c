import { StoreError } from './errors.js';
import { sha256Hex } from './sha256.js';

/**
 * One numbered step of a store's schema. Applied in version order, inside the transaction that
 * records it in `schema_migrations` together with the checksum of its SQL.
 *
 * @example
 * const addNotes: Migration = { version: 2, name: 'add-notes', sql: 'ALTER TABLE invocations ADD COLUMN notes TEXT;' };
 * migrationChecksum(addNotes); // 64 hex digits
 */
export interface Migration {
  /** A positive whole number; versions increase by one. */
  readonly version: number;
  /** A short kebab-case description, recorded next to the version. */
  readonly name: string;
  /** DDL only: one or more statements, run as written. */
  readonly sql: string;
}

/**
 * The SHA-256 of a migration's SQL, in hex: what a store records to notice that the code's
 * migration with the same version is not the one that built it.
 *
 * @example
 * migrationChecksum({ version: 1, name: 'x', sql: 'CREATE TABLE t (a INTEGER);' }).length; // 64
 */
export function migrationChecksum(migration: Migration): string {
  return sha256Hex(migration.sql);
}

/** A migration as a store recorded it when it applied it. */
export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
}

/** Which store errors about its migrations speak of. */
export interface MigrationTarget {
  /** Where the store is, as it may be shown (a path, a URL without its password). */
  readonly location: string;
  /** What holds the store: `file`, `database`. */
  readonly kind: string;
  /** The package whose newer versions know newer migrations. */
  readonly packageName: string;
}

/**
 * `list` in version order, checked to be numbered 1, 2, 3, ... (a programming error otherwise).
 *
 * @example
 * orderedMigrations([second, first]); // [first, second]
 */
export function orderedMigrations(list: readonly Migration[]): Migration[] {
  const sorted = [...list].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration versions must be 1, 2, 3, ...; found ${m.version} at position ${i + 1}`);
    }
  });
  return sorted;
}

/**
 * Checks what a store recorded against the code's migrations (`known`, from
 * {@link orderedMigrations}): a StoreError when the store was built by newer code, records its
 * migrations out of sequence, or was built by a migration whose checksum differs. The ones after
 * `applied` are then what is left to apply.
 */
export function checkAppliedMigrations(applied: readonly AppliedMigration[], known: readonly Migration[], target: MigrationTarget): void {
  const { location, kind, packageName } = target;
  const newest = applied.at(-1);
  if (newest && newest.version > known.length) {
    throw new StoreError(
      `${location} is at schema version ${newest.version}, newer than this code knows (${known.length}): ` +
        `open it with a newer version of ${packageName}`,
    );
  }
  applied.forEach((row, i) => {
    const migration = known[i];
    if (!migration || row.version !== migration.version) {
      throw new StoreError(`${location} records schema migration ${row.version} out of sequence: the ${kind} is damaged`);
    }
    const expected = migrationChecksum(migration);
    if (row.checksum !== expected) {
      throw new StoreError(
        `${location}: schema migration ${row.version} (${row.name}) was applied with checksum ${row.checksum}, ` +
          `but this code's migration ${migration.version} (${migration.name}) has checksum ${expected}: ` +
          `the ${kind} was built by different migrations, refusing to open it`,
      );
    }
  });
}
