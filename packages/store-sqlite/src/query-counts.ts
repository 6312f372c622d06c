import type { QuerySkillCount, QuerySkillCountChanges } from '@skills/protocol';
import { sql, type SqlBool } from 'kysely';
import { VISIT_FUNCTION, type Connection } from './connection.js';
import { nameMap } from './names.js';

/** Beyond this many queries used since a cursor, reading every count is as cheap. */
const MAX_TOUCHED_QUERIES = 20_000;

/**
 * The (query, skill) counts of the queries chosen by `which`, by query id then skill name (as
 * SQLite's BINARY collation orders names): of one project, or of all when `projectId` is null.
 */
function readCounts(conn: Connection, which: { afterId: number } | { ids: readonly number[] }, projectId: number | null): QuerySkillCount[] {
  const b = conn.builder;
  // In key order, names put in here: sorting hundreds of thousands of joined rows by name in
  // SQL costs more than sorting each query's few skills.
  const skills = nameMap(conn, 'skills');
  const out: QuerySkillCount[] = [];
  let groupStart = 0;
  const chosen = (column: string) =>
    'ids' in which
      ? sql<SqlBool>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(which.ids)}))`
      : sql<SqlBool>`${sql.ref(column)} > ${which.afterId}`;
  const counts = ['invocations', 'completed', 'failed'] as const;
  // A query is one project's: all projects' counts are each query's, found from the queries by id
  // (in id order) through the key (project, query, skill).
  const query =
    projectId === null
      ? b
          .selectFrom('queries')
          .innerJoin('query_skill_stats as c', (join) => join.onRef('c.project_id', '=', 'queries.project_id').onRef('c.query_id', '=', 'queries.id'))
          .where(chosen('queries.id'))
          .select((eb) => eb.fn.count(eb.fn(VISIT_FUNCTION, ['queries.id', 'c.skill_id', ...counts.map((c) => `c.${c}` as const)])).as('n'))
      : b
          .selectFrom('query_skill_stats')
          .where('project_id', '=', projectId)
          .where(chosen('query_id'))
          .select((eb) => eb.fn.count(eb.fn(VISIT_FUNCTION, ['query_id', 'skill_id', ...counts])).as('n'));
  // Rows come in key order (query id, skill id): sort each query's few skills by name.
  let ordered = true;
  conn.visit(query, (queryId, skillId, invocations, completed, failed) => {
    const i = out.length;
    if (ordered && i > 0 && out[i - 1]!.queryId > (queryId as number)) ordered = false;
    if (i > groupStart && out[i - 1]!.queryId !== queryId) {
      if (i - groupStart > 1) sortByName(out, groupStart, i);
      groupStart = i;
    }
    out.push({
      queryId: queryId as number,
      skillName: skills.get(skillId as number)!,
      invocations: invocations as number,
      completed: completed as number,
      failed: failed as number,
    });
  });
  if (out.length - groupStart > 1) sortByName(out, groupStart, out.length);
  // Should SQLite ever scan out of key order, sort it all.
  if (!ordered) out.sort((a, b) => a.queryId - b.queryId || compareBinary(a.skillName, b.skillName));
  return out;
}

/** Counts of the queries with id above `afterId` (of one project, or of all when null), in one snapshot. */
export function listQuerySkillCounts(conn: Connection, afterId: number, projectId: number | null): QuerySkillCount[] {
  return conn.read(() => readCounts(conn, { afterId }, projectId));
}

/** Where a reader of the counts stood: the last rowid it saw, the invocations then, the prunes then. */
interface Cursor {
  readonly rowid: number;
  readonly invocations: number;
  readonly prunes: number;
}

function parseCursor(cursor: string | null): Cursor | null {
  const m = cursor === null ? null : /^(\d+)\.(\d+)\.(\d+)$/.exec(cursor);
  return m ? { rowid: Number(m[1]), invocations: Number(m[2]), prunes: Number(m[3]) } : null;
}

/**
 * The counts that changed since `cursor`. Counts of invocations only grow by insertion, and rows
 * are inserted with ever larger rowids; so the queries of the rows above the cursor's rowid are
 * the ones to read again. Anything else (a prune here or in another process, rowids reused after
 * one, a cursor from elsewhere) shows as a prune count or an invocation total that does not add
 * up, and gets every count. Within one project (`projectId`; null: all), the rows, totals and
 * counts are that project's: other projects' writes change nothing of its answers, and their
 * prunes (counted in the same prune count) make the next answer complete.
 */
export function querySkillCountsSince(conn: Connection, cursor: string | null, projectId: number | null): QuerySkillCountChanges {
  return conn.read(() => {
    const b = conn.builder;
    const rows = b.selectFrom('invocations').$if(projectId !== null, (qb) => qb.where('project_id', '=', projectId!));
    const now: Cursor = {
      rowid: conn.get<{ r: number | null }>(b.selectFrom('invocations').select(sql<number | null>`max(rowid)`.as('r')))?.r ?? 0,
      invocations:
        conn.get<{ n: number | null }>(
          b
            .selectFrom('skill_phase_stats')
            .$if(projectId !== null, (qb) => qb.where('project_id', '=', projectId!))
            .select((eb) => eb.fn.sum<number | null>('invocations').as('n')),
        )?.n ?? 0,
      prunes: conn.get<{ value: number }>(b.selectFrom('store_meta').select('value').where('key', '=', 'prunes'))?.value ?? 0,
    };
    const next = `${now.rowid}.${now.invocations}.${now.prunes}`;
    const complete = (): QuerySkillCountChanges => ({ complete: true, queryIds: [], counts: readCounts(conn, { afterId: 0 }, projectId), cursor: next });
    const was = parseCursor(cursor);
    if (!was || was.prunes !== now.prunes) return complete();
    const added = conn.get<{ n: number }>(rows.where(sql.ref('rowid'), '>', was.rowid).select((eb) => eb.fn.countAll<number>().as('n')))?.n;
    if (was.invocations + (added ?? 0) !== now.invocations) return complete();
    const queryIds = conn
      .all<{ id: number }>(
        rows
          .where(sql.ref('rowid'), '>', was.rowid)
          .where('query_id', 'is not', null)
          .select('query_id as id')
          .distinct(),
      )
      .map((r) => r.id);
    if (queryIds.length > MAX_TOUCHED_QUERIES) return complete();
    return { complete: false, queryIds, counts: queryIds.length > 0 ? readCounts(conn, { ids: queryIds }, projectId) : [], cursor: next };
  });
}

function sortByName(list: QuerySkillCount[], start: number, end: number): void {
  const part = list.slice(start, end).sort((a, b) => compareBinary(a.skillName, b.skillName));
  for (let i = 0; i < part.length; i++) list[start + i] = part[i]!;
}

/**
 * Compares two strings by their UTF-8 bytes, as SQLite's BINARY collation does. JavaScript's `<`
 * compares UTF-16 code units, which orders the same except around surrogate pairs.
 */
export function compareBinary(a: string, b: string): number {
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const SURROGATE = /[\uD800-\uDFFF]/;
