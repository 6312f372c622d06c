import {
  ExportDocumentSchema,
  isPlainDuration,
  isPlainId,
  isPlainInstant,
  isPlainName,
  isPlainNameList,
  isPlainQuery,
  isPlainRank,
  InvocationRecordSchema,
  parseOrThrow,
  ValidationError,
  type CatalogEntry,
  type Completion,
  type InvocationRecord,
  type WriteBatch,
} from '@skills/protocol';

const record = InvocationRecordSchema.shape;

/** A completion as the protocol's record schema would accept its fields. */
const CompletionSchema = InvocationRecordSchema.pick({ id: true, completed: true, durationSeconds: true }).extend({
  completedAt: record.completedAt.unwrap(),
  followUpActions: record.followUpActions.optional(),
  errorType: record.errorType.optional(),
});

const CatalogSchema = ExportDocumentSchema.shape.catalog;

/** A write batch whose records and completions passed the protocol's rules (names trimmed). */
export interface ValidBatch {
  readonly inserts: readonly InvocationRecord[];
  readonly completions: readonly Completion[];
}

/**
 * Validates every insert and completion before anything is written, so one bad entry rejects the
 * batch. The error names the entry by its place: `inserts.3.skillName`.
 *
 * Entries that are plainly valid and already in their normal form (what a tracker writes: names
 * without surrounding spaces, timestamps from `toISOString()`) pass a hand-written check that costs
 * a fraction of the schema's; every other entry goes through the schema, which accepts and
 * normalises it or names what is wrong. So the outcome is exactly the schema's either way.
 */
export function validateBatch(batch: WriteBatch): ValidBatch {
  const inserts = batch.inserts ?? [];
  const completions = batch.completions ?? [];
  const validInserts = new Array<InvocationRecord>(inserts.length);
  for (let i = 0; i < inserts.length; i++) {
    const r = inserts[i]!;
    validInserts[i] = isPlainValidRecord(r) ? r : validateAt(InvocationRecordSchema, r, `inserts.${i}`);
  }
  const validCompletions = new Array<Completion>(completions.length);
  for (let i = 0; i < completions.length; i++) {
    const c = completions[i]!;
    validCompletions[i] = isPlainValidCompletion(c) ? c : validateAt(CompletionSchema, c, `completions.${i}`);
  }
  return { inserts: validInserts, completions: validCompletions };
}

const RECORD_KEYS: ReadonlySet<string> = new Set(Object.keys(record));
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
    (v.source === undefined || v.source === null || isPlainName(v.source))
  );
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

/** Validates catalog entries with the export format's rules. */
export function validateCatalog(entries: readonly CatalogEntry[]): CatalogEntry[] {
  return parseOrThrow(CatalogSchema, entries, 'catalog entries');
}

type Schema = Parameters<typeof parseOrThrow>[0];

function validateAt<S extends Schema>(schema: S, value: unknown, at: string): ReturnType<typeof parseOrThrow<S>> {
  try {
    return parseOrThrow(schema, value, 'write batch');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(
      'write batch',
      error.violations.map((v) => ({ path: v.path ? `${at}.${v.path}` : at, message: v.message })),
    );
  }
}
