import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '@skills/protocol';
import { describe, expect, it } from 'vitest';
import { METATOOL_DIR, metaToolSource, workloadSource, zipfSource } from './query-sources.js';

describe('the workload query text', () => {
  it('is generated, deterministically, from a Zipf vocabulary when the MetaTool data is absent', () => {
    expect(metaToolSource('/nonexistent/metatool')).toBeNull();
    const a = zipfSource();
    const b = zipfSource();
    const queries = (source: typeof a) => {
      const rand = seededRandom(3);
      return Array.from({ length: 2000 }, (_, n) => source.query(n, rand));
    };
    const first = queries(a);
    expect(queries(b)).toEqual(first);
    // Thousands of distinct words, the most common far more frequent than the median one.
    const counts = new Map<string, number>();
    for (const q of first) for (const w of q.text.split(' ')) counts.set(w, (counts.get(w) ?? 0) + 1);
    expect(counts.size).toBeGreaterThan(2000);
    const sorted = [...counts.values()].sort((x, y) => y - x);
    expect(sorted[0]!).toBeGreaterThan(20 * sorted[Math.floor(sorted.length / 2)]!);
    expect(new Set(first.map((q) => q.skill)).size).toBe(a.skills.length);
    // Queries never stored are not among the history's.
    const history = new Set(first.map((q) => q.text));
    expect(a.freshQueries(50, 1).filter((q) => history.has(q))).toEqual([]);
  });

  it("cycles MetaTool's history when it is on this machine, and says so when it is not", () => {
    const { source, missing } = workloadSource();
    if (!existsSync(join(METATOOL_DIR, 'history.csv'))) {
      expect(source.name).toBe('zipf');
      expect(missing).toContain('the MetaTool data is not on this machine');
      return;
    }
    expect(missing).toBeNull();
    expect(source.name).toBe('metatool');
    const rows = Number(/MetaTool's history \(([\d,]+) queries/.exec(source.description)![1]!.replace(/,/g, ''));
    const rand = seededRandom(1);
    expect(source.query(rows, rand)).toEqual(source.query(0, rand));
    expect(source.distinct(3 * rows)).toBe(rows);
    expect(source.skills[source.query(0, rand).skill]).toBeTruthy();
    expect(source.freshQueries(3, 1)).toHaveLength(3);
  });
});
