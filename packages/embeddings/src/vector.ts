import { SkillsError } from '@skills/protocol';
import { IntMap } from './index/int-map.js';

/**
 * A dense vector: every dimension stored.
 *
 * @example
 * const v: DenseVector = { kind: 'dense', values: new Float32Array([0.6, 0.8]) };
 */
export interface DenseVector {
  readonly kind: 'dense';
  readonly values: Float32Array;
}

/**
 * A sparse vector: only the non-zero dimensions, `indices` strictly ascending and
 * `values[i]` the value at `indices[i]`.
 *
 * @example
 * const v: SparseVector = { kind: 'sparse', indices: new Uint32Array([3, 17]), values: new Float32Array([0.6, 0.8]) };
 */
export interface SparseVector {
  readonly kind: 'sparse';
  readonly indices: Uint32Array;
  readonly values: Float32Array;
}

/**
 * What an {@link Embedder} returns for one text.
 *
 * @example
 * function size(v: Vector): number {
 *   return v.kind === 'dense' ? v.values.length : v.indices.length;
 * }
 */
export type Vector = DenseVector | SparseVector;

/**
 * Which representation an embedder produces.
 *
 * @example
 * const kind: VectorKind = embedder.kind; // 'dense' | 'sparse'
 */
export type VectorKind = Vector['kind'];

/**
 * A stored vector that cannot be read: truncated, an unknown format, or inconsistent.
 *
 * @example
 * try { decodeVector(bytes); } catch (e) { if (e instanceof VectorFormatError) console.warn(e.message); }
 */
export class VectorFormatError extends SkillsError {
  constructor(message: string) {
    super('VECTOR_FORMAT', message);
  }
}

/**
 * Makes a dense vector from numbers (copied).
 *
 * @example
 * const v = denseVector([3, 4]); // not normalised: see normalize()
 */
export function denseVector(values: ArrayLike<number>): DenseVector {
  return { kind: 'dense', values: Float32Array.from(values) };
}

/**
 * Makes a sparse vector from `[index, value]` pairs in any order; repeated indices are summed
 * and zeros dropped.
 *
 * @example
 * const v = sparseVector([[17, 0.8], [3, 0.6]]); // indices [3, 17]
 */
export function sparseVector(entries: Iterable<readonly [number, number]>): SparseVector {
  const sums = new Map<number, number>();
  for (const [i, v] of entries) {
    if (!Number.isInteger(i) || i < 0 || i > 0xffffffff) throw new RangeError(`bad sparse index ${i}`);
    sums.set(i, (sums.get(i) ?? 0) + v);
  }
  const all = new Uint32Array(sums.size);
  let n = 0;
  for (const [i, v] of sums) if (v !== 0) all[n++] = i;
  const indices = all.subarray(0, n).sort();
  const values = new Float32Array(n);
  for (let j = 0; j < n; j++) values[j] = sums.get(indices[j]!)!;
  return { kind: 'sparse', indices: n === all.length ? indices : indices.slice(), values };
}

/**
 * The Euclidean (L2) norm.
 *
 * @example
 * norm(denseVector([3, 4])); // 5
 */
export function norm(v: Vector): number {
  let s = 0;
  for (const x of v.values) s += x * x;
  return Math.sqrt(s);
}

/**
 * The vector scaled to unit length (a zero vector is returned unchanged).
 *
 * @example
 * normalize(denseVector([3, 4])).values; // Float32Array [0.6, 0.8]
 */
export function normalize<V extends Vector>(v: V): V {
  const n = norm(v);
  if (n === 0 || n === 1) return v;
  const values = v.values.map((x) => x / n);
  return (v.kind === 'dense' ? { kind: 'dense', values } : { kind: 'sparse', indices: v.indices, values }) as V;
}

/**
 * Dot product of two vectors of the same kind (cosine similarity when both are unit length).
 *
 * @example
 * dot(denseVector([0.6, 0.8]), denseVector([1, 0])); // 0.6
 */
export function dot(a: Vector, b: Vector): number {
  if (a.kind === 'dense' && b.kind === 'dense') {
    if (a.values.length !== b.values.length) throw new RangeError('dense vectors of different dimensions');
    let s = 0;
    for (let i = 0; i < a.values.length; i++) s += a.values[i]! * b.values[i]!;
    return s;
  }
  if (a.kind === 'sparse' && b.kind === 'sparse') {
    let s = 0;
    let i = 0;
    let j = 0;
    while (i < a.indices.length && j < b.indices.length) {
      const x = a.indices[i]!;
      const y = b.indices[j]!;
      if (x === y) s += a.values[i++]! * b.values[j++]!;
      else if (x < y) i++;
      else j++;
    }
    return s;
  }
  throw new TypeError('cannot compare a dense and a sparse vector');
}

// Stored layout (little-endian): byte 0 format tag, bytes 1-3 zero, then uint32 count, then data.
//  tag 1 dense:  count = dimensions, then count float32 values.
//  tag 2 sparse: count = non-zeros, then count uint32 indices, then count float32 values.
const DENSE_TAG = 1;
const SPARSE_TAG = 2;
const HEADER = 8;

