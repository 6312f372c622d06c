import { resolve } from 'node:path';
import { StoreError, type StoreEngine, type StoreEngineOptions } from '@skills/protocol';
import { realDatabasePath } from './real-path.js';
import { openSqliteStore } from './sqlite-store.js';

const PREFIX = /^sqlite:/i;

/**
 * The file a SQLite target names: a plain path, or `sqlite:PATH` (`sqlite://PATH` too, so that
 * `sqlite:///var/lib/skills.db` is the absolute `/var/lib/skills.db`). Relative to `cwd`,
 * absolute, symbolic links resolved (see {@link realDatabasePath}).
 *
 * @throws {StoreError} for a `sqlite:` URL that names no file.
 */
export function sqliteFile(target: string, options: StoreEngineOptions = {}): string {
  const path = PREFIX.test(target) ? target.replace(PREFIX, '').replace(/^\/\//, '') : target;
  if (path.trim() === '') throw new StoreError(`"${target}" names no file: expected sqlite:PATH or a plain path`);
  return realDatabasePath(resolve(options.cwd ?? process.cwd(), path));
}

/**
 * The SQLite engine: plain paths (the default) and `sqlite:` URLs. Its stores offer the file
 * upkeep (`MaintainableStore`: checkpoint, integrity check) and synchronous writes.
 *
 * @example
 * import { openStore } from '@skills/protocol';
 * import { sqliteEngine } from '@skills/store-sqlite';
 *
 * const store = await openStore('sqlite:.skills/skills.db', [sqliteEngine]);
 * console.log(store.location); // the absolute path of the file
 * await store.close();
 */
export const sqliteEngine: StoreEngine = Object.freeze({
  name: 'sqlite',
  schemes: Object.freeze(['sqlite:']),
  opensPaths: true,
  open: (target: string, options: StoreEngineOptions = {}) =>
    openSqliteStore({ path: sqliteFile(target, options), readonly: options.readonly ?? false }),
  describe: (target: string, options?: StoreEngineOptions) => {
    try {
      return sqliteFile(target, options);
    } catch {
      return target;
    }
  },
  file: sqliteFile,
});
