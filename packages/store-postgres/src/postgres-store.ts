import {
  DEFAULT_PROJECT,
  EXPORT_FORMAT_VERSION,
  ExportDocumentSchema,
  parseOrThrow,
  PLAIN_RECORD_CHECKS,
  checkProjectName,
  foreignProjectViolations,
  PROJECT_NAME_RULE,
  StoreError,
  ValidationError,
  isEmptyFilter,
  resolvePage,
  validateBatch,
  validateCatalog,
  validateModelState,
  type Activity,
  type ActivityQuery,
  type BatchResult,
  type CatalogEntry,
  type ChangeFeed,
  type DiagnosableStore,
  type ExportDocument,
  type ImportResult,
  type InsightsStore,
  type InvocationFilter,
  type InvocationRecord,
  type ModelStateStore,
  type Page,
  type ProjectScopes,
  type QuerySkillCount,
  type QuerySkillCountChanges,
  type SkillProfile,
  type SkillsStore,
  type SkillStats,
  type StatsOptions,
  type StoreCheck,
  type StoredQuery,
  type WriteBatch,
} from '@skills/protocol';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { announceChange, PostgresChangeFeed } from './change-feed.js';
import { diagnose, probeWrites } from './diagnose.js';
import { asStoreError, sqlState } from './errors.js';
import { filterCondition, resolveFilter } from './filters.js';
import { activity, sessionCount, sessionsSince, skillProfile } from './insights.js';
import { migrate } from './migrator.js';
import { getModelState, putModelState, type ModelState } from './model-state.js';
import { byText } from './name-ids.js';
import { createPool } from './pool.js';
import { inScope, listProjects, NO_PROJECT, ProjectIds, queryIn, type Scope } from './projects.js';
import { querySkillCountsSince, readCounts } from './query-counts.js';
import { selectRecords, toRecord, type RecordRow } from './records.js';
import type { StoreDatabase } from './schema.js';
import { computeStats } from './stats.js';
import { parseInstant } from './time.js';
import { parseUrl } from './url.js';
import { InvocationWriter } from './writer.js';

/** Where the store lives and how to reach it. */
export interface PostgresStoreOptions {
  /** `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (or `postgresql://`); any libpq-style parameters `pg` reads. */
  readonly url: string;
  /** Connections the pool opens at most. Default 10. */
  readonly maxConnections?: number;
}

/** Records an import writes between two progress reports. */
const IMPORT_CHUNK = 5000;

/**
 * Every write transaction takes this advisory lock shared, a prune takes it exclusive: writers
 * run side by side, and a prune (which deletes names, queries and groups) runs alone, so nothing
 * another writer is about to refer to is deleted under it.
 */
const WRITE_LOCK = 7_401_286_151_771_252n;

/** Tries of a write transaction that PostgreSQL aborted for a deadlock or a serialization failure. */
const WRITE_ATTEMPTS = 5;
const RETRYABLE: ReadonlySet<string> = new Set(['40P01', '40001']);

/** What a store and its project views share: one pool, one change feed, the project ids read. */
interface Shared {
  readonly db: Kysely<StoreDatabase>;
  readonly feed: PostgresChangeFeed;
  readonly location: string;
  readonly secrets: readonly string[];
  readonly projects: ProjectIds;
  closed: boolean;
}

/** Whether a write takes the write lock shared (side by side with other writes) or alone (a prune). */
type WriteLock = 'shared' | 'exclusive';

