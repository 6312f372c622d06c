import type { SkillsTracker, TrackInvocationInput } from '@skills/protocol';

const ERROR_TYPE = /^[A-Za-z_$][\w$.:-]{0,99}$/;

/**
 * The error's class name, for `errorType`: bounded in cardinality and never the message, which
 * may hold user data. Anything that is not a plain identifier becomes `Error`.
 */
export function errorTypeOf(error: unknown): string {
  const name =
    error instanceof Error ? (error.constructor !== Error ? error.constructor.name : error.name) : typeof error;
  return ERROR_TYPE.test(name) ? name : 'Error';
}

/**
 * Runs a skill and tracks it: completes with success, or with `errorType` set to the error's
 * class name, and rethrows. Tracking failures never change what `run` returns or throws.
 *
 * @example
 * const review = await tracked(tracker, { skillName: 'code-reviewer', userQuery }, () => reviewer.run(diff));
 */
export async function tracked<T>(
  tracker: SkillsTracker,
  invocation: TrackInvocationInput,
  run: () => T | Promise<T>,
): Promise<T> {
  const complete = tracker.trackInvocation(invocation);
  try {
    const result = await run();
    complete?.({ completed: true });
    return result;
  } catch (error) {
    complete?.({ completed: false, errorType: errorTypeOf(error) });
    throw error;
  }
}

/** An orchestrator's choice: the skill it picked among those it considered, in its order of preference. */
export interface SkillChoice {
  readonly chosen: string;
  /** Every candidate, best first; `chosen` may be among them. */
  readonly considered: readonly string[];
  /** The score each of `considered` was shown with, in its order: kept as `alternativeScores` for the alternatives. */
  readonly scores?: readonly number[];
  readonly userQuery?: string;
  readonly workflowPhase?: string;
}

/**
 * The invocation input for an orchestrator's choice: `selectionRank` is the chosen skill's place
 * among the candidates (1 = first choice), `alternativesConsidered` the others (with their shown
 * `scores`, when given, as `alternativeScores`).
 *
 * @example
 * const done = tracker.trackInvocation(choiceInvocation({ chosen: 'linter', considered: ['formatter', 'linter'] }));
 * // selectionRank 2, alternativesConsidered ['formatter']
 */
export function choiceInvocation(choice: SkillChoice): TrackInvocationInput {
  const index = choice.considered.indexOf(choice.chosen);
  const isAlternative = (_: unknown, i: number) => choice.considered[i] !== choice.chosen;
  return {
    skillName: choice.chosen,
    alternativesConsidered: choice.considered.filter(isAlternative),
    ...(choice.scores ? { alternativeScores: choice.scores.filter(isAlternative) } : {}),
    ...(index >= 0 ? { selectionRank: index + 1 } : {}),
    ...(choice.userQuery !== undefined ? { userQuery: choice.userQuery } : {}),
    ...(choice.workflowPhase !== undefined ? { workflowPhase: choice.workflowPhase } : {}),
  };
}

/** Tracks and runs an orchestrator's choice: {@link choiceInvocation} + {@link tracked}. */
export function trackedChoice<T>(tracker: SkillsTracker, choice: SkillChoice, run: () => T | Promise<T>): Promise<T> {
  return tracked(tracker, choiceInvocation(choice), run);
}
