import type { Recommendation } from '@skills/protocol';

/** How {@link steerStep} turns recommendations into settings for the next step. */
export interface SteerOptions {
  /**
   * The caller's own system prompt. `prepareStep`'s `system` replaces the call's, so the hint is
   * appended to this one: pass the same text the call has.
   */
  readonly system?: string;
  /** Add a system-prompt hint naming the tools that worked (default true). */
  readonly hint?: boolean;
  /** At most this many tools are named in the hint and kept active (default 3). */
  readonly limit?: number;
  /** Only tools whose smoothed success rate is above this count as having worked (default 0.5). */
  readonly minSuccessRate?: number;
  /**
   * Also set `activeTools` to the tools that worked, plus `alwaysActive`, so the model sees only
   * those (default false: every tool stays available).
   */
  readonly restrictTools?: boolean;
  /** Tools kept active when `restrictTools` narrows the set. */
  readonly alwaysActive?: readonly string[];
  /**
   * Force the first step to call the best tool (`toolChoice: { type: 'tool' }`) when its past
   * queries are at least this similar to the current one (0..1). Off unless set. Only the first
   * step is forced, so the model can still answer after the tool ran.
   */
  readonly forceMinSimilarity?: number;
}

/** What {@link steerStep} reads. */
export interface SteerInput<TOOLS extends object = Record<string, unknown>> {
  /** `getRecommendations` output for the current query, best first. */
  readonly recommendations: readonly Recommendation[];
  /** The call's tool set (only its keys are read). */
  readonly tools: TOOLS;
  /** The step about to run (`prepareStep`'s `stepNumber`); forcing applies to step 0 only. */
  readonly stepNumber?: number;
}

/** A tool name of the set `TOOLS`. */
type ToolName<TOOLS> = Extract<keyof TOOLS, string>;

/** Settings for the next step, shaped as a `prepareStep` result. */
export interface SteerResult<TOOLS extends object = Record<string, unknown>> {
  /** The tools that worked, best first (what the other fields are built from); empty when none. */
  readonly preferred: ToolName<TOOLS>[];
  readonly system?: string;
  readonly activeTools?: ToolName<TOOLS>[];
  readonly toolChoice?: { type: 'tool'; toolName: ToolName<TOOLS> };
}

/**
 * Turns recommendations into settings for the next step so the agent prefers the tools that
 * worked for similar queries: a system-prompt hint (facts, not orders), and on request a
 * narrowed `activeTools` or a forced first tool. Only tools of `tools` that mostly succeeded
 * are used; with none, nothing is set and the step runs as configured. Pure: same input, same
 * output.
 *
 * @example
 * const recommendations = await tracker.getRecommendations({ userQuery });
 * const { preferred, ...step } = steerStep({ recommendations, tools }, { system: 'You are a helpful agent.' });
 * // step: { system: 'You are a helpful agent.\n\nFor similar requests these tools worked, best first: ...' }
 */
export function steerStep<TOOLS extends object>(input: SteerInput<TOOLS>, options: SteerOptions = {}): SteerResult<TOOLS> {
  const { hint = true, limit = 3, minSuccessRate = 0.5, restrictTools = false, alwaysActive = [] } = options;
  const isTool = (name: string): name is ToolName<TOOLS> => Object.hasOwn(input.tools, name);
  const worked = input.recommendations
    .filter((r) => isTool(r.skillName) && r.successRate > minSuccessRate)
    .slice(0, Math.max(0, limit));
  if (worked.length === 0) return { preferred: [] };
  const preferred = worked.map((r) => r.skillName as ToolName<TOOLS>);
  const best = preferred[0]!;
  const bestSimilarity = worked[0]!.similarityScore;
  const force =
    options.forceMinSimilarity !== undefined &&
    (input.stepNumber ?? 0) === 0 &&
    bestSimilarity >= options.forceMinSimilarity;
  return {
    preferred,
    ...(hint ? { system: joinSystem(options.system, hintText(worked)) } : {}),
    ...(restrictTools
      ? { activeTools: [...new Set([...preferred, ...alwaysActive.filter(isTool)])] }
      : {}),
    ...(force ? { toolChoice: { type: 'tool' as const, toolName: best } } : {}),
  };
}

/** One line of facts the model can weigh, e.g. `search (9 runs, success rate 83%, about 1.2 s)`. */
function hintText(worked: readonly Recommendation[]): string {
  const items = worked.map((r) => {
    const facts = [`${r.invocationCount} ${r.invocationCount === 1 ? 'run' : 'runs'}`, `success rate ${Math.round(r.successRate * 100)}%`];
    if (r.durationSeconds !== null) facts.push(`about ${formatSeconds(r.durationSeconds)}`);
    return `${r.skillName} (${facts.join(', ')})`;
  });
  return `For similar requests these tools worked, best first: ${items.join('; ')}.`;
}

function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${Math.max(1, Math.round(seconds * 1000))} ms`;
  return seconds < 10 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds)} s`;
}

function joinSystem(system: string | undefined, hint: string): string {
  return system ? `${system}\n\n${hint}` : hint;
}
