import { LIMITS } from '@skills/protocol';

/**
 * Users paste secrets into queries. These shapes are replaced by `[REDACTED:<kind>]` before a
 * query is stored, so neither the database nor an export ever holds them. Ordered so that the
 * specific shapes win over the generic `key=value` one.
 */
const SECRET_PATTERNS: ReadonlyArray<readonly [kind: string, pattern: RegExp, keep?: (match: string, ...groups: string[]) => string]> = [
  ['private-key', /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g],
  ['jwt', /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}/g],
  ['aws-key', /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g],
  ['github-token', /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})\b/g],
  ['api-key', /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}/g],
  ['api-key', /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b/g],
  ['google-key', /\bAIza[0-9A-Za-z_-]{35}\b/g],
  ['slack-token', /\bxox[abposr]-[A-Za-z0-9-]{10,}/g],
  ['bearer', /\b(Bearer\s+)[A-Za-z0-9._~+/-]{16,}=*/gi, (_m, prefix) => `${prefix}[REDACTED:bearer]`],
  ['url-password', /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, (_m, prefix) => `${prefix}[REDACTED:url-password]@`],
  [
    'secret',
    /\b((?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret)\s*[:=]\s*)("[^"]+"|'[^']+'|[^\s,;]+)/gi,
    (_m, prefix) => `${prefix}[REDACTED:secret]`,
  ],
];

/** Every pattern above needs one of these; a query with none of them is left as it is. */
const MAY_HOLD_SECRET =
  /PRIVATE KEY|eyJ|AKIA|ASIA|gh[pousr]_|github_pat_|sk-|_live_|_test_|AIza|xox|bearer|:\/\/|password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key/i;

/**
 * `text` with common secret shapes (API keys, tokens, passwords in URLs, private keys,
 * `password=...` pairs) replaced by `[REDACTED:<kind>]`.
 *
 * @example
 * redactSecrets('deploy with token=abc123 to https://bob:hunter2@example.com');
 * // 'deploy with token=[REDACTED:secret] to https://bob:[REDACTED:url-password]@example.com'
 */
export function redactSecrets(text: string): string {
  // One cheap scan for anything a pattern needs: most queries hold no secret at all.
  if (!MAY_HOLD_SECRET.test(text)) return text;
  let out = text;
  for (const [kind, pattern, keep] of SECRET_PATTERNS) {
    out = out.replace(pattern, keep ?? (() => `[REDACTED:${kind}]`));
  }
  return out;
}

/**
 * A query as it may be stored: secrets redacted, then cut to {@link LIMITS.queryLength}, since
 * a redaction marker can make a query at the limit longer than the store accepts.
 */
export function redactQuery(query: string): string {
  return redactSecrets(query).slice(0, LIMITS.queryLength);
}
