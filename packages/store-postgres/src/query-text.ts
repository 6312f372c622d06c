import { hash } from 'node:crypto';

/**
 * The form a query text is stored in, as the SQLite store stores it: trimmed, every run of
 * whitespace one space. Texts that differ only in spacing are one query; an empty text is none.
 *
 * @example
 * normaliseQuery('  fix\n the   build '); // 'fix the build'
 */
export function normaliseQuery(text: string | null): string | null {
  if (text === null) return null;
  const normalised = text.replace(/\s+/g, ' ').trim();
  return normalised === '' ? null : normalised;
}

/** The unique key of a normalised query: 128 bits of its SHA-256. */
export function queryHash(normalised: string): Buffer {
  return hash('sha256', normalised, 'buffer').subarray(0, 16);
}
