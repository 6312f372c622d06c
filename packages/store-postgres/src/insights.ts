import {
  activitySeries,
  activityWindow,
  PROFILE_QUERIES,
  PROFILE_TOP,
  STATUS_CODE,
  statusOf,
  type Activity,
  type ActivityQuery,
  type SkillProfile,
  type ValueCount,
} from '@skills/protocol';
import { sql, type Kysely } from 'kysely';
import { inScope, type Scope } from './projects.js';
import type { StoreDatabase } from './schema.js';
import { toIso } from './time.js';

/** The id of a stored skill name, or undefined. */
async function skillId(db: Kysely<StoreDatabase>, name: string): Promise<number | undefined> {
  return (await db.selectFrom('skills').select('id').where('name', '=', name).executeTakeFirst())?.id;
}

/**
 * Milliseconds since the epoch of a timestamp column, in SQL. date_part is float8 arithmetic:
 * twice as fast over a million rows as extract's numeric (PostgreSQL 14 and later); the stored
 * times are whole milliseconds, which the rounding restores exactly.
 */
const ms = (column: string) => sql<number>`round(date_part('epoch', ${sql.ref(column)}) * 1000)`;

/**
 * Invocations per bucket, for at most the last `ACTIVITY_POINTS` buckets up to the latest
 * invocation's, grouped in SQL, the empty buckets filled in; the invocations of `scope`. Run it in one snapshot.
 */
export async function activity(db: Kysely<StoreDatabase>, query: ActivityQuery, scope: Scope): Promise<Activity> {
  const id = query.skillName === undefined ? undefined : await skillId(db, query.skillName);
  const none: Activity = { bucket: query.bucket, points: [] };
  if (query.skillName !== undefined && id === undefined) return none;
  const latest = (
    await db
      .selectFrom('skill_phase_stats')
      .where(inScope('project_id', scope))
      .$if(id !== undefined, (qb) => qb.where('skill_id', '=', id as number))
      .select(sql<number | null>`max(${ms('last_used_at')})`.as('at'))
      .executeTakeFirst()
  )?.at;
  if (latest == null) return none;
  const window = activityWindow(query.bucket, latest);
  const { since, width } = window;
  const is = (status: number) => sql<number>`count(*) FILTER (WHERE status = ${status})`;
  const rows = await db
    .selectFrom('invocations')
    .where(inScope('project_id', scope))
    .where('invoked_at', '>=', new Date(since).toISOString())
    .$if(id !== undefined, (qb) => qb.where('skill_id', '=', id as number))
    .select((eb) => [
      sql<number>`floor((${ms('invoked_at')} - ${since}) / ${width})::integer`.as('i'),
      eb.fn.countAll<number>().as('invocations'),
      is(STATUS_CODE.completed).as('completed'),
      is(STATUS_CODE.failed).as('failed'),
      is(STATUS_CODE.abandoned).as('abandoned'),
      is(STATUS_CODE.pending).as('pending'),
    ])
    .groupBy('i')
    .execute();
  return activitySeries(window, rows);
}

/** Distinct sessions with an invocation of `scope` at or after `since`. */
export async function sessionsSince(db: Kysely<StoreDatabase>, since: string, scope: Scope): Promise<number> {
  const row = await db
    .selectFrom('invocations')
    .where(inScope('project_id', scope))
    .where('invoked_at', '>=', since)
    .select((eb) => eb.fn.count<number>('session_id').distinct().as('n'))
    .executeTakeFirst();
  return row?.n ?? 0;
}

/**
 * Sessions ever, of `scope`. The names table counts them (prune deletes the sessions no invocation
 * uses) for every project, and for a project when no other holds invocations (the common case of
 * one project: no scan). Session names are shared by projects, so otherwise the project's are
 * counted over its invocations (a pass over that project's rows). One statement: one snapshot.
 */
