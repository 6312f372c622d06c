import {
  createIndex,
  decodeVector,
  encodeVector,
  type Embedder,
  type Vector,
  type VectorIndex,
} from '@skills/embeddings';
import {
  isModelStateStore,
  silentLogger,
  TrackerClosedError,
  type CatalogEntry,
  type Logger,
  type QuerySkillCount,
  type Recommendation,
  type RecommendationQuery,
  type SkillStats,
  type SkillsStore,
  type StoredQuery,
} from '@skills/protocol';
import { ResultCache } from './result-cache.js';
import { SavedCentroids, type CentroidCounts, type CurrentCentroids } from './saved-centroids.js';
import {
  describeReason,
  finalScore,
  finishedRuns,
  passesThreshold,
  phaseSuccess,
  RANKING,
  relevance,
  smoothedSuccess,
  usageWeight,
} from './scoring.js';
import { bestPhaseOf } from './best-phase.js';
import { LearnedRanker, restoredModel, type PairCounts, type SavedModel } from './learned/learned-ranker.js';
import { encodeLearnedState } from './learned/model-codec.js';
import { ModelPersistence, type LoadedState } from './learned/model-persistence.js';

/**
 * Which ranking answers: `similarity` (nearest past queries, centroid, success) or `learned`
 * (that relevance blended with a linear model trained on the history; see `learned/`).
 */
export type RankerChoice = 'learned' | 'similarity';

/**
 * How recommendations are filtered and weighed (the ranking part of the settings).
 *
 * @example
 * const { minSimilarity, maxRecommendations, enablePhaseAware, phaseWeight } = settings;
 * const options: RankingOptions = { minSimilarity, maxRecommendations, enablePhaseAware, phaseWeight };
 */
export interface RankingOptions {
  /**
   * Skills whose closest past query (or description) is less similar than this are left out;
   * null uses the embedder's own threshold ({@link Embedder.minSimilarity}).
   */
  readonly minSimilarity: number | null;
  /** How many recommendations when the query names no limit. */
  readonly maxRecommendations: number;
  /** Weigh a skill's success in the asked workflow phase. */
  readonly enablePhaseAware: boolean;
  /** Share of phase success against overall success, 0..1. */
  readonly phaseWeight: number;
  /** The ranking used; default `similarity`. */
  readonly ranker?: RankerChoice;
  /**
   * With the learned ranker: share of the learned score in relevance, 0..1; default
   * {@link RANKING.learnedShare} (fitted by cross-validation on history). Evaluation sets 0 to
   * read both parts apart.
   */
  readonly learnedShare?: number;
}

/** The learned model's size and cost, as {@link Recommender.learnedModel} reports them. */
export interface LearnedModelInfo {
  /** The embedder id and the model's version: a model of another version is never used. */
  readonly version: string;
  /** Rows trained on (distinct (query, skill) pairs), and the model's non-zero weights. */
  readonly rows: number;
  readonly weights: number;
  /** How long the last full fit worked (kept with a saved model). */
  readonly lastFitMs: number;
  /** Full fits this recommender ran (none when it continued a saved model that needed none). */
  readonly fits: number;
  /** True while the model in use is one read from the store (continued online, not refitted). */
  readonly restored: boolean;
  /** Models this recommender stored (one after each fit, where the store keeps them). */
  readonly saved: number;
}

/** Texts embedded per embedder call (and vectors written per store call) while catching up. */
const EMBED_BATCH = 256;
/** Distinct (query, phase, limit) results remembered between writes. */
const CACHE_ENTRIES = 500;
/** After the store refused to keep vectors, how long recommendations go without trying again. */
const SAVE_RETRY_MS = 60_000;

/** A skill as the ranking knows it. `num` keys its centroid; `-(num + 1)` keys its description. */
interface SkillState {
  readonly name: string;
  readonly num: number;
  /** Vector id -> usage weight: the queries it served, and its description. */
  members: Map<number, number>;
  stats: SkillStats | undefined;
  phases: SkillStats[];
}

interface Use {
  readonly skill: SkillState;
  readonly weight: number;
}

interface Evidence {
  neighbourSum: number;
  queries: number;
  best: number;
  description: number | null;
}

