import { ToolMessage } from '@langchain/core/messages';
import type { CompleteInvocationInput, InvocationCompleter, Logger, SkillsTracker } from '@skills/protocol';
import { errorTypeOf } from '@skills/tracker';
import { cleanName, cleanQuery } from './clean.js';
import type { Shortlist } from './shortlist.js';
import { SOURCE } from './source.js';

/** What a tool call tells about itself, as the framework gave it (cleaned before it is stored). */
export interface ToolCallFacts {
  readonly skill: unknown;
  readonly query?: unknown;
  readonly phase?: unknown;
}

/** The error type of a tool that answered with an error `ToolMessage` instead of throwing. */
export const ERROR_MESSAGE_TYPE = 'ToolErrorMessage';

/**
 * Starts invocations for tool calls: cleans what the framework gave, adds the choice among the
 * recommendations, and never throws into the agent (a call that cannot be tracked is skipped
 * with a logged reason).
 */
export class Recorder {
  readonly #tracker: SkillsTracker;
  readonly #logger: Logger;
  readonly #shortlist: Shortlist | undefined;

  constructor(tracker: SkillsTracker, logger: Logger, shortlist?: Shortlist) {
    this.#tracker = tracker;
    this.#logger = logger;
    this.#shortlist = shortlist;
  }

  /** Tracks the start of a tool call; its completer, or null when it is not tracked. */
  start(facts: ToolCallFacts): InvocationCompleter | null {
    const skillName = cleanName(facts.skill);
    if (skillName === undefined) {
      this.#logger.warn(`a tool call was not tracked: its tool name is ${describe(facts.skill)}`);
      return null;
    }
    const userQuery = cleanQuery(facts.query);
    const workflowPhase = cleanName(facts.phase);
    try {
      return this.#tracker.trackInvocation({
        skillName,
        source: SOURCE,
        ...(userQuery !== undefined ? { userQuery, ...this.#shortlist?.choiceFor(userQuery, skillName) } : {}),
        ...(workflowPhase !== undefined ? { workflowPhase } : {}),
      });
    } catch (error) {
      // Cleaning should leave nothing to reject; this is the last guard for the agent.
      this.#logger.warn(`the call of tool "${skillName}" was not tracked: ${(error as Error)?.message ?? String(error)}`);
      return null;
    }
  }
}

/** Why a value is not a usable name, without echoing it (it may be large or private). */
function describe(value: unknown): string {
  if (typeof value !== 'string') return value === undefined ? 'missing' : `not a string (${typeof value})`;
  return 'empty';
}

/** The completion of a tool that threw `error`: a failure with the error's class as its type. */
export function failureOf(error: unknown): CompleteInvocationInput {
  return { completed: false, errorType: errorTypeOf(error) };
}

/** The completion of a tool that returned `output`: a failure when it is an error `ToolMessage`. */
export function outcomeOf(output: unknown, errorType = ERROR_MESSAGE_TYPE): CompleteInvocationInput {
  return ToolMessage.isInstance(output) && output.status === 'error' ? { completed: false, errorType } : { completed: true };
}

/**
 * True for LangGraph's control-flow signals (an `interrupt()` for a human, a `Command` to the
 * parent graph): they pause or redirect a run, the tool did not fail.
 */
export function isControlFlow(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { is_bubble_up?: unknown }).is_bubble_up === true;
}
