import { LIMITS, TrackInvocationInputSchema } from '@skills/protocol';
import { describe, expect, it } from 'vitest';
import { cleanName, cleanQuery } from './clean.js';

describe('cleanName and cleanQuery', () => {
  it('trim, and give undefined for what holds no text or is not a string', () => {
    expect(cleanName('  search  ')).toBe('search');
    expect(cleanName(' \n ')).toBeUndefined();
    expect(cleanName(42)).toBeUndefined();
    expect(cleanQuery(undefined)).toBeUndefined();
  });

  it('cut to the limit without splitting a surrogate pair, and replace lone surrogates', () => {
    const emoji = '\u{1F600}'; // two UTF-16 code units
    const name = cleanName(`${'a'.repeat(LIMITS.nameLength - 1)}${emoji}`)!;
    expect(name).toBe('a'.repeat(LIMITS.nameLength - 1));
    expect(cleanName(`a\uD800b\uDC00c${emoji}`)).toBe(`a\uFFFDb\uFFFDc${emoji}`);
    expect(cleanQuery('q'.repeat(LIMITS.queryLength + 5))).toHaveLength(LIMITS.queryLength);
  });

  it('give what the store accepts for any string', () => {
    const samples = ['', ' x ', '\uDBFF', `${'\u{1F600}'.repeat(150)}`, `${'y '.repeat(LIMITS.queryLength)}`];
    for (const sample of samples) {
      const skillName = cleanName(sample) ?? 'fallback';
      const userQuery = cleanQuery(sample);
      expect(TrackInvocationInputSchema.safeParse({ skillName, userQuery }).success).toBe(true);
    }
  });
});
