import {
  activitySeries,
  activityWindow,
  PROFILE_QUERIES,
  PROFILE_TOP,
  statusOf,
  type Activity,
  type ActivityQuery,
  type BucketCounts,
  type RankCount,
  type SkillProfile,
  type SourceCount,
  type ValueCount,
} from '@skills/protocol';
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { ALL_SKILLS, HOUR_MS } from './aggregates.js';
import type { Connection } from './connection.js';
import type { StoreDatabase } from './schema.js';
import { toIso } from './time.js';

/** The id of a stored skill name, or undefined. */
function skillId(conn: Connection, name: string): number | undefined {
  return conn.get<{ id: number }>(conn.builder.selectFrom('skills').select('id').where('name', '=', name))?.id;
}

/**
 * Invocations per bucket, for at most the last `ACTIVITY_POINTS` buckets up to the latest
 * invocation's: the hours of the window from the `activity_stats` rollup (its all-skills rows, or
 * one skill's), added up per bucket, then the empty buckets filled in. Every function here reads
 * one project's invocations (`projectId`), or every project's when it is null.
 */
export function activity(conn: Connection, query: ActivityQuery, projectId: number | null): Activity {
  return conn.read(() => {
    const b = conn.builder;
    const id = query.skillName === undefined ? undefined : skillId(conn, query.skillName);
    const none: Activity = { bucket: query.bucket, points: [] };
    if (query.skillName !== undefined && id === undefined) return none;
    // The latest time from the aggregates (a few hundred rows), not from the invocations.
    const latest = conn.get<{ at: number | null }>(
      b
        .selectFrom('skill_phase_stats')
        .$if(projectId !== null, (qb) => qb.where('project_id', '=', projectId!))
        .$if(id !== undefined, (qb) => qb.where('skill_id', '=', id as number))
        .select((eb) => eb.fn.max('last_used_at').as('at')),
    )?.at;
    if (latest == null) return none;
    const window = activityWindow(query.bucket, latest);
    const { since, width } = window;
    const sum = (column: 'invocations' | 'completed' | 'failed' | 'abandoned' | 'pending') =>
      sql<number>`sum(${sql.ref(column)})`.as(column);
    const rows = conn.all<BucketCounts>(
      b
        .selectFrom('activity_stats')
        // Every project: one range of the key per project, not a scan of every skill's hours.
        .where('project_id', projectId === null ? 'in' : '=', projectId === null ? b.selectFrom('projects').select('id') : projectId)
        .where('skill_id', '=', id ?? ALL_SKILLS)
        // A bucket is a whole number of hours: `since` starts one.
        .where('hour', '>=', since / HOUR_MS)
        // Bound numbers arrive as REAL: the cast makes the (non-negative) quotient a floor, so
        // bucket i starts at since + i * width.
        .select([
          sql<number>`cast((${sql.ref('hour')} * ${sql.lit(HOUR_MS)} - ${since}) / ${width} as integer)`.as('i'),
          sum('invocations'),
          sum('completed'),
          sum('failed'),
          sum('abandoned'),
          sum('pending'),
        ])
        .groupBy('i'),
    );
    return activitySeries(window, rows);
  });
}

/**
 * Distinct sessions with an invocation at or after `since` (ms): the `session_stats` rollup keeps
 * each session's latest invocation time.
 */
export function sessionsSince(conn: Connection, since: number, projectId: number | null): number {
  const row = conn.get<{ n: number }>(
    conn.builder
      .selectFrom('session_stats')
      .where('last_invoked_at', '>=', since)
      .$if(projectId !== null, (qb) => qb.where('project_id', '=', projectId!))
      // Every project's: a session two projects share is one session.
      .select((eb) => (projectId === null ? eb.fn.count<number>('session_id').distinct() : eb.fn.countAll<number>()).as('n')),
  );
  return row?.n ?? 0;
}

/**
 * Sessions ever: a project's rows of the `session_stats` rollup, or (every project) the stored
 * session names, since prune deletes the sessions no invocation uses.
 */
export function sessionCount(conn: Connection, projectId: number | null): number {
  const b = conn.builder;
  const counted =
    projectId === null
      ? b.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('n'))
      : b.selectFrom('session_stats').where('project_id', '=', projectId).select((eb) => eb.fn.countAll<number>().as('n'));
  return conn.get<{ n: number }>(counted)?.n ?? 0;
}

/**
 * One skill's error types, follow-ups, alternatives, selection ranks, sources and latest queries,
 * in one snapshot; null when no invocation of it is stored.
 */
export function skillProfile(conn: Connection, skillName: string, projectId: number | null): SkillProfile | null {
  return conn.read(() => {
    const id = skillId(conn, skillName);
    if (id === undefined) return null;
    const b = conn.builder;
    const used = conn.get<{ n: number }>(
      b
        .selectFrom('skill_phase_stats')
        .where('skill_id', '=', id)
        .$if(projectId !== null, (qb) => qb.where('project_id', '=', projectId!))
        .select((eb) => eb.fn.sum<number>('invocations').as('n')),
    );
    if (!used?.n) return null;

    const errorTypes = conn.all<ValueCount>(
      b
        .selectFrom('invocations')
        .where(ofSkill(id, projectId))
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
        .where(ofSkill(id, projectId))
        .where('selection_rank', 'is not', null)
        .select((eb) => [eb.ref('selection_rank').$castTo<number>().as('rank'), eb.fn.countAll<number>().as('count')])
        .groupBy('selection_rank')
        .orderBy('rank'),
    );
    const sources = conn.all<SourceCount>(
      b
        .selectFrom('invocations')
        .leftJoin('sources', 'sources.id', 'invocations.source_id')
        .where(ofSkill(id, projectId))
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
          .where(ofSkill(id, projectId))
          .select(['queries.text as text', 'invocations.invoked_at as invoked_at', 'invocations.status as status', 'phases.name as phase'])
          // The time index read backwards: stops at the fiftieth match instead of sorting them all.
          .orderBy('invocations.invoked_at', 'desc')
          .limit(PROFILE_QUERIES),
      )
      .map((r) => ({ query: r.text, invokedAt: toIso(r.invoked_at), status: statusOf(r.status), workflowPhase: r.phase }));
    return {
      skillName,
      errorTypes,
      followUpActions: listCounts(conn, id, projectId, 'follow_ups'),
      alternatives: listCounts(conn, id, projectId, 'alternatives'),
      selectionRanks,
      sources,
      queries,
    };
  });
}

/** The rows of one skill (in one project, or in all when `projectId` is null). */
function ofSkill(skill: number, projectId: number | null) {
  return (eb: ExpressionBuilder<StoreDatabase, 'invocations'>): Expression<SqlBool> =>
    projectId === null
      ? eb('invocations.skill_id', '=', skill)
      : eb.and([eb('invocations.skill_id', '=', skill), eb('invocations.project_id', '=', projectId)]);
}

/** The commonest entries of a stored name list (JSON text) over one skill's invocations. */
function listCounts(conn: Connection, skill: number, projectId: number | null, column: 'follow_ups' | 'alternatives'): ValueCount[] {
  const list = sql.ref(`invocations.${column}`);
  const inProject = projectId === null ? sql`` : sql`and invocations.project_id = ${projectId}`;
  return conn.all<ValueCount>(
    sql<ValueCount>`select entry.value as value, count(*) as count
      from invocations, json_each(${list}) as entry
      where invocations.skill_id = ${skill} and ${list} is not null ${inProject}
      group by entry.value order by count desc, value limit ${sql.lit(PROFILE_TOP)}`.compile(conn.builder),
  );
}