/**
 * Recommends skills for a query from the store's history: the past queries nearest in meaning
 * (exact search over this embedder's vectors, kept in memory), aggregated per skill, then
 * weighed by each skill's smoothed success and, when asked, its success in the workflow phase.
 * Catalogue descriptions count as one past query each, so a described skill is found before it
 * has history and its history takes over as it grows.
 *
 * Vectors are stored per embedder: opening embeds (and stores) only queries that lack one.
 * Call {@link invalidate} after each write; the next {@link recommend} catches up incrementally.
 * Storing vectors is a cache write, never a reason for a read to fail: when the store refuses it
 * (a full or read-only disk), the vectors stay in memory, the refusal is logged once, and the
 * write is tried again at the next catch-up, or by a recommendation a minute later.
 *
 * @example
 * const store = await openSqliteStore({ path: '.skills/skills.db' });
 * const recommender = await Recommender.open(store, new LexicalEmbedder(), {
 *   minSimilarity: 0.3, maxRecommendations: 5, enablePhaseAware: true, phaseWeight: 0.3,
 * });
 * const top = await recommender.recommend({ userQuery: 'the type check fails', workflowPhase: 'verification' });
 * console.log(top.map((r) => `${r.skillName}: ${r.reason}`));
 */
export class Recommender {
  /** The embedder whose vectors this recommender reads and writes. */
  readonly embedderId: string;
  readonly #store: SkillsStore;
  readonly #embedder: Embedder;
  readonly #options: Readonly<RankingOptions>;
  readonly #logger: Logger;
  #queries!: VectorIndex;
  #centroids!: VectorIndex;
  #uses = new Map<number, Use[]>();
  #skills = new Map<string, SkillState>();
  #descriptions = new Map<string, string>();
  /** The learned model (null with the similarity ranker). */
  readonly #learned: LearnedRanker | null;
  readonly #learnedShare: number;
  /** Where the learned model is kept between runs (null: the similarity ranker, or a store that keeps none). */
  readonly #persistence: ModelPersistence | null;
  /** The skills' centroids kept with the store, and the count of those summed here. */
  readonly #savedCentroids: SavedCentroids;
  /** The saved model read on opening, until the first catch-up continues from it. */
  #saved: LoadedState | null = null;
  #learnedScores = new Float64Array(0);
  /** Highest query id indexed. */
  #watermark = 0;
  /** Where the usage counts were last read (see SkillsStore.querySkillCountsSince); null: never. */
  #countsCursor: string | null = null;
  #stale = false;
  #syncing: Promise<number> | undefined;
  readonly #cache = new ResultCache<Recommendation[]>(CACHE_ENTRIES);
  /** Bumped by invalidate(): a result computed across a bump is not cached. */
  #generation = 0;
  /** Vectors computed but not stored yet (the store refused them), by query id. */
  #unsaved = new Map<number, Uint8Array>();
  /** The store refused the last attempt to keep them: logged, and not tried again before `#saveAfter`. */
  #saveRefused = false;
  #saveAfter = 0;
  #saving: Promise<void> | undefined;
  #closed = false;

  /** The similarity threshold in force: the option's, or the embedder's own. */
  readonly minSimilarity: number;

