import { describe, expect, it } from 'vitest';
import { percentile } from './percentile.js';

describe('percentile (nearest rank)', () => {
  it('is the value at rank ceil(p × n) of the ascending values', () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(values, 0.5)).toBe(10);
    expect(percentile(values, 0.95)).toBe(19);
    expect(percentile(values, 0.99)).toBe(20);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3], 0.5)).toBe(2);
    expect(percentile(Float64Array.of(0.5, 2.5, 7), 0.95)).toBe(7);
  });

  it('gives the smallest value at 0, the largest at 1, and the only one of one', () => {
    expect(percentile([3, 5, 8], 0)).toBe(3);
    expect(percentile([3, 5, 8], 1)).toBe(8);
    expect(percentile([7], 0.5)).toBe(7);
  });

  it('is always one of the values, with at least the share p at or below it and less than p below it', () => {
    const random = (() => {
      let x = 7;
      return () => (x = (x * 48_271) % 2_147_483_647) / 2_147_483_647;
    })();
    for (let run = 0; run < 200; run++) {
      const sorted = Float64Array.from({ length: 1 + Math.floor(random() * 50) }, () => Math.floor(random() * 20)).sort();
      const p = random();
      const value = percentile(sorted, p)!;
      expect(sorted).toContain(value);
      expect(sorted.filter((v) => v <= value).length).toBeGreaterThanOrEqual(p * sorted.length);
      expect(sorted.filter((v) => v < value).length).toBeLessThan(Math.max(1, p * sorted.length));
    }
  });

  it('is null for no values', () => {
    expect(percentile([], 0.5)).toBeNull();
  });

  it('refuses a p outside 0..1, naming the rule (95 is not 0.95)', () => {
    expect(() => percentile([1, 2], 95)).toThrow(new RangeError('percentile: p must be a share from 0 to 1 (0.95 for p95), got 95'));
    expect(() => percentile([1, 2], -0.1)).toThrow(RangeError);
    expect(() => percentile([1, 2], Number.NaN)).toThrow(RangeError);
  });
});
