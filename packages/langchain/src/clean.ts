import { LIMITS } from '@skills/protocol';

// Frameworks hand over whatever a model or a graph produced. These bring a value into the form the
// store accepts (see the field rules in @skills/protocol) instead of letting validation throw into
// the agent: trimmed, well-formed Unicode, cut to the limit.

/** A lone surrogate (half of a pair without its other half): UTF-8 storage cannot hold one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` trimmed, lone surrogates replaced by U+FFFD, cut to `max` characters without splitting a pair. */
function cleanText(text: string, max: number): string {
  let out = text.trim().replace(LONE_SURROGATE, '\uFFFD');
  if (out.length > max) {
    out = out.slice(0, max);
    const last = out.charCodeAt(max - 1);
    if (last >= 0xd800 && last <= 0xdbff) out = out.slice(0, -1);
    out = out.trimEnd();
  }
  return out;
}

/** A name (skill, phase) the store accepts, or undefined when `value` is not a string or holds no text. */
export function cleanName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const name = cleanText(value, LIMITS.nameLength);
  return name.length > 0 ? name : undefined;
}

/** A user query the store accepts, or undefined when `value` is not a string or holds no text. */
export function cleanQuery(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const query = cleanText(value, LIMITS.queryLength);
  return query.length > 0 ? query : undefined;
}
