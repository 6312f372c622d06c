import type { Vector } from '@skills/embeddings';
import { seededRandom } from '@skills/protocol';
import { usageWeight } from '../scoring.js';
import { LinearModel, type Example } from './linear-model.js';
import type { LearnedState } from './model-codec.js';

/** The constants of the learned ranker, each with its reason. */
export const LEARNED = Object.freeze({
  /** Bumped whenever the model or its training changes: part of {@link LearnedRanker.version}. */
  version: 1,
  /**
   * The model is used once at least {@link minSkills} skills were each taught by this many
   * distinct queries; before, the ranking is the similarity ranker's (cold start): a handful of
   * rows makes a noisy model, and one class alone ranks nothing.
   */
  minSkillRows: 5,
  minSkills: 2,
  /**
   * A failed run counts half a completed one: a failure may be the environment's fault, and the
   * skill's success rate already weighs it in the final score.
   */
  failureWeight: 0.5,
  /** Shuffling seed of a full fit: the same history gives the same model. */
  seed: 0x5eed,
  /**
   * A fit runs in the background in slices of about `sliceMs`, each followed by a rest of
   * `restMs`: it takes at most a quarter of a core, a request waits at most one slice, and three
   * requests in four wait for none.
   */
  sliceMs: 2,
  restMs: 6,
});

/** The rest after each slice of a full fit in this process (see {@link LEARNED.restMs}). */
let restMs: number = LEARNED.restMs;

/**
 * Runs this process's full fits without rests, flat out: for offline evaluation (`pnpm eval`),
 * which waits for every fit and serves no one meanwhile, so that on a busy machine a fit is not
 * starved by its own pauses. Never for a process that answers requests.
 */
export function fitWithoutRests(): void {
  restMs = 0;
}

/** A saved model to continue from (see {@link restoredModel}): skills numbered as the ranker's. */
export interface SavedModel {
  readonly model: LinearModel;
  /** The counts it had learned from. */
  readonly pairs: readonly PairCounts[];
  readonly rowsAtFit: number;
  readonly lastFitMs: number;
}

/**
 * A saved state's model and counts with their skills renumbered by `skillNumber` (the ranker's
 * numbers, which depend on the order skills were first seen in this process).
 */
export function restoredModel(state: LearnedState, skillNumber: (name: string) => number): SavedModel {
  const nums = state.skillNames.map(skillNumber);
  const p = state.pairs;
  return {
    model: LinearModel.fromParts(state.model, (s) => nums[s]!),
    pairs: Array.from(p.queryIds, (queryId, i) => ({ queryId, skill: nums[p.skills[i]!]!, invocations: p.invocations[i]!, failed: p.failed[i]! })),
    rowsAtFit: state.rowsAtFit,
    lastFitMs: state.lastFitMs,
  };
}

/** What the store says about one skill on one query. */
export interface PairCounts {
  readonly queryId: number;
  readonly skill: number;
  readonly invocations: number;
  readonly failed: number;
}

/**
 * The learned part of the ranking, kept beside the similarity index of one embedder: a
 * {@link LinearModel} trained on the store's (query, skill) counts. A query a skill served
 * (invocations that did not fail) teaches it to rank first for that kind of query, weighted
 * `1 + ln(n)` like the similarity ranker's evidence; failed runs teach the opposite at
 * {@link LEARNED.failureWeight} of that weight.
 *
 * Training: a full fit (10 passes) on opening and whenever the rows have doubled since the last
 * fit; each new (query, skill) count in between is one online step. So the cost per invocation
 * is bounded (amortised, at most about 2 × 10 + 1 steps of the query's non-zero features).
 * A full fit runs in the background ({@link LEARNED.sliceMs} slices, a quarter of a core at most,
 * reading and weighing the vectors too, from after a first rest) on a model of its own, which
 * replaces the one in use when done; until the first fit is done the ranker is not
 * {@link ready} (the similarity ranking answers). A model saved with the store
 * ({@link state}) is continued instead ({@link replace} with `saved`): only what changed since
 * it was saved is learned, online.
 *
 * @example
 * const ranker = new LearnedRanker('lexical/v1/h22/...');
 * ranker.replace(counts, (id) => index.get(id));
 * ranker.scores(queryVector, out);
 */
