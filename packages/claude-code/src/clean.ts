import { LIMITS } from '@skills/protocol';

/** A lone UTF-16 surrogate: SQLite's UTF-8 cannot hold it, so it becomes U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` with lone surrogates replaced by U+FFFD and surrounding space trimmed. */
function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').trim();
}

/**
 * A user prompt as a query the store accepts: well-formed and cut to `LIMITS.queryLength`
 * (a prompt is often longer; its start says what was asked). Empty: undefined.
 */
export function cleanQuery(prompt: string | undefined): string | undefined {
  if (prompt === undefined) return undefined;
  const cut = wellFormed(prompt).slice(0, LIMITS.queryLength);
  // The cut may split a surrogate pair.
  const query = wellFormed(cut);
  return query === '' ? undefined : query;
}

/**
 * A name the store accepts (skill, phase), or why not. A name is never shortened: a cut name
 * would be another skill's, so a name too long is skipped.
 */
export function cleanName(raw: string, field: string): { name: string } | { reason: string } {
  const name = wellFormed(raw);
  if (name === '') return { reason: `${field} is empty` };
  if (name.length > LIMITS.nameLength) return { reason: `${field} is longer than ${LIMITS.nameLength} characters (${name.slice(0, 40)}…)` };
  return { name };
}
