import { describe, expect, it } from 'vitest';
import { seededRandom } from '@skills/protocol';
import { denseVector, sparseVector, weightedSum, type Vector } from '../vector.js';
import { bruteForceSearch } from './brute-force.js';
import { createIndex } from './create-index.js';
import { DenseIndex } from './dense-index.js';
import { SparseIndex, type TermWeighting } from './sparse-index.js';
import type { Neighbor, VectorIndex } from './vector-index.js';


function randomSparse(rand: () => number, vocabulary: number, maxTerms: number, signed: boolean): Vector {
  const entries: [number, number][] = [];
  const n = 1 + Math.floor(rand() * maxTerms);
  // Skewed term choice so some terms are common and others rare, as in text.
  for (let i = 0; i < n; i++) entries.push([Math.floor(vocabulary * rand() ** 2), signed ? rand() * 2 - 1 : rand()]);
  return sparseVector(entries);
}

function randomDense(rand: () => number, dims: number): Vector {
  return denseVector(Array.from({ length: dims }, () => rand() * 2 - 1));
}

/**
 * Same neighbours, same similarities. Summation order differs between an index and a scan, so
 * exact ties can differ in the last bit and come out in either order: ids may differ only there.
 */
function expectSame(actual: Neighbor[], expected: Neighbor[], digits = 9): void {
  const eps = 10 ** -digits;
  const near = (a: number, b: number) => Math.abs(a - b) < eps;
  expect(actual).toHaveLength(expected.length);
  actual.forEach((n, i) => {
    const e = expected[i]!;
    expect(n.similarity).toBeCloseTo(e.similarity, digits);
    if (n.id === e.id) return;
    const other = expected.find((x) => x.id === n.id);
    expect(near(other ? other.similarity : expected.at(-1)!.similarity, n.similarity)).toBe(true);
  });
}

describe.each<[string, () => VectorIndex, (r: () => number) => Vector, TermWeighting]>([
  ['sparse, idf', () => new SparseIndex({ weighting: 'idf' }), (r) => randomSparse(r, 400, 30, false), 'idf'],
  ['sparse, unweighted, signed', () => new SparseIndex(), (r) => randomSparse(r, 400, 30, true), 'none'],
  ['dense', () => new DenseIndex(24), (r) => randomDense(r, 24), 'none'],
])('%s index', (_name, make, vector, weighting) => {
  it('equals a brute-force scan on random data, while growing, after deletes and replacements', () => {
    const rand = seededRandom(7);
    const index = make();
    const all = new Map<number, Vector>();
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 150; i++) {
        const id = Math.floor(rand() * 900);
        const v = vector(rand);
        index.add(id, v);
        all.set(id, v);
      }
      for (let i = 0; i < 20; i++) {
        const id = Math.floor(rand() * 900);
        expect(index.delete(id)).toBe(all.delete(id));
      }
      expect(index.size).toBe(all.size);
      for (let q = 0; q < 25; q++) {
        const query = vector(rand);
        for (const k of [1, 10, 100]) expectSame(index.search(query, k), bruteForceSearch(all, query, k, weighting));
      }
    }
  });

  it('loads in bulk exactly as one by one, large batches (one build) and small ones alike, replacing ids it holds', () => {
    const rand = seededRandom(11);
    const index = make();
    const all = new Map<number, Vector>();
    // Batches of 3,000 and 6,000 vectors (up to 30 terms) exceed the block: built at once; 40 and 1 go one by one.
    for (const size of [3000, 40, 6000, 1]) {
      const batch = Array.from({ length: size }, () => [Math.floor(rand() * 4000), vector(rand)] as const);
      index.addMany(batch);
      for (const [id, v] of batch) all.set(id, v);
      expect(index.size).toBe(all.size);
      for (let q = 0; q < 10; q++) {
        const query = vector(rand);
        expectSame(index.search(query, 20), bruteForceSearch(all, query, 20, weighting));
      }
    }
  });

  it('sums stored vectors by id as weightedSum sums the vectors, skipping ids it does not hold', () => {
    const rand = seededRandom(5);
    const index = make();
    const vectors = Array.from({ length: 50 }, (_, id) => [id, vector(rand)] as const);
    index.addMany(vectors);
    const members = [...vectors.slice(3, 30).map(([id]) => [id, 1 + Math.floor(rand() * 5)] as const), [999, 2] as const];
    const expected = weightedSum(members.filter(([id]) => id < 50).map(([id, w]) => [vectors[id]![1], w] as const));
    expect(index.weightedSum(members)).toEqual(expected);
    expect(index.weightedSum([[999, 1]])).toBeNull();
  });

  it('returns stored vectors, ids, and nothing for an empty index or k = 0', () => {
    const rand = seededRandom(3);
    const index = make();
    const v = vector(rand);
    expect(index.search(v, 5)).toEqual([]);
    index.add(42, v);
    expect(index.has(42)).toBe(true);
    expect([...index.ids()]).toEqual([42]);
    expect(index.get(42)).toEqual(v.kind === 'dense' ? v : { ...v, values: Float32Array.from(v.values) });
    expect(index.search(v, 0)).toEqual([]);
    expect(index.search(v, 3)[0]!.id).toBe(42);
  });
});

