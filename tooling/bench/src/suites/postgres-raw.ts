import { once } from 'node:events';
import { newInvocationId } from '@skills/protocol';
import { openPostgresStore } from '@skills/store-postgres';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { collectGarbage } from '../stats.js';
import type { CompactWorkload } from '../workload.js';
import type { BenchPostgres } from './postgres-cluster.js';
import { RAW_BATCH } from './raw-sqlite.js';

/**
 * How the raw rows go in: `copy` one COPY per batch, `insert` the store's own multi-row INSERT
 * (arrays unnested) per batch, both into the table without its foreign keys; `insert-fk` the same
 * INSERT with the foreign keys kept (their cost is the difference).
 */
export type RawPostgresWay = 'copy' | 'insert' | 'insert-fk';

const COLUMNS =
  'id, project_id, skill_id, session_id, invoked_at, status, completed, completed_at, duration, query_id, phase_id, alternatives, alternative_scores, selection_rank, follow_ups, error_type, source_id';
const COLUMN_COUNT = 17;

/** The store's INSERT of a batch (packages/store-postgres/src/writer.ts), on the same columns and casts. */
const INSERT = `
  INSERT INTO invocations (${COLUMNS})
  SELECT * FROM unnest($1::text[], $2::integer[], $3::integer[], $4::bigint[], $5::timestamptz[], $6::smallint[], $7::boolean[],
    $8::timestamptz[], $9::float8[], $10::bigint[], $11::integer[], $12::jsonb[], $13::jsonb[], $14::integer[], $15::jsonb[], $16::text[], $17::integer[])
  ON CONFLICT (id) DO NOTHING
  RETURNING id`;

/** Invocations of one raw session: sessions change as in the SQLite limit. */
const SESSION_ROWS = 500;

type Row = [string, number, number, number, string, number, boolean, string, number, number, number | null, string | null, null, number, null, string | null, null];

/**
 * The row of invocation `i`, as the store would write it: in the default project (id 1), ids of
 * names numbered from 1 as the raw tables hold them.
 */
function rowOf(items: CompactWorkload, alternativesOf: readonly string[], i: number, now: number): Row {
  const k = i % items.count;
  const c = items.codes(k);
  const invokedAt = now + i;
  return [
    newInvocationId(invokedAt),
    1,
    c.skill + 1,
    1 + Math.floor(i / SESSION_ROWS),
    new Date(invokedAt).toISOString(),
    c.failed ? 2 : 1,
    !c.failed,
    new Date(invokedAt + 1200).toISOString(),
    items.durationSeconds(k),
    c.query + 1,
    c.phase === 0 ? null : c.phase,
    i % 3 === 0 ? alternativesOf[c.skill]! : null,
    null,
    c.rank,
    null,
    c.failed ? 'ToolError' : null,
    null,
  ];
}

/** A field in COPY's text format. */
function copyField(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  if (typeof value !== 'string') return String(value);
  return value.replace(/[\\\t\n\r]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r'));
}

/**
 * A fresh database with the store's schema (its own migrations: the same columns, types,
 * indexes and `xid` default), the names the rows refer to, and without the foreign keys of
 * `invocations` unless `keepForeignKeys`.
 */
async function rawDatabase(server: BenchPostgres, items: CompactWorkload, size: number, keepForeignKeys: boolean): Promise<string> {
  const url = await server.createDatabase();
  await (await openPostgresStore({ url, maxConnections: 1 })).close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('INSERT INTO skills (name) SELECT unnest($1::text[])', [items.skills]);
    await client.query("INSERT INTO sessions (name) SELECT 'raw-' || g FROM generate_series(1, $1::integer) g", [1 + Math.ceil(size / SESSION_ROWS)]);
    await client.query("INSERT INTO phases (name) SELECT 'phase-' || g FROM generate_series(1, 4) g");
    if (!keepForeignKeys) {
      const { rows } = await client.query<{ name: string }>(
        "SELECT conname AS name FROM pg_constraint WHERE conrelid = 'invocations'::regclass AND contype = 'f'",
      );
      for (const { name } of rows) await client.query(`ALTER TABLE invocations DROP CONSTRAINT ${pg.escapeIdentifier(name)}`);
    }
  } finally {
    await client.end();
  }
  return url;
}

/**
 * Invocations per second of raw `pg` writes of the store's row shape into a fresh database with
 * the store's schema, {@link RAW_BATCH} rows per statement and transaction (what the direct
 * tracker writes at once), rows built in the loop from the same workload, one connection. From
 * the first row until the last batch committed; the table must then hold every row.
 */
export async function rawPostgresRate(server: BenchPostgres, way: RawPostgresWay, size: number, items: CompactWorkload): Promise<number> {
  const url = await rawDatabase(server, items, size, way === 'insert-fk');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const n = items.skills.length;
    const alternativesOf = items.skills.map((_, k) => JSON.stringify([items.skills[(k + 1) % n], items.skills[(k + 7) % n]]));
    collectGarbage();
    const start = performance.now();
    const now = Date.now();
    for (let from = 0; from < size; from += RAW_BATCH) {
      const to = Math.min(size, from + RAW_BATCH);
      if (way === 'copy') {
        const lines: string[] = [];
        for (let i = from; i < to; i++) lines.push(rowOf(items, alternativesOf, i, now).map(copyField).join('\t'));
        const stream = client.query(copyFrom(`COPY invocations (${COLUMNS}) FROM STDIN`));
        stream.end(`${lines.join('\n')}\n`);
        await once(stream, 'finish');
      } else {
        const columns: unknown[][] = Array.from({ length: COLUMN_COUNT }, () => []);
        for (let i = from; i < to; i++) {
          const row = rowOf(items, alternativesOf, i, now);
          for (let c = 0; c < COLUMN_COUNT; c++) columns[c]!.push(row[c]);
        }
        await client.query(INSERT, columns);
      }
    }
    const seconds = (performance.now() - start) / 1000;
    const stored = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM invocations')).rows[0]!.n);
    if (stored !== size) throw new Error(`raw PostgreSQL ${way}: ${stored} of ${size} rows stored`);
    return size / seconds;
  } finally {
    await client.end();
    await server.dropDatabase(url);
  }
}
