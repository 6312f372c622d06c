import { StoreError } from '@skills/protocol';
import pg from 'pg';

/** Type ids of PostgreSQL's 64-bit integers and numerics (counts and sums): read as numbers. */
const NUMERIC_TYPES: ReadonlySet<number> = new Set([pg.types.builtins.INT8, pg.types.builtins.NUMERIC]);

/**
 * Parsers of this store's connections: bigint counts and sums come back as numbers (they stay far
 * below 2^53), not the strings `pg` gives by default. Per pool, not `pg.types` globally, so other
 * users of `pg` in the process are not affected.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    NUMERIC_TYPES.has(oid) ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Seconds a store waits for a connection unless the URL's `connect_timeout` says otherwise. */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 30;

/**
 * How long to wait for a connection, in ms: libpq's `connect_timeout` parameter of the URL
 * (seconds; 0 waits forever), which `pg` itself ignores, else {@link DEFAULT_CONNECT_TIMEOUT_SECONDS}.
 * Without a bound, a server that accepts connections and never answers (stopped, or behind a
 * black-holing network) would hang every query, and a store's opening, forever.
 *
 * @throws {StoreError} when the parameter is not a whole number of seconds.
 */
export function connectTimeoutMs(connectionString: string): number {
  const raw = new URL(connectionString).searchParams.get('connect_timeout');
  if (raw === null) return DEFAULT_CONNECT_TIMEOUT_SECONDS * 1000;
  if (!/^\d+$/.test(raw.trim())) throw new StoreError(`connect_timeout must be a whole number of seconds (0: wait forever), not "${raw}"`);
  return Number(raw) * 1000;
}

/**
 * Creates the connection pool of a store. Its connection timeout also bounds the wait for a free
 * connection when all are busy.
 */
export function createPool(connectionString: string, maxConnections: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: maxConnections,
    types,
    connectionTimeoutMillis: connectTimeoutMs(connectionString),
    // Idle connections do not keep a host process alive: a script that tracked and flushed
    // exits when its own work is done, as with SQLite, not when they time out 10 s later.
    allowExitOnIdle: true,
  });
  // A connection the server drops (a restart, a killed backend) emits 'error': on the pool when
  // idle, on its client when in use. Unhandled, either would end the process. The query in flight
  // fails with its own error, the pool discards the connection, and the next query opens a new one.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}
