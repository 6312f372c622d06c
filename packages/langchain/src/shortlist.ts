import { LIMITS, type Recommendation, type TrackInvocationInput } from '@skills/protocol';
import { choiceInvocation } from '@skills/tracker';
import { cleanQuery } from './clean.js';

/**
 * The recommendations given for recent user queries, so that the tool the agent then calls is
 * recorded with what it was chosen among: `alternativesConsidered` (the other recommended tools),
 * `alternativeScores` (the scores they were shown with) and `selectionRank` (its place in the
 * recommendations, 1 = first). This closes the loop between
 * what was recommended and what was chosen. Keeps the latest `capacity` queries.
 *
 * @example
 * const shortlist = new Shortlist();
 * const recommendations = await adviseSkills(tracker, 'find flaky tests', { tools, shortlist });
 * const handler = new SkillsCallbackHandler({ tracker, shortlist });
 */
export class Shortlist {
  readonly #byQuery = new Map<string, readonly Recommendation[]>();
  readonly #capacity: number;

  constructor(capacity = 256) {
    this.#capacity = capacity;
  }

  /** Remembers what was recommended for `userQuery`, replacing what was remembered before. */
  remember(userQuery: string, recommendations: readonly Recommendation[]): void {
    const key = cleanQuery(userQuery);
    if (key === undefined) return;
    this.#byQuery.delete(key);
    this.#byQuery.set(key, recommendations);
    if (this.#byQuery.size > this.#capacity) this.#byQuery.delete(this.#byQuery.keys().next().value!);
  }

  /** Forgets what was recommended for `userQuery`, so that the next run asks again. */
  forget(userQuery: string): void {
    const key = cleanQuery(userQuery);
    if (key !== undefined) this.#byQuery.delete(key);
  }

  /** What was recommended for `userQuery`, or undefined when nothing was remembered. */
  get(userQuery: string): readonly Recommendation[] | undefined {
    const key = cleanQuery(userQuery);
    return key === undefined ? undefined : this.#byQuery.get(key);
  }

  /**
   * `alternativesConsidered`, their shown scores (`alternativeScores`, in the same order) and
   * `selectionRank` for `skillName` chosen for `userQuery`, when it was among the
   * recommendations given for it; else nothing.
   */
  choiceFor(userQuery: string, skillName: string): Pick<TrackInvocationInput, 'alternativesConsidered' | 'alternativeScores' | 'selectionRank'> {
    // One more than the list limit: the chosen one is taken out of the alternatives.
    const shown = (this.get(userQuery) ?? []).slice(0, LIMITS.listLength + 1);
    const considered = shown.map((r) => r.skillName);
    if (!considered.includes(skillName)) return {};
    const scores = shown.map((r) => r.score);
    const { alternativesConsidered, alternativeScores, selectionRank } = choiceInvocation({ chosen: skillName, considered, scores });
    return { alternativesConsidered, alternativeScores, selectionRank };
  }
}
