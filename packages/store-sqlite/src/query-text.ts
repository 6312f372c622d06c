import { hash } from 'node:crypto';

/**
 * The form a query text is stored in: trimmed, every run of whitespace one space. Texts that
 * differ only in spacing are one query. An empty text is no query (null).
 *
 * @example
 * normaliseQuery('  fix\n the   build '); // 'fix the build'
 */
export function normaliseQuery(text: string | null): string | null {
  if (text === null) return null;
  const normalised = text.replace(/\s+/g, ' ').trim();
  return normalised === '' ? null : normalised;
}

/** The unique key of a normalised query: 128 bits of its SHA-256, shorter than most texts. */
export function queryHash(normalised: string): Buffer {
  return hash('sha256', normalised, 'buffer').subarray(0, 16);
}
