import { describe, expect, it } from 'vitest';
import { normaliseQuery, queryHash } from './query-text.js';

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

describe('queryHash', () => {
  it('is 16 bytes, equal for equal texts and different for different ones', () => {
    expect(queryHash('fix the build')).toHaveLength(16);
    expect(queryHash('fix the build')).toEqual(queryHash('fix the build'));
    expect(queryHash('fix the build')).not.toEqual(queryHash('fix the builds'));
  });
});
