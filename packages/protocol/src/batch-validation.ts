import { parseOrThrow, ValidationError } from './errors.js';
import { ExportDocumentSchema } from './export.js';
import { InvocationRecordFieldsSchema, InvocationRecordSchema, type InvocationRecord } from './invocation.js';
import type { CatalogEntry, Completion, WriteBatch } from './store.js';

const record = InvocationRecordFieldsSchema.shape;

/** A completion as the protocol's record schema would accept its fields. */
export const CompletionSchema = InvocationRecordFieldsSchema.pick({ id: true, completed: true, durationSeconds: true }).extend({
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
 * Checks that may accept a batch's entries without the schemas: each says true only when the
 * schema would accept the entry and return it unchanged (false says nothing: the schema decides).
 */
export interface PlainBatchChecks {
  readonly record: (r: unknown) => r is InvocationRecord;
  readonly completion: (c: unknown) => c is Completion;
}

/**
 * Validates every insert and completion of a batch before a store writes anything, so one bad
 * entry rejects the batch. The error names the entry by its place: `inserts.3.skillName`.
 * Entries that `plain` vouches for are taken as they are, so the outcome is the schemas' either way.
 *
 * @example
 * validateBatch({ inserts: [{ ...aRecord, skillName: ' ' }] }); // throws ValidationError at inserts.0.skillName
 */
export function validateBatch(batch: WriteBatch, plain?: PlainBatchChecks): ValidBatch {
  const inserts = batch.inserts ?? [];
  const completions = batch.completions ?? [];
  const validInserts = new Array<InvocationRecord>(inserts.length);
  for (let i = 0; i < inserts.length; i++) {
    const r = inserts[i]!;
    validInserts[i] = plain?.record(r) ? r : validateAt(InvocationRecordSchema, r, `inserts.${i}`);
  }
  const validCompletions = new Array<Completion>(completions.length);
  for (let i = 0; i < completions.length; i++) {
    const c = completions[i]!;
    validCompletions[i] = plain?.completion(c) ? c : validateAt(CompletionSchema, c, `completions.${i}`);
  }
  return { inserts: validInserts, completions: validCompletions };
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
