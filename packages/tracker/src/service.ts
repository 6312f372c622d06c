import {
  consoleLogger,
  DEFAULT_PROJECT,
  describeStore,
  isChangeFeedStore,
  isProjectStore,
  NotAvailableError,
  openStore,
  parseOrThrow,
  ProjectSchema,
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
import { ProjectCache } from './project-cache.js';
import { projectView } from './project-view.js';
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
  /**
   * How many other projects' services {@link SkillsService.forProject} keeps open at most (default
   * {@link DEFAULT_MAX_PROJECT_SERVICES}): beyond it, the least recently asked for that is idle closes.
   */
  readonly maxProjectServices?: number;
}

/**
 * The default of {@link SkillsServiceOptions.maxProjectServices}: each open service may hold a
 * recommender (vectors, a learned model), and a caller allowed every project can name any number.
 */
export const DEFAULT_MAX_PROJECT_SERVICES = 64;

/** A storage failure of a write: what it said, and when (ISO 8601). */
export interface WriteFailure {
  readonly message: string;
  readonly at: string;
}

/** What the services of one opened store share: the store itself, the embedder, each project's service. */
interface Shared {
  readonly allProjects: SkillsStore;
  readonly location: string;
  readonly logger: Logger;
  /** Created on first use by whichever project asks first, then used by all. */
  embedder: Promise<Embedder> | undefined;
  /** The service that opened the store: never closed to make room. */
  opener: SkillsService | undefined;
  /** The other projects' open services, at most `maxProjectServices` while idle. */
  readonly services: ProjectCache<SkillsService>;
  /** Services closed to make room whose closing is under way: the store closes after them. */
  readonly evictions: Set<Promise<void>>;
  /** The last write's storage failure through any project (they share the storage), until a write succeeds. */
  writeError: WriteFailure | null;
  closed: boolean;
}

/**
 * The store, the embedder and the recommender together: what the direct tracker, the server
 * and the command all act through, so that writes always invalidate recommendations. A service
 * reads and writes one project (`settings.project`); {@link SkillsService.forProject} gives the
 * service of another project on the same store.
 *
 * @example
 * const service = await SkillsService.open({ settings: loadSettings().settings });
 * const top = await service.recommend({ userQuery: 'fix the failing type check' });
 * const other = service.forProject('team-b'); // team-b's history only
 * await service.close(); // closes team-b's service too
 */
export class SkillsService {
  /** The project this service reads and writes: `settings.project` (`default` unless set). */
  readonly project: string;
  /**
   * This service's store: the project's view when the store keeps projects (see
   * `isProjectStore`), else the store itself, which then serves project `default` only.
   */
  readonly store: SkillsStore;
  /** The store across all projects (what was opened), for views of every project. */
  readonly allProjects: SkillsStore;
  /** Where the data lives, for people: the engine's `describe` of the target (never a password). */
  readonly location: string;
  /** The settings in force; `project` is this service's. */
  readonly settings: Settings;
  readonly logger: Logger;
  readonly #shared: Shared;
  /** True for the service that opened the store: closing it closes the store. */
  readonly #opener: boolean;
  #recommender: Promise<Recommender> | undefined;
  /** Ends the subscription to the store's change feed, once the recommender has one. */
  #unwatch: (() => void) | undefined;
  #closed = false;
  /** Recommendations and reindexing under way: a busy service is not closed to make room. */
  #busy = 0;

  private constructor(shared: Shared, settings: Settings, opener: boolean) {
    this.#shared = shared;
    this.#opener = opener;
    this.project = settings.project;
    this.settings = settings;
    this.allProjects = shared.allProjects;
    this.store = projectView(shared.allProjects, settings.project);
    this.location = shared.location;
    this.logger = shared.logger;
  }

  /**
   * Opens the store with the engine for its URL scheme (SQLite creates the file and its folder),
   * and marks long-pending invocations of every project abandoned.
   *
   * @throws {UnknownEngineError} when no engine opens the target (nothing is created).
   * @throws {NotAvailableError} when no engines are given and `@skills/store-sqlite` is not installed,
   * or when `settings.project` is not `default` and the store keeps no projects.
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
    const shared: Shared = {
      allProjects: store,
      location,
      logger,
      embedder: options.embedder ? Promise.resolve(options.embedder) : undefined,
      opener: undefined,
      services: new ProjectCache(options.maxProjectServices ?? DEFAULT_MAX_PROJECT_SERVICES, (project) => new SkillsService(shared, { ...options.settings, project }, false), {
        idle: (service) => service.#busy === 0,
        drop: (service) => {
          const closing = service.close();
          shared.evictions.add(closing);
          void closing.finally(() => shared.evictions.delete(closing));
        },
      }),
      evictions: new Set(),
      writeError: null,
      closed: false,
    };
    let service: SkillsService;
    try {
      service = new SkillsService(shared, options.settings, true);
      shared.opener = service;
    } catch (error) {
      // Only a store this call opened is closed: a given one stays the caller's.
      if (!options.store) await store.close();
      throw error;
    }
    const cutoff = new Date(Date.now() - options.settings.abandonAfterSeconds * 1000).toISOString();
    try {
      await store.markAbandoned({ olderThan: cutoff });
    } catch (error) {
      // Housekeeping only: a read-only or full store must still open for reading and tracking.
      logger.warn(`could not mark old pending invocations abandoned: ${(error as Error).message}`);
    }
    return service;
  }

  /**
   * The service of another project on the same store: its view, its own recommender (opened on
   * first use, following the change feed), the shared embedder and settings. The same object for
   * the same name (this one for its own project) while it stays open: closed when the service that
   * opened the store closes, or earlier, when more than `maxProjectServices` others are open and
   * it is the least recently asked for idle one; a caller that kept it can go on using it (its
   * recommendations come from the project's service open then).
   *
   * @throws {ValidationError} when `project` breaks the project name rule.
   * @throws {NotAvailableError} when the store keeps no projects and `project` is not `default`.
   *
   * @example
   * const beta = service.forProject('beta');
   * await beta.recommend({ userQuery: 'deploy' }); // from beta's history only
   */
  forProject(project: string): SkillsService {
    const name = parseOrThrow(ProjectSchema, project, 'project');
    const shared = this.#shared;
    if (shared.closed) throw new NotAvailableError(`the store is closed; project "${name}" cannot be opened on it`);
    return shared.opener!.project === name ? shared.opener! : shared.services.get(name);
  }

