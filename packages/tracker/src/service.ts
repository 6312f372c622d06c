import {
  consoleLogger,
  describeStore,
  isChangeFeedStore,
  openStore,
  parseOrThrow,
  RecommendationQuerySchema,
  ValidationError,
  type BatchResult,
  type Logger,
  type Recommendation,
  type RecommendationQueryInput,
  type Settings,
  type SkillsStore,
  type StoreEngine,
  type WriteBatch,
} from '@skills/protocol';
import { createEmbedder, type Embedder } from '@skills/embeddings';
import { storeEngines } from './engines.js';
import { Recommender } from './recommend/index.js';
import { redactQuery } from './redact.js';
import { databaseTarget } from './settings/index.js';

/** How to open a {@link SkillsService}. */
export interface SkillsServiceOptions {
  readonly settings: Settings;
  /** Resolves a relative or default database path; default the working directory. */
  readonly cwd?: string;
  readonly logger?: Logger;
  /** Use this store instead of opening the one the settings name (`dbUrl`, `dbPath`). */
  readonly store?: SkillsStore;
  /**
   * The engines that may open the store the settings name, picked by URL scheme (a plain path
   * goes to the engine that opens paths). Default: the SQLite engine of `@skills/store-sqlite`,
   * loaded when needed (an optional peer dependency).
   */
  readonly engines?: readonly StoreEngine[];
  /** Use this embedder instead of the one the settings choose. */
  readonly embedder?: Embedder;
}

/**
 * The store, the embedder and the recommender together: what the direct tracker, the server
 * and the command all act through, so that writes always invalidate recommendations.
 *
 * @example
 * const service = await SkillsService.open({ settings: loadSettings().settings });
 * const top = await service.recommend({ userQuery: 'fix the failing type check' });
 * await service.close();
 */
export class SkillsService {
  readonly store: SkillsStore;
  /** Where the data lives, for people: the engine's `describe` of the target (never a password). */
  readonly location: string;
  readonly settings: Settings;
  readonly logger: Logger;
  #embedder: Embedder | undefined;
  #recommender: Promise<Recommender> | undefined;
  /** Ends the subscription to the store's change feed, once the recommender has one. */
  #unwatch: (() => void) | undefined;
  #closed = false;
  #writeError: { readonly message: string; readonly at: string } | null = null;

  private constructor(store: SkillsStore, location: string, settings: Settings, logger: Logger, embedder: Embedder | undefined) {
    this.store = store;
    this.location = location;
    this.settings = settings;
    this.logger = logger;
    this.#embedder = embedder;
  }

  /**
   * Opens the store with the engine for its URL scheme (SQLite creates the file and its folder),
   * and marks long-pending invocations abandoned.
   *
   * @throws {UnknownEngineError} when no engine opens the target (nothing is created).
   * @throws {NotAvailableError} when no engines are given and `@skills/store-sqlite` is not installed.
   */
  static async open(options: SkillsServiceOptions): Promise<SkillsService> {
    const logger = options.logger ?? consoleLogger;
    let store = options.store;
    let location: string;
    if (store) {
      location = store.location;
    } else {
      const cwd = options.cwd ?? process.cwd();
      const engines = await storeEngines(options.engines);
      const target = databaseTarget(options.settings, cwd);
      store = await openStore(target, engines, { cwd });
      location = describeStore(target, engines, { cwd });
    }
    const service = new SkillsService(store, location, options.settings, logger, options.embedder);
    const cutoff = new Date(Date.now() - options.settings.abandonAfterSeconds * 1000).toISOString();
    try {
      await store.markAbandoned({ olderThan: cutoff });
    } catch (error) {
      // Housekeeping only: a read-only or full store must still open for reading and tracking.
      logger.warn(`could not mark old pending invocations abandoned: ${(error as Error).message}`);
    }
    return service;
  }

  /** Writes a batch in one transaction (queries redacted when the settings say so) and lets recommendations see it. */
  async apply(batch: WriteBatch): Promise<BatchResult> {
    const inserts = this.settings.redactSecrets
      ? batch.inserts?.map((r) => (r.userQuery ? { ...r, userQuery: redactQuery(r.userQuery) } : r))
      : batch.inserts;
    let result: BatchResult;
    try {
      result = await this.store.applyBatch({ ...batch, inserts });
    } catch (error) {
      // Rejected input says nothing about the storage; anything else (full or read-only disk) does.
      if (!(error instanceof ValidationError)) this.#writeError = { message: (error as Error).message, at: new Date().toISOString() };
      throw error;
    }
    this.#writeError = null;
    this.invalidate();
    return result;
  }

  /** The last write's storage failure (a full or read-only disk), or null once a write succeeds again. */
  get writeError(): { readonly message: string; readonly at: string } | null {
    return this.#writeError;
  }

  /**
   * Tells the recommender that the store changed underneath it. Called after each write through
   * this service and, when the store has a change feed, after each change by any process.
   */
  invalidate(): void {
    if (this.#recommender) void this.#recommender.then((r) => r.invalidate(), () => {});
  }

  /** Skills ranked for a query. Validates the query first; the recommender opens on first use. */
  async recommend(input: RecommendationQueryInput): Promise<Recommendation[]> {
    const query = parseOrThrow(RecommendationQuerySchema, input, 'recommendation query');
    return (await this.recommender()).recommend(query);
  }

  /** Recomputes every stored query vector with the embedder in force. */
  async reindex(): Promise<{ embedded: number; embedderId: string }> {
    const recommender = await this.recommender();
    const { embedded } = await recommender.reindex();
    return { embedded, embedderId: recommender.embedderId };
  }

  /** The embedder in force (created on first use). */
  async embedder(): Promise<Embedder> {
    this.#embedder ??= await createEmbedder(this.settings, this.logger);
    return this.#embedder;
  }

  /** Closes the store. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unwatch?.();
    // The recommender's background work (a learned fit, a model or vector write) ends before the store closes.
    const recommender = this.#recommender;
    this.#recommender = undefined;
    if (recommender) await recommender.then((r) => r.close(), () => {});
    await this.store.close();
  }

  private recommender(): Promise<Recommender> {
    const { minSimilarity, maxRecommendations, enablePhaseAware, phaseWeight, ranker } = this.settings;
    this.#recommender ??= this.embedder().then((embedder) =>
      Recommender.open(this.store, embedder, { minSimilarity, maxRecommendations, enablePhaseAware, phaseWeight, ranker }, this.logger),
    );
    // A failed open is not cached: the next call tries again.
    this.#recommender.catch(() => (this.#recommender = undefined));
    // Writes by other processes (another server on the database, a hook command) make it stale too.
    if (!this.#unwatch && isChangeFeedStore(this.store)) this.#unwatch = this.store.watchChanges(() => this.invalidate());
    return this.#recommender;
  }
}
