import { z } from 'zod';
import { nameField } from './fields.js';
import type { Recommendation } from './invocation.js';
import type { OutcomeCounts, SkillStats } from './store.js';

/**
 * What the dashboard shows, as the server's JSON endpoints (`/api/...`) answer it: aggregates
 * computed by the store in SQL, never rows for the reader to count.
 */

/** Width of one point of an activity series. */
export const ACTIVITY_BUCKETS = ['hour', 'day'] as const;
export type ActivityBucket = (typeof ACTIVITY_BUCKETS)[number];

/** Points of an activity series at most, by bucket: a week of hours, a quarter of days. */
export const ACTIVITY_POINTS: Readonly<Record<ActivityBucket, number>> = Object.freeze({ hour: 168, day: 90 });
/** Points of an activity series at least (when it has any), by bucket: a day of hours, a week of days. */
export const ACTIVITY_MIN_POINTS: Readonly<Record<ActivityBucket, number>> = Object.freeze({ hour: 24, day: 7 });

/** A 95% Wilson score interval of a success rate: where the true rate likely lies, given so few runs. */
export interface RateInterval {
  readonly low: number;
  readonly high: number;
}

/** Invocations started in one bucket, by how they ended. */
export interface ActivityPoint extends OutcomeCounts {
  /** Start of the bucket (UTC), ISO 8601. */
  readonly start: string;
}

/**
 * Invocations over time: consecutive buckets (empty ones included, as zeros) ending with the one
 * of the latest invocation. Of the last {@link ACTIVITY_POINTS} buckets, those before the first
 * with an invocation are left out, down to {@link ACTIVITY_MIN_POINTS}. None on an empty store.
 */
export interface Activity {
  readonly bucket: ActivityBucket;
  readonly points: readonly ActivityPoint[];
}

/** Which activity to compute. */
export const ActivityQuerySchema = z.strictObject({
  bucket: z.enum(ACTIVITY_BUCKETS).default('day'),
  /** Only this skill's invocations. */
  skillName: nameField('skillName').optional(),
});
export type ActivityQueryInput = z.input<typeof ActivityQuerySchema>;
export type ActivityQuery = z.output<typeof ActivityQuerySchema>;

/** How often one value (an error type, a follow-up action, an alternative) occurred. */
export interface ValueCount {
  readonly value: string;
  readonly count: number;
}

/** How often a skill was picked at one rank among the candidates (1 = first choice). */
export interface RankCount {
  readonly rank: number;
  readonly count: number;
}

/** How many invocations one integration recorded (`source` null: unknown, e.g. older records). */
export interface SourceCount {
  readonly source: string | null;
  readonly count: number;
}

/** A query a skill served, as stored (redacted when the settings say so). */
export interface ServedQuery {
  readonly query: string;
  readonly invokedAt: string;
  readonly status: 'pending' | 'completed' | 'failed' | 'abandoned';
  readonly workflowPhase: string | null;
}

/** The most common values per list at most, in {@link SkillProfile}. */
export const PROFILE_TOP = 10;
/** The latest queries in {@link SkillProfile}. */
export const PROFILE_QUERIES = 50;

/** What one skill's invocations say beyond counts: how it fails and what it was chosen over. */
export interface SkillProfile {
  readonly skillName: string;
  /** Commonest error types first, at most {@link PROFILE_TOP}. */
  readonly errorTypes: readonly ValueCount[];
  /** Commonest follow-up actions first, at most {@link PROFILE_TOP}. */
  readonly followUpActions: readonly ValueCount[];
  /** The skills it was chosen over, commonest first, at most {@link PROFILE_TOP}. */
  readonly alternatives: readonly ValueCount[];
  /** Every selection rank seen, ascending. */
  readonly selectionRanks: readonly RankCount[];
  /** Which integrations recorded its invocations, most first (ties by name, unknown last): every source. */
  readonly sources: readonly SourceCount[];
  /** The latest queries it served (newest first), at most {@link PROFILE_QUERIES}. */
  readonly queries: readonly ServedQuery[];
}

/**
 * The store's side of the dashboard: figures no other method gives, computed in SQL.
 * Implemented by `@skills/store-sqlite`.
 */