  private constructor(store: SkillsStore, embedder: Embedder, options: RankingOptions, logger: Logger) {
    this.#store = store;
    this.#embedder = embedder;
    this.embedderId = embedder.id;
    this.#options = Object.freeze({ ...options });
    this.#logger = logger;
    this.minSimilarity = options.minSimilarity ?? embedder.minSimilarity;
    // A model that takes over makes the cached rankings stale, and is worth keeping.
    this.#learned = options.ranker === 'learned' ? new LearnedRanker(embedder.id, () => this.#learnedTookOver()) : null;
    this.#persistence = this.#learned && isModelStateStore(store) ? new ModelPersistence(store, this.#learned.version, logger) : null;
    this.#savedCentroids = new SavedCentroids(store, embedder.id, logger);
    this.#learnedShare = options.learnedShare ?? RANKING.learnedShare;
    if (!(this.#learnedShare >= 0 && this.#learnedShare <= 1)) throw new RangeError(`learnedShare must be between 0 and 1, not ${options.learnedShare}`);
    this.#reset();
  }

  /**
   * Loads this embedder's stored vectors, embeds (in batches) and stores vectors for queries
   * that lack one, and builds the index. `logger` hears of vectors the store refused to keep.
   */
  static async open(store: SkillsStore, embedder: Embedder, options: RankingOptions, logger: Logger = silentLogger): Promise<Recommender> {
    const recommender = new Recommender(store, embedder, options, logger);
    recommender.#saved = (await recommender.#persistence?.load()) ?? null;
    await recommender.#sync(() => recommender.#catchUp());
    await recommender.#savedCentroids.load(recommender.#watermark);
    return recommender;
  }

  /** The store changed: drop cached results; the next recommend() catches up first. */
  invalidate(): void {
    this.#stale = true;
    this.#dropCache();
  }

  #dropCache(): void {
    this.#generation++;
    this.#cache.clear();
  }

  /**
   * Resolves when the learned model's fit under way (it runs in the background, and the
   * similarity ranking answers until the first is done) has finished and the model is stored;
   * at once with none.
   */
  async learnedTrained(): Promise<void> {
    await this.#learned?.trained();
    await this.#persistence?.idle();
  }

  #learnedTookOver(): void {
    this.#dropCache();
    this.#saveLearned();
  }

  /**
   * Keeps the model in use with the store: encoded now (a consistent copy of the model and the
   * counts it learned), written in the background.
   */
  #saveLearned(): void {
    const persistence = this.#persistence;
    const names = [...this.#skills.keys()]; // in number order: numbers are given as skills are first seen
    const state = persistence && this.#learned?.state((skill) => names[skill]!);
    if (!persistence || !state) return;
    let trainedUpTo = 0;
    for (const id of state.pairs.queryIds) if (id > trainedUpTo) trainedUpTo = id;
    void persistence.save({ version: persistence.version, trainedUpTo, bytes: encodeLearnedState(state) });
  }

  /**
   * The model saved with the store, once (on opening), renumbered to this process's skills; none
   * when it learned from queries this store does not have (another history, or a restored backup).
   */
  #takeSaved(lastQueryId: number): SavedModel | undefined {
    const saved = this.#saved;
    this.#saved = null;
    if (!saved) return undefined;
    if (saved.trainedUpTo > lastQueryId) {
      this.#logger.info(`the stored learned model learned from queries up to id ${saved.trainedUpTo}, this store's end at ${lastQueryId}: training a new one`);
      return undefined;
    }
    return restoredModel(saved, (name) => this.#skill(name).num);
  }

