import type { Vector } from '../vector.js';
import type { TermWeighting } from './sparse-index.js';
import { TopK, type Neighbor } from './vector-index.js';

/** A vector as index -> value in double precision, after weighting. */
type Weighted = Map<number, number>;

/**
 * The reference the indexes must equal: scores every vector against the query. With `idf`
 * weighting (sparse vectors only), document frequencies come from `vectors` themselves.
 * O(total size) per query: for tests and checks, not for serving.
 *
 * @example
 * const expected = bruteForceSearch(allVectors, query, 10, 'idf');
 * expect(index.search(query, 10)).toEqual(expected);
 */
export function bruteForceSearch(
  vectors: ReadonlyMap<number, Vector>,
  query: Vector,
  k: number,
  weighting: TermWeighting = 'none',
): Neighbor[] {
  const df = new Map<number, number>();
  if (weighting === 'idf') {
    for (const v of vectors.values()) {
      if (v.kind !== 'sparse') throw new TypeError('idf weighting needs sparse vectors');
      for (const i of v.indices) df.set(i, (df.get(i) ?? 0) + 1);
    }
  }
  const n = vectors.size;
  const weigh = (v: Vector): Weighted => {
    const out: Weighted = new Map();
    v.values.forEach((x, j) => {
      const i = v.kind === 'dense' ? j : v.indices[j]!;
      const w = weighting === 'idf' ? 1 + Math.log((n + 1) / ((df.get(i) ?? 0) + 1)) : 1;
      if (x !== 0) out.set(i, x * w);
    });
    return out;
  };
  const dotW = (a: Weighted, b: Weighted) => {
    let s = 0;
    for (const [i, x] of a) s += x * (b.get(i) ?? 0);
    return s;
  };
  const q = weigh(query);
  const qn = Math.sqrt(dotW(q, q));
  const top = new TopK(k);
  if (qn === 0) return [];
  for (const [id, v] of vectors) {
    if (v.kind !== query.kind) throw new TypeError('query and vectors are of different kinds');
    const d = weigh(v);
    const dn = Math.sqrt(dotW(d, d));
    if (dn === 0) continue;
    const sim = dotW(q, d) / (qn * dn);
    if (sim > 0) top.offer(sim, id);
  }
  return top.result();
}