export async function sessionCount(db: Kysely<StoreDatabase>, scope: Scope): Promise<number> {
  const all = sql<number>`(SELECT count(*) FROM sessions)`;
  const counted =
    scope === null
      ? all
      : sql<number>`CASE WHEN EXISTS (SELECT 1 FROM skill_phase_stats WHERE project_id <> ${scope})
          THEN (SELECT count(DISTINCT session_id) FROM invocations WHERE project_id = ${scope}) ELSE ${all} END`;
  const row = (await sql<{ n: string | number }>`SELECT ${counted} AS n`.execute(db)).rows[0];
  return Number(row?.n ?? 0);
}

/**
 * One skill's error types, follow-ups, alternatives, ranks, sources and latest queries over the
 * invocations of `scope`; null when it has none there. Run it in one snapshot.
 */
export async function skillProfile(db: Kysely<StoreDatabase>, skillName: string, scope: Scope): Promise<SkillProfile | null> {
  const id = await skillId(db, skillName);
  if (id === undefined) return null;
  const used = await db
    .selectFrom('skill_phase_stats')
    .where(inScope('project_id', scope))
    .where('skill_id', '=', id)
    .select((eb) => eb.fn.sum<number | null>('invocations').as('n'))
    .executeTakeFirst();
  if (!used?.n) return null;

  const errorTypes = await db
    .selectFrom('invocations')
    .where(inScope('project_id', scope))
    .where('skill_id', '=', id)
    .where('error_type', 'is not', null)
    .select((eb) => [eb.ref('error_type').$castTo<string>().as('value'), eb.fn.countAll<number>().as('count')])
    .groupBy('error_type')
    .orderBy('count', 'desc')
    .orderBy(sql`error_type COLLATE "C"`)
    .limit(PROFILE_TOP)
    .execute();
  const selectionRanks = await db
    .selectFrom('invocations')
    .where(inScope('project_id', scope))
    .where('skill_id', '=', id)
    .where('selection_rank', 'is not', null)
    .select((eb) => [eb.ref('selection_rank').$castTo<number>().as('rank'), eb.fn.countAll<number>().as('count')])
    .groupBy('selection_rank')
    .orderBy('rank')
    .execute();
  const sources = await db
    .selectFrom('invocations')
    .leftJoin('sources', 'sources.id', 'invocations.source_id')
    .where(inScope('invocations.project_id', scope))
    .where('invocations.skill_id', '=', id)
    .select((eb) => ['sources.name as source', eb.fn.countAll<number>().as('count')])
    .groupBy(['invocations.source_id', 'sources.name'])
    .orderBy('count', 'desc')
    .orderBy(sql`sources.name COLLATE "C" NULLS LAST`)
    .execute();
  const queries = (
    await db
      .selectFrom('invocations')
      .innerJoin('queries', 'queries.id', 'invocations.query_id')
      .leftJoin('phases', 'phases.id', 'invocations.phase_id')
      .where(inScope('invocations.project_id', scope))
      .where('invocations.skill_id', '=', id)
      .select(['queries.text as text', 'invocations.invoked_at as invoked_at', 'invocations.status as status', 'phases.name as phase'])
      .orderBy('invocations.invoked_at', 'desc')
      .limit(PROFILE_QUERIES)
      .execute()
  ).map((r) => ({ query: r.text, invokedAt: toIso(r.invoked_at), status: statusOf(r.status), workflowPhase: r.phase }));
  return {
    skillName,
    errorTypes,
    followUpActions: await listCounts(db, id, 'follow_ups', scope),
    alternatives: await listCounts(db, id, 'alternatives', scope),
    selectionRanks,
    sources,
    queries,
  };
}

/** The commonest entries of a stored name list (a JSON array) over one skill's invocations. */
async function listCounts(db: Kysely<StoreDatabase>, skill: number, column: 'follow_ups' | 'alternatives', scope: Scope): Promise<ValueCount[]> {
  const list = sql.ref(`invocations.${column}`);
  const rows = await sql<ValueCount>`SELECT entry AS value, count(*) AS count
    FROM invocations, jsonb_array_elements_text(${list}) AS entry
    WHERE invocations.skill_id = ${skill} AND ${inScope('invocations.project_id', scope)} AND ${list} IS NOT NULL
    GROUP BY entry ORDER BY count DESC, entry COLLATE "C" LIMIT ${sql.lit(PROFILE_TOP)}`.execute(db);
  return rows.rows;
}
