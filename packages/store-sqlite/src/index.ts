/**
 * The SQLite store of skills: open one with {@link openSqliteStore}, or register
 * {@link sqliteEngine} to open plain paths and `sqlite:` URLs through `openStore`.
 *
 * @packageDocumentation
 */
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export { realDatabasePath } from './real-path.js';
export { migrations } from './migrations/index.js';
export { migrationChecksum, type Migration } from '@skills/protocol';
export { sqliteEngine, sqliteFile } from './engine.js';
