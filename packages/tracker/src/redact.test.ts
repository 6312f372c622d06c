import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it.each([
    ['AKIAIOSFODNN7EXAMPLE', 'aws-key'],
    ['ghp_' + 'a'.repeat(36), 'github-token'],
    ['github_pat_' + 'B'.repeat(30), 'github-token'],
    ['sk-proj-' + 'x1'.repeat(20), 'api-key'],
    ['sk-ant-api03-' + 'Z'.repeat(40), 'api-key'],
    ['sk_live_' + '4'.repeat(24), 'api-key'],
    ['AIza' + 'S'.repeat(35), 'google-key'],
    ['xoxb-1234567890-abcdef', 'slack-token'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'jwt'],
  ])('replaces %s', (secret, kind) => {
    const out = redactSecrets(`why does ${secret} fail?`);
    expect(out).toBe(`why does [REDACTED:${kind}] fail?`);
  });

  it('keeps the shape around a secret: bearer, URL password, key=value, private key', () => {
    expect(redactSecrets('curl -H "Authorization: Bearer abcdefghijklmnop1234"')).toBe(
      'curl -H "Authorization: Bearer [REDACTED:bearer]"',
    );
    expect(redactSecrets('connect to postgres://app:s3cr3t@db.internal:5432/x')).toBe(
      'connect to postgres://app:[REDACTED:url-password]@db.internal:5432/x',
    );
    expect(redactSecrets('set password: "correct horse" and api_key=abc123, then retry')).toBe(
      'set password: [REDACTED:secret] and api_key=[REDACTED:secret], then retry',
    );
    expect(redactSecrets('key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\nabc\n-----END RSA PRIVATE KEY-----\nthanks')).toBe(
      'key:\n[REDACTED:private-key]\nthanks',
    );
  });

  it('leaves ordinary queries alone', () => {
    for (const q of [
      'run pytest with -k test_token_parser',
      'why is the password reset page slow?',
      'fix eslint errors in src/auth/token.ts',
      'https://github.com/org/repo/pull/12 needs a review',
    ]) {
      expect(redactSecrets(q)).toBe(q);
    }
  });
});
