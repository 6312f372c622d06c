import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, inject } from 'vitest';
import { restartCluster } from './cluster.js';

const url = inject('postgresUrl');
const skipReason = inject('postgresSkipReason');
const cluster = inject('postgresCluster');

/**
 * `describe`, or `describe.skip` with the reason in the suite's name when no PostgreSQL server
 * can be had (see global-setup.ts): skipped tests say why, never silently.
 */
export function describePostgres(name: string, fn: () => void): void {
  if (url === null) describe.skip(`${name} (skipped: ${skipReason ?? 'no PostgreSQL server'})`, fn);
  else describe(name, fn);
}

/**
 * Like {@link describePostgres}, for tests that restart the server: skipped, saying why, when the
 * server is not the run's own throwaway cluster (SKILLS_TEST_POSTGRES_URL names a server these
 * tests must not restart).
 */
export function describePostgresRestarts(name: string, fn: () => void): void {
  if (url !== null && cluster === null) {
    describe.skip(`${name} (skipped: SKILLS_TEST_POSTGRES_URL names an external server, which these tests do not restart)`, fn);
  } else describePostgres(name, fn);
}

/**
 * Restarts the run's throwaway cluster (a fast shutdown: every session ends, transactions in
 * flight roll back), running `whileDown` while it is stopped. Only in
 * {@link describePostgresRestarts} suites.
 */
export async function restartPostgres(whileDown?: () => Promise<void>): Promise<void> {
  if (cluster === null) throw new Error('no throwaway cluster to restart: use describePostgresRestarts');
  await restartCluster(cluster, whileDown);
}

/** One connection, as the server's superuser. */
export interface Session {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[]): Promise<R[]>;
  /** This connection's backend process id (for `pg_terminate_backend`). */
  readonly pid: number;
  close(): Promise<void>;
}

/** Fresh databases for a test file, and what a test does to them as the server's superuser. */
export interface Databases {
  /** The server's superuser URL (its maintenance database). */
  readonly serverUrl: string;
  /** Makes a database and gives its URL (with the server's password: for tests only). */
  create(): Promise<string>;
  /** Runs one statement as the superuser, in the database `database` names (a URL from `create()`; default the maintenance one). */
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[], database?: string): Promise<R[]>;
  /** A connection of its own to `database`, for what spans statements (a transaction holding a lock). */
  session(database: string): Promise<Session>;
  /** Ends every session on the database `database` names (`pg_terminate_backend`); how many. */
  terminate(database: string): Promise<number>;
  /**
   * Makes the database refuse writes (`default_transaction_read_only`), or accept them again, for
   * every session: the setting applies to new sessions, so the open ones are ended.
   */
  setReadOnly(database: string, on: boolean): Promise<void>;
}

/** Fresh databases for this test file's stores, dropped when the file's tests end. */
export function useDatabases(): Databases {
  let admin: pg.Pool | undefined;
  const created: string[] = [];
  afterAll(async () => {
    if (!admin) return;
    for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  const server = () => {
    if (url === null) throw new Error(`no PostgreSQL server: ${skipReason}`);
    return url;
  };
  // A fresh pool per call: a restart of the server ends every session, a long-lived pool's too.
  const sql = async <R extends pg.QueryResultRow>(text: string, params: unknown[] = [], database?: string): Promise<R[]> => {
    const client = new pg.Client({ connectionString: database ?? server() });
    await client.connect();
    try {
      return (await client.query<R>(text, params)).rows;
    } finally {
      await client.end();
    }
  };
  const nameOf = (database: string) => decodeURIComponent(new URL(database).pathname.slice(1));
  const terminate = async (database: string) =>
    (await sql('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [nameOf(database)])).length;
  return {
    serverUrl: url ?? '',
    async create() {
      if (!admin) {
        admin = new pg.Pool({ connectionString: server(), max: 1 });
        // An idle connection ended by a restart of the server: the pool drops it and opens another.
        admin.on('error', () => undefined);
      }
      const name = `skills_test_${randomBytes(6).toString('hex')}`;
      await admin.query(`CREATE DATABASE ${name}`);
      created.push(name);
      const target = new URL(server());
      target.pathname = `/${name}`;
      return target.href;
    },
    sql,
    async session(database) {
      const client = new pg.Client({ connectionString: database });
      // Ended by a test (a restart, pg_terminate_backend): its next query fails, and that is all.
      client.on('error', () => undefined);
      await client.connect();
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      return { pid, query: async (text, params) => (await client.query(text, params)).rows, close: () => client.end() };
    },
    terminate,
    async setReadOnly(database, on) {
      await sql(`ALTER DATABASE ${pg.escapeIdentifier(nameOf(database))} SET default_transaction_read_only = ${on ? 'on' : 'off'}`);
      await terminate(database);
    },
  };
}
