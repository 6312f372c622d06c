import { addCounts, compareSkillStats, isEmptyFilter, skillStatsOf, STATUS_CODE, type SkillStats } from '@skills/protocol';
import { sql } from 'kysely';
import { countCompletedDurations, sumCompletedMicros } from './aggregates.js';
import { VISIT_FUNCTION, type Connection } from './connection.js';
import { filterCondition, type ResolvedFilter } from './filters.js';
import { nameMap } from './names.js';
import type { SkillPhaseStatsTable } from './schema.js';
import { toIso } from './time.js';

/** Counts of one (skill, phase); a row of the aggregates, or the same computed from rows (phase NULL). */
type GroupCounts = Omit<SkillPhaseStatsTable, 'phase_id' | 'project_id'> & { phase_id: number | null };

interface Group {
  readonly skillId: number;
  readonly phaseId: number;
  counts: Omit<GroupCounts, 'skill_id' | 'phase_id'>;
  durations: number[];
}

/**
 * Statistics per skill, or per (skill, phase) when `byPhase`, of one project (`projectId`; null:
 * all of them, added up). Counts, the mean and the last use come from the aggregates when nothing
 * is filtered, else from the matching rows; the same arithmetic either way (means over whole
 * microseconds), so both agree. Percentiles need the completed rows' durations: with
 * `percentiles` false they are null and not read.
 */
export function computeStats(conn: Connection, f: ResolvedFilter, projectId: number | null, byPhase: boolean, percentiles: boolean): SkillStats[] {
  return conn.read(() => {
    const b = conn.builder;
    const where = filterCondition(f, projectId);
    const completed = sql.lit(STATUS_CODE.completed);
    const counts: (GroupCounts & { project_id?: number })[] = isEmptyFilter(f)
      ? conn.all<GroupCounts>(
          b
            .selectFrom('skill_phase_stats')
            .selectAll()
            .$if(projectId !== null, (qb) => qb.where('project_id', '=', projectId!)),
        )
      : conn.all<GroupCounts>(
          b
            .selectFrom('invocations')
            .where(where)
            .select((eb) => [
              'skill_id',
              'phase_id',
              eb.fn.countAll<number>().as('invocations'),
              eb.fn.sum<number>(eb('status', '=', completed)).as('completed'),
              eb.fn.sum<number>(eb('status', '=', sql.lit(STATUS_CODE.failed))).as('failed'),
              eb.fn.sum<number>(eb('status', '=', sql.lit(STATUS_CODE.abandoned))).as('abandoned'),
              eb.fn.sum<number>(eb('status', '=', sql.lit(STATUS_CODE.pending))).as('pending'),
              sumCompletedMicros(eb).as('duration_micros'),
              countCompletedDurations(eb).as('duration_count'),
              eb.fn.max('invoked_at').as('last_used_at'),
            ])
            .groupBy(['skill_id', 'phase_id']),
        );

    // By skill id, then phase id (0 for none, and for every phase when not by phase).
    const groups = new Map<number, Map<number, Group>>();
    const groupOf = (skillId: number, phaseId: number | null) => groups.get(skillId)?.get(byPhase ? (phaseId ?? 0) : 0);
    for (const row of counts) {
      const { skill_id, phase_id, project_id: _, ...c } = row;
      const group = groupOf(skill_id, phase_id);
      if (!group) {
        const phaseId = byPhase ? (phase_id ?? 0) : 0;
        let byPhaseId = groups.get(skill_id);
        if (!byPhaseId) groups.set(skill_id, (byPhaseId = new Map()));
        byPhaseId.set(phaseId, { skillId: skill_id, phaseId, counts: c, durations: [] });
        continue;
      }
      addCounts(group.counts, c);
      group.counts.last_used_at = Math.max(group.counts.last_used_at, c.last_used_at);
    }

    if (percentiles) {
      const durations = b
        .selectFrom('invocations')
        .where(where)
        .where('status', '=', completed)
        .where('duration', 'is not', null)
        .select((eb) => eb.fn.count(eb.fn(VISIT_FUNCTION, ['skill_id', 'phase_id', 'duration'])).as('n'));
      conn.visit(durations, (skillId, phaseId, duration) => {
        groupOf(skillId as number, phaseId as number | null)?.durations.push(duration as number);
      });
    }

    const skills = nameMap(conn, 'skills');
    const phases = nameMap(conn, 'phases');
    const stats = [...groups.values()].flatMap((byPhaseId) => [...byPhaseId.values()]).map((group) =>
      skillStatsOf(
        // Foreign keys guarantee every id has its name.
        skills.get(group.skillId) as string,
        byPhase ? (group.phaseId === 0 ? null : (phases.get(group.phaseId) as string)) : undefined,
        group.counts,
        Float64Array.from(group.durations).sort(),
        toIso(group.counts.last_used_at),
      ),
    );
    return stats.sort(compareSkillStats);
  });
}
