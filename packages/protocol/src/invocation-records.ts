import { CompleteInvocationInputSchema, type CompleteInvocation, type InvocationRecord, type TrackInvocation } from './invocation.js';
import { parseOrThrow } from './errors.js';
import { LIMITS } from './limits.js';
import type { Completion } from './store.js';
import type { InvocationCompleter } from './tracker.js';

/*
 * How a tracked call becomes stored data, in one place for every writer (trackers, the server's
 * tools, the command): the pending record, the completion, and the finished record.
 */

/** What a new record needs beyond the caller's input: its id, session and start time. */
export interface NewRecordContext {
  readonly id: string;
  readonly sessionId: string;
  /** UTC ISO-8601. */
  readonly invokedAt: string;
  /** Applied to a non-empty user query before it is stored (the tracker's secret redaction). */
  readonly redactQuery?: ((query: string) => string) | undefined;
  /** The record's project, for records kept apart from their store's view (the MCP tracker's spool); absent: the view's. */
  readonly project?: string | undefined;
}

/**
 * The pending record of a new invocation: absent optional fields become null or empty lists, an
 * empty query becomes null; `alternativeScores` is kept only when non-empty (as stores read it back).
 *
 * @example
 * pendingRecord({ skillName: 'linter' }, { id: newInvocationId(), sessionId: 'cli', invokedAt: new Date().toISOString() });
 */
export function pendingRecord(input: TrackInvocation, context: NewRecordContext): InvocationRecord {
  const query = input.userQuery;
  return {
    id: context.id,
    skillName: input.skillName,
    sessionId: context.sessionId,
    invokedAt: context.invokedAt,
    status: 'pending',
    completed: false,
    completedAt: null,
    durationSeconds: null,
    userQuery: !query ? null : context.redactQuery ? context.redactQuery(query) : query,
    workflowPhase: input.workflowPhase ?? null,
    alternativesConsidered: input.alternativesConsidered ?? [],
    ...(input.alternativeScores?.length ? { alternativeScores: input.alternativeScores } : {}),
    selectionRank: input.selectionRank ?? null,
    followUpActions: [],
    errorType: null,
    source: input.source ?? null,
    ...(context.project !== undefined ? { project: context.project } : {}),
  };
}

/**
 * The completion of invocation `id`. Its duration is the host's own (`outcome.durationSeconds`)
 * when given, else `elapsedSeconds`, kept within 0 and `LIMITS.maxDurationSeconds`: a host that
 * completes after the 30-day bound (or a clock that went back) is recorded at the bound, not rejected.
 */
export function completionOf(
  id: string,
  outcome: CompleteInvocation,
  completedAt: string,
  elapsedSeconds: number,
): Completion & { readonly durationSeconds: number } {
  return {
    id,
    completed: outcome.completed,
    completedAt,
    durationSeconds: Math.min(Math.max(0, outcome.durationSeconds ?? elapsedSeconds), LIMITS.maxDurationSeconds),
    followUpActions: outcome.followUpActions ?? [],
    errorType: outcome.errorType ?? null,
  };
}

/** The record once `completion` is applied to it: `completed` or `failed`. */
export function finishedRecord(record: InvocationRecord, completion: Completion): InvocationRecord {
  return {
    ...record,
    status: completion.completed ? 'completed' : 'failed',
    completed: completion.completed,
    completedAt: completion.completedAt,
    durationSeconds: completion.durationSeconds,
    followUpActions: [...(completion.followUpActions ?? [])],
    errorType: completion.errorType ?? null,
  };
}

/** What a completer accepts, checked: the schema's parse unless a faster equivalent is given. */
export type CompleteInputParser = (input: unknown) => CompleteInvocation;

const parseCompleteInput: CompleteInputParser = (input) => parseOrThrow(CompleteInvocationInputSchema, input ?? {}, 'completer input');

/**
 * The completer of invocation `id`: checks its input (a `ValidationError` for bad input, before
 * anything counts), then calls `finish` with the outcome, once; later calls are ignored.
 *
 * @example
 * const done = createCompleter(record.id, (outcome) => queue.push(outcome));
 * done({ completed: true });
 */
export function createCompleter(
  id: string,
  finish: (outcome: CompleteInvocation) => void,
  parse: CompleteInputParser = parseCompleteInput,
): InvocationCompleter {
  let done = false;
  const completer = (result?: unknown): void => {
    if (done) return;
    const outcome = parse(result);
    done = true;
    finish(outcome);
  };
  return Object.assign(completer, { invocationId: id });
}
