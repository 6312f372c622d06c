import { consoleLogger, formatDuration, LIMITS, type Logger, type Recommendation, type SkillsTracker } from '@skills/protocol';
import { cleanName, cleanQuery } from './clean.js';
import type { Shortlist } from './shortlist.js';

/** A tool, or its name. */
export type ToolLike = string | { readonly name: string };

const nameOf = (tool: ToolLike): string => (typeof tool === 'string' ? tool : tool.name);

/** How many recommendations {@link adviseSkills} returns unless told. */
export const DEFAULT_ADVICE_LIMIT = 5;

/** Options of {@link adviseSkills}. */
export interface AdviseOptions {
  /** The phase the agent is in: recommendations favour skills that worked in it. */
  readonly workflowPhase?: string;
  /** At most this many recommendations; default {@link DEFAULT_ADVICE_LIMIT}. */
  readonly limit?: number;
  /** Only these tools are recommended (the ones the agent has); default every skill in the store. */
  readonly tools?: readonly ToolLike[];
  /** Remembers the recommendations, so that the tool then called records its rank among them. */
  readonly shortlist?: Shortlist;
  readonly logger?: Logger;
}

/**
 * The skills that worked for queries like `userQuery`, best first, limited to the agent's
 * `tools` when given. Never throws into the agent: an empty query, or a tracker that cannot
 * answer, gives `[]` (the failure is logged).
 *
 * @example
 * const recommendations = await adviseSkills(tracker, 'why do the parser tests fail?', { tools });
 * const prompt = `${basePrompt}\n\n${recommendationHint(recommendations)}`;
 */
export async function adviseSkills(
  tracker: SkillsTracker,
  userQuery: string,
  options: AdviseOptions = {},
): Promise<Recommendation[]> {
  const query = cleanQuery(userQuery);
  if (query === undefined) return [];
  const { tools, limit = DEFAULT_ADVICE_LIMIT, shortlist, logger = consoleLogger } = options;
  const workflowPhase = cleanName(options.workflowPhase);
  let recommendations: Recommendation[];
  try {
    recommendations = await tracker.getRecommendations({
      userQuery: query,
      // Filtering by tools afterwards can drop many: ask for all, then cut.
      limit: tools ? LIMITS.maxRecommendations : limit,
      ...(workflowPhase !== undefined ? { workflowPhase } : {}),
    });
  } catch (error) {
    logger.warn(`no recommendations for this run: ${(error as Error)?.message ?? String(error)}`);
    return [];
  }
  if (tools) {
    const available = new Set(tools.map(nameOf));
    recommendations = recommendations.filter((r) => available.has(r.skillName));
  }
  recommendations = recommendations.slice(0, limit);
  shortlist?.remember(query, recommendations);
  return recommendations;
}

/**
 * `tools` with the recommended ones first, in the order recommended, then the others in their
 * own order; with `only`, the recommended ones alone. Pure; for `createAgent({ tools })`,
 * `model.bindTools(...)` or AI-facing tool lists.
 *
 * @example
 * rankTools([search, lint, test], [{ skillName: 'test', ... }]); // [test, search, lint]
 */
export function rankTools<T extends ToolLike>(
  tools: readonly T[],
  recommendations: readonly Recommendation[],
  options: { readonly only?: boolean } = {},
): T[] {
  const place = new Map<string, number>();
  recommendations.forEach((r, i) => {
    if (!place.has(r.skillName)) place.set(r.skillName, i);
  });
  const recommended = tools
    .filter((tool) => place.has(nameOf(tool)))
    .sort((a, b) => place.get(nameOf(a))! - place.get(nameOf(b))!);
  return options.only ? recommended : [...recommended, ...tools.filter((tool) => !place.has(nameOf(tool)))];
}

/**
 * A short system-prompt paragraph naming the recommended tools with their track record, or `''`
 * when there is nothing to recommend (no history above the similarity threshold). Pure.
 *
 * @example
 * recommendationHint(recommendations);
 * // 'Tools that worked for similar requests before, best first: run_tests (90% success over 12 runs, about 4.2 s), ...
 */
export function recommendationHint(recommendations: readonly Recommendation[]): string {
  if (recommendations.length === 0) return '';
  const listed = recommendations.map((r) => {
    const duration = r.durationSeconds === null ? '' : `, about ${formatDuration(r.durationSeconds)}`;
    const runs = r.invocationCount === 1 ? '1 run' : `${r.invocationCount} runs`;
    return `${r.skillName} (${Math.round(r.successRate * 100)}% success over ${runs}${duration})`;
  });
  return `Tools that worked for similar requests before, best first: ${listed.join(', ')}. Prefer them when they fit the task.`;
}
