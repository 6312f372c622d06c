import { addCounts, compareSkillStats, isEmptyFilter, skillStatsOf, STATUS_CODE, type SkillStats, type StoredCounts } from '@skills/protocol';
import { sql, type Kysely } from 'kysely';
import { DURATION_MICROS_SQL } from './aggregates.js';
import { filterCondition, type ResolvedFilter } from './filters.js';
import { inScope, type Scope } from './projects.js';
import type { StoreDatabase } from './schema.js';
import { toIso } from './time.js';

interface GroupCounts extends StoredCounts {
  skill_id: number;
  phase_id: number | null;
  last_used_at: Date;
}

/**
 * Statistics per skill, or per (skill, phase) when `byPhase`, as the SQLite store computes them:
 * counts, the mean and the last use from the aggregates when nothing is filtered, else from the
 * matching rows, with the same arithmetic (means over whole microseconds); the invocations of
 * `scope` (every project's summed together). Run it in one snapshot.
 */
export async function computeStats(db: Kysely<StoreDatabase>, f: ResolvedFilter, scope: Scope, byPhase: boolean, percentiles: boolean): Promise<SkillStats[]> {
  const where = filterCondition(f, scope);
  const is = (status: number) => sql<number>`count(*) FILTER (WHERE status = ${status})`;
  const counts: GroupCounts[] = isEmptyFilter(f)
    ? ((await db
        .selectFrom('skill_phase_stats')
        .where(inScope('project_id', scope))
        .select(['skill_id', 'phase_id', 'invocations', 'completed', 'failed', 'abandoned', 'pending', 'duration_micros', 'duration_count', 'last_used_at'])
        .execute()) as GroupCounts[])
    : await db
        .selectFrom('invocations')
        .where(where)
        .select((eb) => [
          'skill_id',
          'phase_id',
          eb.fn.countAll<number>().as('invocations'),
          is(STATUS_CODE.completed).as('completed'),
          is(STATUS_CODE.failed).as('failed'),
          is(STATUS_CODE.abandoned).as('abandoned'),
          is(STATUS_CODE.pending).as('pending'),
          sql<number>`coalesce(sum(CASE WHEN status = ${STATUS_CODE.completed} THEN ${DURATION_MICROS_SQL} END), 0)`.as('duration_micros'),
          sql<number>`count(CASE WHEN status = ${STATUS_CODE.completed} THEN duration END)`.as('duration_count'),
          sql<Date>`max(invoked_at)`.as('last_used_at'),
        ])
        .groupBy(['skill_id', 'phase_id'])
        .execute() as GroupCounts[];

  interface Group {
    skillId: number;
    phaseId: number;
    c: Omit<GroupCounts, 'skill_id' | 'phase_id'>;
    durations: number[];
  }
  const groups = new Map<string, Group>();
  const keyOf = (skillId: number, phaseId: number | null) => `${skillId}:${byPhase ? (phaseId ?? 0) : 0}`;
  for (const { skill_id, phase_id, ...c } of counts) {
    const key = keyOf(skill_id, phase_id);
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { skillId: skill_id, phaseId: byPhase ? (phase_id ?? 0) : 0, c: { ...c }, durations: [] });
      continue;
    }
    addCounts(group.c, c);
    if (c.last_used_at > group.c.last_used_at) group.c.last_used_at = c.last_used_at;
  }

  if (percentiles) {
    const rows = await db
      .selectFrom('invocations')
      .where(where)
      .where('status', '=', STATUS_CODE.completed)
      .where('duration', 'is not', null)
      .select(['skill_id', 'phase_id', 'duration'])
      .execute();
    for (const r of rows) groups.get(keyOf(r.skill_id, r.phase_id))?.durations.push(r.duration as number);
  }

  const skills = await nameMap(db, 'skills');
  const phases = byPhase ? await nameMap(db, 'phases') : new Map<number, string>();
  const stats = [...groups.values()].map((group) =>
    skillStatsOf(
      skills.get(group.skillId)!,
      byPhase ? (group.phaseId === 0 ? null : phases.get(group.phaseId)!) : undefined,
      group.c,
      Float64Array.from(group.durations).sort(),
      toIso(group.c.last_used_at),
    ),
  );
  return stats.sort(compareSkillStats);
}

/** Every name of a names table by its id. */
export async function nameMap(db: Kysely<StoreDatabase>, table: 'skills' | 'phases' | 'sessions'): Promise<Map<number, string>> {
  const rows = await db.selectFrom(table as 'skills').select(['id', 'name']).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
