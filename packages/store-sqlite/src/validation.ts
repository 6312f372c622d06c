import {
  ExportDocumentSchema,
  InvocationRecordSchema,
  LIMITS,
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
    typeof v.id === 'string' &&
    v.id.length >= 1 &&
    v.id.length <= LIMITS.nameLength &&
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
    (v.errorType === null || isPlainName(v.errorType))
  );
}

/** True only when the completion schema would accept `c` and return it unchanged. */
export function isPlainValidCompletion(c: unknown): c is Completion {
  if (typeof c !== 'object' || c === null || Object.getPrototypeOf(c) !== Object.prototype) return false;
  for (const key in c) if (!COMPLETION_KEYS.has(key)) return false;
  const v = c as Completion;
  return (
    typeof v.id === 'string' &&
    v.id.length >= 1 &&
    v.id.length <= LIMITS.nameLength &&
    typeof v.completed === 'boolean' &&
    isPlainInstant(v.completedAt) &&
    (v.durationSeconds === null || isPlainDuration(v.durationSeconds)) &&
    (v.followUpActions === undefined || isPlainNameList(v.followUpActions)) &&
    (v.errorType === undefined || v.errorType === null || isPlainName(v.errorType))
  );
}

/** A code unit that `String.prototype.trim` keeps for sure (conservatively: some kept ones say false). */
function isSurelyNotSpace(code: number): boolean {
  return (code > 0x20 && code < 0x7f) || (code > 0xa0 && code < 0x1680) || (code > 0x3000 && code < 0xfeff);
}

/** A name the schema keeps as it is: trimmed already, 1 to 200 characters. */
function isPlainName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= LIMITS.nameLength &&
    isSurelyNotSpace(value.charCodeAt(0)) &&
    isSurelyNotSpace(value.charCodeAt(value.length - 1))
  );
}

/** A query the schema keeps as it is: trimmed already (or empty), at most 8,000 characters. */
function isPlainQuery(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= LIMITS.queryLength &&
    (value.length === 0 ||
      (isSurelyNotSpace(value.charCodeAt(0)) && isSurelyNotSpace(value.charCodeAt(value.length - 1))))
  );
}

function isPlainNameList(value: unknown): value is string[] {
  if (!Array.isArray(value) || value.length > LIMITS.listLength) return false;
  for (let i = 0; i < value.length; i++) if (!isPlainName(value[i])) return false;
  return true;
}

function isPlainDuration(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= LIMITS.maxDurationSeconds;
}

function isPlainRank(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= LIMITS.maxRank;
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * An instant exactly in the form `Date.prototype.toISOString` writes (`2024-05-01T12:00:00.123Z`,
 * a real calendar day): a form the schema's ISO-8601 rule accepts.
 */
export function isPlainInstant(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 24) return false;
  const s = value;
  if (
    s.charCodeAt(4) !== 45 || // -
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 || // T
    s.charCodeAt(13) !== 58 || // :
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 46 || // .
    s.charCodeAt(23) !== 90 // Z
  ) {
    return false;
  }
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59) return false;
  if (second < 0 || second > 59 || digits(s, 20, 3) < 0) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month]!);
}

/** The number written by `length` decimal digits at `start`, or -1 when one is not a digit. */
function digits(s: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
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
