import { describe, expect, it } from 'vitest';
import { normaliseQuery } from './query-key.js';

describe('normaliseQuery', () => {
  it('trims and collapses every run of whitespace to one space', () => {
    expect(normaliseQuery('  fix\n the \t  build  ')).toBe('fix the build');
    expect(normaliseQuery('already normal')).toBe('already normal');
  });

  it('treats an empty or blank text as no query', () => {
    expect(normaliseQuery('')).toBeNull();
    expect(normaliseQuery(' \n\t ')).toBeNull();
    expect(normaliseQuery(null)).toBeNull();
  });
});
