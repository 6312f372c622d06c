import type { SparseVector, Vector } from '../vector.js';
import { IntMap } from './int-map.js';
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


/** Bits of the feature sorted per pass of {@link SparseIndex.weightedSum}'s radix sort. */
const RADIX_BITS = 11;
const RADIX_MASK = (1 << RADIX_BITS) - 1;
/** Dead slots tolerated before the postings are rebuilt without them. */
const COMPACT_MIN_DEAD = 64;
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
  /** Per slot: its term numbers and values (null once deleted). */
  #slotTerms: (Uint32Array | null)[] = [];
  #slotValues: (Float32Array | null)[] = [];
  /** Per slot: its features, as given (read in order by {@link weightedSum}, where term numbers would cost a random access each). */
  #slotFeatures: (Uint32Array | null)[] = [];
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
  /** {@link weightedSum}'s sort buffers (kept: a centroid is summed again after each change to its skill). */
  #sort = { keys: new Uint32Array(0), products: new Float64Array(0), otherKeys: new Uint32Array(0), otherProducts: new Float64Array(0) };
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
    return { kind: 'sparse', indices: Uint32Array.from(this.#slotFeatures[slot]!), values: Float32Array.from(this.#slotValues[slot]!) };
  }

  /** The weight of feature `index` under the current corpus (1 without weighting). */
  termWeight(index: number): number {
    if (this.weighting === 'none') return 1;
    if (this.#source) return this.#source.termWeight(index);
    const term = this.#termOf.get(index);
    return this.#idfOf(term < 0 ? 0 : this.#df[term]!);
  }

  add(id: number, vector: Vector): void {
    const { terms, values, slot } = this.#store(id, vector);
    for (let j = 0; j < terms.length; j++) {
      const term = terms[j]!;
      const slots = this.#deltaSlots[term];
      if (slots === undefined) {
        this.#deltaSlots[term] = [slot];
        this.#deltaValues[term] = [values[j]!];
      } else {
        slots.push(slot);
        this.#deltaValues[term]!.push(values[j]!);
      }
    }
    this.#deltaCount += terms.length;
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
   * {@link weightedSum} of the vectors. Each term's products are sorted by feature (a stable
   * radix sort, so a feature's products stay in the members' order) and summed run by run: a
   * centroid of a thousand queries touches some 170,000 postings, and sorting them costs a few
   * passes in order where summing them in place (by term) costs a cache miss each.
   */
  weightedSum(members: Iterable<readonly [id: number, weight: number]>): SparseVector | null {
    let count = 0;
    let any = false;
    const slots: number[] = [];
    const weights: number[] = [];
    for (const [id, weight] of members) {
      const slot = this.#slotOf.get(id);
      if (slot === undefined) continue;
      any = true;
      slots.push(slot);
      weights.push(weight);
      count += this.#slotTerms[slot]!.length;
    }
    if (!any) return null;
    const sort = this.#sortBuffers(count);
    let keys = sort.keys;
    let products = sort.products;
    let n = 0;
    let maxFeature = 0;
    for (let k = 0; k < slots.length; k++) {
      const features = this.#slotFeatures[slots[k]!]!;
      const values = this.#slotValues[slots[k]!]!;
      const weight = weights[k]!;
      for (let j = 0; j < features.length; j++, n++) {
        const feature = features[j]!;
        keys[n] = feature;
        products[n] = weight * values[j]!;
        if (feature > maxFeature) maxFeature = feature;
      }
    }
    // LSD radix sort on the feature, RADIX_BITS at a time (stable: each feature's products keep their order).
    let otherKeys = sort.otherKeys;
    let otherProducts = sort.otherProducts;
    const buckets = new Uint32Array(1 << RADIX_BITS);
    for (let shift = 0; shift === 0 || maxFeature >>> shift > 0; shift += RADIX_BITS) {
      buckets.fill(0);
      for (let i = 0; i < n; i++) buckets[(keys[i]! >>> shift) & RADIX_MASK]!++;
      let at = 0;
      for (let b = 0; b < buckets.length; b++) {
        const c = buckets[b]!;
        buckets[b] = at;
        at += c;
      }
      for (let i = 0; i < n; i++) {
        const to = buckets[(keys[i]! >>> shift) & RADIX_MASK]!++;
        otherKeys[to] = keys[i]!;
        otherProducts[to] = products[i]!;
      }
      [keys, otherKeys] = [otherKeys, keys];
      [products, otherProducts] = [otherProducts, products];
      if (shift + RADIX_BITS >= 32) break;
    }
    // One run per feature, summed from zero in order; zeros (cancelled terms) are dropped.
    const indices: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < n; ) {
      const feature = keys[i]!;
      let sum = 0;
      for (; i < n && keys[i] === feature; i++) sum = sum + products[i]!;
      const value = Math.fround(sum);
      if (value !== 0) {
        indices.push(feature);
        values.push(value);
      }
    }
    return { kind: 'sparse', indices: Uint32Array.from(indices), values: Float32Array.from(values) };
  }

  /** Two pairs of (feature, product) arrays of at least `count` entries, reused between sums. */
  #sortBuffers(count: number): { keys: Uint32Array; products: Float64Array; otherKeys: Uint32Array; otherProducts: Float64Array } {
    if (this.#sort.keys.length < count) {
      const size = Math.max(count, this.#sort.keys.length * 2);
      this.#sort = { keys: new Uint32Array(size), products: new Float64Array(size), otherKeys: new Uint32Array(size), otherProducts: new Float64Array(size) };
    }
    return this.#sort;
  }

  delete(id: number): boolean {
    const slot = this.#slotOf.get(id);
    if (slot === undefined) return false;
    this.#slotOf.delete(id);
    // Postings keep the dead slot (skipped at search: norm 0) until the next rebuild.
    for (const term of this.#slotTerms[slot]!) this.#df[term]!--;
    this.#slotTerms[slot] = null;
    this.#slotValues[slot] = null;
    this.#slotFeatures[slot] = null;
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
  #store(id: number, vector: Vector): { terms: Uint32Array; values: Float32Array; slot: number } {
    checkId(id);
    if (vector.kind !== 'sparse') throw new TypeError('SparseIndex takes sparse vectors');
    this.delete(id);
    const slot = this.#slotIds.length;
    this.#slotIds.push(id);
    this.#slotOf.set(id, slot);
    const terms = new Uint32Array(vector.indices.length);
    for (let j = 0; j < vector.indices.length; j++) {
      const term = this.#termFor(vector.indices[j]!);
      terms[j] = term;
      this.#df[term]!++;
    }
    // Kept by reference: vectors are never changed once made.
    const values = vector.values;
    this.#slotTerms.push(terms);
    this.#slotValues.push(values);
    this.#slotFeatures.push(vector.indices);
    return { terms, values, slot };
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
    if ((this.#dead >= COMPACT_MIN_DEAD && this.#dead > this.#slotOf.size) || this.#deltaCount > this.#blockSlots.length / 8) {
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
    for (let slot = this.#normed; slot < slots; slot++) {
      const terms = this.#slotTerms[slot];
      const values = this.#slotValues[slot];
      let s = 0;
      if (terms && values) {
        for (let j = 0; j < terms.length; j++) {
          const x = values[j]! * this.#weights[terms[j]!]!;
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
    const renumber = new Int32Array(oldSlots).fill(-1);
    const ids: number[] = [];
    const slotTerms: Uint32Array[] = [];
    const slotValues: Float32Array[] = [];
    const slotFeatures: Uint32Array[] = [];
    for (let slot = 0; slot < oldSlots; slot++) {
      const terms = this.#slotTerms[slot];
      if (!terms) continue;
      renumber[slot] = ids.length;
      ids.push(this.#slotIds[slot]!);
      slotTerms.push(terms);
      slotValues.push(this.#slotValues[slot]!);
      slotFeatures.push(this.#slotFeatures[slot]!);
    }
    const termCount = this.#features.length;
    const offsets = new Uint32Array(termCount + 1);
    for (let t = 0; t < termCount; t++) offsets[t + 1] = offsets[t]! + this.#df[t]!;
    const blockSlots = new Uint32Array(offsets[termCount]!);
    const blockValues = new Float32Array(offsets[termCount]!);
    const fill = offsets.slice(0, termCount);
    // Walking the new slots in order keeps every posting list sorted by slot.
    for (let slot = 0; slot < ids.length; slot++) {
      const terms = slotTerms[slot]!;
      const values = slotValues[slot]!;
      for (let j = 0; j < terms.length; j++) {
        const at = fill[terms[j]!]!++;
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
    if (ids.length !== oldSlots) this.#normed = 0;
    this.#slotIds = ids;
    this.#slotTerms = slotTerms;
    this.#slotValues = slotValues;
    this.#slotFeatures = slotFeatures;
    this.#slotOf.clear();
    ids.forEach((id, slot) => this.#slotOf.set(id, slot));
    this.#dead = 0;
  }
}
