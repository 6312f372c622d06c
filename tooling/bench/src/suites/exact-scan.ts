import { createIndex, decodeVector, TopK, type Embedder, type Neighbor, type SparseVector, type Vector } from '@skills/embeddings';
import { percentiles, type Percentiles } from '../stats.js';

/** Nearest past queries a recommendation looks at (the recommender's `RANKING.neighbours`). */
export const NEIGHBOURS = 100;

export interface ScanResults {
  /** Vectors searched: the distinct queries' stored vectors. */
  readonly vectors: number;
  /** ms per search of the recommender's index (`createIndex` of the embedder) for the nearest {@link NEIGHBOURS}. */
  readonly indexMillis: Percentiles;
  /** ms per exact brute-force scan of the same vectors for the same neighbours: the limit. */
  readonly scanMillis: Percentiles;
  /** scan p50 / index p50. */
  readonly speedup: number;
  /** Queries whose neighbours had the same similarities, rank by rank, both ways, of those timed. */
  readonly sameNeighbours: number;
  readonly queries: number;
}

/**
 * The exact scan the index must beat: every vector IDF-weighted and normalised once (as the
 * index weighs them, document frequencies from the same vectors), held in flat typed arrays;
 * a query is weighed likewise and put in a small open-addressing table (it stays in the CPU's
 * cache, unlike a dense array of the embedder's dimensions), and every vector's dot product with
 * it taken. O(total non-zero features) per query, no index.
 */
class FlatScan {
  readonly #ids: Int32Array;
  readonly #offsets: Uint32Array;
  readonly #features: Uint32Array;
  readonly #values: Float32Array;
  readonly #df: Uint32Array;
  readonly #n: number;

  constructor(vectors: ReadonlyArray<readonly [number, SparseVector]>, dimensions: number) {
    // Document frequencies by feature; the features are below the embedder's dimensions.
    const n = vectors.length;
    this.#n = n;
    let total = 0;
    this.#df = new Uint32Array(dimensions);
    for (const [, v] of vectors) {
      total += v.indices.length;
      for (const f of v.indices) this.#df[f]!++;
    }
    this.#ids = new Int32Array(n);
    this.#offsets = new Uint32Array(n + 1);
    this.#features = new Uint32Array(total);
    this.#values = new Float32Array(total);
    let o = 0;
    vectors.forEach(([id, v], k) => {
      this.#ids[k] = id;
      const start = o;
      let norm = 0;
      for (let j = 0; j < v.indices.length; j++) {
        const w = v.values[j]! * this.#idf(v.indices[j]!);
        this.#features[o] = v.indices[j]!;
        this.#values[o++] = w;
        norm += w * w;
      }
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let j = start; j < o; j++) this.#values[j]! *= scale;
      this.#offsets[k + 1] = o;
    });
  }

  #idf(feature: number): number {
    return 1 + Math.log((this.#n + 1) / (this.#df[feature]! + 1));
  }

  search(query: SparseVector, k: number): Neighbor[] {
    // The query's features in a table of at least 4x their count, keys stored + 1 (0 = empty).
    const bits = Math.max(4, Math.ceil(Math.log2(query.indices.length * 4 + 1)));
    const mask = (1 << bits) - 1;
    const keys = new Int32Array(mask + 1);
    const weights = new Float64Array(mask + 1);
    let norm = 0;
    for (let j = 0; j < query.indices.length; j++) {
      const f = query.indices[j]!;
      const w = query.values[j]! * this.#idf(f);
      let h = Math.imul(f, 0x9e3779b1) >>> (32 - bits);
      while (keys[h] !== 0 && keys[h] !== f + 1) h = (h + 1) & mask;
      keys[h] = f + 1;
      weights[h] = w;
      norm += w * w;
    }
    const top = new TopK(k);
    if (norm === 0) return [];
    const scale = 1 / Math.sqrt(norm);
    const features = this.#features;
    const values = this.#values;
    const offsets = this.#offsets;
    const shift = 32 - bits;
    for (let d = 0; d < this.#n; d++) {
      let dot = 0;
      for (let j = offsets[d]!; j < offsets[d + 1]!; j++) {
        const key = features[j]! + 1;
        let h = Math.imul(key - 1, 0x9e3779b1) >>> shift;
        for (let probe = keys[h]!; probe !== 0; probe = keys[h]!) {
          if (probe === key) {
            dot += values[j]! * weights[h]!;
            break;
          }
          h = (h + 1) & mask;
        }
      }
      if (dot > 0) top.offer(dot * scale, this.#ids[d]!);
    }
    return top.result();
  }
}

/**
 * Times the recommender's index and the exact brute-force scan over this embedder's stored
 * vectors, the same queries each, and checks that they find the same neighbours.
 */
export async function indexVersusScan(stored: ReadonlyMap<number, Uint8Array>, embedder: Embedder, queries: readonly string[]): Promise<ScanResults> {
  const vectors: Array<[number, Vector]> = [...stored].map(([id, bytes]) => [id, decodeVector(bytes)]);
  if (embedder.kind !== 'sparse' || vectors.some(([, v]) => v.kind !== 'sparse')) throw new Error('the exact scan is written for sparse (lexical) vectors');
  const index = createIndex(embedder);
  index.addMany(vectors);
  const scan = new FlatScan(vectors as Array<[number, SparseVector]>, embedder.dimensions);
  const embedded = (await embedder.embed(queries)) as SparseVector[];
  // Warm both up (the index settles its weights on its first search).
  index.search(embedded[0]!, NEIGHBOURS);
  scan.search(embedded[0]!, NEIGHBOURS);
  const indexTimes: number[] = [];
  const scanTimes: number[] = [];
  let same = 0;
  for (const q of embedded) {
    let t0 = performance.now();
    const fromIndex = index.search(q, NEIGHBOURS);
    indexTimes.push(performance.now() - t0);
    t0 = performance.now();
    const fromScan = scan.search(q, NEIGHBOURS);
    scanTimes.push(performance.now() - t0);
    // Rank by rank the same similarity (ids may swap places between equal similarities).
    if (fromIndex.length === fromScan.length && fromIndex.every((n, i) => Math.abs(n.similarity - fromScan[i]!.similarity) < 1e-5)) same++;
  }
  const indexMillis = percentiles(indexTimes);
  const scanMillis = percentiles(scanTimes);
  return { vectors: vectors.length, indexMillis, scanMillis, speedup: scanMillis.p50 / indexMillis.p50, sameNeighbours: same, queries: embedded.length };
}
