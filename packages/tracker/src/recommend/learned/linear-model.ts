import type { Vector } from '@skills/embeddings';

/** One training example: a query's vector and what a skill did for it. */
export interface Example {
  readonly vector: Vector;
  /** The skill's number (dense, from 0). */
  readonly skill: number;
  /** True: the skill served the query (teach it to rank first); false: it failed (teach it not to). */
  readonly positive: boolean;
  /** How much this example counts (a cap on its step, PA-I's aggressiveness), > 0. */
  readonly weight: number;
}

/** The constants of the learned model, each with its reason. */
export const LINEAR = Object.freeze({
  /** Passes over the history in a full fit (with `aggressiveness`, chosen by `pnpm eval --cv 5` on history: 10 × 0.5 over 5 × 1). */
  epochs: 10,
  /** Score gap the right skill should keep over the best wrong one (multiclass hinge). */
  margin: 1,
  /** PA-I's C: the largest step an example of weight 1 may take (smaller: more averaging, less overfitting). */
  aggressiveness: 0.5,
  /**
   * Steps a full fit may take: a large history gets fewer passes (10 up to 25,000 examples, one from 125,000),
   * so a refit's cost stops growing faster than the history.
   */
  maxSteps: 250_000,
});

/**
 * A fitted model as flat typed arrays (what is kept with the store): the IDF of each feature,
 * then each feature's posting (`counts[i]` skills and weights, in feature order).
 */
export interface LinearModelParts {
  readonly skills: number;
  readonly unseenIdf: number;
  readonly idfFeatures: Int32Array;
  readonly idfValues: Float64Array;
  readonly features: Int32Array;
  readonly counts: Uint32Array;
  readonly postingSkills: Int32Array;
  readonly postingWeights: Float32Array;
}

/** Feature weights of one feature: the skills it speaks for, sorted, and their weights. */
interface Posting {
  skills: Int32Array;
  w: Float32Array;
  /** Σ step·t during a fit (for averaging); null outside a fit. */
  u: Float32Array | null;
  n: number;
}

/**
 * A multiclass linear model over sparse (or dense) vectors: `score(s) = w_s · idf(x)`, trained by
 * averaged passive-aggressive steps (PA-I, Crammer et al. 2006) on the multiclass hinge loss —
 * each step touches only the right skill and the best wrong one, so the weights stay sparse
 * (feature-major postings of (skill, weight), typed arrays) and a step costs the query's non-zero
 * features. Features are weighed by IDF frozen at the last full fit, then re-normalised.
 *
 * @example
 * const model = new LinearModel();
 * model.fit([{ vector, skill: 0, positive: true, weight: 1 }]);
 * const scores = new Float64Array(model.skills);
 * model.scores(vector, scores);
 */
export class LinearModel {
  #postings = new Map<number, Posting>();
  #idf = new Map<number, number>();
  /** IDF of a feature no fitted query had. */
  #unseenIdf = 1;
  #skills = 0;
  #scratch = new Float64Array(0);
  /** Averaging clock of the fit running (steps taken so far). */
  #clock = 1;

  /** Skill numbers the model knows: score arrays must be at least this long. */
  get skills(): number {
    return this.#skills;
  }

  /** Non-zero weights kept (memory is about 8 bytes each, plus a map entry per feature). */
  get weights(): number {
    let n = 0;
    for (const p of this.#postings.values()) n += p.n;
    return n;
  }

  /**
   * Forgets everything and trains on `examples`: IDF from their distinct vectors, then `epochs`
   * shuffled passes (fewer when they would exceed {@link LINEAR.maxSteps}, but at least one).
   */
  fit(examples: readonly Example[], random: () => number, epochs: number = LINEAR.epochs): void {
    for (const _ of this.fitting(examples, random, epochs));
  }

  /**
   * {@link fit} step by step: yields after each step and each vector counted or weighed (a
   * fraction of a millisecond), so that a caller can spread the work over time. The model must
   * not be used before the generator is done.
   */
  *fitting(examples: readonly Example[], random: () => number, epochs: number = LINEAR.epochs): Generator<void, void, void> {
    epochs = Math.max(1, Math.min(epochs, Math.floor(LINEAR.maxSteps / (examples.length || 1))));
    this.#postings = new Map();
    this.#skills = 0;
    const df = new Map<number, number>();
    const seen = new Set<Vector>();
    for (const e of examples) {
      this.#grow(e.skill + 1);
      if (seen.has(e.vector)) continue;
      seen.add(e.vector);
      forEachFeature(e.vector, (f) => df.set(f, (df.get(f) ?? 0) + 1));
      yield;
    }
    const n = seen.size;
    this.#idf = new Map();
    for (const [f, d] of df) this.#idf.set(f, 1 + Math.log((n + 1) / (d + 1)));
    this.#unseenIdf = 1 + Math.log(n + 1);
    const xs = new Map<Vector, Weighted>();
    for (const v of seen) {
      xs.set(v, this.#weigh(v));
      yield;
    }
    const order = examples.map((_, i) => i);
    this.#clock = 1;
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const i of order) {
        const e = examples[i]!;
        this.#step(xs.get(e.vector)!, e, true);
        this.#clock++;
        yield;
      }
    }
    for (const p of this.#postings.values()) {
      for (let j = 0; j < p.n; j++) p.w[j]! -= p.u![j]! / this.#clock;
      p.u = null;
    }
  }

