import { percentile as nearestRank, type SkillStats } from '@skills/protocol';
import { sql, type Kysely } from 'kysely';
import { DURATION_MICROS_SQL } from './aggregates.js';
import { filterCondition, isEmptyFilter, type ResolvedFilter } from './filters.js';
import type { StoreDatabase } from './schema.js';
import { STATUS_CODE } from './status.js';
import { toIso } from './time.js';

interface GroupCounts {
  skill_id: number;
  phase_id: number | null;
  invocations: number;
  completed: number;
  failed: number;
  abandoned: number;
  pending: number;
  duration_micros: number;
  duration_count: number;
  last_used_at: Date;
}

/**
 * Statistics per skill, or per (skill, phase) when `byPhase`, as the SQLite store computes them:
 * counts, the mean and the last use from the aggregates when nothing is filtered, else from the
 * matching rows, with the same arithmetic (means over whole microseconds). Run it in one snapshot.
 */
export async function computeStats(db: Kysely<StoreDatabase>, f: ResolvedFilter, byPhase: boolean, percentiles: boolean): Promise<SkillStats[]> {
  const where = filterCondition(f);
  const is = (status: number) => sql<number>`count(*) FILTER (WHERE status = ${status})`;
  const counts: GroupCounts[] = isEmptyFilter(f)
    ? await db.selectFrom('skill_phase_stats').selectAll().execute() as GroupCounts[]
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
    const g = group.c;
    g.invocations += c.invocations;
    g.completed += c.completed;
    g.failed += c.failed;
    g.abandoned += c.abandoned;
    g.pending += c.pending;
    g.duration_micros += c.duration_micros;
    g.duration_count += c.duration_count;
    if (c.last_used_at > g.last_used_at) g.last_used_at = c.last_used_at;
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
  const stats = [...groups.values()].map((group): SkillStats => {
    const c = group.c;
    const finished = c.completed + c.failed + c.abandoned;
    const sorted = Float64Array.from(group.durations).sort();
    return {
      skillName: skills.get(group.skillId)!,
      ...(byPhase ? { workflowPhase: group.phaseId === 0 ? null : phases.get(group.phaseId)! } : {}),
      invocations: c.invocations,
      completed: c.completed,
      failed: c.failed,
      abandoned: c.abandoned,
      pending: c.pending,
      successRate: finished > 0 ? c.completed / finished : null,
      meanDurationSeconds: c.duration_count > 0 ? c.duration_micros / c.duration_count / 1_000_000 : null,
      p50DurationSeconds: nearestRank(sorted, 0.5),
      p95DurationSeconds: nearestRank(sorted, 0.95),
      lastUsed: toIso(c.last_used_at),
    };
  });
  return stats.sort(byUse);
}

/** Every name of a names table by its id. */
export async function nameMap(db: Kysely<StoreDatabase>, table: 'skills' | 'phases' | 'sessions'): Promise<Map<number, string>> {
  const rows = await db.selectFrom(table as 'skills').select(['id', 'name']).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Most used first, then by name, then by phase with "no phase" last (the SQLite store's order). */
function byUse(a: SkillStats, b: SkillStats): number {
  return (
    b.invocations - a.invocations ||
    compare(a.skillName, b.skillName) ||
    (a.workflowPhase === b.workflowPhase ? 0 : a.workflowPhase == null ? 1 : b.workflowPhase == null ? -1 : compare(a.workflowPhase, b.workflowPhase))
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
