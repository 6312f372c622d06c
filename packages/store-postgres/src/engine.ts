import { type StoreEngine, type StoreEngineOptions } from '@skills/protocol';
import { parseUrl, POSTGRES_SCHEMES } from './url.js';

/**
 * The PostgreSQL engine: `postgres://` and `postgresql://` URLs. Its stores keep no local file,
 * so file upkeep (backups of the file, WAL checkpoints) is not offered; `readonly` is not
 * enforced (give the URL a role that may only read for that).
 *
 * @example
 * import { openStore } from '@skills/protocol';
 * import { postgresEngine } from '@skills/store-postgres';
 *
 * const store = await openStore(process.env.SKILLS_DB_URL!, [postgresEngine]);
 * console.log(store.location); // the URL without its password
 * await store.close();
 *
 * (`@skills/store-postgres/engine` exports the engine alone, without loading the store's modules.)
 */
export const postgresEngine: StoreEngine = Object.freeze({
  name: 'postgres',
  schemes: POSTGRES_SCHEMES,
  // The store (kysely, pg) loads on first open: a command that never opens PostgreSQL does not pay for it.
  open: async (target: string, _options?: StoreEngineOptions) => (await import('./postgres-store.js')).openPostgresStore({ url: target }),
  describe: (target: string) => {
    try {
      return parseUrl(target).display;
    } catch {
      return `${target.slice(0, target.indexOf(':') + 1)}//***`;
    }
  },
});