  /** The fitted weights and IDF as flat arrays (copies: later steps do not change them). Not during a fit. */
  toParts(): LinearModelParts {
    let weights = 0;
    for (const p of this.#postings.values()) weights += p.n;
    const features = new Int32Array(this.#postings.size);
    const counts = new Uint32Array(this.#postings.size);
    const postingSkills = new Int32Array(weights);
    const postingWeights = new Float32Array(weights);
    let i = 0;
    let at = 0;
    for (const [feature, p] of this.#postings) {
      features[i] = feature;
      counts[i++] = p.n;
      postingSkills.set(p.skills.subarray(0, p.n), at);
      postingWeights.set(p.w.subarray(0, p.n), at);
      at += p.n;
    }
    return {
      skills: this.#skills,
      unseenIdf: this.#unseenIdf,
      idfFeatures: Int32Array.from(this.#idf.keys()),
      idfValues: Float64Array.from(this.#idf.values()),
      features,
      counts,
      postingSkills,
      postingWeights,
    };
  }

  /**
   * The model `parts` describe, its skill numbers renumbered by `skillOf` (each posting sorted
   * again). The arrays must be consistent (see {@link toParts}); the model keeps copies.
   */
  static fromParts(parts: LinearModelParts, skillOf: (skill: number) => number = (s) => s): LinearModel {
    const model = new LinearModel();
    const renumber = Int32Array.from({ length: parts.skills }, (_, s) => skillOf(s));
    let at = 0;
    for (let i = 0; i < parts.features.length; i++) {
      const n = parts.counts[i]!;
      const skills = parts.postingSkills.slice(at, at + n).map((s) => renumber[s]!);
      let w = parts.postingWeights.slice(at, at + n);
      let sorted = true;
      for (let j = 1; j < n && sorted; j++) sorted = skills[j - 1]! < skills[j]!;
      if (!sorted) {
        const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => skills[a]! - skills[b]!);
        const from = w;
        w = Float32Array.from(order, (j) => from[j]!);
        skills.set(Int32Array.from(order, (j) => skills[j]!));
      }
      model.#postings.set(parts.features[i]!, { skills, w, u: null, n });
      at += n;
    }
    for (let i = 0; i < parts.idfFeatures.length; i++) model.#idf.set(parts.idfFeatures[i]!, parts.idfValues[i]!);
    model.#unseenIdf = parts.unseenIdf;
    model.#grow(renumber.reduce((max, s) => Math.max(max, s + 1), 0));
    return model;
  }

  /** One online step on a new example (no averaging: a small correction of the fitted weights). */
  update(example: Example): void {
    this.#grow(example.skill + 1);
    this.#step(this.#weigh(example.vector), example, false);
  }

  /** Writes each skill's score for `vector` into `out` (zeroed first; length ≥ {@link skills}; skills it never saw score 0). */
  scores(vector: Vector, out: Float64Array): void {
    out.fill(0);
    const x = this.#weigh(vector);
    for (let k = 0; k < x.features.length; k++) {
      const p = this.#postings.get(x.features[k]!);
      if (!p) continue;
      const v = x.values[k]!;
      for (let j = 0; j < p.n; j++) out[p.skills[j]!]! += p.w[j]! * v;
    }
  }

  #grow(skills: number): void {
    if (skills <= this.#skills) return;
    this.#skills = skills;
    if (this.#scratch.length < skills) this.#scratch = new Float64Array(Math.max(skills, 2 * this.#scratch.length));
  }

  /** The query in the model's space: IDF-weighted, unit length. */
  #weigh(v: Vector): Weighted {
    const features: number[] = [];
    const values: number[] = [];
    let norm = 0;
    forEachFeature(v, (f, value) => {
      const x = value * (this.#idf.get(f) ?? this.#unseenIdf);
      features.push(f);
      values.push(x);
      norm += x * x;
    });
    norm = Math.sqrt(norm) || 1;
    return { features, values: values.map((x) => x / norm) };
  }

  /** A PA-I step on the multiclass hinge: up the right skill and down the best wrong one, or down a failed skill. */
  #step(x: Weighted, e: Example, averaging: boolean): void {
    const scores = this.#scratch;
    scores.fill(0, 0, this.#skills);
    for (let k = 0; k < x.features.length; k++) {
      const p = this.#postings.get(x.features[k]!);
      if (!p) continue;
      const v = x.values[k]!;
      for (let j = 0; j < p.n; j++) scores[p.skills[j]!]! += p.w[j]! * v;
    }
    let rival = -1;
    for (let s = 0; s < this.#skills; s++) if (s !== e.skill && (rival < 0 || scores[s]! > scores[rival]!)) rival = s;
    const own = scores[e.skill]!;
    const other = rival < 0 ? 0 : scores[rival]!;
    // Positive: own should beat the rival by the margin. Failed: own should fall the margin below it.
    const loss = e.positive ? LINEAR.margin - (own - other) : LINEAR.margin + (own - other);
    if (loss <= 0) return;
    const moved = e.positive && rival >= 0 ? 2 : 1; // ||x|| = 1 per skill moved
    const tau = Math.min(LINEAR.aggressiveness * e.weight, loss / moved);
    for (let k = 0; k < x.features.length; k++) {
      const step = tau * x.values[k]!;
      const p = this.#posting(x.features[k]!, averaging);
      this.#add(p, e.skill, e.positive ? step : -step, averaging);
      if (e.positive && rival >= 0) this.#add(p, rival, -step, averaging);
    }
  }

  #posting(feature: number, averaging: boolean): Posting {
    let p = this.#postings.get(feature);
    if (!p) {
      p = { skills: new Int32Array(2), w: new Float32Array(2), u: averaging ? new Float32Array(2) : null, n: 0 };
      this.#postings.set(feature, p);
    }
    return p;
  }

  #add(p: Posting, skill: number, delta: number, averaging: boolean): void {
    // Binary search for the skill in the sorted posting; insert it when absent.
    let lo = 0;
    let hi = p.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (p.skills[mid]! < skill) lo = mid + 1;
      else hi = mid;
    }
    if (lo === p.n || p.skills[lo] !== skill) {
      if (p.n === p.skills.length) {
        const size = p.n * 2;
        p.skills = grown(p.skills, new Int32Array(size));
        p.w = grown(p.w, new Float32Array(size));
        if (p.u) p.u = grown(p.u, new Float32Array(size));
      }
      p.skills.copyWithin(lo + 1, lo, p.n);
      p.w.copyWithin(lo + 1, lo, p.n);
      p.u?.copyWithin(lo + 1, lo, p.n);
      p.skills[lo] = skill;
      p.w[lo] = 0;
      if (p.u) p.u[lo] = 0;
      p.n++;
    }
    p.w[lo]! += delta;
    if (averaging && p.u) p.u[lo]! += this.#clock * delta;
  }
}

interface Weighted {
  readonly features: readonly number[];
  readonly values: readonly number[];
}

function grown<T extends Int32Array | Float32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** Calls `fn` with each non-zero (feature, value) of a sparse or dense vector. */
function forEachFeature(v: Vector, fn: (feature: number, value: number) => void): void {
  if (v.kind === 'sparse') {
    for (let k = 0; k < v.indices.length; k++) fn(v.indices[k]!, v.values[k]!);
  } else {
    for (let k = 0; k < v.values.length; k++) if (v.values[k] !== 0) fn(k, v.values[k]!);
  }
}
