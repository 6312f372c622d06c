import { randomBytes } from 'node:crypto';
import { parseUrl } from '@skills/store-postgres';
import pg from 'pg';
import { clusterUnavailableReason, startCluster } from '@skills/store-contract/postgres-cluster';

/** The environment variable naming a PostgreSQL server to benchmark instead of a throwaway cluster. */
export const BENCH_POSTGRES_URL = 'SKILLS_BENCH_POSTGRES_URL';

/** The server's settings that decide what a write costs, as `SHOW` gives them. */
export interface PostgresSettings {
  readonly version: string;
  readonly fsync: string;
  readonly synchronousCommit: string;
  readonly fullPageWrites: string;
  readonly sharedBuffers: string;
}

/** A PostgreSQL server the bench may create databases on. */
export interface BenchPostgres {
  /** Where it came from, shown in the report (never with a password). */
  readonly origin: string;
  readonly settings: PostgresSettings;
  /** Creates an empty database and gives its URL (with the password: never print it). */
  createDatabase(): Promise<string>;
  /** Drops a database {@link createDatabase} made, ending its sessions. */
  dropDatabase(url: string): Promise<void>;
  /** Drops what is left and stops the throwaway cluster, if it is one. */
  close(): Promise<void>;
}

/**
 * The server to benchmark: the one `SKILLS_BENCH_POSTGRES_URL` names (a role that may create
 * databases), else a throwaway cluster of Debian's PostgreSQL 15 on 127.0.0.1 and a free port.
 * Resolves to the reason instead when neither can be had, so the report says why it has no
 * PostgreSQL figures.
 */
export async function acquirePostgres(env: Readonly<Record<string, string | undefined>> = process.env): Promise<BenchPostgres | { readonly skipped: string }> {
  const given = env[BENCH_POSTGRES_URL]?.trim();
  if (given) return connect(given, `${BENCH_POSTGRES_URL} (${parseUrl(given).display})`, async () => undefined);
  const reason = clusterUnavailableReason();
  // The kit's reason names the tests' variable; the bench's is another.
  if (reason !== null) return { skipped: reason.replace('SKILLS_TEST_POSTGRES_URL', BENCH_POSTGRES_URL) };
  // Durable, as a real server runs: the figures then mean what they say.
  const cluster = await startCluster({ durable: true });
  try {
    return await connect(cluster.url, "a throwaway cluster of the store contract's test kit (PostgreSQL 15 on 127.0.0.1)", () => cluster.stop());
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

async function connect(url: string, origin: string, stop: () => Promise<void>): Promise<BenchPostgres> {
  const { display, secrets } = parseUrl(url);
  const admin = new pg.Client({ connectionString: url });
  // A connection the server drops would otherwise end the process; the next query fails instead.
  admin.on('error', () => undefined);
  const hide = (error: unknown) => {
    let message = error instanceof Error ? error.message : String(error);
    for (const secret of secrets) message = message.split(secret).join('***');
    return new Error(`PostgreSQL at ${display}: ${message}`);
  };
  const show = async (name: string) => (await admin.query<Record<string, string>>(`SHOW ${name}`)).rows[0]![name]!;
  let settings: PostgresSettings;
  try {
    await admin.connect();
    settings = {
      version: await show('server_version'),
      fsync: await show('fsync'),
      synchronousCommit: await show('synchronous_commit'),
      fullPageWrites: await show('full_page_writes'),
      sharedBuffers: await show('shared_buffers'),
    };
  } catch (error) {
    await admin.end().catch(() => undefined);
    throw hide(error);
  }
  const created = new Set<string>();
  const nameOf = (db: string) => decodeURIComponent(new URL(db).pathname.slice(1));
  const drop = async (name: string) => {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    created.delete(name);
  };
  return {
    origin,
    settings,
    async createDatabase() {
      const name = `skills_bench_${randomBytes(6).toString('hex')}`;
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`).catch((error: unknown) => {
        throw hide(error);
      });
      created.add(name);
      const target = new URL(url);
      target.pathname = `/${name}`;
      return target.href;
    },
    dropDatabase: (db) => drop(nameOf(db)),
    async close() {
      try {
        for (const name of [...created]) await drop(name);
        await admin.end();
      } finally {
        await stop();
      }
    },
  };
}
