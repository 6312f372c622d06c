import { LIMITS } from '@skills/protocol';

// What the AI SDK hands over is the application's and the model's text: tool names, prompts,
// metadata. The store's rules (packages/protocol/src/fields.ts) would reject some of it; these
// functions turn it into the form the store keeps, so tracking never throws into the agent.

/** A lone UTF-16 surrogate (half a pair), which UTF-8 storage cannot hold. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu;

/** `text` with lone surrogates replaced by U+FFFD, trimmed, and cut to `max` characters without splitting a pair. */
function cleanText(text: string, max: number): string {
  let clean = text.replace(LONE_SURROGATE, '\uFFFD').trim();
  if (clean.length > max) {
    const cut = /[\uD800-\uDBFF]/u.test(clean.charAt(max - 1)) ? max - 1 : max;
    clean = clean.slice(0, cut).trimEnd();
  }
  return clean;
}

/**
 * A name (skill, phase) in the form the store keeps, or undefined when nothing is left: not a
 * string, or only whitespace. Longer names are cut to {@link LIMITS.nameLength} characters.
 */
export function cleanName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return cleanText(value, LIMITS.nameLength) || undefined;
}

/** A user query in the form the store keeps (at most {@link LIMITS.queryLength} characters), or undefined when empty. */
export function cleanQuery(text: string): string | undefined {
  return cleanText(text, LIMITS.queryLength) || undefined;
}

/**
 * A duration the SDK measured, in milliseconds, as the seconds the store keeps (at most
 * {@link LIMITS.maxDurationSeconds}), or undefined when it is not a non-negative number: the
 * tracker then times the call itself.
 */
export function cleanDurationSeconds(ms: unknown): number | undefined {
  if (typeof ms !== 'number' || !(ms >= 0)) return undefined;
  return Math.min(ms / 1000, LIMITS.maxDurationSeconds);
}
