import { describe, expect, it } from 'vitest';
import { cleanName, cleanQuery } from './clean.js';
import { lastUserQuery } from './messages.js';

describe('lastUserQuery', () => {
  it('takes the last user message with text, joining its text parts', () => {
    expect(
      lastUserQuery([
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'answer' },
        { role: 'user', content: [{ type: 'text', text: 'second' }, { type: 'image', image: new Uint8Array([1]) }, { type: 'text', text: 'question' }] },
        { role: 'user', content: [{ type: 'image', image: new Uint8Array([1]) }] },
        { role: 'tool', content: [] },
      ]),
    ).toBe('second\nquestion');
  });

  it('is undefined without a user message carrying text', () => {
    expect(lastUserQuery([{ role: 'assistant', content: 'hi' }])).toBeUndefined();
    expect(lastUserQuery([{ role: 'user', content: '   ' }])).toBeUndefined();
    expect(lastUserQuery(undefined)).toBeUndefined();
  });
});

describe('cleaning for the store', () => {
  it('replaces lone surrogates, trims, and cuts without splitting a surrogate pair', () => {
    expect(cleanName('  a\uDC00b  ')).toBe('a\uFFFDb');
    const emoji = '\u{1F600}';
    const name = `${'x'.repeat(199)}${emoji}`; // the pair straddles the 200-character limit
    expect(cleanName(name)).toBe('x'.repeat(199));
    expect(cleanQuery(`${emoji}${'y'.repeat(9000)}`)).toHaveLength(8000);
  });

  it('gives undefined for what is not a usable name or query', () => {
    expect(cleanName('   ')).toBeUndefined();
    expect(cleanName(42)).toBeUndefined();
    expect(cleanQuery('\n\t ')).toBeUndefined();
  });
});