/**
 * The PostgreSQL implementation of the skills store: a `pg` pool, kysely's PostgreSQL dialect,
 * every write batch one transaction that also keeps the aggregates in step with the rows (by
 * adding deltas, so concurrent writers never lose a count). Several stores, in one process or
 * many, may write to the same database.
 *
 * The store opened sees every project; {@link forProject} gives a view of one project on the same
 * pool (see the protocol's `ProjectScopes`).
 *
 * @example
 * import { openPostgresStore } from '@skills/store-postgres';
 *
 * const store = await openPostgresStore({ url: process.env.SKILLS_DB_URL! });
 * const result = await store.applyBatch({ completions: [{ id: 'inv-1', completed: true, completedAt: new Date().toISOString(), durationSeconds: 1 }] });
 * console.log(store.location, result.unknown); // the URL without its password, ['inv-1'] on an empty store
 * await store.close();
 */
export class PostgresStore implements SkillsStore, InsightsStore, ModelStateStore, DiagnosableStore, ChangeFeed, ProjectScopes {
  /** The URL without its password. */
  readonly location: string;
  readonly #shared: Shared;
  readonly #db: Kysely<StoreDatabase>;
  /** The project this is a view of; null for the store itself (every project). */
  readonly #project: string | null;

  private constructor(shared: Shared, project: string | null) {
    this.#shared = shared;
    this.#db = shared.db;
    this.location = shared.location;
    this.#project = project;
  }