export interface InsightsStore {
  /** Invocations over time, per {@link ActivityQuery}. */
  activity(query: ActivityQuery): Promise<Activity>;
  /** Distinct sessions with an invocation at or after `since` (ISO 8601). */
  sessionsSince(since: string): Promise<number>;
  /** Distinct sessions ever. */
  sessionCount(): Promise<number>;
  /** The profile of one skill, or null when it has no invocation. */
  skillProfile(skillName: string): Promise<SkillProfile | null>;
  /**
   * A value that changes whenever stored data changes, through this store or another process
   * writing the same database: cheap enough to ask every second.
   */
  revision(): Promise<string>;
}

/** Tells whether `store` answers the {@link InsightsStore} methods. */
export function isInsightsStore(store: object): store is InsightsStore {
  return typeof (store as Partial<InsightsStore>).revision === 'function' && typeof (store as Partial<InsightsStore>).activity === 'function';
}

/** A skill's statistics with the uncertainty of its success rate. */
export type SkillSummary = SkillStats & { readonly successInterval: RateInterval | null };

/**
 * One cell of the skill × phase heat map (`workflowPhase` null: invocations with no phase). Its
 * p50 and p95 durations are null: they would cost a pass over every duration for a tooltip.
 */
export type PhaseCell = SkillSummary & { readonly workflowPhase: string | null };

/**
 * How far approximate p50/p95 durations (`StatsOptions.approximatePercentiles`, the dashboard
 * overview's) may be from the exact nearest-rank values: at most `relative` of the exact value,
 * plus `absoluteSeconds`.
 *
 * @example
 * const bound = exact * APPROXIMATE_PERCENTILE_ERROR.relative + APPROXIMATE_PERCENTILE_ERROR.absoluteSeconds;
 * Math.abs(approximate - exact) <= bound; // true
 */
export const APPROXIMATE_PERCENTILE_ERROR = Object.freeze({ relative: 0.008, absoluteSeconds: 0.000001 });

/** `GET /api/overview`: everything on the dashboard's first page. */
export interface DashboardOverview {
  readonly generatedAt: string;
  /** The store's {@link InsightsStore.revision} these figures were computed at. */
  readonly revision: string;
  readonly totals: OutcomeCounts & {
    readonly successInterval: RateInterval | null;
    readonly skills: number;
    readonly sessions: number;
    /** Sessions with an invocation in the last {@link activeWindowMinutes} minutes. */
    readonly activeSessions: number;
    readonly activeWindowMinutes: number;
    readonly lastInvokedAt: string | null;
  };
  readonly activity: Activity;
  /**
   * Most used first. Their p50 and p95 durations may be approximate: within
   * {@link APPROXIMATE_PERCENTILE_ERROR} of the exact values (the skill page's are exact).
   */
  readonly skills: readonly SkillSummary[];
  /** The phases in the heat map's columns: named ones by name, then null (no phase) when used. */
  readonly phases: readonly (string | null)[];
  readonly heatmap: readonly PhaseCell[];
}

/** `GET /api/skills/{name}`: one skill's page. */
export interface DashboardSkill {
  readonly generatedAt: string;
  readonly revision: string;
  readonly skill: SkillSummary;
  /** Its figures per phase. */
  readonly phases: readonly PhaseCell[];
  readonly activity: Activity;
  readonly profile: SkillProfile;
  /** Share of its ranked invocations where it was the first choice, or null when none was ranked. */
  readonly firstChoiceRate: number | null;
}

/** `GET /api/recommend`: the same recommendations as the `recommend_skills` tool. */
export interface DashboardRecommendations {
  readonly query: string;
  readonly workflowPhase: string | null;
  readonly recommendations: readonly Recommendation[];
}

/**
 * The 95% Wilson score interval of `successes` out of `trials`, or null for no trial.
 *
 * @example
 * wilsonInterval(9, 10); // { low: 0.596, high: 0.982 } (rounded)
 */
export function wilsonInterval(successes: number, trials: number): RateInterval | null {
  if (trials <= 0) return null;
  const z = 1.959963984540054;
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials))) / (1 + z2n);
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
