import type { SparseVector, Vector } from '../vector.js';
import { IntMap } from './int-map.js';
import { SlotArena } from './slot-arena.js';
import { checkId, TopK, type Neighbor, type VectorIndex } from './vector-index.js';

/**
 * How a {@link SparseIndex} weighs features: `none` compares vectors as given; `idf` scales
 * each feature by its inverse document frequency, `1 + ln((N + 1) / (df + 1))`, before taking
 * the cosine, so rare terms count more than common ones.
 *
 * @example
 * const weighting: TermWeighting = 'idf';
 * const index = new SparseIndex({ weighting });
 */
export type TermWeighting = 'none' | 'idf';

/**
 * Options of a {@link SparseIndex}.
 *
 * @example
 * const queries = new SparseIndex({ weighting: 'idf' });
 * const centroids = new SparseIndex({ weighting: 'idf', weightsFrom: queries });
 */
export interface SparseIndexOptions {
  /** Default `none`. */
  readonly weighting?: TermWeighting;
  /**
   * With `idf`: take document frequencies from this other index instead of this one's own
   * vectors. For a few summary vectors (a centroid per skill, descriptions) that must be
   * compared in the same weighted space as the corpus they summarise.
   */
  readonly weightsFrom?: SparseIndex;
}


/** Dead slots tolerated before the postings are rebuilt without them. */
const COMPACT_MIN_DEAD = 64;
/** Dead postings tolerated (whatever the slots) before the arena is compacted, unless fewer than the live ones. */
const COMPACT_MIN_POSTINGS = 1 << 16;
/** Postings added since the last rebuild that trigger one regardless of the corpus size. */
const REBUILD_MIN_DELTA = 32_768;

/**
 * Exact cosine search over sparse vectors with an inverted index: a query touches only the
 * vectors sharing a feature with it. With `weighting: 'idf'` similarities are cosines of the
 * IDF-weighted vectors under the current corpus; term weights and weighted norms are
 * recomputed lazily (one pass over the stored vectors) on the first search after the corpus
 * changed, so results always equal a brute-force scan ({@link bruteForceSearch}).
 *
 * Postings live in one compact block (8 bytes each) plus short lists of the ones added since
 * it was last rebuilt. A search rebuilds the block first when those lists hold an eighth of
 * it or deleted vectors outnumber live ones; loading rebuilds it each time it doubles, so every
 * posting is copied a bounded number of times.
 * Vectors are kept by reference: do not change one after adding it.
 *
 * @example
 * const embedder = new LexicalEmbedder();
 * const index = new SparseIndex({ weighting: 'idf' });
 * index.add(1, embedder.embedOne('run the pytest suite'));
 * index.add(2, embedder.embedOne('deploy to production'));
 * index.search(embedder.embedOne('pytest failures'), 5); // [{ id: 1, similarity: ... }]
 */
export class SparseIndex implements VectorIndex {
  readonly kind = 'sparse' as const;
  readonly weighting: TermWeighting;
  readonly #source: SparseIndex | undefined;
  /** Feature -> compact term number, and back. */
  readonly #termOf = new IntMap();
  #features: number[] = [];
  /** The compact block: postings of term t are [offsets[t], offsets[t + 1]) (terms known at the last rebuild). */
  #offsets = new Uint32Array(1);
  #blockSlots = new Uint32Array(0);
  #blockValues = new Float32Array(0);
  /** Postings added since the last rebuild, per term (plain arrays: cheap to grow, few of them). */
  #deltaSlots: (number[] | undefined)[] = [];
  #deltaValues: (number[] | undefined)[] = [];
  #deltaCount = 0;
  /** Live vectors holding each term. */
  #df: number[] = [];
  /** Per slot: its term numbers, and its values (the given vector's, by reference; null once deleted). */
  #arena = new SlotArena();
  #slotValues: (Float32Array | null)[] = [];
  #slotIds: number[] = [];
  #dead = 0;
  readonly #slotOf = new Map<number, number>();
  #norms = new Float64Array(0);
  #weights = new Float64Array(0);
  /** Slots below this have an up-to-date norm (all of them are recomputed when weights change). */
  #normed = 0;
  #weightsStale = true;
  #sourceVersion = -1;
  /** Per term, the weight source's number for the same feature (-1 while it has none). */
  #sourceTerms: number[] = [];
  #version = 0;
  /** {@link weightedSum}'s accumulators (kept: a centroid is summed again after each change to its skill). */
  #sums = new Float64Array(0);
  #scores = new Float64Array(0);
  /** Search generation that last touched each slot (avoids clearing a marker array per query). */
  #seen = new Uint32Array(0);
  #generation = 0;