export class LearnedRanker {
  /** The feature space and the model's version: a change of either means a refit. */
  readonly version: string;
  #model = new LinearModel();
  /** The model has been fitted at least once. */
  #fitted = false;
  /** The fit under way (null: none); a newer one supersedes it. */
  #fitting: Promise<void> | null = null;
  #fitToken = 0;
  /** Online steps taken while a fit ran: replayed on its model when it takes over. */
  #missed: Example[] = [];
  /** Callers awaiting {@link trained}: while there are none, a fit does not keep the process alive. */
  #waiting = 0;
  /** The pause between two slices of the fit under way, and what ends it early (see {@link stop}). */
  #rest: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;
  /** Stopped for good: no fit starts again. */
  #stopped = false;
  readonly #onTrained: () => void;
  /** Query id -> skill -> the counts trained on. */
  #pairs = new Map<number, Map<number, PairCounts>>();
  #rowCount = 0;
  #lastFitMs = 0;
  #fits = 0;
  #restored = false;
  /** Distinct queries that taught each skill (index: skill number). */
  #rows: number[] = [];
  #ready = false;
  #rowsAtFit = 0;
  #lookup: (queryId: number) => Vector | undefined = () => undefined;

  /** `onTrained` hears when a fitted model takes over (cached rankings are then stale). */
  constructor(embedderId: string, onTrained: () => void = () => {}) {
    this.version = `${embedderId}/linear-v${LEARNED.version}`;
    this.#onTrained = onTrained;
  }

