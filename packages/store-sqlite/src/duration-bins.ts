import { sql, type RawBuilder } from 'kysely';

/**
 * The bins of the `duration_stats` rollup (migration 7): a completed invocation's duration, in
 * whole microseconds ({@link durationMicros}), counted in a log-linear bin. Below
 * {@link EXACT_MICROS} each microsecond is a bin of its own (0 included); above, each power of two
 * is split into {@link EXACT_MICROS} equal bins, so a bin is at most 1/64 of its lower bound
 * wide. The same arithmetic exists in JavaScript ({@link durationBin}, used by the writer) and in
 * SQL ({@link durationBinSql}, used by prune and the migration): integers and powers of two only,
 * so both agree on every value.
 */
export const BIN_BITS = 6;
/** Durations under this many microseconds have a bin each. */
export const EXACT_MICROS = 2 ** BIN_BITS;

/** floor(log2(micros)) for micros ≥ 1, exact: Math.log2 may be one ulp off near a power of two. */
function exponentOf(micros: number): number {
  const e = Math.floor(Math.log2(micros));
  if (2 ** e > micros) return e - 1;
  return 2 ** (e + 1) <= micros ? e + 1 : e;
}

/** The bin of a duration of `micros` whole microseconds (a non-negative integer). */
export function durationBin(micros: number): number {
  if (micros < EXACT_MICROS) return micros;
  const shift = exponentOf(micros) - BIN_BITS;
  // Division by a power of two is exact in doubles: the floor is the integer shift.
  return shift * EXACT_MICROS + Math.floor(micros / 2 ** shift);
}

/** The middle of a bin, in seconds: the value a percentile falling in it reads. */
export function binMiddleSeconds(bin: number): number {
  if (bin < EXACT_MICROS) return bin / 1_000_000;
  const shift = Math.floor(bin / EXACT_MICROS) - 1;
  const width = 2 ** shift;
  const low = (bin - shift * EXACT_MICROS) * width;
  return (low + (width - 1) / 2) / 1_000_000;
}

/** {@link durationBin} in SQL of an integer expression `micros`, which it repeats. */
export function durationBinSql(micros: RawBuilder<number>): RawBuilder<number> {
  const log = sql`cast(log2(${micros}) as integer)`;
  const exponent = sql`(${log} - ((1 << ${log}) > ${micros}) + ((1 << (${log} + 1)) <= ${micros}))`;
  const shift = sql`(${exponent} - ${sql.lit(BIN_BITS)})`;
  return sql<number>`(case when ${micros} < ${sql.lit(EXACT_MICROS)} then ${micros} else ${shift} * ${sql.lit(EXACT_MICROS)} + (${micros} >> ${shift}) end)`;
}

/** How many completed invocations' durations fell in one bin. */
export interface BinCount {
  readonly bin: number;
  readonly count: number;
}

/**
 * The nearest-rank percentile (see `percentile` in @skills/protocol) of the durations counted in
 * `bins` (ascending by bin), as the middle of the bin holding that rank; null for no durations.
 * Within `APPROXIMATE_PERCENTILE_ERROR` of the exact one: the rank's duration lies in that bin,
 * at most half its width (1/128 of its lower bound) from the middle, plus the rounding to whole
 * microseconds (0.5 µs).
 */
export function binnedPercentile(bins: readonly BinCount[], p: number): number | null {
  const total = bins.reduce((n, b) => n + b.count, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  // Found: the counts add up to total ≥ rank.
  const hit = bins.find((b) => (seen += b.count) >= rank)!;
  return binMiddleSeconds(hit.bin);
}
