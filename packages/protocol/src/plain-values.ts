import { isWellFormedText } from './fields.js';
import { LIMITS } from './limits.js';

// Fast checks that a value is already in the exact form its field rule (fields.ts) produces, so a
// hot path can skip zod for what hosts normally pass. True means the rule accepts the value
// unchanged; false means nothing: let the rule decide (and word the error).

/** A code unit that `String.prototype.trim` keeps for sure (conservatively: some kept ones say false). */
function isSurelyNotSpace(code: number): boolean {
  return (code > 0x20 && code < 0x7f) || (code > 0xa0 && code < 0x1680) || (code > 0x3000 && code < 0xfeff);
}

/** An id the schema keeps as it is: 1 to 200 characters of well-formed Unicode. */
export function isPlainId(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= LIMITS.nameLength && isWellFormedText(value);
}

/** A name the schema keeps as it is: trimmed already, 1 to 200 characters of well-formed Unicode. */
export function isPlainName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= LIMITS.nameLength &&
    isSurelyNotSpace(value.charCodeAt(0)) &&
    isSurelyNotSpace(value.charCodeAt(value.length - 1)) &&
    isWellFormedText(value)
  );
}

/** A query the schema keeps as it is: trimmed already (or empty), at most 8,000 characters of well-formed Unicode. */
export function isPlainQuery(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= LIMITS.queryLength &&
    (value.length === 0 ||
      (isSurelyNotSpace(value.charCodeAt(0)) && isSurelyNotSpace(value.charCodeAt(value.length - 1)))) &&
    isWellFormedText(value)
  );
}

export function isPlainNameList(value: unknown): value is string[] {
  if (!Array.isArray(value) || value.length > LIMITS.listLength) return false;
  for (let i = 0; i < value.length; i++) if (!isPlainName(value[i])) return false;
  return true;
}

export function isPlainDuration(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= LIMITS.maxDurationSeconds;
}

export function isPlainRank(value: unknown): value is number {
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
