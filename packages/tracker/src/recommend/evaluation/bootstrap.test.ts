import { describe, expect, it } from 'vitest';
import { bootstrapIntervals } from './bootstrap.js';

describe('bootstrapIntervals', () => {
  const hits = Float64Array.from({ length: 400 }, (_, i) => (i % 5 === 0 ? 0 : 1)); // mean 0.8

  it('brackets the mean, narrows with more queries, and repeats itself (seeded)', () => {
    const { hit } = bootstrapIntervals({ hit: hits });
    expect(hit.low).toBeLessThan(0.8);
    expect(hit.high).toBeGreaterThan(0.8);
    // Binomial standard error at n = 400: 0.02, so the interval spans about ±0.04.
    expect(hit.high - hit.low).toBeGreaterThan(0.05);
    expect(hit.high - hit.low).toBeLessThan(0.11);
    expect(bootstrapIntervals({ hit: hits })).toEqual({ hit });
    const more = Float64Array.from({ length: 4000 }, (_, i) => (i % 5 === 0 ? 0 : 1));
    const wide = hit.high - hit.low;
    const narrow = bootstrapIntervals({ hit: more }).hit;
    expect(narrow.high - narrow.low).toBeLessThan(wide / 2);
  });

  it('gives a paired difference a narrower interval than the two unpaired intervals suggest', () => {
    // b equals a except on 8 queries out of 400 where it is right and a is wrong: +0.02.
    const a = Float64Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? 0 : 1));
    const b = a.map((x, i) => (i % 3 === 0 && i < 24 ? 1 : x));
    const r = bootstrapIntervals({ a, b, diff: b.map((x, i) => x - a[i]!) });
    expect(r.diff.low).toBeGreaterThan(0);
    // Unpaired, the two intervals overlap: no difference could be claimed from them.
    expect(r.a.high).toBeGreaterThan(r.b.low);
  });

  it('rejects series of different lengths', () => {
    expect(() => bootstrapIntervals({ a: new Float64Array(3), b: new Float64Array(4) })).toThrow(/series b has 4 values, not 3/);
  });
});
