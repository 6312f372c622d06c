import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { percentile } from '@skills/protocol';

/** Latency percentiles of one run, in the unit the samples were taken in. */
export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
  readonly samples: number;
}

/** p50/p95/p99 (nearest rank, NaN for no samples) and the mean of `samples` (sorted in place). */
export function percentiles(samples: Float64Array | number[]): Percentiles {
  const sorted = samples instanceof Float64Array ? samples.sort() : Float64Array.from(samples).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i]!;
  return {
    p50: percentile(sorted, 0.5) ?? Number.NaN,
    p95: percentile(sorted, 0.95) ?? Number.NaN,
    p99: percentile(sorted, 0.99) ?? Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    samples: sorted.length,
  };
}

/** The median of numbers. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median over repetitions of each percentile: what the report states, with every repetition kept. */
export interface RepeatedPercentiles extends Percentiles {
  readonly repetitions: readonly Percentiles[];
}

export function medianOfPercentiles(runs: readonly Percentiles[]): RepeatedPercentiles {
  return {
    p50: median(runs.map((r) => r.p50)),
    p95: median(runs.map((r) => r.p95)),
    p99: median(runs.map((r) => r.p99)),
    mean: median(runs.map((r) => r.mean)),
    samples: runs.reduce((n, r) => n + r.samples, 0),
    repetitions: runs,
  };
}

/** A rate measured in several repetitions: the median, and each. */
export interface RepeatedRate {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly repetitions: readonly number[];
}

/** Min, median and max of repeated measurements (rates, or times of a fresh process), each kept. */
export function repeatedRate(values: readonly number[]): RepeatedRate {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), repetitions: values };
}

/** Lets timers, I/O and the tracker's pending writes run, as a host's event loop would. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

let gc: (() => void) | undefined;

/** Runs a full garbage collection, so one run's garbage is not billed to the next. */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
