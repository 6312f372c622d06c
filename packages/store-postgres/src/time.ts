import { checkInstant } from '@skills/protocol';

/**
 * The stored form of an ISO-8601 instant a protocol schema accepted: UTC, to the millisecond,
 * as the SQLite store keeps it (finer precision is dropped there too).
 */
export function toStoredInstant(iso: string): string {
  return iso.length === 24 && iso.endsWith('Z') ? iso : new Date(Date.parse(iso)).toISOString();
}

/** The UTC ISO-8601 form of a timestamp read back (`pg` gives a Date). */
export function toIso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** Checks that `value`, given as `field` of `what`, is an ISO-8601 instant, and returns its stored form. */
export function parseInstant(value: unknown, field: string, what: string): string {
  return toStoredInstant(checkInstant(value, field, what));
}
