import { hash } from 'node:crypto';

/**
 * One numbered step of the schema. Applied in version order, inside the transaction that
 * records it in `schema_migrations` together with the checksum of its SQL.
 *
 * @example
 * const addNotes: Migration = { version: 2, name: 'add-notes', sql: 'ALTER TABLE invocations ADD COLUMN notes text;' };
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
 * The SHA-256 of a migration's SQL, in hex: what a database records to notice that the code's
 * migration with the same version is not the one that built it.
 *
 * @example
 * migrationChecksum({ version: 1, name: 'x', sql: 'CREATE TABLE t (a integer);' }).length; // 64
 */
export function migrationChecksum(migration: Migration): string {
  return hash('sha256', migration.sql, 'hex');
}