  /**
   * Connects to the database at `options.url` and brings its schema up to date. A database built
   * by other or newer migrations is refused with a StoreError that says which; no message ever
   * holds the URL's password.
   */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const url = parseUrl(options.url);
    const max = options.maxConnections ?? 10;
    if (!Number.isInteger(max) || max < 1) throw new StoreError('maxConnections must be a whole number of at least 1');
    const db = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool: createPool(url.connectionString, max) }) });
    try {
      await migrate(db, url.display);
    } catch (error) {
      await db.destroy().catch(() => undefined);
      throw asStoreError(`opening ${url.display}`, error, url.secrets);
    }
    const shared: Shared = {
      db,
      feed: new PostgresChangeFeed(url.connectionString),
      location: url.display,
      secrets: url.secrets,
      projects: new ProjectIds(),
      closed: false,
    };
    return new PostgresStore(shared, null);
  }

  /**
   * The view of one project on this store's pool (see the protocol's `ProjectScopes`): its reads
   * see only that project, its inserts go to it. Closing a view does nothing; closing the store
   * ends every view.
   *
   * @throws {ValidationError} naming `project` when the name breaks {@link PROJECT_NAME_RULE}.
   */
  forProject(project: string): PostgresStore {
    this.#open('forProject');
    return new PostgresStore(this.#shared, checkProjectName(project));
  }

  /** Projects holding at least one invocation or catalog entry, sorted (every project's, on a view too). */
  async listProjects(): Promise<string[]> {
    return this.#read('listProjects', (db) => listProjects(db));
  }

  /** Applies a batch in one transaction, inserts first. Validates everything first; one bad entry writes nothing. */
  async applyBatch(batch: WriteBatch): Promise<BatchResult> {
    this.#open('applyBatch');
    // What trackers build passes a check far cheaper than the schemas; anything else meets them.
    const valid = validateBatch(batch, PLAIN_RECORD_CHECKS);
    const into = this.#destinations(valid.inserts, 'write batch', (i) => `inserts.${i}`);
    return this.#write('applyBatch', async (writer, _db, ids) => {
      const { inserted, applied } = await writer.insertMany(valid.inserts, this.#projectOf(ids), valid.completions);
      const outcomes = await writer.complete(valid.completions, applied);
      const alreadyFinished: string[] = [];
      const unknown: string[] = [];
      let completed = 0;
      outcomes.forEach((outcome, j) => {
        if (outcome === null || outcome === 'completed') completed++;
        else (outcome === 'alreadyFinished' ? alreadyFinished : unknown).push(valid.completions[j]!.id);
      });
      return { inserted, duplicates: valid.inserts.length - inserted, completed, alreadyFinished, unknown };
    }, { into });
  }

  /** The stored record with this id, or null. */
  async getInvocation(id: string): Promise<InvocationRecord | null> {
    return this.#read('getInvocation', async (db, scope) => {
      const row = (await selectRecords(db).where('invocations.id', '=', id).where(inScope('invocations.project_id', scope)).executeTakeFirst()) as
        | RecordRow
        | undefined;
      return row ? toRecord(row) : null;
    });
  }

  /** Matching records, newest first (ties by id, descending); 100 per page unless asked. */
  async listInvocations(filter?: InvocationFilter, page?: Page): Promise<InvocationRecord[]> {
    const f = resolveFilter(filter);
    const { limit, offset } = resolvePage(page);
    return this.#read('listInvocations', async (db, scope) => {
      const rows = (await selectRecords(db)
        .where(filterCondition(f, scope))
        .orderBy('invocations.invoked_at', 'desc')
        .orderBy(sql`invocations.id COLLATE "C"`, 'desc')
        .limit(limit)
        .offset(offset)
        .execute()) as RecordRow[];
      return rows.map(toRecord);
    });
  }

  /** How many records match; with no filter, read from the aggregates. */
  async countInvocations(filter?: InvocationFilter): Promise<number> {
    const f = resolveFilter(filter);
    return this.#read('countInvocations', async (db, scope) => {
      const row = isEmptyFilter(f)
        ? await db.selectFrom('skill_phase_stats').where(inScope('project_id', scope)).select(sql<number>`coalesce(sum(invocations), 0)`.as('n')).executeTakeFirst()
        : await db.selectFrom('invocations').where(filterCondition(f, scope)).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
      return Number(row?.n ?? 0);
    });
  }

  /** Statistics per skill, most used first. */
  async skillStats(filter?: InvocationFilter, options?: StatsOptions): Promise<SkillStats[]> {
    const f = resolveFilter(filter);
    return this.#snapshot('skillStats', (db, scope) => computeStats(db, f, scope, false, options?.percentiles ?? true));
  }

  /** Statistics per skill and phase (`workflowPhase` null for invocations with none), most used first. */
  async phaseStats(filter?: InvocationFilter, options?: StatsOptions): Promise<SkillStats[]> {
    const f = resolveFilter(filter);
    return this.#snapshot('phaseStats', (db, scope) => computeStats(db, f, scope, true, options?.percentiles ?? true));
  }

  /** Marks pending invocations abandoned: those of `ids`, and those invoked before `olderThan`. */
  async markAbandoned(target: { ids?: readonly string[]; olderThan?: string }): Promise<number> {
    this.#open('markAbandoned');
    const cutoff = target.olderThan === undefined ? undefined : parseInstant(target.olderThan, 'olderThan', 'abandon target');
    return this.#write('markAbandoned', async (writer) => {
      const byId = target.ids ? await writer.abandonIds(target.ids) : 0;
      return byId + (cutoff === undefined ? 0 : await writer.abandonOlderThan(cutoff));
    });
  }

  /** Deletes invocations invoked before `olderThan`, and the queries, vectors and sessions only they used. */
  async prune(olderThan: string): Promise<number> {
    this.#open('prune');
    const cutoff = parseInstant(olderThan, 'olderThan', 'prune cutoff');
    return this.#write('prune', (writer) => writer.prune(cutoff), { lock: 'exclusive' });
  }

  /** The whole store (a view: its project) as an export document, in one snapshot: every record oldest first (ties by id), and the catalog. */
  async exportAll(): Promise<ExportDocument> {
    return this.#snapshot('exportAll', async (db, scope) => {
      const rows = (await selectRecords(db)
        .where(inScope('invocations.project_id', scope))
        .orderBy('invocations.invoked_at')
        .orderBy(sql`invocations.id COLLATE "C"`)
        .execute()) as RecordRow[];
      return {
        format: 'skills-export' as const,
        version: EXPORT_FORMAT_VERSION,
        exportedAt: new Date().toISOString(),
        invocations: rows.map(toRecord),
        catalog: await catalog(db, scope),
      };
    });
  }

  /**
   * Imports a document in one transaction: all of it or nothing. Records and catalog entries keep
   * their project (`default` when absent); a view takes those of its project or of none, and
   * refuses the document when one names another. `onProgress` runs inside that transaction after
   * every chunk of records (and once for an empty document); if it throws, nothing is imported.
   */
  async importAll(doc: ExportDocument, onProgress?: (done: number, total: number) => void): Promise<ImportResult> {
    this.#open('importAll');
    const valid = parseOrThrow(ExportDocumentSchema, doc, 'export document');
    const into = this.#destinations([...valid.invocations, ...valid.catalog], 'export document', (i) =>
      i < valid.invocations.length ? `invocations.${i}` : `catalog.${i - valid.invocations.length}`,
    );
    return this.#write('importAll', async (writer, db, ids) => {
      const total = valid.invocations.length;
      const chunks = Math.max(1, Math.ceil(total / IMPORT_CHUNK));
      let imported = 0;
      for (let c = 0; c < chunks; c++) {
        imported += (await writer.insertMany(valid.invocations.slice(c * IMPORT_CHUNK, (c + 1) * IMPORT_CHUNK), this.#projectOf(ids))).inserted;
        onProgress?.(Math.min((c + 1) * IMPORT_CHUNK, total), total);
      }
      await upsertCatalog(db, valid.catalog, this.#projectOf(ids));
      return { imported, duplicates: total - imported };
    }, { into });
  }

  /**
   * Distinct query texts with id above `afterId`, by id: a view's are its project's. Texts are per
   * project (the same text in two projects has two ids), and a project's first use of a text gets
   * an id above every id stored before it, so a reader following "ids above the last one seen"
   * meets each of its project's texts.
   */
  async listQueries(afterId = 0): Promise<StoredQuery[]> {
    return this.#read('listQueries', (db, scope) =>
      db.selectFrom('queries').select(['id', 'text']).where('id', '>', afterId).where(inScope('queries.project_id', scope)).orderBy('id').execute(),
    );
  }

  /** Per (query, skill) counts for queries with id above `afterId`, by query id then skill name. */
  async listQuerySkillCounts(afterId = 0): Promise<QuerySkillCount[]> {
    return this.#read('listQuerySkillCounts', (db, scope) => readCounts(db, { afterId }, scope));
  }

  /** The counts that changed since `cursor` (null: all of them), and the cursor to pass next; exact under concurrent writers. */
  async querySkillCountsSince(cursor: string | null): Promise<QuerySkillCountChanges> {
    return this.#snapshot('querySkillCountsSince', (db, scope) => querySkillCountsSince(db, cursor, scope));
  }

  /** The vectors one embedder stored, by query id (above `afterId`), each in its own buffer. */
  async getEmbeddings(embedderId: string, afterId = 0): Promise<Map<number, Uint8Array>> {
    return this.#read('getEmbeddings', async (db, scope) => {
      const rows = await db
        .selectFrom('embeddings')
        .select(['query_id', 'vector'])
        .where('embedder_id', '=', embedderId)
        .where('query_id', '>', afterId)
        .where(queryIn('embeddings.query_id', scope))
        .orderBy('query_id')
        .execute();
      // Copied: a vector must start its own buffer to be viewed as a Float32Array.
      return new Map(rows.map((r) => [r.query_id, new Uint8Array(r.vector)]));
    });
  }

  /**
   * Stores vectors by query id, replacing that embedder's older ones; ids of queries no longer stored
   * (on a view: not its project's) are skipped. A text two projects use has a vector for each id.
   */
  async putEmbeddings(embedderId: string, vectors: ReadonlyMap<number, Uint8Array>): Promise<void> {
    this.#open('putEmbeddings');
    if (vectors.size === 0) return;
    const entries = [...vectors].sort((a, b) => a[0] - b[0]);
    await this.#write('putEmbeddings', async (_writer, db, _ids, scope) => {
      await sql`
        INSERT INTO embeddings (query_id, embedder_id, vector)
        SELECT q.id, ${embedderId}, v.vector
        FROM unnest(${entries.map((e) => e[0])}::bigint[], ${entries.map((e) => Buffer.from(e[1].buffer, e[1].byteOffset, e[1].byteLength))}::bytea[]) AS v(query_id, vector)
        JOIN queries q ON q.id = v.query_id AND ${inScope('q.project_id', scope)}
        ORDER BY q.id
        ON CONFLICT (query_id, embedder_id) DO UPDATE SET vector = excluded.vector`.execute(db);
    });
  }

  /** Drops the vectors of one embedder, or all of them (a view: of its project's queries); returns how many. */
  async deleteEmbeddings(embedderId?: string): Promise<number> {
    this.#open('deleteEmbeddings');
    return this.#write('deleteEmbeddings', async (_writer, db, _ids, scope) => {
      const result = await db
        .deleteFrom('embeddings')
        .$if(embedderId !== undefined, (qb) => qb.where('embedder_id', '=', embedderId!))
        .where(queryIn('embeddings.query_id', scope))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  /** The trained model kept under `key` (see `ModelStateStore`), or null; the store itself keeps `default`'s. */
  async getModelState(key: string): Promise<ModelState | null> {
    return this.#read('getModelState', async (db) => {
      const id = await this.#shared.projects.find(db, this.#project ?? DEFAULT_PROJECT);
      return id === undefined ? null : getModelState(db, id, key);
    });
  }

  /** Keeps a trained model under `key`, replacing the one there; a bad key or state writes nothing. */
  async putModelState(key: string, state: ModelState): Promise<void> {
    this.#open('putModelState');
    validateModelState(key, state);
    const project = this.#project ?? DEFAULT_PROJECT;
    await this.#write('putModelState', (_writer, db, ids) => putModelState(db, ids.get(project)!, key, state), { into: [project] });
  }

  /** Adds skills to the catalog (each to its `project`; a view: to its own), or replaces their descriptions. */
  async upsertCatalog(entries: readonly CatalogEntry[]): Promise<void> {
    this.#open('upsertCatalog');
    const valid = validateCatalog(entries);
    const into = this.#destinations(valid, 'catalog entries', (i) => String(i));
    await this.#write('upsertCatalog', (_writer, db, ids) => upsertCatalog(db, valid, this.#projectOf(ids)), { into });
  }

  /** The catalog, by project then skill name, each entry with its project. */
  async listCatalog(): Promise<CatalogEntry[]> {
    return this.#read('listCatalog', catalog);
  }

  /** Invocations over time, computed in SQL (see {@link InsightsStore.activity}). */
  async activity(query: ActivityQuery): Promise<Activity> {
    return this.#snapshot('activity', (db, scope) => activity(db, query, scope));
  }

  /** Distinct sessions with an invocation at or after `since`. */
  async sessionsSince(since: string): Promise<number> {
    const cutoff = parseInstant(since, 'since', 'sessions query');
    return this.#read('sessionsSince', (db, scope) => sessionsSince(db, cutoff, scope));
  }

  /** Distinct sessions stored. */
  async sessionCount(): Promise<number> {
    return this.#read('sessionCount', sessionCount);
  }

  /** One skill's error types, follow-ups, alternatives, ranks and latest queries; null when it has no invocation. */
  async skillProfile(skillName: string): Promise<SkillProfile | null> {
    return this.#snapshot('skillProfile', (db, scope) => skillProfile(db, skillName, scope));
  }

  /**
   * Changes whenever invocations change, through this store or any other connection: the totals
   * by status and the prune count, read in one statement from the aggregates (a few hundred rows).
   * Between prunes no write can restore an earlier value: inserts add invocations, completions and
   * abandonment add finished ones.
   */
  async revision(): Promise<string> {
    return this.#read('revision', async (db, scope) => {
      const row = (
        await sql<{ r: string }>`
          SELECT concat_ws('.', coalesce(sum(invocations), 0), coalesce(sum(completed), 0), coalesce(sum(failed), 0),
            coalesce(sum(abandoned), 0), (SELECT value FROM store_meta WHERE key = 'prunes')) AS r
          FROM skill_phase_stats WHERE ${inScope('project_id', scope)}`.execute(db)
      ).rows[0];
      return row!.r;
    });
  }

  /**
   * Calls `listener` after each committed write of invocations or the catalog, by any process on
   * this database (PostgreSQL's LISTEN/NOTIFY: see {@link PostgresChangeFeed}), and once more
   * whenever listening (re)starts; writes of vectors and models, caches every process fills for
   * itself, are not announced. Returns the unsubscribe; {@link close} ends every subscription.
   */
  watchChanges(listener: () => void): () => void {
    this.#open('watchChanges');
    return this.#shared.feed.watch(listener);
  }

  /** PostgreSQL's own checks of the database (on a view too: every project's), for `skills doctor` (see {@link diagnose}). */
  async diagnose(): Promise<StoreCheck[]> {
    this.#open('diagnose');
    return diagnose(this.#db, { location: this.location, secrets: this.#shared.secrets });
  }

  /** A write that changes nothing; rejects with a StoreError when the database refuses writes. */
  async probeWrites(): Promise<void> {
    return this.#read('probeWrites', (db) => probeWrites(db));
  }

  /** Closes the pool, ending every view. Idempotent; any other call afterwards fails with a StoreError. On a view, does nothing. */
  async close(): Promise<void> {
    if (this.#project !== null || this.#shared.closed) return;
    this.#shared.closed = true;
    try {
      await this.#shared.feed.close();
      await this.#db.destroy();
    } catch (error) {
      throw asStoreError('close', error, this.#shared.secrets);
    }
  }

  #open(operation: string): void {
    if (this.#shared.closed) throw new StoreError(`store is closed: cannot ${operation} (${this.location})`);
  }

  /** The invocations this store reaches: every project's, or its project's (its id read once, then kept). */
  async #scope(db: Kysely<StoreDatabase>): Promise<Scope> {
    if (this.#project === null) return null;
    return (await this.#shared.projects.find(db, this.#project)) ?? NO_PROJECT;
  }

  /**
   * The projects entries go to (`default` for none; a view's own), for a write of them.
   *
   * @throws {ValidationError} on a view, naming `<path>.project` of each entry of another project.
   */
  #destinations(entries: readonly { readonly project?: string }[], what: string, pathOf: (i: number) => string): string[] {
    const view = this.#project;
    if (view === null) return [...new Set(entries.map((e) => e.project ?? DEFAULT_PROJECT))];
    const violations = foreignProjectViolations(view, entries, pathOf);
    if (violations.length > 0) throw new ValidationError(what, violations);
    return entries.length > 0 ? [view] : [];
  }

  /** The project id an entry is written to, among `ids` (see {@link #destinations}). */
  #projectOf(ids: ReadonlyMap<string, number>): (entry: { readonly project?: string }) => number {
    const view = this.#project;
    return view === null ? (e) => ids.get(e.project ?? DEFAULT_PROJECT)! : () => ids.get(view)!;
  }

  async #read<T>(operation: string, fn: (db: Kysely<StoreDatabase>, scope: Scope) => Promise<T>): Promise<T> {
    this.#open(operation);
    try {
      return await fn(this.#db, await this.#scope(this.#db));
    } catch (error) {
      throw asStoreError(operation, error, this.#shared.secrets);
    }
  }

  /** Runs reads that must agree in one REPEATABLE READ, read-only transaction: one snapshot. */
  async #snapshot<T>(operation: string, fn: (db: Kysely<StoreDatabase>, scope: Scope) => Promise<T>): Promise<T> {
    return this.#read(operation, (db, scope) =>
      db
        .transaction()
        .setIsolationLevel('repeatable read')
        .setAccessMode('read only')
        .execute((trx) => fn(trx, scope)),
    );
  }

  /**
   * Runs `fn` in one transaction holding the write lock (shared, or exclusive for a prune), with a
   * writer whose aggregate changes are written at its end. The projects it writes `into` are
   * stored first, on their own (see {@link ProjectIds.ensure}); `fn` gets their ids. A transaction
   * PostgreSQL aborted for a deadlock or a serialization failure wrote nothing and is run again.
   */
  async #write<T>(
    operation: string,
    fn: (writer: InvocationWriter, db: Kysely<StoreDatabase>, ids: ReadonlyMap<string, number>, scope: Scope) => Promise<T>,
    { lock = 'shared', into = [] }: { lock?: WriteLock; into?: readonly string[] } = {},
  ): Promise<T> {
    this.#open(operation);
    for (let attempt = 1; ; attempt++) {
      try {
        const ids = await this.#shared.projects.ensure(this.#db, into);
        const scope = await this.#scope(this.#db);
        return await this.#db.transaction().execute(async (trx) => {
          await (lock === 'shared' ? sql`SELECT pg_advisory_xact_lock_shared(${WRITE_LOCK})` : sql`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`).execute(trx);
          const writer = new InvocationWriter(trx, scope);
          const result = await fn(writer, trx, ids, scope);
          await writer.finish();
          await announceChange(trx, operation);
          return result;
        });
      } catch (error) {
        if (attempt < WRITE_ATTEMPTS && RETRYABLE.has(sqlState(error) ?? '')) continue;
        throw asStoreError(operation, error, this.#shared.secrets);
      }
    }
  }
}