  /**
   * Stops the background work before the store closes: the learned model's fit under way is
   * abandoned (a half-trained model is never used nor saved), and the writes under way (query
   * vectors, a fitted model: each one store transaction) finish. Afterwards nothing of this
   * recommender stays reachable from a timer, so it and its index are freed with it; recommend()
   * and reindex() then throw. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#learned?.stop();
    // A catch-up under way reads the store; it cannot start a fit any more.
    await this.#syncing?.catch(() => {});
    await this.#saving;
    await this.#persistence?.idle();
    await this.#savedCentroids.flush();
    this.#reset();
    this.#cache.clear();
  }

  #assertOpen(what: string): void {
    if (this.#closed) throw new TrackerClosedError(what);
  }

  /** Skills for a query, best first: at most `limit` (default `maxRecommendations`). */
  async recommend(query: RecommendationQuery): Promise<Recommendation[]> {
    this.#assertOpen('recommend');
    await this.#fresh();
    // Not awaited: the answer does not wait for a write it does not need.
    if (this.#unsaved.size > 0 && Date.now() >= this.#saveAfter) void this.#save();
    const text = query.userQuery.replace(/\s+/g, ' ').trim();
    const phase = this.#options.enablePhaseAware ? (query.workflowPhase ?? null) : null;
    const limit = query.limit ?? this.#options.maxRecommendations;
    const key = JSON.stringify([text, phase, limit]);
    const cached = this.#cache.get(key);
    if (cached) return cached.map((r) => ({ ...r }));
    const generation = this.#generation;
    const [vector] = await this.#embedder.embed([text]);
    // Never rank on a half-applied catch-up (one may have started while embedding).
    while (this.#syncing) await this.#syncing.catch(() => {});
    const ranked = this.#rank(vector!, phase, limit);
    if (generation === this.#generation) this.#cache.set(key, ranked);
    this.#savedCentroids.saveSoon(this.#currentCentroids);
    return ranked.map((r) => ({ ...r }));
  }

  /** Drops this embedder's stored vectors and recomputes them all. */
  async reindex(): Promise<{ embedded: number }> {
    this.#assertOpen('reindex');
    let embedded: number;
    try {
      embedded = await this.#sync(async () => {
        await this.#store.deleteEmbeddings(this.embedderId);
        this.#reset();
        return this.#catchUp();
      });
    } catch (error) {
      // Half rebuilt: the next recommend() catches up again from wherever it stopped.
      this.#stale = true;
      throw error;
    } finally {
      this.#generation++;
      this.#cache.clear();
    }
    return { embedded };
  }

  /** Waits for a running catch-up, and runs one if the store changed since the last. */
  async #fresh(): Promise<void> {
    for (;;) {
      if (this.#syncing) {
        await this.#syncing.catch(() => {});
        continue;
      }
      if (!this.#stale) return;
      this.#stale = false;
      try {
        await this.#sync(() => this.#catchUp());
      } catch (error) {
        this.#stale = true;
        throw error;
      }
    }
  }

  /** Runs one catch-up or reindex at a time. */
  async #sync(work: () => Promise<number>): Promise<number> {
    while (this.#syncing) await this.#syncing.catch(() => {});
    const run = work();
    this.#syncing = run;
    try {
      return await run;
    } finally {
      this.#syncing = undefined;
    }
  }

  #reset(): void {
    this.#queries = createIndex(this.#embedder);
    // Centroids are compared in the same weighted space as the queries they summarise.
    this.#centroids = createIndex(this.#embedder, { weightsFrom: this.#queries });
    this.#uses = new Map();
    this.#skills = new Map();
    this.#descriptions = new Map();
    this.#watermark = 0;
    this.#countsCursor = null;
    this.#unsaved = new Map();
  }

  /**
   * The learned model's size, cost and origin, null with the similarity ranker: rows trained on,
   * non-zero weights, its last full fit's cost, the fits run, whether it was read from the store.
   */
  get learnedModel(): LearnedModelInfo | null {
    const l = this.#learned;
    if (!l) return null;
    return { version: l.version, rows: l.rows, weights: l.weights, lastFitMs: l.lastFitMs, fits: l.fits, restored: l.restored, saved: this.#persistence?.saved ?? 0 };
  }

  /** Centroids taken from the store and summed by this recommender, and the sets it saved. */
  get centroids(): CentroidCounts {
    return this.#savedCentroids.counts;
  }

  /**
   * Stores now the centroids summed for the answers so far, and resolves when they are stored
   * (they are saved in the background after an answer, at most once a minute, and on closing).
   */
  async centroidsSaved(): Promise<void> {
    await this.#savedCentroids.flush();
  }

  readonly #currentCentroids: CurrentCentroids = {
    centroid: (name) => {
      const skill = this.#skills.get(name);
      return skill && this.#centroids.get(skill.num);
    },
    lastQueryId: () => this.#watermark,
  };

  /** How many vectors are waiting to be stored (the store refused them so far). */
  get unsavedVectors(): number {
    return this.#unsaved.size;
  }

