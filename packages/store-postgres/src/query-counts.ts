import type { QuerySkillCount, QuerySkillCountChanges } from '@skills/protocol';
import { sql, type Kysely } from 'kysely';
import { inScope, queryIn, type Scope } from './projects.js';
import type { StoreDatabase } from './schema.js';

/** Beyond this many queries used since a cursor, reading every count is as cheap. */
const MAX_TOUCHED_QUERIES = 20_000;

/**
 * The (query, skill) counts of the queries chosen, those of `scope` (a query's counts are its
 * project's), by query id then skill name (by bytes, as SQLite orders them).
 */
export async function readCounts(db: Kysely<StoreDatabase>, which: { afterId: number } | { ids: readonly number[] }, scope: Scope): Promise<QuerySkillCount[]> {
  const rows = await sql<QuerySkillCount>`
    SELECT s.query_id AS "queryId", k.name AS "skillName", s.invocations, s.completed, s.failed
    FROM query_skill_stats s JOIN skills k ON k.id = s.skill_id
    WHERE ${'ids' in which ? sql`s.query_id = ANY(${[...which.ids]}::bigint[])` : sql`s.query_id > ${which.afterId}`} AND ${queryIn('s.query_id', scope)}
    ORDER BY s.query_id, k.name COLLATE "C"`.execute(db);
  return rows.rows;
}

/**
 * Where a reader of the counts stood: the snapshot it read in (`xmin:xmax:in-progress`), the
 * invocations then, the prunes then.
 */
interface Cursor {
  readonly snapshot: string;
  readonly invocations: number;
  readonly prunes: number;
}

const CURSOR = /^(\d+:\d+:(?:\d+(?:,\d+)*)?)\/(\d+)\/(\d+)$/;

function parseCursor(cursor: string | null): Cursor | null {
  const m = cursor === null ? null : CURSOR.exec(cursor);
  return m ? { snapshot: m[1]!, invocations: Number(m[2]), prunes: Number(m[3]) } : null;
}

/**
 * The counts of `scope` that changed since `cursor`; run it in one REPEATABLE READ transaction, so that the
 * counts read and `pg_current_snapshot()` are the same snapshot.
 *
 * Transactions commit in any order, so no row number tells what a reader has seen: a row numbered
 * below the last one read may commit later. Every row records the transaction that inserted it
 * (`xid`), and the cursor is the reader's snapshot: the rows inserted since are exactly those
 * whose transaction that snapshot does not see (`pg_visible_in_snapshot`), found through the xid
 * index from the snapshot's xmin up. Deletions (a prune, here or by another process) show as a
 * new prune count; a cursor from elsewhere as an invocation total that does not add up; both get
 * every count.
 */
export async function querySkillCountsSince(db: Kysely<StoreDatabase>, cursor: string | null, scope: Scope): Promise<QuerySkillCountChanges> {
  const now = (
    await sql<{ snapshot: string; invocations: number; prunes: number }>`
      SELECT pg_current_snapshot()::text AS snapshot,
        (SELECT coalesce(sum(invocations), 0) FROM skill_phase_stats WHERE ${inScope('project_id', scope)}) AS invocations,
        (SELECT value FROM store_meta WHERE key = 'prunes') AS prunes`.execute(db)
  ).rows[0]!;
  const next = `${now.snapshot}/${now.invocations}/${now.prunes}`;
  const complete = async (): Promise<QuerySkillCountChanges> => ({ complete: true, queryIds: [], counts: await readCounts(db, { afterId: 0 }, scope), cursor: next });
  const was = parseCursor(cursor);
  if (!was || was.prunes !== now.prunes) return complete();
  const added = (
    await sql<{ n: number; ids: number[] | null; behind: boolean }>`
      SELECT count(*) AS n, array_agg(DISTINCT query_id) FILTER (WHERE query_id IS NOT NULL) AS ids,
        pg_snapshot_xmax(${was.snapshot}::pg_snapshot) > pg_snapshot_xmax(pg_current_snapshot()) AS behind
      FROM invocations
      WHERE xid >= pg_snapshot_xmin(${was.snapshot}::pg_snapshot) AND NOT pg_visible_in_snapshot(xid, ${was.snapshot}::pg_snapshot)
        AND ${inScope('project_id', scope)}`.execute(db)
  ).rows[0]!;
  // A cursor from the future (another database) or totals that do not add up: start over.
  if (added.behind || was.invocations + added.n !== now.invocations) return complete();
  const queryIds = (added.ids ?? []).map(Number);
  if (queryIds.length > MAX_TOUCHED_QUERIES) return complete();
  return { complete: false, queryIds, counts: queryIds.length > 0 ? await readCounts(db, { ids: queryIds }, scope) : [], cursor: next };
}