  /** Resolves when no fit is under way (at once when none is). */
  async trained(): Promise<void> {
    this.#waiting++;
    this.#rest?.ref();
    try {
      while (this.#fitting) await this.#fitting;
    } finally {
      this.#waiting--;
    }
  }

  /**
   * Stops for good (the recommender closes): the fit under way is abandoned at its next slice
   * (its model never takes over, so nothing more is saved), none starts again, and the counts and
   * the vector lookup (the recommender's index) are let go. {@link trained} resolves at once after.
   */
  stop(): void {
    this.#stopped = true;
    this.#fitToken++;
    clearTimeout(this.#rest);
    // Wakes the fit now: it sees the new token and ends, rather than staying reachable from a timer.
    this.#wake?.();
    this.#missed = [];
    this.#pairs = new Map();
    this.#lookup = () => undefined;
  }

  /** True when enough skills have enough rows for the learned score to be used. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Rows trained on (distinct (query, skill) pairs). */
  get rows(): number {
    return this.#rowCount;
  }

  /** How long the last full fit worked, in milliseconds (its rests not counted). */
  get lastFitMs(): number {
    return this.#lastFitMs;
  }

  /** Full fits completed by this ranker (a restored model counts none). */
  get fits(): number {
    return this.#fits;
  }

  /** True when the model in use was continued from a saved one (no full fit since). */
  get restored(): boolean {
    return this.#restored;
  }

  /** Non-zero weights of the model. */
  get weights(): number {
    return this.#model.weights;
  }

  /**
   * All the counts (after opening, a prune or a reindex, when skill numbers may have changed):
   * forgets the model, so the ranking is the similarity one until the new fit is done. With
   * `saved` (on opening), continues that model instead: one online step per run it had not
   * learned, and a background refit (the saved model answering meanwhile) when counts it had
   * learned went away (a prune) or the rows doubled since its fit.
   */
  replace(counts: readonly PairCounts[], vectorOf: (queryId: number) => Vector | undefined, saved?: SavedModel): void {
    this.#lookup = vectorOf;
    this.#pairs = new Map();
    for (const c of counts) if (c.invocations > 0) this.#put(c);
    if (saved) return this.#continue(saved);
    this.#model = new LinearModel();
    this.#fitted = false;
    this.#restored = false;
    this.#refit();
  }

  #continue(saved: SavedModel): void {
    this.#fitToken++; // a fit under way (none on opening) would not know the saved model
    const old = new Map<number, Map<number, PairCounts>>();
    for (const c of saved.pairs) {
      let pairs = old.get(c.queryId);
      if (!pairs) old.set(c.queryId, (pairs = new Map()));
      pairs.set(c.skill, c);
    }
    let matched = 0;
    let gone = false;
    const steps: Example[] = [];
    for (const c of this.#allPairs()) {
      const before = old.get(c.queryId)?.get(c.skill);
      if (before) matched++;
      const served = servedRuns(c) - (before ? servedRuns(before) : 0);
      const failed = c.failed - (before?.failed ?? 0);
      if (served < 0 || failed < 0) gone = true;
      steps.push(...this.#steps(c, served, failed));
    }
    this.#model = saved.model;
    this.#fitted = true;
    this.#restored = true;
    this.#rowsAtFit = saved.rowsAtFit;
    this.#lastFitMs = saved.lastFitMs;
    this.#countRows();
    for (const e of steps) this.#model.update(e);
    if (gone || matched < saved.pairs.length || this.rows >= 2 * Math.max(1, this.#rowsAtFit)) this.#refit();
  }

  /** The examples of `served` new served runs and `failed` new failed ones of a pair (none without its vector). */
  #steps(c: PairCounts, served: number, failed: number): Example[] {
    if (served <= 0 && failed <= 0) return []; // not worth reading the vector (a copy out of the index)
    const vector = this.#lookup(c.queryId);
    if (!vector) return [];
    const out: Example[] = [];
    if (served > 0) out.push({ vector, skill: c.skill, positive: true, weight: usageWeight(served) });
    if (failed > 0) out.push({ vector, skill: c.skill, positive: false, weight: LEARNED.failureWeight * usageWeight(failed) });
    return out;
  }

  /**
   * The model in use and the counts it learned, to keep with the store (`skillName` names the
   * skill numbers); null before a first fit. A copy: later steps do not change it.
   */
  state(skillName: (skill: number) => string): LearnedState | null {
    if (!this.#fitted) return null;
    const model = this.#model.toParts();
    const pairs = [...this.#allPairs()];
    return {
      version: this.version,
      skillNames: Array.from({ length: model.skills }, (_, s) => skillName(s)),
      rowsAtFit: this.#rowsAtFit,
      lastFitMs: this.#lastFitMs,
      model,
      pairs: {
        queryIds: Float64Array.from(pairs, (c) => c.queryId),
        skills: Uint32Array.from(pairs, (c) => c.skill),
        invocations: Float64Array.from(pairs, (c) => c.invocations),
        failed: Float64Array.from(pairs, (c) => c.failed),
      },
    };
  }

  /**
   * The counts of `queryIds` changed (`counts` holds all their pairs; a pair not given went):
   * one online step per new served or failed run, or a refit once the rows doubled since the last.
   */
  apply(queryIds: readonly number[], counts: readonly PairCounts[], vectorOf: (queryId: number) => Vector | undefined): void {
    this.#lookup = vectorOf;
    const before = new Map<number, Map<number, PairCounts>>();
    for (const id of queryIds) {
      const pairs = this.#pairs.get(id);
      if (!pairs) continue;
      before.set(id, pairs);
      this.#pairs.delete(id);
      for (const c of pairs.values()) this.#count(c, -1);
    }
    const steps: Example[] = [];
    for (const c of counts) {
      if (c.invocations <= 0) continue;
      this.#put(c);
      this.#count(c, 1);
      const old = before.get(c.queryId)?.get(c.skill);
      steps.push(...this.#steps(c, servedRuns(c) - (old ? servedRuns(old) : 0), c.failed - (old?.failed ?? 0)));
    }
    this.#ready = this.#fitted && this.#qualified() >= LEARNED.minSkills;
    for (const e of steps) this.#model.update(e);
    if (this.#fitting) this.#missed.push(...steps);
    else if (this.rows >= 2 * Math.max(1, this.#rowsAtFit)) this.#refit();
  }

  /**
   * Each skill's learned score for `vector`, squashed to 0..1 (logistic), into `out` (any
   * length ≥ {@link skills}): a skill the model never saw scores 0.5, "no opinion".
   */
  scores(vector: Vector, out: Float64Array): void {
    this.#model.scores(vector, out);
    for (let s = 0; s < out.length; s++) out[s] = 1 / (1 + Math.exp(-out[s]!));
  }

  /** Score arrays must be at least this long. */
  get skills(): number {
    return this.#model.skills;
  }

  /**
   * Starts a full fit on the rows as they are now, in the background, superseding one under way.
   * Only the pairs are taken now: their vectors are read and weighed in the fit's slices, so an
   * opening answers at once and one that closes before the first slice does none of that work.
   */
  #refit(): void {
    if (this.#stopped) return;
    this.#countRows();
    const pairs = [...this.#allPairs()];
    const token = ++this.#fitToken;
    const rows = this.rows;
    this.#missed = [];
    const run = this.#fit(pairs, token).then((model) => {
      if (!model || this.#stopped) return;
      for (const e of this.#missed) model.update(e);
      this.#missed = [];
      this.#model = model;
      this.#fitted = true;
      this.#restored = false;
      this.#fits++;
      this.#rowsAtFit = rows;
      this.#ready = this.#qualified() >= LEARNED.minSkills;
      this.#onTrained();
    });
    this.#fitting = run;
    void run.finally(() => {
      if (this.#fitting === run) this.#fitting = null;
    });
  }

  /**
   * Fits a new model on `pairs` slice by slice, starting after a rest (the caller answers first);
   * null when a newer fit superseded this one or the ranker stopped.
   */
  async #fit(pairs: readonly PairCounts[], token: number): Promise<LinearModel | null> {
    const model = new LinearModel();
    const steps = this.#training(model, pairs);
    let worked = 0;
    for (;;) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        // A one-shot command may exit during a fit (its answer came from the similarity ranking).
        this.#rest = setTimeout(resolve, restMs);
        if (this.#waiting === 0) this.#rest.unref();
      });
      this.#rest = this.#wake = undefined;
      if (token !== this.#fitToken) return null;
      const started = performance.now();
      let done = false;
      while (!done && performance.now() - started < LEARNED.sliceMs) done = steps.next().done === true;
      worked += performance.now() - started;
      if (done) break;
    }
    this.#lastFitMs = worked;
    return model;
  }

  /** A full fit step by step: the examples of `pairs` (a vector read each), then the model's fitting. */
  *#training(model: LinearModel, pairs: readonly PairCounts[]): Generator<void, void, void> {
    const examples: Example[] = [];
    for (const c of pairs) {
      examples.push(...this.#steps(c, servedRuns(c), c.failed));
      yield;
    }
    yield* model.fitting(examples, seededRandom(LEARNED.seed));
  }

  #countRows(): void {
    this.#rows = [];
    this.#rowCount = 0;
    for (const c of this.#allPairs()) this.#count(c, 1);
    this.#ready = this.#fitted && this.#qualified() >= LEARNED.minSkills;
  }

  /** Adds (or with -1 removes) a pair's row to its skill's. */
  #count(c: PairCounts, sign: 1 | -1): void {
    this.#rowCount += sign;
    if (servedRuns(c) > 0) this.#rows[c.skill] = (this.#rows[c.skill] ?? 0) + sign;
  }

  #put(c: PairCounts): void {
    let pairs = this.#pairs.get(c.queryId);
    if (!pairs) this.#pairs.set(c.queryId, (pairs = new Map()));
    pairs.set(c.skill, c);
  }

  *#allPairs(): IterableIterator<PairCounts> {
    for (const pairs of this.#pairs.values()) yield* pairs.values();
  }

  /** Skills with enough rows (a pass over the skills, not the rows). */
  #qualified(): number {
    let n = 0;
    for (const rows of this.#rows) if ((rows ?? 0) >= LEARNED.minSkillRows) n++;
    return n;
  }
}

/** Runs that did not fail: the skill was chosen for this query and did not let it down. */
function servedRuns(c: PairCounts): number {
  return c.invocations - c.failed;
}
