import { describe, expect, it } from 'vitest';
import { RankingAccumulator } from './metrics.js';

describe('RankingAccumulator', () => {
  it('computes Hit@1, Hit@5 and MRR@5', () => {
    const m = new RankingAccumulator();
    m.add('a', ['a', 'b']); // rank 1
    m.add('b', ['a', 'b', 'c']); // rank 2
    m.add('e', ['a', 'b', 'c', 'd', 'e']); // rank 5
    m.add('f', ['a', 'b', 'c', 'd', 'e', 'f']); // rank 6: outside the first five
    m.add('z', []); // no recommendation at all
    const r = m.result();
    expect(r.queries).toBe(5);
    expect(r.hitAt1).toBeCloseTo(1 / 5, 12);
    expect(r.hitAt5).toBeCloseTo(3 / 5, 12);
    expect(r.mrrAt5).toBeCloseTo((1 + 1 / 2 + 1 / 5) / 5, 12);
    // Per query, in order, for bootstrap intervals: their means are the metrics above.
    const q = m.perQuery();
    expect([...q.hitAt1]).toEqual([1, 0, 0, 0, 0]);
    expect([...q.hitAt5]).toEqual([1, 1, 1, 0, 0]);
    expect([...q.mrrAt5]).toEqual([1, 0.5, 0.2, 0, 0]);
  });

  it('reports zeros, not NaN, with no queries', () => {
    expect(new RankingAccumulator().result()).toEqual({ queries: 0, hitAt1: 0, hitAt5: 0, mrrAt5: 0 });
  });
});
