// Issue 17's one-shot rows: each ranker's fresh-process answer beside a bare Node start of the same
// run, against 300 ms, and its peak memory above that start, against 50 MiB.
import { describe, expect, it } from 'vitest';
import { checkTargets, type BenchResults } from './report.js';

const MiB = 1024 * 1024;

function results(oneShot: unknown): BenchResults {
  return {
    recommend: { sizes: [{ invocations: 100_000, distinctQueries: 12_367, embedders: [], oneShot }] },
  } as unknown as BenchResults;
}

describe('one-shot recommendation rows', () => {
  it('put each ranker beside the bare start and judge time and memory by their targets', () => {
    const targets = checkTargets(
      results({
        bareNode: { millis: 70, peakRssBytes: 45 * MiB },
        rankers: { similarity: { millis: 250, peakRssBytes: 80 * MiB }, learned: { millis: 1_600, peakRssBytes: 300 * MiB } },
      }),
    );
    const row = (id: string) => targets.find((t) => t.id === id);
    expect(row('one-shot-similarity')).toMatchObject({ measured: 250, met: true, limit: { measured: 70 }, vsLimit: 250 / 70 });
    expect(row('one-shot-learned')).toMatchObject({ measured: 1_600, met: false });
    expect(row('one-shot-memory-similarity')).toMatchObject({ measured: 35, unit: 'MiB', met: true });
    expect(row('one-shot-memory-learned')).toMatchObject({ measured: 255, met: false });
  });

  it('are absent when the run measured no one-shot (sizes below 100k)', () => {
    expect(checkTargets(results(undefined)).filter((t) => t.id.startsWith('one-shot'))).toEqual([]);
  });
});
