import { InvocationRecordSchema, ValidationError } from '@skills/protocol';

const isoInstant = InvocationRecordSchema.shape.invokedAt;

/**
 * Milliseconds since the epoch of an ISO-8601 instant that a protocol schema accepted (every
 * such string parses). Precision finer than a millisecond is dropped.
 */
export function toMillis(iso: string): number {
  return Date.parse(iso);
}

/** The UTC ISO-8601 form of a stored timestamp. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Checks that `value`, given as `field` of `what`, is an ISO-8601 instant, and returns it in ms. */
export function parseInstant(value: unknown, field: string, what: string): number {
  if (!isoInstant.safeParse(value).success) {
    throw new ValidationError(what, [{ path: field, message: `${field} must be an ISO-8601 date-time with a zone` }]);
  }
  return toMillis(value as string);
}