  /** How many project services are open on this store, the opener's included (at most `maxProjectServices` + 1 while idle). */
  get openServices(): number {
    return this.#shared.services.size + 1;
  }

  /** Projects holding data, sorted (`['default']` for a store that keeps no projects). */
  async listProjects(): Promise<string[]> {
    const store = this.#shared.allProjects;
    return isProjectStore(store) ? store.listProjects() : [DEFAULT_PROJECT];
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
      if (!(error instanceof ValidationError)) this.#shared.writeError = { message: (error as Error).message, at: new Date().toISOString() };
      throw error;
    }
    this.#shared.writeError = null;
    this.invalidate();
    return result;
  }

  /**
   * The last write's storage failure (a full or read-only disk) through any project's service on
   * this store, which all share the storage; null once a write through any of them succeeds.
   */
  get writeError(): WriteFailure | null {
    return this.#shared.writeError;
  }

  /**
   * Tells the recommender that the store changed underneath it. Called after each write through
   * this service and, when the store has a change feed, after each change by any process.
   */
  invalidate(): void {
    // A closed service has no recommender: its project's open one (if any) is what goes stale.
    if (this.#closed) this.#shared.services.peek(this.project)?.invalidate();
    else if (this.#recommender) void this.#recommender.then((r) => r.invalidate(), () => {});
  }

  /**
   * Skills ranked for a query. Validates the query first; the recommender opens on first use, of a
   * project holding data (another project's answer is empty, and nothing is stored for it).
   */
  async recommend(input: RecommendationQueryInput): Promise<Recommendation[]> {
    const query = parseOrThrow(RecommendationQuerySchema, input, 'recommendation query');
    // A project holding nothing has nothing to recommend. No recommender opens for it: one would
    // store the project (its model), for any name a caller allowed every project may invent.
    if (!this.#recommender && !this.#opener && !(await this.listProjects()).includes(this.project)) return [];
    return this.#withRecommender((recommender) => recommender.recommend(query));
  }

  /** Recomputes every stored query vector with the embedder in force. */
  async reindex(): Promise<{ embedded: number; embedderId: string }> {
    return this.#withRecommender(async (recommender) => {
      const { embedded } = await recommender.reindex();
      return { embedded, embedderId: recommender.embedderId };
    });
  }

  /**
   * Runs `work` with the recommender, the service marked busy meanwhile (see {@link forProject}'s
   * cap). A closed service (one closed to make room, still held by a caller) hands the work to its
   * project's open service: a recommender of its own would stay open after the store closes.
   */
  async #withRecommender<T>(work: (recommender: Recommender) => Promise<T>): Promise<T> {
    if (this.#closed && !this.#opener) return this.forProject(this.project).#withRecommender(work);
    this.#busy++;
    try {
      return await work(await this.recommender());
    } finally {
      this.#busy--;
    }
  }

  /** The embedder in force (created on first use, shared by every project's service). */
  embedder(): Promise<Embedder> {
    const shared = this.#shared;
    shared.embedder ??= createEmbedder(this.settings, this.logger);
    // A failed creation is not kept: the next call tries again.
    shared.embedder.catch(() => (shared.embedder = undefined));
    return shared.embedder;
  }

  /**
   * Closes this service's recommender. On the service that opened the store, also closes every
   * other project's service, then the store. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const shared = this.#shared;
    if (shared.services.peek(this.project) === this) shared.services.delete(this.project);
    this.#unwatch?.();
    // The recommender's background work (a learned fit, a model or vector write) ends before the store closes.
    const recommender = this.#recommender;
    this.#recommender = undefined;
    if (recommender) await recommender.then((r) => r.close(), () => {});
    if (!this.#opener) return;
    shared.closed = true;
    await Promise.all([...shared.services.values()].map((service) => service.close()).concat([...shared.evictions]));
    await shared.allProjects.close();
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