/**
 * Serialises a vector for storage as a BLOB (see {@link decodeVector}). Lossless.
 *
 * @example
 * const bytes = encodeVector(v);
 * await store.putEmbeddings(embedder.id, new Map([[queryId, bytes]]));
 */
export function encodeVector(v: Vector): Uint8Array {
  const count = v.kind === 'dense' ? v.values.length : v.indices.length;
  const bytes = new Uint8Array(HEADER + count * (v.kind === 'dense' ? 4 : 8));
  const view = new DataView(bytes.buffer);
  view.setUint8(0, v.kind === 'dense' ? DENSE_TAG : SPARSE_TAG);
  view.setUint32(4, count, true);
  let at = HEADER;
  if (v.kind === 'sparse') {
    for (const i of v.indices) {
      view.setUint32(at, i, true);
      at += 4;
    }
  }
  for (const x of v.values) {
    view.setFloat32(at, x, true);
    at += 4;
  }
  return bytes;
}

/**
 * Reads back a vector written by {@link encodeVector}; throws {@link VectorFormatError} on
 * anything else. A sparse vector may share memory with `bytes`: do not change them afterwards.
 *
 * @example
 * for (const [id, bytes] of await store.getEmbeddings(embedder.id)) index.add(id, decodeVector(bytes));
 */
export function decodeVector(bytes: Uint8Array): Vector {
  if (bytes.byteLength < HEADER) throw new VectorFormatError(`stored vector too short (${bytes.byteLength} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = view.getUint8(0);
  const count = view.getUint32(4, true);
  const width = tag === DENSE_TAG ? 4 : tag === SPARSE_TAG ? 8 : 0;
  if (width === 0) throw new VectorFormatError(`unknown stored vector format ${tag}`);
  if (bytes.byteLength !== HEADER + count * width) {
    throw new VectorFormatError(`stored vector has ${bytes.byteLength} bytes, expected ${HEADER + count * width}`);
  }
  let at = HEADER;
  if (tag === DENSE_TAG) {
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++, at += 4) values[i] = view.getFloat32(at, true);
    return { kind: 'dense', values };
  }
  let indices: Uint32Array;
  let values: Float32Array;
  if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) {
    // Views, not copies: loading a million stored vectors then allocates nothing per vector.
    indices = new Uint32Array(bytes.buffer, bytes.byteOffset + HEADER, count);
    values = new Float32Array(bytes.buffer, bytes.byteOffset + HEADER + count * 4, count);
  } else {
    indices = new Uint32Array(count);
    values = new Float32Array(count);
    for (let i = 0; i < count; i++, at += 4) indices[i] = view.getUint32(at, true);
    for (let i = 0; i < count; i++, at += 4) values[i] = view.getFloat32(at, true);
  }
  for (let i = 1; i < count; i++) {
    if (indices[i]! <= indices[i - 1]!) throw new VectorFormatError('stored sparse vector indices are not ascending');
  }
  return { kind: 'sparse', indices, values };
}

/** Typed arrays use the platform's byte order; stored vectors are little-endian. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * The weighted sum `Σ weight · vector` of vectors of one kind (dense ones of one size), e.g. a
 * centroid. Empty input gives null.
 *
 * @example
 * weightedSum([[sparseVector([[1, 1]]), 2], [sparseVector([[1, 1], [4, 1]]), 1]]); // indices [1, 4], values [3, 1]
 */
export function weightedSum(terms: Iterable<readonly [Vector, number]>): Vector | null {
  let dense: Float64Array | undefined;
  let positions: IntMap | undefined;
  const features: number[] = [];
  let sums: number[] = [];
  for (const [v, weight] of terms) {
    if (v.kind === 'dense') {
      if (positions) throw new TypeError('cannot sum dense and sparse vectors');
      dense ??= new Float64Array(v.values.length);
      if (v.values.length !== dense.length) throw new RangeError('dense vectors of different dimensions');
      for (let i = 0; i < dense.length; i++) dense[i] = dense[i]! + weight * v.values[i]!;
      continue;
    }
    if (dense) throw new TypeError('cannot sum dense and sparse vectors');
    positions ??= new IntMap(256);
    for (let j = 0; j < v.indices.length; j++) {
      const f = v.indices[j]!;
      let at = positions.get(f);
      if (at < 0) {
        at = features.length;
        positions.set(f, at);
        features.push(f);
        sums.push(0);
      }
      sums[at] = sums[at]! + weight * v.values[j]!;
    }
  }
  if (dense) return { kind: 'dense', values: Float32Array.from(dense) };
  if (!positions) return null;
  const order = Uint32Array.from(features).sort();
  const values = new Float32Array(order.length);
  for (let j = 0; j < order.length; j++) values[j] = sums[positions.get(order[j]!)]!;
  sums = [];
  // Zeros (cancelled terms) are dropped, as sparseVector does.
  let n = 0;
  for (let j = 0; j < order.length; j++) {
    if (values[j] !== 0) {
      order[n] = order[j]!;
      values[n++] = values[j]!;
    }
  }
  return { kind: 'sparse', indices: order.slice(0, n), values: values.slice(0, n) };
}
