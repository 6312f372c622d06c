import fc from 'fast-check';
import { APPROXIMATE_PERCENTILE_ERROR, durationMicros, percentile } from '@skills/protocol';
import { at, finishedRecord } from '@skills/store-contract';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { Connection } from './connection.js';
import { binMiddleSeconds, binnedPercentile, durationBin, durationBinSql, type BinCount } from './duration-bins.js';
import { resolveFilter } from './filters.js';
import { openSqliteStore } from './index.js';
import { computeStats, percentilesOf } from './stats.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();

/** Whole microseconds up to 30 days (the longest duration a record may carry), and edges of the bins. */
const MAX_MICROS = 2_592_000 * 1_000_000;
const EDGE_MICROS = [0, ...Array.from({ length: 42 }, (_, i) => 2 ** (i + 1)).flatMap((p) => [p - 1, p, p + 1]), MAX_MICROS];

/** The bins of `durations` (s), ascending, as the rollup counts them. */
function binsOf(durations: readonly number[]): BinCount[] {
  const counts = new Map<number, number>();
  for (const d of durations) {
    const bin = durationBin(durationMicros(d));
    counts.set(bin, (counts.get(bin) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => a[0] - b[0]).map(([bin, count]) => ({ bin, count }));
}

function expectWithinBound(approx: number | null, exact: number | null): void {
  if (exact === null) return expect(approx).toBeNull();
  expect(Math.abs(approx! - exact)).toBeLessThanOrEqual(exact * APPROXIMATE_PERCENTILE_ERROR.relative + APPROXIMATE_PERCENTILE_ERROR.absoluteSeconds);
}

describe('duration bins', () => {
  it('are the same in JavaScript and in SQL, contiguous and ascending with the duration', () => {
    const conn = Connection.open(tmp.path('bins.db'), false);
    try {
      const inSql = (micros: number) =>
        conn.get<{ bin: number }>(sql<{ bin: number }>`select ${durationBinSql(sql<number>`cast(${micros} as integer)`)} as bin`.compile(conn.builder))!.bin;
      for (const m of EDGE_MICROS) expect(inSql(m), `${m} µs`).toBe(durationBin(m));
      fc.assert(fc.property(fc.integer({ min: 0, max: MAX_MICROS }), (m) => inSql(m) === durationBin(m)));
    } finally {
      conn.close();
    }
    // Every bin up to 2^12 µs in turn, each holding its middle.
    let bin = 0;
    for (let m = 0; m < 4096; m++) {
      const b = durationBin(m);
      expect(b === bin || b === bin + 1, `${m} µs`).toBe(true);
      bin = b;
    }
    // A bin's middle (whole or half microseconds) lies in it.
    for (const m of EDGE_MICROS) expect(durationBin(Math.floor(binMiddleSeconds(durationBin(m)) * 1e6 + 1e-3))).toBe(durationBin(m));
  });

  it('give percentiles within the stated error of the exact nearest-rank ones', () => {
    const exactly = (durations: readonly number[], p: number) => {
      expectWithinBound(binnedPercentile(binsOf(durations), p), percentile(Float64Array.from(durations).sort(), p));
    };
    // One value, all equal, 0, sub-microsecond, whole milliseconds, 30 days.
    for (const durations of [[], [1.5], [0, 0, 0], [0], [4e-7, 3e-7], [0.001, 0.002, 0.003], Array(7).fill(2.25), [2_592_000, 0, 2_592_000]]) {
      for (const p of [0, 0.5, 0.95, 1]) exactly(durations, p);
    }
    const duration = fc.oneof(
      fc.integer({ min: 0, max: 600_000 }).map((ms) => ms / 1000),
      fc.double({ min: 0, max: 2_592_000, noNaN: true }),
      fc.constantFrom(...EDGE_MICROS.map((m) => m / 1e6)),
    );
    fc.assert(
      fc.property(fc.array(duration, { minLength: 1, maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), (durations, p) => {
        exactly(durations, p);
        exactly(durations, 0.5);
        exactly(durations, 0.95);
      }),
      { numRuns: 300 },
    );
    // Not vacuous: a bin's middle is not the value itself.
    expect(binnedPercentile(binsOf([1.5]), 0.5)).not.toBe(1.5);
  });

  it('answer unfiltered per-skill statistics asked as approximate, per project or all, without reading the rows', async () => {
    const path = tmp.path('approximate.db');
    const store = await openSqliteStore({ path });
    const durations = Array.from({ length: 200 }, (_, i) => (i * 37) % 101 / 10 + 0.001 * i);
    await store.applyBatch({
      inserts: durations.map((d, i) =>
        finishedRecord(i, i % 7 === 0 ? 'failed' : 'completed', d, { skillName: i % 3 === 0 ? 'alpha' : 'beta', ...(i % 2 ? { project: 'other' } : {}) }),
      ),
    });
    await store.applyBatch({ inserts: [finishedRecord(500, 'completed', null, { skillName: 'gamma', invokedAt: at(500) })] });
    await store.close();
    const conn = Connection.open(path, true);
    try {
      for (const projectId of [null, 1, 2]) {
        const exact = computeStats(conn, resolveFilter(), projectId, false, true);
        const approximate = computeStats(conn, resolveFilter(), projectId, false, 'approximate');
        expect(approximate.map((s) => s.skillName)).toEqual(exact.map((s) => s.skillName));
        approximate.forEach((s, i) => {
          const { p50DurationSeconds, p95DurationSeconds, ...counts } = exact[i]!;
          expect(s).toMatchObject(counts);
          expectWithinBound(s.p50DurationSeconds, p50DurationSeconds);
          expectWithinBound(s.p95DurationSeconds, p95DurationSeconds);
        });
        // From the bins: some percentile differs from the exact one.
        expect(approximate).not.toEqual(exact);
      }
      // What the store's options ask of computeStats.
      expect([undefined, { approximatePercentiles: true }, { percentiles: false, approximatePercentiles: true }].map(percentilesOf)).toEqual([
        true,
        'approximate',
        false,
      ]);
      // Filtered, or per phase: exact.
      const filter = resolveFilter({ skillName: 'alpha' });
      expect(computeStats(conn, filter, null, false, 'approximate')).toEqual(computeStats(conn, filter, null, false, true));
      expect(computeStats(conn, resolveFilter(), null, true, 'approximate')).toEqual(computeStats(conn, resolveFilter(), null, true, true));
    } finally {
      conn.close();
    }
  });
});
