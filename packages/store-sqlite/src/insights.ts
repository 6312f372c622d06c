import {
  activitySeries,
  activityWindow,
  PROFILE_QUERIES,
  PROFILE_TOP,
  STATUS_CODE,
  statusOf,
  type Activity,
  type ActivityQuery,
  type BucketCounts,
  type RankCount,
  type SkillProfile,
  type SourceCount,
  type ValueCount,
} from '@skills/protocol';
import { sql } from 'kysely';
import type { Connection } from './connection.js';
import { toIso } from './time.js';

/** The id of a stored skill name, or undefined. */
function skillId(conn: Connection, name: string): number | undefined {
  return conn.get<{ id: number }>(conn.builder.selectFrom('skills').select('id').where('name', '=', name))?.id;
}

/**
 * Invocations per bucket, for at most the last `ACTIVITY_POINTS` buckets up to the latest
 * invocation's: one scan grouped in SQL, then the empty buckets filled in.
 */
export function activity(conn: Connection, query: ActivityQuery): Activity {
  return conn.read(() => {
    const b = conn.builder;
    const id = query.skillName === undefined ? undefined : skillId(conn, query.skillName);
    const none: Activity = { bucket: query.bucket, points: [] };
    if (query.skillName !== undefined && id === undefined) return none;
    // The latest time from the aggregates (a few hundred rows), not from the invocations.
    const latest = conn.get<{ at: number | null }>(
      b
        .selectFrom('skill_phase_stats')
        .$if(id !== undefined, (qb) => qb.where('skill_id', '=', id as number))
        .select((eb) => eb.fn.max('last_used_at').as('at')),
    )?.at;
    if (latest == null) return none;
    const window = activityWindow(query.bucket, latest);
    const { since, width } = window;
    // When the window holds the whole history, reading the table straight through beats reading
    // it row by row in the order of the time index.
    const earliest = conn.get<{ at: number | null }>(b.selectFrom('invocations').select((eb) => eb.fn.min('invoked_at').as('at')))?.at;
    const is = (status: number) => sql<number>`sum(${sql.ref('status')} = ${sql.lit(status)})`;
    const rows = conn.all<BucketCounts>(
      b
        .selectFrom('invocations')
        .$if(earliest == null || earliest < since, (qb) => qb.where('invoked_at', '>=', since))
        .$if(id !== undefined, (qb) => qb.where('skill_id', '=', id as number))
        // Bound numbers arrive as REAL: the cast makes the (non-negative) quotient a floor, so
        // bucket i starts at since + i * width.
        .select((eb) => [
          sql<number>`cast((${sql.ref('invoked_at')} - ${since}) / ${width} as integer)`.as('i'),
          eb.fn.countAll<number>().as('invocations'),
          is(STATUS_CODE.completed).as('completed'),
          is(STATUS_CODE.failed).as('failed'),
          is(STATUS_CODE.abandoned).as('abandoned'),
          is(STATUS_CODE.pending).as('pending'),
        ])
        .groupBy('i'),
    );
    return activitySeries(window, rows);
  });
}

/** Distinct sessions with an invocation at or after `since` (ms): a range scan of the time index. */
export function sessionsSince(conn: Connection, since: number): number {
  const row = conn.get<{ n: number }>(
    conn.builder
      .selectFrom('invocations')
      .where('invoked_at', '>=', since)
      .select((eb) => eb.fn.count<number>('session_id').distinct().as('n')),
  );
  return row?.n ?? 0;
}

/** Sessions ever: prune deletes the sessions no invocation uses, so the names table counts them. */
export function sessionCount(conn: Connection): number {
  return conn.get<{ n: number }>(conn.builder.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('n')))?.n ?? 0;
}

/**
 * One skill's error types, follow-ups, alternatives, selection ranks, sources and latest queries,
 * in one snapshot; null when no invocation of it is stored.
 */
export function skillProfile(conn: Connection, skillName: string): SkillProfile | null {
  return conn.read(() => {
    const id = skillId(conn, skillName);
    if (id === undefined) return null;
    const b = conn.builder;
    const used = conn.get<{ n: number }>(
      b.selectFrom('skill_phase_stats').where('skill_id', '=', id).select((eb) => eb.fn.sum<number>('invocations').as('n')),
    );
    if (!used?.n) return null;

    const errorTypes = conn.all<ValueCount>(
      b
        .selectFrom('invocations')
        .where('skill_id', '=', id)
        .where('error_type', 'is not', null)
        .select((eb) => [eb.ref('error_type').$castTo<string>().as('value'), eb.fn.countAll<number>().as('count')])
        .groupBy('error_type')
        .orderBy('count', 'desc')
        .orderBy('value')
        .limit(PROFILE_TOP),
    );
    const selectionRanks = conn.all<RankCount>(
      b
        .selectFrom('invocations')
        .where('skill_id', '=', id)
        .where('selection_rank', 'is not', null)
        .select((eb) => [eb.ref('selection_rank').$castTo<number>().as('rank'), eb.fn.countAll<number>().as('count')])
        .groupBy('selection_rank')
        .orderBy('rank'),
    );
    const sources = conn.all<SourceCount>(
      b
        .selectFrom('invocations')
        .leftJoin('sources', 'sources.id', 'invocations.source_id')
        .where('invocations.skill_id', '=', id)
        .select((eb) => ['sources.name as source', eb.fn.countAll<number>().as('count')])
        .groupBy('invocations.source_id')
        .orderBy('count', 'desc')
        .orderBy('source', (ob) => ob.asc().nullsLast()),
    );
    const queries = conn
      .all<{ text: string; invoked_at: number; status: number; phase: string | null }>(
        b
          .selectFrom('invocations')
          .innerJoin('queries', 'queries.id', 'invocations.query_id')
          .leftJoin('phases', 'phases.id', 'invocations.phase_id')
          .where('invocations.skill_id', '=', id)
          .select(['queries.text as text', 'invocations.invoked_at as invoked_at', 'invocations.status as status', 'phases.name as phase'])
          // The time index read backwards: stops at the fiftieth match instead of sorting them all.
          .orderBy('invocations.invoked_at', 'desc')
          .limit(PROFILE_QUERIES),
      )
      .map((r) => ({ query: r.text, invokedAt: toIso(r.invoked_at), status: statusOf(r.status), workflowPhase: r.phase }));
    return {
      skillName,
      errorTypes,
      followUpActions: listCounts(conn, id, 'follow_ups'),
      alternatives: listCounts(conn, id, 'alternatives'),
      selectionRanks,
      sources,
      queries,
    };
  });
}

/** The commonest entries of a stored name list (JSON text) over one skill's invocations. */
function listCounts(conn: Connection, skill: number, column: 'follow_ups' | 'alternatives'): ValueCount[] {
  const list = sql.ref(`invocations.${column}`);
  return conn.all<ValueCount>(
    sql<ValueCount>`select entry.value as value, count(*) as count
      from invocations, json_each(${list}) as entry
      where invocations.skill_id = ${skill} and ${list} is not null
      group by entry.value order by count desc, value limit ${sql.lit(PROFILE_TOP)}`.compile(conn.builder),
  );
}
