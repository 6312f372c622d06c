/**
 * The PostgreSQL store of skills: open one with {@link openPostgresStore}.
 *
 * @packageDocumentation
 */
export { openPostgresStore, PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
export { migrations } from './migrations/index.js';
export { migrationChecksum, type Migration } from '@skills/protocol';
export { parseUrl, POSTGRES_SCHEMES, type ParsedUrl } from './url.js';
export { postgresEngine } from './engine.js';
