import { percentile } from './percentile.js';
import type { SkillStats } from './store.js';

/**
 * A duration in whole microseconds, so that a store's sums can be subtracted exactly: rounded half
 * up in double arithmetic, then truncated (the stores write the same arithmetic in their SQL).
 *
 * @example
 * durationMicros(1.5); // 1500000
 */
export function durationMicros(seconds: number): number {
  return Math.trunc(seconds * 1_000_000 + 0.5);
}

/** The counts a store keeps per (skill, phase), named as its `skill_phase_stats` columns. */
export interface StoredCounts {
  invocations: number;
  completed: number;
  failed: number;
  abandoned: number;
  pending: number;
  /** Sum of {@link durationMicros} over the completed runs with a duration. */
  duration_micros: number;
  duration_count: number;
}

/** Adds `more` into `into` (two groups of statistics merged into one). */
export function addCounts(into: StoredCounts, more: Readonly<StoredCounts>): void {
  into.invocations += more.invocations;
  into.completed += more.completed;
  into.failed += more.failed;
  into.abandoned += more.abandoned;
  into.pending += more.pending;
  into.duration_micros += more.duration_micros;
  into.duration_count += more.duration_count;
}

/**
 * The statistics of one group: `workflowPhase` undefined for per-skill statistics, null for "no
 * phase"; `durations` the completed runs' durations, ascending (empty: no percentiles).
 */
export function skillStatsOf(
  skillName: string,
  workflowPhase: string | null | undefined,
  c: Readonly<StoredCounts>,
  durations: ArrayLike<number>,
  lastUsed: string,
): SkillStats {
  const finished = c.completed + c.failed + c.abandoned;
  return {
    skillName,
    ...(workflowPhase === undefined ? {} : { workflowPhase }),
    invocations: c.invocations,
    completed: c.completed,
    failed: c.failed,
    abandoned: c.abandoned,
    pending: c.pending,
    successRate: finished > 0 ? c.completed / finished : null,
    meanDurationSeconds: c.duration_count > 0 ? c.duration_micros / c.duration_count / 1_000_000 : null,
    p50DurationSeconds: percentile(durations, 0.5),
    p95DurationSeconds: percentile(durations, 0.95),
    lastUsed,
  };
}

/** What {@link compareSkillStats} orders by. */
export type StatsKey = Pick<SkillStats, 'invocations' | 'skillName' | 'workflowPhase'>;

/** The order of statistics in every store: most used first, then by name, then by phase with "no phase" last. */
export function compareSkillStats(a: StatsKey, b: StatsKey): number {
  return (
    b.invocations - a.invocations ||
    compare(a.skillName, b.skillName) ||
    (a.workflowPhase === b.workflowPhase
      ? 0
      : a.workflowPhase == null
        ? 1
        : b.workflowPhase == null
          ? -1
          : compare(a.workflowPhase, b.workflowPhase))
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
