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

/** Creates the connection pool of a store. */
export function createPool(connectionString: string, maxConnections: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: maxConnections, types });
  // A connection the server drops (a restart, a killed backend) emits 'error': on the pool when
  // idle, on its client when in use. Unhandled, either would end the process. The query in flight
  // fails with its own error, the pool discards the connection, and the next query opens a new one.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}
