import { z } from 'zod';
import { LIMITS } from './limits.js';

// Rules for each kind of field, built for a field name so that every message names the field as
// the caller wrote it (`skillName` in the TypeScript API, `skill_name` over MCP) and the rule.

/** "is required" when absent, else "must be <type>". */
export const typed = (field: string, type: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? `${field} is required` : `${field} must be ${type}`),
});

/**
 * A UTF-16 surrogate code unit that is not half of a pair. Storage encodes text as UTF-8, which
 * cannot hold one: it would come back as U+FFFD, a different string that no longer matches.
 */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** True when `text` is well-formed Unicode (no lone surrogate), so it survives a UTF-8 round trip. */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** Any text a store keeps: well-formed Unicode only. */
const textField = (field: string) =>
  z.string(typed(field, 'a string')).refine(isWellFormedText, {
    error: `${field} must be well-formed Unicode (it holds a lone surrogate, which cannot be stored)`,
  });

/** An identifier kept exactly as given: 1 to {@link LIMITS.nameLength} characters, well-formed. */
export const idField = (field: string) =>
  textField(field)
    .min(1, { error: `${field} must not be empty` })
    .max(LIMITS.nameLength, { error: `${field} must be at most ${LIMITS.nameLength} characters` });

/** A trimmed, non-empty name of at most {@link LIMITS.nameLength} characters. */
export const nameField = (field: string) =>
  textField(field)
    .trim()
    .min(1, { error: `${field} must not be empty` })
    .max(LIMITS.nameLength, { error: `${field} must be at most ${LIMITS.nameLength} characters` });

/** The longest description (a catalog entry's), in characters. */
const DESCRIPTION_LENGTH = 2_000;

/** A description for people: trimmed, 1 to 2,000 characters of well-formed Unicode. */
export const descriptionField = (field: string) =>
  textField(field)
    .trim()
    .min(1, { error: `${field} must not be empty` })
    .max(DESCRIPTION_LENGTH, { error: `${field} must be at most ${DESCRIPTION_LENGTH} characters` });

/** A list of names, at most {@link LIMITS.listLength} long. */
export const nameListField = (field: string) =>
  z
    .array(nameField(`${field} entry`), typed(field, 'a list of strings'))
    .max(LIMITS.listLength, { error: `${field} must have at most ${LIMITS.listLength} entries` });

/** A user query: trimmed, at most {@link LIMITS.queryLength} characters (may be empty). */
export const queryField = (field: string) =>
  textField(field)
    .trim()
    .max(LIMITS.queryLength, { error: `${field} must be at most ${LIMITS.queryLength} characters` });

/** A selection rank: a whole number from 1 (first choice) to {@link LIMITS.maxRank}. */
export const rankField = (field: string) =>
  z
    .number(typed(field, 'a number'))
    .int({ error: `${field} must be a whole number` })
    .min(1, { error: `${field} must be at least 1 (1 = first choice)` })
    .max(LIMITS.maxRank, { error: `${field} must be at most ${LIMITS.maxRank}` });

/** Instants a store can write and read back as four-digit-year ISO text. */
const EARLIEST_INSTANT = Date.parse('0000-01-01T00:00:00.000Z');
const LATEST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

/** An ISO-8601 date-time with a zone whose UTC time has a four-digit year, so it round-trips. */
export const instantField = (field: string) =>
  z.iso
    .datetime({ offset: true, error: `${field} must be an ISO-8601 date-time with a zone, e.g. 2025-01-31T12:00:00Z` })
    .refine(
      (text) => {
        const ms = Date.parse(text);
        return ms >= EARLIEST_INSTANT && ms <= LATEST_INSTANT;
      },
      { error: `${field} must fall between the years 0000 and 9999 in UTC` },
    );

/** Seconds an invocation ran: finite, 0 to {@link LIMITS.maxDurationSeconds} (30 days). */
export const durationField = (field: string) =>
  z
    .number(typed(field, 'a number'))
    .finite({ error: `${field} must be a finite number` })
    .nonnegative({ error: `${field} must not be negative` })
    .max(LIMITS.maxDurationSeconds, { error: `${field} must be at most ${LIMITS.maxDurationSeconds} (30 days)` });

/** True or false. */
export const booleanField = (field: string) => z.boolean(typed(field, 'true or false'));
