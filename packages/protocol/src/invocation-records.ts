import { CompletionSchema, type PlainBatchChecks } from './batch-validation.js';
import { CompleteInvocationInputSchema, InvocationRecordSchema, type CompleteInvocation, type InvocationRecord, type TrackInvocation } from './invocation.js';
import { parseOrThrow } from './errors.js';
import { LIMITS } from './limits.js';
import { isPlainDuration, isPlainId, isPlainInstant, isPlainName, isPlainNameList, isPlainQuery, isPlainRank } from './plain-values.js';
import { PROJECT_NAME_PATTERN } from './projects.js';
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

const RECORD_KEYS: ReadonlySet<string> = new Set(Object.keys(InvocationRecordSchema.shape));
const COMPLETION_KEYS: ReadonlySet<string> = new Set(Object.keys(CompletionSchema.shape));
const STATUSES: ReadonlySet<unknown> = new Set(['pending', 'completed', 'failed', 'abandoned']);

/**
 * True only when the record schema would accept `r` and return it unchanged: what
 * {@link pendingRecord} and {@link finishedRecord} build from checked input (names without
 * surrounding spaces, timestamps from `toISOString()`). False says nothing: the schema decides then.
 */
export function isPlainValidRecord(r: unknown): r is InvocationRecord {
  if (typeof r !== 'object' || r === null || Object.getPrototypeOf(r) !== Object.prototype) return false;
  for (const key in r) if (!RECORD_KEYS.has(key)) return false;
  const v = r as InvocationRecord;
  return (
    isPlainId(v.id) &&
    isPlainName(v.skillName) &&
    isPlainName(v.sessionId) &&
    isPlainInstant(v.invokedAt) &&
    STATUSES.has(v.status) &&
    typeof v.completed === 'boolean' &&
    (v.completedAt === null || isPlainInstant(v.completedAt)) &&
    (v.durationSeconds === null || isPlainDuration(v.durationSeconds)) &&
    (v.userQuery === null || isPlainQuery(v.userQuery)) &&
    (v.workflowPhase === null || isPlainName(v.workflowPhase)) &&
    isPlainNameList(v.alternativesConsidered) &&
    (v.selectionRank === null || isPlainRank(v.selectionRank)) &&
    isPlainNameList(v.followUpActions) &&
    (v.errorType === null || isPlainName(v.errorType)) &&
    (v.source === undefined || v.source === null || isPlainName(v.source)) &&
    (v.project === undefined || (typeof v.project === 'string' && PROJECT_NAME_PATTERN.test(v.project))) &&
    (v.alternativeScores === undefined || isPlainScores(v.alternativeScores, v.alternativesConsidered.length))
  );
}

/** Finite numbers, none or one per alternative (the rule `scoresMatchAlternatives` checks). */
function isPlainScores(value: unknown, alternatives: number): value is number[] {
  if (!Array.isArray(value) || value.length > LIMITS.listLength) return false;
  if (value.length !== 0 && value.length !== alternatives) return false;
  for (let i = 0; i < value.length; i++) if (!Number.isFinite(value[i])) return false;
  return true;
}

/** True only when the completion schema would accept `c` and return it unchanged (see {@link completionOf}). */
export function isPlainValidCompletion(c: unknown): c is Completion {
  if (typeof c !== 'object' || c === null || Object.getPrototypeOf(c) !== Object.prototype) return false;
  for (const key in c) if (!COMPLETION_KEYS.has(key)) return false;
  const v = c as Completion;
  return (
    isPlainId(v.id) &&
    typeof v.completed === 'boolean' &&
    isPlainInstant(v.completedAt) &&
    (v.durationSeconds === null || isPlainDuration(v.durationSeconds)) &&
    (v.followUpActions === undefined || isPlainNameList(v.followUpActions)) &&
    (v.errorType === undefined || v.errorType === null || isPlainName(v.errorType))
  );
}

/**
 * The checks a store passes to `validateBatch` so that the records and completions trackers build
 * skip the schemas; every other entry still goes through them, so the outcome (and the error
 * naming the field) is exactly the schemas' either way.
 */
export const PLAIN_RECORD_CHECKS: PlainBatchChecks = Object.freeze({ record: isPlainValidRecord, completion: isPlainValidCompletion });
