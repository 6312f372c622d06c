/**
 * The form a store keeps a query text in: trimmed, every run of whitespace one space. Texts that
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

/**
 * How many leading bytes of a normalised query's SHA-256 are its unique key in every store
 * (128 bits: shorter than most texts). Engines hash with `node:crypto`; this package stays free
 * of Node.js built-ins.
 */
export const QUERY_KEY_BYTES = 16;
