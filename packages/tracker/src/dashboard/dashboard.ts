import {
  ActivityQuerySchema,
  isInsightsStore,
  NotAvailableError,
  parseOrThrow,
  RecommendationQuerySchema,
  wilsonInterval,
  type ActivityBucket,
  type DashboardOverview,
  type DashboardRecommendations,
  type DashboardSkill,
  type InsightsStore,
  type Recommendation,
  type RecommendationQuery,
  type RecommendationQueryInput,
  type SkillsStore,
  type SkillStats,
  type SkillSummary,
} from '@skills/protocol';
import { finishedRuns } from '../recommend/scoring.js';
import type { SkillsService } from '../service.js';
import { FreshnessCache } from './freshness-cache.js';

/** Sessions count as active when they tracked an invocation this recently. */
export const ACTIVE_WINDOW_MINUTES = 60;

/**
 * The figures of the dashboard's pages, assembled from the store's SQL aggregates: of one
 * project ({@link Dashboard.of}), or of every project together ({@link Dashboard.ofAllProjects}).
 * Answers are cached per store revision (see {@link FreshnessCache}): a page reloaded, or a
 * hundred of them open, costs the database one computation per change at most.
 *
 * @example
 * const dashboard = Dashboard.of(service.forProject('alpha'));
 * const { totals, skills } = await dashboard.overview('day');
 * console.log(totals.invocations, skills[0]?.successInterval);
 */
export class Dashboard {
  readonly #store: SkillsStore & InsightsStore;
  readonly #recommend: ((query: RecommendationQuery) => Promise<Recommendation[]>) | undefined;
  readonly #cache = new FreshnessCache();

  private constructor(store: SkillsStore & InsightsStore, recommend: ((query: RecommendationQuery) => Promise<Recommendation[]>) | undefined) {
    this.#store = store;
    this.#recommend = recommend;
  }

  /** The dashboard of `service`'s project; fails with NotAvailableError when the store cannot compute it. */
  static of(service: SkillsService): Dashboard {
    return new Dashboard(insightsOf(service.store), (query) => service.recommend(query));
  }

  /**
   * The dashboard of every project of `service`'s store together (`service.allProjects`). It
   * recommends nothing: recommendations come from one project's history.
   */
  static ofAllProjects(service: SkillsService): Dashboard {
    return new Dashboard(insightsOf(service.allProjects), undefined);
  }

  /** Changes whenever stored invocations do: poll it to know when to fetch again. */
  revision(): Promise<string> {
    return this.#store.revision();
  }

  /** Totals, activity over time, the skills table and the phase heat map. */
  async overview(bucket: ActivityBucket = 'day'): Promise<DashboardOverview> {
    const query = parseOrThrow(ActivityQuerySchema, { bucket }, 'overview query');
    return this.#cache.get(`overview:${query.bucket}`, () => this.#store.revision(), async (revision) => {
      const store = this.#store;
      const now = Date.now();
      const [skills, cells, activity, sessions, activeSessions] = await Promise.all([
        // Percentiles within APPROXIMATE_PERCENTILE_ERROR: an engine with a duration histogram
        // then reads it instead of every completed invocation's duration.
        store.skillStats(undefined, { approximatePercentiles: true }),
        // Cells show counts, rates and means: percentiles would cost a second pass over every duration.
        store.phaseStats(undefined, { percentiles: false }),
        this.#store.activity(query),
        this.#store.sessionCount(),
        this.#store.sessionsSince(new Date(now - ACTIVE_WINDOW_MINUTES * 60_000).toISOString()),
      ]);
      const sum = (field: 'invocations' | 'completed' | 'failed' | 'abandoned' | 'pending') =>
        skills.reduce((n, s) => n + s[field], 0);
      const counts = {
        invocations: sum('invocations'),
        completed: sum('completed'),
        failed: sum('failed'),
        abandoned: sum('abandoned'),
        pending: sum('pending'),
      };
      const finished = finishedRuns(counts);
      const lastUsed = skills.reduce<string | null>((latest, s) => (s.lastUsed !== null && (latest === null || s.lastUsed > latest) ? s.lastUsed : latest), null);
      return {
        generatedAt: new Date(now).toISOString(),
        revision,
        totals: {
          ...counts,
          successRate: finished > 0 ? counts.completed / finished : null,
          successInterval: wilsonInterval(counts.completed, finished),
          skills: skills.length,
          sessions,
          activeSessions,
          activeWindowMinutes: ACTIVE_WINDOW_MINUTES,
          lastInvokedAt: lastUsed,
        },
        activity,
        skills: skills.map(summarize),
        phases: phaseColumns(cells),
        heatmap: cells.map((c) => ({ ...summarize(c), workflowPhase: c.workflowPhase ?? null })),
      };
    });
  }

  /** One skill's page, or null when the skill has no invocation. */
  async skill(skillName: string, bucket: ActivityBucket = 'day'): Promise<DashboardSkill | null> {
    const query = parseOrThrow(ActivityQuerySchema, { bucket, skillName }, 'skill query');
    const name = query.skillName as string;
    return this.#cache.get(`skill:${query.bucket}:${name}`, () => this.#store.revision(), async (revision) => {
      const store = this.#store;
      const filter = { skillName: name };
      const [profile, [stats], cells, activity] = await Promise.all([
        this.#store.skillProfile(name),
        store.skillStats(filter),
        store.phaseStats(filter, { percentiles: false }),
        this.#store.activity(query),
      ]);
      if (!profile || !stats) return null;
      const ranked = profile.selectionRanks.reduce((n, r) => n + r.count, 0);
      const first = profile.selectionRanks.find((r) => r.rank === 1)?.count ?? 0;
      return {
        generatedAt: new Date().toISOString(),
        revision,
        skill: summarize(stats),
        phases: cells.map((c) => ({ ...summarize(c), workflowPhase: c.workflowPhase ?? null })),
        activity,
        profile,
        firstChoiceRate: ranked > 0 ? first / ranked : null,
      };
    });
  }

  /**
   * The recommendations the `recommend_skills` tool gives for the same query in the same project.
   *
   * @throws {NotAvailableError} on the all-projects dashboard.
   */
  async recommend(input: RecommendationQueryInput): Promise<DashboardRecommendations> {
    const query = parseOrThrow(RecommendationQuerySchema, input, 'recommendation query');
    if (!this.#recommend) throw new NotAvailableError('recommendations come from one project\'s history: choose a project');
    const recommendations = await this.#recommend(query);
    return { query: query.userQuery, workflowPhase: query.workflowPhase ?? null, recommendations };
  }
}

function insightsOf(store: SkillsStore): SkillsStore & InsightsStore {
  if (!isInsightsStore(store)) throw new NotAvailableError('this store does not compute dashboard figures (use the SQLite store)');
  return store;
}

function summarize(stats: SkillStats): SkillSummary {
  return { ...stats, successInterval: wilsonInterval(stats.completed, finishedRuns(stats)) };
}

/** Named phases, most used first (ties by name), then "no phase" when some invocation had none. */
function phaseColumns(cells: readonly SkillStats[]): (string | null)[] {
  const use = new Map<string | null, number>();
  for (const c of cells) use.set(c.workflowPhase ?? null, (use.get(c.workflowPhase ?? null) ?? 0) + c.invocations);
  const named = [...use].filter(([p]) => p !== null) as [string, number][];
  named.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return [...named.map(([p]) => p), ...(use.has(null) ? [null] : [])];
}
