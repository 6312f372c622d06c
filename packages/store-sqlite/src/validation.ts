import {
  CompletionSchema,
  InvocationRecordSchema,
  isPlainDuration,
  isPlainId,
  isPlainInstant,
  isPlainName,
  isPlainNameList,
  isPlainQuery,
  isPlainRank,
  LIMITS,
  PROJECT_NAME_PATTERN,
  validateBatch as validateWith,
  type Completion,
  type InvocationRecord,
  type PlainBatchChecks,
  type ValidBatch,
  type WriteBatch,
} from '@skills/protocol';

/**
 * Validates a batch with the protocol's rules (see its `validateBatch`). Entries that are plainly
 * valid and already in their normal form (what a tracker writes: names without surrounding spaces,
 * timestamps from `toISOString()`) pass a hand-written check that costs a fraction of the schema's;
 * every other entry goes through the schema, so the outcome is exactly the schema's either way.
 */
export function validateBatch(batch: WriteBatch): ValidBatch {
  return validateWith(batch, PLAIN);
}

const RECORD_KEYS: ReadonlySet<string> = new Set(Object.keys(InvocationRecordSchema.shape));
const COMPLETION_KEYS: ReadonlySet<string> = new Set(Object.keys(CompletionSchema.shape));
const STATUSES: ReadonlySet<unknown> = new Set(['pending', 'completed', 'failed', 'abandoned']);

/**
 * True only when the record schema would accept `r` and return it unchanged. False says nothing:
 * the schema decides then.
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
    (v.project === undefined || isPlainProject(v.project)) &&
    (v.alternativeScores === undefined || isPlainScores(v.alternativeScores, v.alternativesConsidered.length))
  );
}

function isPlainProject(value: unknown): value is string {
  return typeof value === 'string' && PROJECT_NAME_PATTERN.test(value);
}

/** Finite numbers, none or one per alternative (the rule `scoresMatchAlternatives` checks). */
function isPlainScores(value: unknown, alternatives: number): value is number[] {
  if (!Array.isArray(value) || value.length > LIMITS.listLength) return false;
  if (value.length !== 0 && value.length !== alternatives) return false;
  for (let i = 0; i < value.length; i++) if (!Number.isFinite(value[i])) return false;
  return true;
}

/** True only when the completion schema would accept `c` and return it unchanged. */
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

const PLAIN: PlainBatchChecks = { record: isPlainValidRecord, completion: isPlainValidCompletion };
