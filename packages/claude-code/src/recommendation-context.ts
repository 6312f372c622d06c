import type { Recommendation } from '@skills/protocol';

/** Characters of context at most: a few lines beside the prompt (Claude Code caps context at 10 000). */
const MAX_CONTEXT = 1_500;

/**
 * The `additionalContext` for recommended skills: plain facts from the recorded history (the
 * recommender's own reason, and the mean duration), best first, never instructions: imperative
 * text beside a prompt can trip prompt-injection defences. Empty when there is nothing to say.
 *
 * @example
 * recommendationContext(await service.recommend({ userQuery: 'run the unit tests' }));
 * // 'Skills that served similar requests in this project, best match first (from recorded outcomes):\n- test-runner: 3 similar past queries (best 0.81), 3/3 runs succeeded; typically 4.2 s'
 */
export function recommendationContext(recommendations: readonly Recommendation[]): string {
  return shownContext(recommendations).context;
}

/**
 * {@link recommendationContext} and the recommendations it names: the first ones, as many as fit
 * in the context's bound. Only those were shown, so only those are recorded with the choice.
 *
 * @example
 * const { context, shown } = shownContext(recommendations);
 */
export function shownContext(recommendations: readonly Recommendation[]): { readonly context: string; readonly shown: readonly Recommendation[] } {
  let context = 'Skills that served similar requests in this project, best match first (from recorded outcomes):';
  let count = 0;
  for (const r of recommendations) {
    const duration = r.durationSeconds === null ? '' : `; typically ${formatSeconds(r.durationSeconds)}`;
    const line = `\n- ${r.skillName}: ${r.reason}${duration}`;
    if (context.length + line.length > MAX_CONTEXT) break;
    context += line;
    count++;
  }
  return count === 0 ? { context: '', shown: [] } : { context, shown: recommendations.slice(0, count) };
}

function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  return `${Math.round(seconds / 60)} min`;
}
