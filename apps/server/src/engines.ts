import type { StoreEngine } from '@skills/protocol';
import { sqliteEngine } from '@skills/store-sqlite';
import { postgresEngine } from '@skills/store-postgres/engine';

/**
 * The store engines the server ships, picked by the URL scheme of `--db` / `SKILLS_DB_URL` (a
 * plain path goes to SQLite).
 * Another engine is one more entry here (and the same line in the command's `src/cli/engines.ts`).
 */
export const ENGINES: readonly StoreEngine[] = Object.freeze([sqliteEngine, postgresEngine]);