/** Adds catalog entries, each to the project `projectOf` gives, or replaces their descriptions (the last entry of a name wins). */
async function upsertCatalog(db: Kysely<StoreDatabase>, entries: readonly CatalogEntry[], projectOf: (entry: CatalogEntry) => number): Promise<void> {
  const byKey = new Map<string, { project_id: number; skill_name: string; description: string }>();
  for (const e of entries) {
    const project_id = projectOf(e);
    byKey.set(`${project_id}:${e.skillName}`, { project_id, skill_name: e.skillName, description: e.description });
  }
  if (byKey.size === 0) return;
  const rows = [...byKey.values()].sort((a, b) => a.project_id - b.project_id || byText(a.skill_name, b.skill_name));
  await db
    .insertInto('catalog')
    .values(rows)
    .onConflict((oc) => oc.columns(['project_id', 'skill_name']).doUpdateSet((eb) => ({ description: eb.ref('excluded.description') })))
    .execute();
}

/** The catalog of `scope`, by project then skill name (by bytes, as SQLite orders them). */
function catalog(db: Kysely<StoreDatabase>, scope: Scope): Promise<CatalogEntry[]> {
  return db
    .selectFrom('catalog')
    .innerJoin('projects', 'projects.id', 'catalog.project_id')
    .where(inScope('catalog.project_id', scope))
    .select(['skill_name as skillName', 'description', 'projects.name as project'])
    .orderBy(sql`projects.name COLLATE "C"`)
    .orderBy(sql`skill_name COLLATE "C"`)
    .execute();
}

/**
 * Connects to the PostgreSQL store at `options.url` and applies pending migrations.
 *
 * @example
 * import { openPostgresStore } from '@skills/store-postgres';
 *
 * const store = await openPostgresStore({ url: 'postgres://skills:PASSWORD@127.0.0.1:5432/skills' });
 * console.log(store.location); // postgres://skills@127.0.0.1:5432/skills
 * await store.close();
 */
export function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  return PostgresStore.open(options);
}