  /**
   * Stores the vectors not stored yet, one attempt at a time. A refusal keeps them in memory and
   * is logged once, until an attempt succeeds (which is logged too).
   */
  #save(): Promise<void> {
    this.#saving ??= (async () => {
      const vectors = new Map(this.#unsaved);
      try {
        await this.#store.putEmbeddings(this.embedderId, vectors);
      } catch (error) {
        this.#saveAfter = Date.now() + SAVE_RETRY_MS;
        if (!this.#saveRefused) {
          this.#saveRefused = true;
          this.#logger.warn(
            `could not store ${vectors.size} query vectors; recommendations use them from memory and the write is tried again later: ${(error as Error).message}`,
          );
        }
        return;
      }
      // Vectors added while this write ran wait for the next attempt.
      for (const [id, bytes] of vectors) if (this.#unsaved.get(id) === bytes) this.#unsaved.delete(id);
      if (this.#saveRefused) {
        this.#saveRefused = false;
        this.#logger.info('the query vectors kept in memory are stored now');
      }
    })().finally(() => (this.#saving = undefined));
    return this.#saving;
  }

  /** Brings the index and the statistics up to the store; returns how many texts it embedded. */
  async #catchUp(): Promise<number> {
    const store = this.#store;
    // Read before the queries: every query these counts name is then indexed below.
    let changes = await store.querySkillCountsSince(this.#countsCursor);
    let countedUpTo = this.#watermark;
    const added = await store.listQueries(this.#watermark);
    let embedded = 0;
    if (added.length > 0) {
      // Another process may have embedded some already.
      const stored = await store.getEmbeddings(this.embedderId, this.#watermark);
      const missing: StoredQuery[] = [];
      const known: [number, Vector][] = [];
      for (const q of added) {
        const bytes = stored.get(q.id);
        const vector = bytes ? this.#readVector(bytes) : null;
        if (vector) known.push([q.id, vector]);
        else missing.push(q);
      }
      // At once: on opening a large store, the index is built in one pass.
      this.#queries.addMany(known);
      for (let start = 0; start < missing.length; start += EMBED_BATCH) {
        const batch = missing.slice(start, start + EMBED_BATCH);
        const vectors = await this.#embedder.embed(batch.map((q) => q.text));
        batch.forEach((q, i) => this.#unsaved.set(q.id, encodeVector(vectors[i]!)));
        this.#queries.addMany(batch.map((q, i) => [q.id, vectors[i]!]));
        await this.#save();
        embedded += batch.length;
      }
      for (const q of added) if (q.id > this.#watermark) this.#watermark = q.id; // no spread: 1M ids overflow the stack
    }
    const [stats, phases, catalog] = await Promise.all([
      // Rates and means only: percentiles would cost a pass over every duration at each catch-up.
      store.skillStats(undefined, { percentiles: false }),
      store.phaseStats(undefined, { percentiles: false }),
      store.listCatalog(),
    ]);
    // A description that came or went is a member added or dropped: count them all again. (One
    // that changed only moves its skill's centroid, updated below with the others.)
    const described = await this.#syncCatalog(catalog);
    if (described.size > 0 && !changes.complete) {
      changes = await store.querySkillCountsSince(null);
      countedUpTo = this.#watermark;
    }
    const changed = changes.complete ? this.#syncCounts(changes.counts, countedUpTo) : this.#updateCounts(changes.queryIds, changes.counts);
    for (const skill of described) changed.add(skill);
    // Recomputed when a ranking first needs them (see #centroidsFor): most skills are no query's candidate.
    for (const skill of changed) this.#centroids.delete(skill.num);
    this.#countsCursor = changes.cursor;
    this.#syncStats(stats, phases);
    return embedded;
  }

  /** A stored vector of this embedder, or null when it cannot be used (then it is recomputed). */
  #readVector(bytes: Uint8Array): Vector | null {
    try {
      const v = decodeVector(bytes);
      if (v.kind !== this.#embedder.kind) return null;
      if (v.kind === 'dense' && v.values.length !== this.#embedder.dimensions) return null;
      return v;
    } catch {
      return null;
    }
  }

  #skill(name: string): SkillState {
    let skill = this.#skills.get(name);
    if (!skill) {
      skill = { name, num: this.#skills.size, members: new Map(), stats: undefined, phases: [] };
      this.#skills.set(name, skill);
    }
    return skill;
  }

  /** Indexes the catalogue's descriptions; returns the skills whose description came, changed or went. */
  async #syncCatalog(catalog: readonly CatalogEntry[]): Promise<Set<SkillState>> {
    const described = new Set<SkillState>();
    const wanted = new Map(catalog.map((e) => [e.skillName, `${e.skillName}: ${e.description}`]));
    for (const name of this.#descriptions.keys()) {
      if (!wanted.has(name)) {
        const skill = this.#skill(name);
        this.#queries.delete(-(skill.num + 1));
        this.#descriptions.delete(name);
        described.add(skill);
      }
    }
    const changed = [...wanted].filter(([name, text]) => this.#descriptions.get(name) !== text);
    for (let start = 0; start < changed.length; start += EMBED_BATCH) {
      const batch = changed.slice(start, start + EMBED_BATCH);
      const vectors = await this.#embedder.embed(batch.map(([, text]) => text));
      batch.forEach(([name, text], i) => {
        const skill = this.#skill(name);
        this.#queries.add(-(skill.num + 1), vectors[i]!);
        this.#descriptions.set(name, text);
        described.add(skill);
      });
    }
    return described;
  }

  /**
   * Replaces every skill's members by `counts` (and the descriptions), which were read when the
   * queries up to `countedUpTo` were indexed; returns the skills whose members changed.
   */
  #syncCounts(counts: readonly QuerySkillCount[], countedUpTo: number): Set<SkillState> {
    const uses = new Map<number, Use[]>();
    const members = new Map<SkillState, Map<number, number>>();
    const note = (skill: SkillState, id: number, weight: number) => {
      let m = members.get(skill);
      if (!m) members.set(skill, (m = new Map()));
      m.set(id, weight);
      let u = uses.get(id);
      if (!u) uses.set(id, (u = []));
      u.push({ skill, weight });
    };
    for (const c of counts) if (c.invocations > 0) note(this.#skill(c.skillName), c.queryId, usageWeight(c.invocations));
    // A query indexed before these counts were read that they do not name was pruned: its vector
    // goes too (it would still weigh in the IDF). Later ids were indexed after: not yet counted.
    for (const id of [...this.#queries.ids()]) if (id > 0 && id <= countedUpTo && !uses.has(id)) this.#queries.delete(id);
    for (const name of this.#descriptions.keys()) {
      const skill = this.#skill(name);
      note(skill, -(skill.num + 1), usageWeight(1));
    }
    this.#uses = uses;
    this.#learned?.replace(this.#pairs(counts), this.#vectorOf, this.#takeSaved(this.#watermark));
    const changed = new Set<SkillState>();
    for (const skill of this.#skills.values()) {
      const next = members.get(skill) ?? new Map<number, number>();
      if (sameWeights(skill.members, next)) continue;
      skill.members = next;
      changed.add(skill);
    }
    return changed;
  }

  /**
   * Replaces the uses of the listed queries by `counts` (all their pairs); returns the skills
   * whose members changed. After a write, a few queries instead of every count.
   */
  #updateCounts(queryIds: readonly number[], counts: readonly QuerySkillCount[]): Set<SkillState> {
    const before = new Map<SkillState, Map<number, number>>();
    for (const id of queryIds) {
      for (const use of this.#uses.get(id) ?? []) {
        let old = before.get(use.skill);
        if (!old) before.set(use.skill, (old = new Map()));
        old.set(id, use.weight);
        use.skill.members.delete(id);
      }
      this.#uses.delete(id);
    }
    const changed = new Set<SkillState>();
    for (const c of counts) {
      if (c.invocations <= 0) continue;
      const skill = this.#skill(c.skillName);
      const weight = usageWeight(c.invocations);
      skill.members.set(c.queryId, weight);
      let u = this.#uses.get(c.queryId);
      if (!u) this.#uses.set(c.queryId, (u = []));
      u.push({ skill, weight });
      if (before.get(skill)?.get(c.queryId) !== weight) changed.add(skill);
      before.get(skill)?.delete(c.queryId);
    }
    // Uses that were not given again are gone.
    for (const [skill, gone] of before) if (gone.size > 0) changed.add(skill);
    this.#learned?.apply(queryIds, this.#pairs(counts), this.#vectorOf);
    return changed;
  }

  /** The counts as the learned model reads them (skills by number). */
  #pairs(counts: readonly QuerySkillCount[]): PairCounts[] {
    return counts.map((c) => ({ queryId: c.queryId, skill: this.#skill(c.skillName).num, invocations: c.invocations, failed: c.failed }));
  }

  readonly #vectorOf = (queryId: number): Vector | undefined => this.#queries.get(queryId);

  /**
   * Puts in the centroid index the centroids of `skills` it lacks (a catch-up drops those whose
   * members changed): each the usage-weighted sum of the skill's vectors (direction is all that
   * matters for a cosine). A centroid's similarity depends on its own vector and the queries' IDF
   * alone, never on which other centroids are indexed, so computing only the candidates' ranks
   * exactly as computing them all. One saved with the store for the same members is taken as is.
   */
  #centroidsFor(skills: Iterable<SkillState>): void {
    const missing: [number, Vector][] = [];
    for (const skill of skills) {
      if (this.#centroids.has(skill.num)) continue;
      const sum = () => this.#queries.weightedSum(skill.members);
      const centroid = this.#savedCentroids.centroidOf(skill.name, skill.members, this.#descriptions.get(skill.name), sum);
      if (centroid) missing.push([skill.num, centroid]);
    }
    if (missing.length > 0) this.#centroids.addMany(missing);
  }

  #syncStats(stats: readonly SkillStats[], phases: readonly SkillStats[]): void {
    for (const skill of this.#skills.values()) {
      skill.stats = undefined;
      skill.phases = [];
    }
    for (const s of stats) this.#skill(s.skillName).stats = s;
    for (const p of phases) if (p.workflowPhase) this.#skill(p.skillName).phases.push(p);
  }

  #rank(query: Vector, phase: string | null, limit: number): Recommendation[] {
    const evidence = new Map<SkillState, Evidence>();
    for (const n of this.#queries.search(query, RANKING.neighbours)) {
      for (const use of this.#uses.get(n.id) ?? []) {
        let e = evidence.get(use.skill);
        if (!e) evidence.set(use.skill, (e = { neighbourSum: 0, queries: 0, best: 0, description: null }));
        e.neighbourSum += use.weight * Math.pow(n.similarity, RANKING.power);
        if (n.id < 0) e.description = n.similarity;
        else {
          e.queries++;
          e.best = Math.max(e.best, n.similarity);
        }
      }
    }
    const centroid = new Map<number, number>();
    this.#centroidsFor(evidence.keys());
    for (const n of this.#centroids.search(query, this.#skills.size)) centroid.set(n.id, n.similarity);
    const learned = this.#learned?.ready ? this.#learned : null;
    if (learned) {
      if (this.#learnedScores.length < this.#skills.size) this.#learnedScores = new Float64Array(this.#skills.size);
      learned.scores(query, this.#learnedScores);
    }

    const out: Recommendation[] = [];
    for (const [skill, e] of evidence) {
      const similarity = Math.min(1, Math.max(e.best, e.description ?? 0));
      // Before the model has evidence enough (cold start), relevance alone, as the similarity ranker.
      const learnedScore = learned ? this.#learnedScores[skill.num]! : undefined;
      if (!passesThreshold({ similarityScore: similarity, learnedScore }, this.minSimilarity)) continue;
      const stats = skill.stats;
      const completed = stats?.completed ?? 0;
      const finished = stats ? finishedRuns(stats) : 0;
      const success = smoothedSuccess(completed, finished);
      const inPhase = phase === null ? undefined : skill.phases.find((p) => p.workflowPhase === phase);
      const phaseRate =
        phase === null ? null : phaseSuccess(inPhase?.completed ?? 0, inPhase ? finishedRuns(inPhase) : 0, success);
      const rel = relevance({ neighbourSum: e.neighbourSum, centroid: centroid.get(skill.num) ?? 0 });
      const blended = learnedScore === undefined ? rel : (1 - this.#learnedShare) * rel + this.#learnedShare * learnedScore;
      const bestPhase = bestPhaseOf(skill.phases);
      out.push({
        skillName: skill.name,
        score: finalScore(blended, success, phaseRate, this.#options.phaseWeight),
        similarityScore: similarity,
        successRate: success,
        completed: success >= 0.5,
        durationSeconds: stats?.meanDurationSeconds ?? null,
        workflowPhase: bestPhase,
        invocationCount: stats?.invocations ?? 0,
        reason: describeReason({
          similarQueries: e.queries,
          bestSimilarity: e.best,
          descriptionSimilarity: e.description,
          completed,
          finished,
          phase,
          phaseCompleted: inPhase?.completed ?? 0,
          phaseFinished: inPhase ? finishedRuns(inPhase) : 0,
          bestPhase,
          learnedScore: learnedScore ?? null,
        }),
        ...(learnedScore === undefined ? {} : { learnedScore }),
      });
    }
    out.sort((a, b) => b.score - a.score || b.similarityScore - a.similarityScore || (a.skillName < b.skillName ? -1 : 1));
    return out.slice(0, limit);
  }
}

function sameWeights(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
