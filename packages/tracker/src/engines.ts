import { NotAvailableError, type StoreEngine } from '@skills/protocol';

/** The part of `@skills/store-sqlite` the tracker uses when given no engines, and for the spool. */
export type SqliteModule = typeof import('@skills/store-sqlite');

/** The SQLite package: an optional peer dependency, loaded on first need. */
export const SQLITE_PACKAGE = '@skills/store-sqlite';

let loading: Promise<SqliteModule> | undefined;

/**
 * Loads `@skills/store-sqlite`: an optional peer, so that a host that only tracks into another
 * engine need not install its native build (the `mcp` and `auto` backends' spool does need it).
 *
 * @param need What needs it, for the message when it cannot be loaded.
 * @throws {NotAvailableError} naming the package when it is not installed or does not load.
 */
export async function loadSqlite(need: string): Promise<SqliteModule> {
  loading ??= import('@skills/store-sqlite');
  try {
    return await loading;
  } catch (error) {
    loading = undefined;
    throw new NotAvailableError(
      `${need} needs ${SQLITE_PACKAGE}, which could not be loaded (${(error as Error).message.split('\n')[0]}): ` +
        `install it (npm install ${SQLITE_PACKAGE})`,
    );
  }
}

/**
 * The engines to open stores with: those given, else the SQLite engine (the default for plain
 * paths and `sqlite:` URLs).
 *
 * @throws {NotAvailableError} when none are given and `@skills/store-sqlite` cannot be loaded.
 */
export async function storeEngines(engines: readonly StoreEngine[] | undefined): Promise<readonly StoreEngine[]> {
  if (engines !== undefined) return engines;
  const { sqliteEngine } = await loadSqlite('opening a store without the option `engines`');
  return [sqliteEngine];
}
