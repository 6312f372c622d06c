import type { Vector, VectorKind } from '../vector.js';

/**
 * One search result: the id a vector was added under and its cosine similarity to the query.
 *
 * @example
 * const [best]: Neighbor[] = index.search(query, 1);
 */
export interface Neighbor {
  readonly id: number;
  readonly similarity: number;
}

/**
 * Exact top-k cosine search over vectors kept in memory, updated incrementally.
 * Results are the `k` most similar vectors with similarity above zero, most similar first,
 * ties broken by smaller id; they equal a brute-force scan ({@link bruteForceSearch}).
 *
 * @example
 * const index = createIndex(embedder.kind);
 * index.add(1, (await embedder.embed(['run the unit tests']))[0]!);
 * index.search((await embedder.embed(['unit tests']))[0]!, 5); // [{ id: 1, similarity: ... }]
 */
export interface VectorIndex {
  readonly kind: VectorKind;
  /** How many vectors are indexed. */
  readonly size: number;
  has(id: number): boolean;
  /** Adds a vector under `id` (an integer), replacing any vector already there. */
  add(id: number, vector: Vector): void;
  /** Adds each vector as {@link add} does; faster than one call each when loading many at once. */
  addMany(entries: readonly (readonly [id: number, vector: Vector])[]): void;
  /**
   * The sum of the vectors stored under the given ids, each times its weight (ids not stored
   * are skipped), or null when none is stored: what {@link weightedSum} gives for those vectors.
   */
  weightedSum(members: Iterable<readonly [id: number, weight: number]>): Vector | null;
  /** Removes the vector under `id`; false when there was none. */
  delete(id: number): boolean;
  /** The `k` nearest vectors with similarity > 0, most similar first. */
  search(query: Vector, k: number): Neighbor[];
  /** Every indexed id. */
  ids(): IterableIterator<number>;
  /** A copy of the vector stored under `id`. */
  get(id: number): Vector | undefined;
}

/**
 * Keeps the best `k` (similarity, id) pairs seen: a min-heap whose root is the worst kept.
 * Better means higher similarity, then smaller id.
 *
 * @example
 * const top = new TopK(2);
 * top.offer(0.5, 1);
 * top.offer(0.9, 2);
 * top.offer(0.7, 3);
 * top.result(); // [{ id: 2, similarity: 0.9 }, { id: 3, similarity: 0.7 }]
 */
export class TopK {
  readonly #k: number;
  readonly #sims: number[] = [];
  readonly #ids: number[] = [];

  constructor(k: number) {
    this.#k = k;
  }

  /** True when (sim, id) ranks below (sim2, id2). */
  static #worse(sim: number, id: number, sim2: number, id2: number): boolean {
    return sim < sim2 || (sim === sim2 && id > id2);
  }

  /** Lowest similarity that could still enter, -Infinity while not full. */
  get threshold(): number {
    return this.#sims.length < this.#k ? -Infinity : this.#sims[0]!;
  }

  offer(similarity: number, id: number): void {
    const sims = this.#sims;
    const ids = this.#ids;
    if (this.#k <= 0) return;
    if (sims.length < this.#k) {
      let i = sims.length;
      sims.push(similarity);
      ids.push(id);
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!TopK.#worse(sims[i]!, ids[i]!, sims[p]!, ids[p]!)) break;
        [sims[i], sims[p]] = [sims[p]!, sims[i]!];
        [ids[i], ids[p]] = [ids[p]!, ids[i]!];
        i = p;
      }
      return;
    }
    if (!TopK.#worse(sims[0]!, ids[0]!, similarity, id)) return;
    sims[0] = similarity;
    ids[0] = id;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < sims.length && TopK.#worse(sims[l]!, ids[l]!, sims[m]!, ids[m]!)) m = l;
      if (r < sims.length && TopK.#worse(sims[r]!, ids[r]!, sims[m]!, ids[m]!)) m = r;
      if (m === i) break;
      [sims[i], sims[m]] = [sims[m]!, sims[i]!];
      [ids[i], ids[m]] = [ids[m]!, ids[i]!];
      i = m;
    }
  }

  /** The kept pairs, best first. */
  result(): Neighbor[] {
    const out = this.#sims.map((similarity, i) => ({ id: this.#ids[i]!, similarity }));
    return out.sort((a, b) => b.similarity - a.similarity || a.id - b.id);
  }
}

/** Throws unless `id` is a safe integer. */
export function checkId(id: number): void {
  if (!Number.isSafeInteger(id)) throw new RangeError(`vector ids must be integers, got ${id}`);
}
