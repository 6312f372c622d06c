import {
  ExportDocumentSchema,
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

/** A write batch whose records and completions passed the protocol's rules (names trimmed). */
export interface ValidBatch {
  readonly inserts: readonly InvocationRecord[];
  readonly completions: readonly Completion[];
}

/**
 * Validates every insert and completion before anything is written, so one bad entry rejects the
 * batch, with the rules (and messages) of the SQLite store: the error names the entry by its
 * place, `inserts.3.skillName`.
 */
export function validateBatch(batch: WriteBatch): ValidBatch {
  return {
    inserts: (batch.inserts ?? []).map((r, i) => validateAt(InvocationRecordSchema, r, `inserts.${i}`)),
    completions: (batch.completions ?? []).map((c, i) => validateAt(CompletionSchema, c, `completions.${i}`)),
  };
}

/** Validates catalog entries with the export format's rules. */
export function validateCatalog(entries: readonly CatalogEntry[]): CatalogEntry[] {
  return parseOrThrow(ExportDocumentSchema.shape.catalog, entries, 'catalog entries');
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
