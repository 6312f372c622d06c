/** Ranking quality over a set of queries. */
export interface RankingMetrics {
  /** Queries evaluated. */
  readonly queries: number;
  /** Share whose expected skill came first. */
  readonly hitAt1: number;
  /** Share whose expected skill was among the first five. */
  readonly hitAt5: number;
  /** Mean of 1/rank of the expected skill within the first five (0 when absent). */
  readonly mrrAt5: number;
}

/** Each query's Hit@1, Hit@5 and reciprocal rank, in the order added. */
export interface PerQuery {
  readonly hitAt1: Float64Array;
  readonly hitAt5: Float64Array;
  readonly mrrAt5: Float64Array;
}

/**
 * Accumulates Hit@1, Hit@5 and MRR@5 one query at a time.
 *
 * @example
 * const m = new RankingAccumulator();
 * m.add('b', ['a', 'b', 'c']);
 * m.result(); // { queries: 1, hitAt1: 0, hitAt5: 1, mrrAt5: 0.5 }
 */
export class RankingAccumulator {
  #queries = 0;
  #hit1 = 0;
  #hit5 = 0;
  #rr = 0;
  readonly #perQuery: { hitAt1: number[]; hitAt5: number[]; mrrAt5: number[] } = { hitAt1: [], hitAt5: [], mrrAt5: [] };

  add(expected: string, ranked: readonly string[]): void {
    this.#queries++;
    const rank = ranked.slice(0, 5).indexOf(expected);
    this.#perQuery.hitAt1.push(rank === 0 ? 1 : 0);
    this.#perQuery.hitAt5.push(rank >= 0 ? 1 : 0);
    this.#perQuery.mrrAt5.push(rank >= 0 ? 1 / (rank + 1) : 0);
    if (rank < 0) return;
    if (rank === 0) this.#hit1++;
    this.#hit5++;
    this.#rr += 1 / (rank + 1);
  }

  /** Each query's Hit@1, Hit@5 and reciprocal rank, in the order added (for bootstrap intervals). */
  perQuery(): PerQuery {
    const q = this.#perQuery;
    return { hitAt1: Float64Array.from(q.hitAt1), hitAt5: Float64Array.from(q.hitAt5), mrrAt5: Float64Array.from(q.mrrAt5) };
  }

  result(): RankingMetrics {
    const n = this.#queries || 1;
    return { queries: this.#queries, hitAt1: this.#hit1 / n, hitAt5: this.#hit5 / n, mrrAt5: this.#rr / n };
  }
}
