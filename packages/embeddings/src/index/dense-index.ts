import type { DenseVector, Vector } from '../vector.js';
import { checkId, TopK, type Neighbor, type VectorIndex } from './vector-index.js';

/**
 * Exact cosine search over dense vectors: one flat typed array, scanned per query
 * (a few million multiply-adds for ten thousand 384-dimension vectors).
 *
 * @example
 * const index = new DenseIndex(384);
 * for (const [id, v] of stored) index.add(id, v);
 * const top = index.search(queryVector, 10);
 */
export class DenseIndex implements VectorIndex {
  readonly kind = 'dense' as const;
  readonly dimensions: number;
  #rows = new Float32Array(0);
  #norms = new Float64Array(0);
  #slotIds: number[] = [];
  readonly #slotOf = new Map<number, number>();

  constructor(dimensions: number) {
    if (!Number.isInteger(dimensions) || dimensions < 1) throw new RangeError('dimensions must be a positive integer');
    this.dimensions = dimensions;
  }

  get size(): number {
    return this.#slotOf.size;
  }

  has(id: number): boolean {
    return this.#slotOf.has(id);
  }

  *ids(): IterableIterator<number> {
    yield* this.#slotOf.keys();
  }

  get(id: number): DenseVector | undefined {
    const slot = this.#slotOf.get(id);
    if (slot === undefined) return undefined;
    return { kind: 'dense', values: this.#rows.slice(slot * this.dimensions, (slot + 1) * this.dimensions) };
  }

  add(id: number, vector: Vector): void {
    checkId(id);
    if (vector.kind !== 'dense') throw new TypeError('DenseIndex takes dense vectors');
    if (vector.values.length !== this.dimensions) {
      throw new RangeError(`vector has ${vector.values.length} dimensions, the index ${this.dimensions}`);
    }
    let slot = this.#slotOf.get(id);
    if (slot === undefined) {
      slot = this.#slotIds.length;
      this.#slotIds.push(id);
      this.#slotOf.set(id, slot);
      this.#grow(slot + 1);
    }
    this.#rows.set(vector.values, slot * this.dimensions);
    let s = 0;
    for (const x of vector.values) s += x * x;
    this.#norms[slot] = Math.sqrt(s);
  }

  addMany(entries: readonly (readonly [id: number, vector: Vector])[]): void {
    for (const [id, vector] of entries) this.add(id, vector);
  }

  weightedSum(members: Iterable<readonly [id: number, weight: number]>): DenseVector | null {
    const d = this.dimensions;
    const sum = new Float64Array(d);
    let any = false;
    for (const [id, weight] of members) {
      const slot = this.#slotOf.get(id);
      if (slot === undefined) continue;
      any = true;
      const base = slot * d;
      for (let i = 0; i < d; i++) sum[i] = sum[i]! + weight * this.#rows[base + i]!;
    }
    return any ? { kind: 'dense', values: Float32Array.from(sum) } : null;
  }

  delete(id: number): boolean {
    const slot = this.#slotOf.get(id);
    if (slot === undefined) return false;
    this.#slotOf.delete(id);
    this.#norms[slot] = 0;
    return true;
  }

  search(query: Vector, k: number): Neighbor[] {
    if (query.kind !== 'dense' || query.values.length !== this.dimensions) {
      throw new TypeError(`query must be a dense vector of ${this.dimensions} dimensions`);
    }
    const q = query.values;
    let qn = 0;
    for (const x of q) qn += x * x;
    qn = Math.sqrt(qn);
    const top = new TopK(k);
    if (qn === 0) return [];
    const d = this.dimensions;
    const rows = this.#rows;
    for (let slot = 0; slot < this.#slotIds.length; slot++) {
      const n = this.#norms[slot]!;
      if (n === 0) continue;
      let s = 0;
      const base = slot * d;
      for (let i = 0; i < d; i++) s += q[i]! * rows[base + i]!;
      const sim = s / (qn * n);
      if (sim > 0 && sim >= top.threshold) top.offer(sim, this.#slotIds[slot]!);
    }
    return top.result();
  }

  #grow(slots: number): void {
    if (slots * this.dimensions <= this.#rows.length) return;
    const capacity = Math.max(slots, Math.ceil(this.#norms.length * 1.5), 64);
    const rows = new Float32Array(capacity * this.dimensions);
    rows.set(this.#rows);
    this.#rows = rows;
    const norms = new Float64Array(capacity);
    norms.set(this.#norms);
    this.#norms = norms;
  }
}
