import type { SkillStats } from '@skills/protocol';
import { finishedRuns, smoothedSuccess } from './scoring.js';

/**
 * The phase where a skill does best: the highest success rate smoothed with the ranking's own
 * prior ({@link smoothedSuccess}, Beta(1, 1)), so that a lucky single run does not beat a record
 * (8 of 9 scores 0.82, 1 of 1 scores 0.67); more finished runs break ties. Runs without a phase
 * say nothing about one. Null when no phase has a finished run.
 *
 * @example
 * bestPhaseOf([
 *   { workflowPhase: 'planning', completed: 1, failed: 0, abandoned: 0 },
 *   { workflowPhase: 'verification', completed: 8, failed: 1, abandoned: 0 },
 * ]); // 'verification'
 */
export function bestPhaseOf(
  phases: ReadonlyArray<Pick<SkillStats, 'workflowPhase' | 'completed' | 'failed' | 'abandoned'>>,
): string | null {
  let best: string | null = null;
  let bestRate = -1;
  let bestRuns = -1;
  for (const p of phases) {
    const runs = finishedRuns(p);
    if (runs === 0 || p.workflowPhase === null || p.workflowPhase === undefined) continue;
    const rate = smoothedSuccess(p.completed, runs);
    if (rate > bestRate || (rate === bestRate && runs > bestRuns)) {
      best = p.workflowPhase;
      bestRate = rate;
      bestRuns = runs;
    }
  }
  return best;
}