describe('SparseIndex', () => {
  it('weighs a summary index by the terms of the corpus it summarises', () => {
    const rand = seededRandom(11);
    const corpus = new SparseIndex({ weighting: 'idf' });
    const all = new Map<number, Vector>();
    for (let i = 0; i < 300; i++) {
      const v = randomSparse(rand, 200, 20, false);
      corpus.add(i, v);
      all.set(i, v);
    }
    const summaries = new SparseIndex({ weighting: 'idf', weightsFrom: corpus });
    const sums = new Map<number, Vector>();
    for (let s = 0; s < 10; s++) {
      const v = randomSparse(rand, 200, 60, false);
      summaries.add(s, v);
      sums.set(s, v);
    }
    const check = () => {
      const query = randomSparse(rand, 200, 10, false);
      const weightOf = (f: number) => corpus.termWeight(f);
      const weigh = (v: Vector) =>
        sparseVector(Array.from(v.values, (x, j) => [v.kind === 'sparse' ? v.indices[j]! : j, x * weightOf(v.kind === 'sparse' ? v.indices[j]! : j)] as const));
      const expected = bruteForceSearch(new Map([...sums].map(([id, v]) => [id, weigh(v)])), weigh(query), 10);
      // The reference is built from float32 copies of the weighted values: equal to 6 digits.
      expectSame(summaries.search(query, 10), expected, 6);
    };
    check();
    // The corpus grows: the summaries' weights follow without being touched.
    for (let i = 300; i < 400; i++) corpus.add(i, randomSparse(rand, 200, 20, false));
    check();
  });

  it('keeps results exact through many replacements (compaction)', () => {
    const rand = seededRandom(5);
    const index = new SparseIndex({ weighting: 'idf' });
    const all = new Map<number, Vector>();
    for (let i = 0; i < 2000; i++) {
      const id = i % 10;
      const v = randomSparse(rand, 100, 20, false);
      index.add(id, v);
      all.set(id, v);
      if (i % 97 === 0) {
        const query = randomSparse(rand, 100, 10, false);
        expectSame(index.search(query, 5), bruteForceSearch(all, query, 5, 'idf'));
      }
    }
  });

  it('stays exact while it grows past several rebuilds of its compact block', () => {
    const rand = seededRandom(13);
    const index = new SparseIndex({ weighting: 'idf' });
    const all = new Map<number, Vector>();
    for (let i = 0; i < 6000; i++) {
      const v = randomSparse(rand, 3000, 24, false);
      index.add(i, v);
      all.set(i, v);
      if (i % 1500 === 1499) {
        for (let q = 0; q < 3; q++) {
          const query = randomSparse(rand, 3000, 12, false);
          expectSame(index.search(query, 20), bruteForceSearch(all, query, 20, 'idf'));
        }
      }
    }
  });

  it('sums stored vectors bit for bit as weightedSum does, over the whole feature range and with sums that cancel', () => {
    const rand = seededRandom(17);
    const index = new SparseIndex({ weighting: 'idf' });
    // Features from 0 to 2^32 - 1, few enough to collide often; values of both signs, some cancelling exactly.
    const features = Array.from({ length: 300 }, (_, i) => (i === 0 ? 0xffffffff : Math.floor(rand() * 2 ** 32)));
    const vectors = Array.from({ length: 400 }, (_, id) => {
      const entries = Array.from({ length: 1 + Math.floor(rand() * 40) }, () => [features[Math.floor(rand() * features.length)]!, rand() < 0.2 ? 0.5 : rand() * 2 - 1] as const);
      return [id, sparseVector(entries)] as const;
    });
    vectors.push([400, sparseVector([[features[0]!, -0.5]])], [401, sparseVector([[features[0]!, 0.5]])]);
    index.addMany(vectors);
    for (const members of [vectors.map(([id]) => [id, 1 + (id % 3)] as const), [[400, 1], [401, 1]] as const, [[401, 2], [7, 0.25], [400, 2]] as const,
      // A sum back to zero that moves again (the term is then met twice).
      [[400, 1], [401, 1], [400, 1]] as const]) {
      const expected = weightedSum(members.map(([id, w]) => [vectors[id]![1], w] as const));
      expect(index.weightedSum(members)).toEqual(expected);
    }
    expect(index.weightedSum([[400, 1], [401, 1]])).toEqual({ kind: 'sparse', indices: new Uint32Array(0), values: new Float32Array(0) });
  });

  it('stays exact while a few large vectors are replaced again and again, as centroids are', () => {
    const rand = seededRandom(19);
    const index = new SparseIndex({ weighting: 'idf' });
    const all = new Map<number, Vector>();
    for (let id = 0; id < 400; id++) all.set(id, randomSparse(rand, 20_000, 30, false));
    index.addMany([...all]);
    // Fewer dead slots than the live ones, but far more dead postings: the storage compacts anyway.
    for (let round = 0; round < 60; round++) {
      const id = 1000 + (round % 3);
      const big = randomSparse(rand, 20_000, 8000, false);
      index.add(id, big);
      all.set(id, big);
      const query = randomSparse(rand, 20_000, 40, false);
      expectSame(index.search(query, 10), bruteForceSearch(all, query, 10, 'idf'));
    }
    expect(index.get(1001)).toEqual(all.get(1001));
  });

  it('rejects dense vectors and non-integer ids', () => {
    const index = createIndex({ kind: 'sparse', dimensions: 10 });
    expect(() => index.add(1, denseVector([1]))).toThrow(TypeError);
    expect(() => index.add(1.5, sparseVector([[1, 1]]))).toThrow(RangeError);
  });
});

describe('DenseIndex', () => {
  it('rejects vectors of another size', () => {
    const index = createIndex({ kind: 'dense', dimensions: 3 });
    expect(index).toBeInstanceOf(DenseIndex);
    expect(() => index.add(1, denseVector([1, 2]))).toThrow(/3/);
  });
});