  constructor(options: SparseIndexOptions = {}) {
    this.weighting = options.weighting ?? 'none';
    this.#source = this.weighting === 'idf' ? options.weightsFrom : undefined;
  }

  get size(): number {
    return this.#slotOf.size;
  }

  /** Changes whenever a vector is added or removed. */
  get version(): number {
    return this.#version;
  }

  has(id: number): boolean {
    return this.#slotOf.has(id);
  }

  *ids(): IterableIterator<number> {
    yield* this.#slotOf.keys();
  }

  get(id: number): SparseVector | undefined {
    const slot = this.#slotOf.get(id);
    if (slot === undefined) return undefined;
    const a = this.#arena;
    const from = a.start[slot]!;
    const to = from + a.length[slot]!;
    const terms = a.terms[a.chunk[slot]!]!;
    const indices = new Uint32Array(to - from);
    for (let i = from; i < to; i++) indices[i - from] = this.#features[terms[i]!]!;
    return { kind: 'sparse', indices, values: Float32Array.from(this.#slotValues[slot]!) };
  }

  /** The weight of feature `index` under the current corpus (1 without weighting). */
  termWeight(index: number): number {
    if (this.weighting === 'none') return 1;
    if (this.#source) return this.#source.termWeight(index);
    const term = this.#termOf.get(index);
    return this.#idfOf(term < 0 ? 0 : this.#df[term]!);
  }

  add(id: number, vector: Vector): void {
    const slot = this.#store(id, vector);
    const a = this.#arena;
    const terms = a.terms[a.chunk[slot]!]!;
    const values = this.#slotValues[slot]!;
    const from = a.start[slot]!;
    const to = from + a.length[slot]!;
    for (let i = from; i < to; i++) {
      const term = terms[i]!;
      const slots = this.#deltaSlots[term];
      if (slots === undefined) {
        this.#deltaSlots[term] = [slot];
        this.#deltaValues[term] = [values[i - from]!];
      } else {
        slots.push(slot);
        this.#deltaValues[term]!.push(values[i - from]!);
      }
    }
    this.#deltaCount += to - from;
    // While loading, rebuild as the block doubles (each posting copied about twice in all).
    if (this.#deltaCount > Math.max(REBUILD_MIN_DELTA, this.#blockSlots.length)) this.#rebuild();
    this.#changed();
  }

  /**
   * Adds each vector as {@link add} does. A batch at least as large as the compact block (a first
   * load) skips the per-term lists and builds the block once, in one pass.
   */
  addMany(entries: readonly (readonly [id: number, vector: Vector])[]): void {
    let postings = 0;
    for (const [, vector] of entries) postings += vector.kind === 'sparse' ? vector.indices.length : 0;
    if (postings < Math.max(REBUILD_MIN_DELTA, this.#blockSlots.length)) {
      for (const [id, vector] of entries) this.add(id, vector);
      return;
    }
    try {
      for (const [id, vector] of entries) this.#store(id, vector);
    } finally {
      // Postings come from every live slot's terms: those stored above included.
      this.#rebuild();
      this.#changed();
    }
  }

  /**
   * The weighted sum of stored vectors: the same values, in the same order of addition, as
   * {@link weightedSum} of the vectors. Products are summed in place per term number, member by
   * member (so each feature's products are added in the members' order), then the touched terms
   * are sorted by feature: as fast as sorting the products, with one accumulator per term instead
   * of buffers as large as a centroid's products (a million for a few thousand queries).
   */
  weightedSum(members: Iterable<readonly [id: number, weight: number]>): SparseVector | null {
    const sums = this.#sumBuffer();
    // A term is listed when its sum leaves zero (0 + product is the product, exactly as a sum
    // started from zero); one that cancels back to zero may be listed twice.
    const touched: number[] = [];
    const arena = this.#arena;
    let any = false;
    for (const [id, weight] of members) {
      const slot = this.#slotOf.get(id);
      if (slot === undefined) continue;
      any = true;
      const terms = arena.terms[arena.chunk[slot]!]!;
      const values = this.#slotValues[slot]!;
      const from = arena.start[slot]!;
      for (let j = 0; j < values.length; j++) {
        const term = terms[from + j]!;
        const sum = sums[term]!;
        if (sum === 0) touched.push(term);
        sums[term] = sum + weight * values[j]!;
      }
    }
    if (!any) return null;
    const features = new Uint32Array(touched.length);
    for (let i = 0; i < touched.length; i++) features[i] = this.#features[touched[i]!]!;
    features.sort();
    // Zeros (cancelled terms) are dropped; the accumulators are left at zero for the next sum.
    const values = new Float32Array(features.length);
    let n = 0;
    for (let i = 0; i < features.length; i++) {
      if (i > 0 && features[i] === features[i - 1]) continue;
      const term = this.#termOf.get(features[i]!);
      const value = Math.fround(sums[term]!);
      sums[term] = 0;
      if (value !== 0) {
        features[n] = features[i]!;
        values[n++] = value;
      }
    }
    return { kind: 'sparse', indices: features.slice(0, n), values: values.slice(0, n) };
  }

  /** {@link weightedSum}'s accumulators, one per term, all zero between sums (grown as terms come). */
  #sumBuffer(): Float64Array {
    if (this.#sums.length < this.#features.length) this.#sums = new Float64Array(Math.max(this.#features.length, this.#sums.length * 2));
    return this.#sums;
  }

  delete(id: number): boolean {
    const slot = this.#slotOf.get(id);
    if (slot === undefined) return false;
    this.#slotOf.delete(id);
    // Postings keep the dead slot (skipped at search: norm 0) until the next rebuild.
    const a = this.#arena;
    const terms = a.terms[a.chunk[slot]!]!;
    const end = a.start[slot]! + a.length[slot]!;
    for (let i = a.start[slot]!; i < end; i++) this.#df[terms[i]!]!--;
    a.delete(slot);
    this.#slotValues[slot] = null;
    if (slot < this.#norms.length) this.#norms[slot] = 0;
    this.#dead++;
    this.#changed();
    return true;
  }

  search(query: Vector, k: number): Neighbor[] {
    if (query.kind !== 'sparse') throw new TypeError('SparseIndex takes sparse queries');
    this.#refresh();
    const scores = this.#scores;
    const seen = this.#seen;
    const generation = ++this.#generation;
    const touched: number[] = [];
    const offsets = this.#offsets;
    const blockTerms = offsets.length - 1;
    const blockSlots = this.#blockSlots;
    const blockValues = this.#blockValues;
    let qNorm = 0;
    for (let j = 0; j < query.indices.length; j++) {
      const feature = query.indices[j]!;
      const term = this.#termOf.get(feature);
      const q = query.values[j]!;
      const w = term < 0 ? this.termWeight(feature) : this.#weights[term]!;
      qNorm += q * w * q * w;
      if (term < 0 || this.#df[term] === 0) continue;
      const qw = q * w * w;
      if (term < blockTerms) {
        const end = offsets[term + 1]!;
        for (let i = offsets[term]!; i < end; i++) {
          const slot = blockSlots[i]!;
          if (seen[slot] !== generation) {
            seen[slot] = generation;
            scores[slot] = 0;
            touched.push(slot);
          }
          scores[slot] = scores[slot]! + qw * blockValues[i]!;
        }
      }
      const deltaSlots = this.#deltaSlots[term];
      if (deltaSlots !== undefined) {
        const deltaValues = this.#deltaValues[term]!;
        for (let i = 0; i < deltaSlots.length; i++) {
          const slot = deltaSlots[i]!;
          if (seen[slot] !== generation) {
            seen[slot] = generation;
            scores[slot] = 0;
            touched.push(slot);
          }
          scores[slot] = scores[slot]! + qw * deltaValues[i]!;
        }
      }
    }
    qNorm = Math.sqrt(qNorm);
    const top = new TopK(k);
    if (qNorm === 0) return [];
    for (const slot of touched) {
      const n = this.#norms[slot]!;
      if (n === 0) continue;
      const sim = scores[slot]! / (qNorm * n);
      if (sim > 0 && sim >= top.threshold) top.offer(sim, this.#slotIds[slot]!);
    }
    return top.result();
  }

  /** Gives `vector` a new slot under `id` (replacing any), and counts its terms; postings are the caller's. */
  #store(id: number, vector: Vector): number {
    checkId(id);
    if (vector.kind !== 'sparse') throw new TypeError('SparseIndex takes sparse vectors');
    this.delete(id);
    const a = this.#arena;
    const slot = a.reserve(vector.indices.length);
    this.#slotIds.push(id);
    this.#slotOf.set(id, slot);
    const terms = a.terms[a.chunk[slot]!]!;
    const at = a.start[slot]!;
    for (let j = 0; j < vector.indices.length; j++) {
      const term = this.#termFor(vector.indices[j]!);
      terms[at + j] = term;
      this.#df[term]!++;
    }
    // Kept by reference: vectors are never changed once made (a stored one is a view of its bytes).
    this.#slotValues.push(vector.values);
    return slot;
  }

  #termFor(feature: number): number {
    let term = this.#termOf.get(feature);
    if (term < 0) {
      term = this.#features.length;
      this.#termOf.set(feature, term);
      this.#features.push(feature);
      this.#deltaSlots.push(undefined);
      this.#deltaValues.push(undefined);
      this.#df.push(0);
    }
    return term;
  }

  #changed(): void {
    this.#version++;
    // Own IDF weights depend on every document frequency and on N.
    if (this.weighting === 'idf' && !this.#source) this.#weightsStale = true;
  }

  #idfOf(df: number): number {
    return 1 + Math.log((this.#slotOf.size + 1) / (df + 1));
  }

  /** Brings term weights and weighted norms up to date with the corpus (and the weight source). */
  #refresh(): void {
    const { deadPostings, livePostings } = this.#arena;
    // Dead slots cost search time in the block, and memory in the arena (a replaced centroid is large).
    const compact =
      (this.#dead >= COMPACT_MIN_DEAD && this.#dead > this.#slotOf.size) || deadPostings > Math.max(COMPACT_MIN_POSTINGS, livePostings);
    if (compact || this.#deltaCount > this.#blockSlots.length / 8) {
      this.#rebuild();
    }
    if (this.#source && this.#source.version !== this.#sourceVersion) {
      this.#sourceVersion = this.#source.version;
      this.#weightsStale = true;
    }
    const slots = this.#slotIds.length;
    if (this.#scores.length < slots) {
      const capacity = Math.max(slots, this.#scores.length * 2, 64);
      this.#scores = new Float64Array(capacity);
      this.#seen = new Uint32Array(capacity);
      this.#generation = 0;
      const norms = new Float64Array(capacity);
      norms.set(this.#norms.subarray(0, Math.min(this.#norms.length, capacity)));
      this.#norms = norms;
    }
    if (this.#weightsStale || this.#weights.length < this.#features.length) {
      const weights = new Float64Array(this.#features.length);
      if (this.weighting === 'none') weights.fill(1);
      else if (this.#source) this.#sourceWeights(this.#source, weights);
      else for (let t = 0; t < weights.length; t++) weights[t] = this.#idfOf(this.#df[t]!);
      // New terms alone (weights unchanged for old ones) only need the new slots' norms.
      if (this.#weightsStale) this.#normed = 0;
      this.#weights = weights;
      this.#weightsStale = false;
    }
    const weights = this.#weights;
    const a = this.#arena;
    for (let slot = this.#normed; slot < slots; slot++) {
      const terms = a.terms[a.chunk[slot]!]!;
      const from = a.start[slot]!;
      // A deleted slot (no values) gets norm 0: skipped by searches.
      const values = this.#slotValues[slot];
      let s = 0;
      if (values) {
        for (let j = 0; j < values.length; j++) {
          const x = values[j]! * weights[terms[from + j]!]!;
          s += x * x;
        }
      }
      this.#norms[slot] = Math.sqrt(s);
    }
    this.#normed = slots;
  }

  /** This index's term weights read from the source index's (term numbers are stable: resolved once). */
  #sourceWeights(source: SparseIndex, weights: Float64Array): void {
    source.#refresh();
    const map = this.#sourceTerms;
    const unseen = source.#idfOf(0);
    for (let t = 0; t < weights.length; t++) {
      let st = map[t] ?? -1;
      if (st < 0) {
        st = source.#termOf.get(this.#features[t]!);
        map[t] = st;
      }
      weights[t] = st < 0 ? unseen : source.#weights[st]!;
    }
  }

  /**
   * Renumbers the live vectors densely and writes every live posting into one compact block
   * (the per-term delta lists empty). Term numbers never change.
   */
  #rebuild(): void {
    const oldSlots = this.#slotIds.length;
    if (this.#dead > 0) {
      const lengths = this.#arena.length;
      this.#slotIds = this.#slotIds.filter((_, slot) => lengths[slot]! >= 0);
      this.#slotValues = this.#slotValues.filter((values) => values !== null);
      this.#arena = this.#arena.compacted();
      this.#slotOf.clear();
      this.#slotIds.forEach((id, slot) => this.#slotOf.set(id, slot));
      this.#dead = 0;
    }
    const a = this.#arena;
    const termCount = this.#features.length;
    const offsets = new Uint32Array(termCount + 1);
    for (let t = 0; t < termCount; t++) offsets[t + 1] = offsets[t]! + this.#df[t]!;
    const blockSlots = new Uint32Array(offsets[termCount]!);
    const blockValues = new Float32Array(offsets[termCount]!);
    const fill = offsets.slice(0, termCount);
    // Walking the slots in order keeps every posting list sorted by slot.
    for (let slot = 0; slot < a.slots; slot++) {
      const terms = a.terms[a.chunk[slot]!]!;
      const values = this.#slotValues[slot]!;
      const from = a.start[slot]!;
      for (let j = 0; j < values.length; j++) {
        const at = fill[terms[from + j]!]!++;
        blockSlots[at] = slot;
        blockValues[at] = values[j]!;
      }
    }
    this.#offsets = offsets;
    this.#blockSlots = blockSlots;
    this.#blockValues = blockValues;
    // Filled by push: `new Array(n)` of more than ~100,000 entries is a slow dictionary in V8.
    const deltaSlots: (number[] | undefined)[] = [];
    const deltaValues: (number[] | undefined)[] = [];
    for (let t = 0; t < termCount; t++) {
      deltaSlots.push(undefined);
      deltaValues.push(undefined);
    }
    this.#deltaSlots = deltaSlots;
    this.#deltaValues = deltaValues;
    this.#deltaCount = 0;
    // Slots moved: every norm is recomputed by the refresh that follows (searches always refresh first).
    if (this.#slotIds.length !== oldSlots) this.#normed = 0;
  }
}
