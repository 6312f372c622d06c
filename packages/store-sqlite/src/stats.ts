import { addCounts, compareSkillStats, isEmptyFilter, skillStatsOf, STATUS_CODE, type SkillStats, type StatsOptions } from '@skills/protocol';
import { sql } from 'kysely';
import { countCompletedDurations, sumCompletedMicros } from './aggregates.js';
import { VISIT_FUNCTION, type Connection } from './connection.js';
import { filterCondition, type ResolvedFilter } from './filters.js';
import { binnedPercentile, type BinCount } from './duration-bins.js';
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
  /** The `duration_stats` bins, ascending, when the percentiles come from them. */
  bins: BinCount[];
}

/** `bins` in ascending order, the counts of a bin listed more than once added up. */
function mergeBins(bins: readonly BinCount[]): BinCount[] {
  const merged: { bin: number; count: number }[] = [];
  for (const { bin, count } of [...bins].sort((x, y) => x.bin - y.bin)) {
    const last = merged.at(-1);
    if (last !== undefined && last.bin === bin) last.count += count;
    else merged.push({ bin, count });
  }
  return merged;
}

/** What {@link computeStats} computes of the percentiles: none, exact ones, or ones within the bins' error. */
export type StatsPercentiles = boolean | 'approximate';

/** The percentiles `options` ask for (see `StatsOptions`). */
export function percentilesOf(options: StatsOptions | undefined): StatsPercentiles {
  const percentiles = options?.percentiles ?? true;
  return percentiles && options?.approximatePercentiles === true ? 'approximate' : percentiles;
}

/** Percentiles read from the `duration_stats` bins instead of the rows: per skill, unfiltered. */
function binsApply(f: ResolvedFilter, byPhase: boolean, percentiles: StatsPercentiles): boolean {
  return percentiles === 'approximate' && !byPhase && isEmptyFilter(f);
}

/**
 * Statistics per skill, or per (skill, phase) when `byPhase`, of one project (`projectId`; null:
 * all of them, added up). Counts, the mean and the last use come from the aggregates when nothing
 * is filtered, else from the matching rows; the same arithmetic either way (means over whole
 * microseconds), so both agree. Percentiles need the completed rows' durations: with
 * `percentiles` false they are null and not read; with 'approximate', per skill and unfiltered,
 * they come from the `duration_stats` bins (see duration-bins.ts for the error bound), else
 * exact from the rows.
 */
export function computeStats(
  conn: Connection,
  f: ResolvedFilter,
  projectId: number | null,
  byPhase: boolean,
  percentiles: StatsPercentiles,
): SkillStats[] {
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
        byPhaseId.set(phaseId, { skillId: skill_id, phaseId, counts: c, durations: [], bins: [] });
        continue;
      }
      addCounts(group.counts, c);
      group.counts.last_used_at = Math.max(group.counts.last_used_at, c.last_used_at);
    }

    const fromBins = binsApply(f, byPhase, percentiles);
    if (fromBins) {
      // Visited, not returned as rows: tens of thousands of bins at a million invocations.
      const bins = b
        .selectFrom('duration_stats')
        .$if(projectId !== null, (qb) => qb.where('project_id', '=', projectId!))
        .select((eb) => eb.fn.count(eb.fn(VISIT_FUNCTION, ['skill_id', 'bin', 'invocations'])).as('n'));
      conn.visit(bins, (skillId, bin, count) => {
        groupOf(skillId as number, null)?.bins.push({ bin: bin as number, count: count as number });
      });
      // Already in order when read by primary key (cheap to sort then); every project's come
      // project after project.
      for (const byPhaseId of groups.values()) for (const group of byPhaseId.values()) group.bins = mergeBins(group.bins);
    } else if (percentiles) {
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
    const stats = [...groups.values()].flatMap((byPhaseId) => [...byPhaseId.values()]).map((group) => {
      const stats = skillStatsOf(
        // Foreign keys guarantee every id has its name.
        skills.get(group.skillId) as string,
        byPhase ? (group.phaseId === 0 ? null : (phases.get(group.phaseId) as string)) : undefined,
        group.counts,
        Float64Array.from(group.durations).sort(),
        toIso(group.counts.last_used_at),
      );
      return fromBins
        ? { ...stats, p50DurationSeconds: binnedPercentile(group.bins, 0.5), p95DurationSeconds: binnedPercentile(group.bins, 0.95) }
        : stats;
    });
    return stats.sort(compareSkillStats);
  });
}
