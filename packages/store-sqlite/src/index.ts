/**
 * The SQLite store of skills: open one with {@link openSqliteStore}.
 *
 * @packageDocumentation
 */
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export { realDatabasePath } from './real-path.js';
export { migrations } from './migrations/index.js';
export { migrationChecksum, type Migration } from './migration.js';
