import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  EXPORT_FORMAT_VERSION,
  ExportDocumentSchema,
  parseOrThrow,
  PLAIN_RECORD_CHECKS,
  validateBatch,
  StoreError,
  isEmptyFilter,
  resolvePage,
  validateCatalog,
  type BatchResult,
  type CatalogEntry,
  type ChangeFeed,
  type ExportDocument,
  type ImportResult,
  type InvocationFilter,
  type InvocationRecord,
  type Page,
  type QuerySkillCount,
  type QuerySkillCountChanges,
  type SkillStats,
  type StatsOptions,
  type StoredQuery,
  type Activity,
  type ActivityQuery,
  type InsightsStore,
  type MaintainableStore,
  type ModelState,
  type ModelStateStore,
  validateModelState,
  type SkillProfile,
  type SyncWritableStore,
  type WriteBatch,
  checkProjectName,
  foreignProjectViolations,
  ValidationError,
  type EngineStore,
  type ProjectScopes,
} from '@skills/protocol';
import { sql } from 'kysely';
import { PollingChangeFeed } from './change-feed.js';
import { Connection, VISIT_FUNCTION } from './connection.js';
import { EmbeddingStatements } from './embeddings.js';
import { asStoreError } from './errors.js';
import { filterCondition, resolveFilter } from './filters.js';
import { idText, toStoredId } from './ids.js';
import { activity, sessionCount, sessionsSince, skillProfile } from './insights.js';
import { InvocationWriter, WriteStatements, type WriteScope } from './invocation-writer.js';
import { migrate } from './migrator.js';
import { ModelStateStatements } from './model-state.js';
import { exportRecords, selectRecords, toRecord, type RecordRow } from './records.js';
import { computeStats, percentilesOf } from './stats.js';
import { listQuerySkillCounts, querySkillCountsSince } from './query-counts.js';
import { realDatabasePath } from './real-path.js';
import { DEFAULT_PROJECT_ID } from './schema.js';
import { parseInstant } from './time.js';

/** Where the store lives and how to open it. */
export interface SqliteStoreOptions {
  /** The database file; created with its folders unless `readonly`. */
  readonly path: string;
  /** Open an existing file for inspection only: every write fails with a StoreError. */
  readonly readonly?: boolean;
}

/** Records an import writes between two progress reports. */
const IMPORT_CHUNK = 5000;

/**
 * The SQLite implementation of the skills store: one file, WAL mode, every write batch one
 * `BEGIN IMMEDIATE` transaction that also keeps the aggregates in step with the rows. Several
 * instances, in one process or many, may write to the same file.
 *
 * @example
 * import { openSqliteStore } from '@skills/store-sqlite';
 *
 * const store = await openSqliteStore({ path: '.skills/skills.db' });
 * await store.applyBatch({
 *   inserts: [{
 *     id: 'inv-1', skillName: 'code-reviewer', sessionId: 's-1', invokedAt: new Date().toISOString(),
 *     status: 'pending', completed: false, completedAt: null, durationSeconds: null,
 *     userQuery: 'review my PR', workflowPhase: 'review', alternativesConsidered: [],
 *     selectionRank: 1, followUpActions: [], errorType: null, source: 'my-agent',
 *   }],
 * });
 * await store.applyBatch({
 *   completions: [{ id: 'inv-1', completed: true, completedAt: new Date().toISOString(), durationSeconds: 4.2 }],
 * });
 * console.log(await store.skillStats());
 * await store.close();
 */
export class SqliteStore implements SyncWritableStore, MaintainableStore, InsightsStore, ModelStateStore, ChangeFeed, ProjectScopes {
  /** The absolute path of the file, symbolic links resolved (see {@link realDatabasePath}). */
  readonly location: string;
  /** The options it was opened with (a frozen copy). */
  readonly options: Readonly<SqliteStoreOptions>;
  /** The project this object reads and writes (see {@link forProject}); null: the store itself, every project. */
  readonly project: string | null;
  readonly #shared: Shared;
  /** This view's project id, once the project is stored (ids of projects are never deleted). */
  #projectId: number | undefined;

  private constructor(shared: Shared, options: Readonly<SqliteStoreOptions>, location: string, project: string | null) {
    this.#shared = shared;
    this.options = options;
    this.location = location;
    this.project = project;
  }

  /**
   * Opens (creating when needed) the file at `options.path` and brings its schema up to date.
   *
   * @example
   * const store = await SqliteStore.open({ path: '/tmp/skills-example.db' });
   * await store.close();
   */
  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    const frozen: Readonly<SqliteStoreOptions> = Object.freeze({ path: options.path, readonly: options.readonly ?? false });
    // SQLite keeps -wal and -shm beside the link's target: create and name the target itself.
    const location = realDatabasePath(frozen.path);
    if (frozen.readonly && !existsSync(location)) throw new StoreError(`no store at ${location} (opened readonly)`);
    let conn: Connection;
    try {
      if (!frozen.readonly) createPrivately(location);
      conn = Connection.open(location, frozen.readonly === true);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new StoreError(`cannot open ${location}: ${message}`, { cause: error });
    }
    try {
      migrate(conn, location);
    } catch (error) {
      conn.db.close();
      throw asStoreError(`opening ${location}`, error);
    }
    return new SqliteStore(new Shared(conn), frozen, location, null);
  }

  /**
   * The view of one project (see the protocol's `ProjectScopes`): it reads only that project's
   * data and writes into it, on this store's connection and prepared statements. A new object at
   * each call, kept by no one but the caller: names a caller makes up cost nothing once dropped.
   * Closing a view does nothing; closing the store ends every view.
   *
   * @throws {ValidationError} naming `project` when the name breaks the rule.
   * @example
   * const alpha = store.forProject('alpha');
   * await alpha.applyBatch({ inserts: [record] }); // stored in project alpha
   * await store.forProject('beta').countInvocations(); // 0
   */
  forProject(project: string): SqliteStore & EngineStore {
    checkProjectName(project);
    return new SqliteStore(this.#shared, this.options, this.location, project);
  }

  /** Projects holding at least one invocation or catalog entry, sorted by name. */
  async listProjects(): Promise<string[]> {
    return this.#read('listProjects', (conn) => {
      const b = conn.builder;
      const used = b.selectFrom('skill_phase_stats').select('project_id').union(b.selectFrom('catalog').select('project_id'));
      return conn.all<{ name: string }>(b.selectFrom('projects').select('name').where('id', 'in', used).orderBy('name')).map((r) => r.name);
    });
  }

  /**
   * Applies a batch in one IMMEDIATE transaction, inserts first, synchronously: for the last
   * flush in a process `exit` handler. Validates everything first; one bad entry writes nothing.
   *
   * @example
   * const result = store.applyBatchSync({
   *   completions: [{ id: 'inv-1', completed: false, completedAt: new Date().toISOString(), durationSeconds: 1 }],
   * });
   * result.unknown; // ids no stored invocation has
   */
  applyBatchSync(batch: WriteBatch): BatchResult {
    this.#writable('applyBatch');
    // Validated before the transaction: the write lock is held for writing only.
    const valid = validateBatch(batch, PLAIN_RECORD_CHECKS);
    this.#checkProjects('write batch', [['inserts.', valid.inserts]]);
    return this.#write('applyBatch', (writer) => {
      const { inserted, appliedCompletions } = writer.insertMany(valid.inserts, valid.completions);
      let completed = 0;
      const alreadyFinished: string[] = [];
      const unknown: string[] = [];
      for (let j = 0; j < valid.completions.length; j++) {
        if (appliedCompletions[j] === 1) {
          completed++;
          continue;
        }
        const completion = valid.completions[j]!;
        const outcome = writer.complete(completion);
        if (outcome === 'completed') completed++;
        else if (outcome === 'alreadyFinished') alreadyFinished.push(completion.id);
        else unknown.push(completion.id);
      }
      return { inserted, duplicates: valid.inserts.length - inserted, completed, alreadyFinished, unknown };
    });
  }

  /** {@link SqliteStore.applyBatchSync}, as a promise. */
  async applyBatch(batch: WriteBatch): Promise<BatchResult> {
    return this.applyBatchSync(batch);
  }

  /** The stored record with this id, or null. */
  async getInvocation(id: string): Promise<InvocationRecord | null> {
    return this.#read('getInvocation', (conn) => {
      const projectId = this.#readProjectId(conn);
      const row = conn.get<RecordRow>(
        selectRecords(conn.builder)
          .where('invocations.id', '=', toStoredId(id))
          .$if(projectId !== null, (qb) => qb.where('invocations.project_id', '=', projectId!)),
      );
      return row ? toRecord(row) : null;
    });
  }

  /** Matching records, newest first (ties by id, descending); 100 per page unless asked. */
  async listInvocations(filter?: InvocationFilter, page?: Page): Promise<InvocationRecord[]> {
    return this.#read('listInvocations', (conn) => {
      const f = resolveFilter(filter);
      const { limit, offset } = resolvePage(page);
      const b = conn.builder;
      // The page is chosen from invocations alone (through the time index), then joined to its
      // names: joined first, the planner may walk a names table and sort every row.
      const chosen = b
        .selectFrom('invocations')
        .select(sql<number>`invocations.rowid`.as('rowid'))
        .where(filterCondition(f, this.#readProjectId(conn)))
        .orderBy('invocations.invoked_at', 'desc')
        .orderBy(idText(), 'desc')
        .limit(limit)
        .offset(offset);
      const rows = conn.all<RecordRow>(
        selectRecords(b)
          .where((eb) => eb(sql.ref('invocations.rowid'), 'in', chosen))
          .orderBy('invocations.invoked_at', 'desc')
          .orderBy(idText(), 'desc'),
      );
      return rows.map(toRecord);
    });
  }

  /** How many records match; with no filter, read from the aggregates. */
  async countInvocations(filter?: InvocationFilter): Promise<number> {
    return this.#read('countInvocations', (conn) => {
      const f = resolveFilter(filter);
      const b = conn.builder;
      const projectId = this.#readProjectId(conn);
      const row = isEmptyFilter(f)
        ? conn.get<{ n: number }>(
            b
              .selectFrom('skill_phase_stats')
              .$if(projectId !== null, (qb) => qb.where('project_id', '=', projectId!))
              .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('invocations'), eb.lit(0)).as('n')),
          )
        : conn.get<{ n: number }>(
            b
              .selectFrom('invocations')
              .where(filterCondition(f, projectId))
              .select((eb) => eb.fn.countAll<number>().as('n')),
          );
      return row?.n ?? 0;
    });
  }

  /** Statistics per skill, most used first. */
  async skillStats(filter?: InvocationFilter, options?: StatsOptions): Promise<SkillStats[]> {
    return this.#read('skillStats', (conn) =>
      computeStats(conn, resolveFilter(filter), this.#readProjectId(conn), false, percentilesOf(options)),
    );
  }

  /** Statistics per skill and phase (`workflowPhase` null for invocations with none), most used first. */
  async phaseStats(filter?: InvocationFilter, options?: StatsOptions): Promise<SkillStats[]> {
    return this.#read('phaseStats', (conn) =>
      computeStats(conn, resolveFilter(filter), this.#readProjectId(conn), true, percentilesOf(options)),
    );
  }

  /** Marks pending invocations abandoned (of this view's project): those of `ids`, and those invoked before `olderThan`. */
  async markAbandoned(target: { ids?: readonly string[]; olderThan?: string }): Promise<number> {
    this.#writable('markAbandoned');
    const cutoff =
      target.olderThan === undefined ? undefined : parseInstant(target.olderThan, 'olderThan', 'abandon target');
    return this.#write('markAbandoned', (writer) => {
      const byId = target.ids ? writer.abandonIds(target.ids) : 0;
      return byId + (cutoff === undefined ? 0 : writer.abandonOlderThan(cutoff));
    });
  }

  /** Deletes invocations (of this view's project) invoked before `olderThan`, and the queries, vectors and sessions only they used. */
  async prune(olderThan: string): Promise<number> {
    this.#writable('prune');
    const cutoff = parseInstant(olderThan, 'olderThan', 'prune cutoff');
    return this.#write('prune', (writer) => writer.prune(cutoff));
  }

  /** The whole store (or this view's project) as an export document: every record oldest first, and the catalog. */
  async exportAll(): Promise<ExportDocument> {
    return this.#read('exportAll', (conn) =>
      // One snapshot for the records and the catalog, whoever writes meanwhile.
      conn.read(() => ({
        format: 'skills-export' as const,
        version: EXPORT_FORMAT_VERSION,
        exportedAt: new Date().toISOString(),
        invocations: exportRecords(conn, this.#readProjectId(conn)),
        catalog: this.#catalog(conn),
      })),
    );
  }

  /**
   * Imports a document in one transaction: all of it or nothing. `onProgress` runs inside that
   * transaction after every chunk of records (and once for an empty document); if it throws,
   * nothing is imported. Through a view, records and entries naming another project are refused.
   */
  async importAll(doc: ExportDocument, onProgress?: (done: number, total: number) => void): Promise<ImportResult> {
    this.#writable('importAll');
    const valid = parseOrThrow(ExportDocumentSchema, doc, 'export document');
    this.#checkProjects('export document', [
      ['invocations.', valid.invocations],
      ['catalog.', valid.catalog],
    ]);
    return this.#write('importAll', (writer, scope) => {
      const total = valid.invocations.length;
      const chunks = Math.max(1, Math.ceil(total / IMPORT_CHUNK));
      let imported = 0;
      for (let c = 0; c < chunks; c++) {
        imported += writer.insertMany(valid.invocations.slice(c * IMPORT_CHUNK, (c + 1) * IMPORT_CHUNK)).inserted;
        onProgress?.(Math.min((c + 1) * IMPORT_CHUNK, total), total);
      }
      this.#upsertCatalog(valid.catalog, scope);
      return { imported, duplicates: total - imported };
    });
  }

  /**
   * Distinct query texts with id above `afterId`, by id (through a view: its project's). A text is
   * a query of each project that uses it, stored at the project's first use with an id above every
   * id stored before: so a reader of one project that follows this list by the last id it saw
   * misses none of the texts its counts name. Through the store, a text two projects use is
   * listed twice, with each project's id.
   */
  async listQueries(afterId = 0): Promise<StoredQuery[]> {
    return this.#read('listQueries', (conn) => {
      const out: StoredQuery[] = [];
      const projectId = this.#readProjectId(conn);
      const query = conn.builder
        .selectFrom('queries')
        .where('id', '>', afterId)
        .$if(projectId !== null, (qb) => qb.where('project_id', '=', projectId!))
        .select((eb) => eb.fn.count(eb.fn(VISIT_FUNCTION, ['id', 'text'])).as('n'));
      let ordered = true;
      conn.visit(query, (id, text) => {
        if (ordered && out.length > 0 && out[out.length - 1]!.id > (id as number)) ordered = false;
        out.push({ id: id as number, text: text as string });
      });
      // A scan of the table's key range comes in key order; should SQLite ever choose otherwise, sort.
      return ordered ? out : out.sort((a, b) => a.id - b.id);
    });
  }

  /** Per (query, skill) counts for queries with id above `afterId`, by query id then skill name. */
  async listQuerySkillCounts(afterId = 0): Promise<QuerySkillCount[]> {
    return this.#read('listQuerySkillCounts', (conn) => listQuerySkillCounts(conn, afterId, this.#readProjectId(conn)));
  }

  /** The counts that changed since `cursor` (null: all of them), and the cursor to pass next. */
  async querySkillCountsSince(cursor: string | null): Promise<QuerySkillCountChanges> {
    return this.#read('querySkillCountsSince', (conn) => querySkillCountsSince(conn, cursor, this.#readProjectId(conn)));
  }

  /** The vectors one embedder stored, by query id (above `afterId`). */
  async getEmbeddings(embedderId: string, afterId = 0): Promise<Map<number, Uint8Array>> {
    return this.#read('getEmbeddings', (conn) => this.#shared.embeddings.get(embedderId, afterId, this.#readProjectId(conn)));
  }

  /**
   * Stores vectors by query id, replacing that embedder's older ones; ids of queries no longer
   * stored are skipped. A text two projects use is two queries, so two vectors (one each).
   */
  async putEmbeddings(embedderId: string, vectors: ReadonlyMap<number, Uint8Array>): Promise<void> {
    this.#write('putEmbeddings', () => this.#shared.embeddings.put(embedderId, vectors), false);
  }

  /** Drops the vectors of one embedder, or all of them; returns how many. */
  async deleteEmbeddings(embedderId?: string): Promise<number> {
    return this.#write('deleteEmbeddings', () => this.#shared.embeddings.delete(embedderId), false);
  }

  /** The trained model kept under `key` (see {@link ModelStateStore}) for this view's project (the store's: `default`'s), or null. */
  async getModelState(key: string): Promise<ModelState | null> {
    return this.#read('getModelState', (conn) => this.#shared.models.get(this.#readProjectId(conn) ?? DEFAULT_PROJECT_ID, key));
  }

  /** Keeps a trained model under `key`, replacing the one there; a bad key or state writes nothing. */
  async putModelState(key: string, state: ModelState): Promise<void> {
    this.#writable('putModelState');
    validateModelState(key, state);
    this.#write('putModelState', (_, scope) => this.#shared.models.put(scope.projectOf(undefined), key, state), false);
  }

  /** Adds skills to the catalog (of this view's project, or of each entry's), or replaces their descriptions. */
  async upsertCatalog(entries: readonly CatalogEntry[]): Promise<void> {
    this.#writable('upsertCatalog');
    const valid = validateCatalog(entries);
    this.#checkProjects('catalog entries', [['', valid]]);
    this.#write('upsertCatalog', (_, scope) => this.#upsertCatalog(valid, scope), false);
  }

  /** The catalog, by skill name (the store's: by project, then skill name). */
  async listCatalog(): Promise<CatalogEntry[]> {
    return this.#read('listCatalog', (conn) => this.#catalog(conn));
  }

  /** Invocations over time, computed in SQL (see {@link InsightsStore.activity}). */
  async activity(query: ActivityQuery): Promise<Activity> {
    return this.#read('activity', (conn) => activity(conn, query, this.#readProjectId(conn)));
  }

  /** Distinct sessions with an invocation at or after `since`. */
  async sessionsSince(since: string): Promise<number> {
    const cutoff = parseInstant(since, 'since', 'sessions query');
    return this.#read('sessionsSince', (conn) => sessionsSince(conn, cutoff, this.#readProjectId(conn)));
  }

  /** Distinct sessions stored. */
  async sessionCount(): Promise<number> {
    return this.#read('sessionCount', (conn) => sessionCount(conn, this.#readProjectId(conn)));
  }

  /** One skill's error types, follow-ups, alternatives, ranks and latest queries; null when it has no invocation. */
  async skillProfile(skillName: string): Promise<SkillProfile | null> {
    return this.#read('skillProfile', (conn) => skillProfile(conn, skillName, this.#readProjectId(conn)));
  }

  /**
   * Changes when invocations change: by a write through this instance, or a commit by any other
   * connection to the file (SQLite's data_version; which may also be a vector or catalog write).
   * Shared by every view: any project's writes change it.
   */
  async revision(): Promise<string> {
    return this.#read('revision', (conn) => this.#shared.revision(conn));
  }

  /**
   * Calls `listener` (within a quarter of a second, several changes folded into one call) after
   * the {@link revision} changed: invocations written through this instance, or any commit by
   * another connection to the file, in this process or another. Returns the unsubscribe; it costs
   * one cheap read (`PRAGMA data_version`) per poll while anyone listens, on a timer that never
   * keeps the process alive. {@link close} ends every subscription.
   */
  watchChanges(listener: () => void): () => void {
    this.#open('watchChanges');
    return this.#shared.feed.watch(listener);
  }

  /** Moves everything in the WAL into the main file and truncates the WAL, so a copy of the file alone is complete. */
  async checkpoint(): Promise<void> {
    this.#read('checkpoint', (conn) => conn.db.pragma('wal_checkpoint(TRUNCATE)'));
  }

  /** Problems `PRAGMA integrity_check` finds: none (an empty list) when the file is sound. */
  async integrityCheck(): Promise<string[]> {
    const conn = this.#open('integrityCheck');
    try {
      const rows = conn.db.pragma('integrity_check') as { integrity_check: string }[];
      return rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
    } catch (error) {
      // Damage bad enough to stop the check is itself the finding.
      const code = (error as { code?: string }).code ?? '';
      if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return [(error as Error).message];
      throw asStoreError('integrityCheck', error);
    }
  }

  /**
   * Closes the file, ending every view. Idempotent; any other call afterwards fails with a
   * StoreError. On a view it does nothing: the store owns the connection.
   */
  async close(): Promise<void> {
    if (this.project !== null) return;
    const shared = this.#shared;
    const conn = shared.conn;
    if (!conn) return;
    shared.conn = undefined;
    shared.feed.close();
    try {
      conn.close();
    } catch (error) {
      throw asStoreError('close', error);
    }
  }

  #open(operation: string): Connection {
    const conn = this.#shared.conn;
    if (!conn) throw new StoreError(`store is closed: cannot ${operation} (${this.location})`);
    return conn;
  }

  /**
   * The project id reads filter on: null for the store itself (every project), else this view's,
   * or {@link NO_PROJECT} while the project holds nothing.
   */
  #readProjectId(conn: Connection): number | null {
    if (this.project === null) return null;
    if (this.#projectId !== undefined) return this.#projectId;
    const id = conn.get<{ id: number }>(conn.builder.selectFrom('projects').select('id').where('name', '=', this.project))?.id;
    // Outside a transaction this row is committed, and projects are never deleted: kept for good.
    if (id !== undefined && !conn.db.inTransaction) this.#projectId = id;
    return id ?? NO_PROJECT;
  }

  /** Where this object's writes go (see {@link WriteScope}); run inside the write transaction. */
  #writeScope(statements: WriteStatements): WriteScope {
    if (this.project === null) {
      return {
        projectId: null,
        projectOf: (project) => (project === undefined ? DEFAULT_PROJECT_ID : statements.projects.idOf(project)),
      };
    }
    const id = statements.projects.idOf(this.project);
    return { projectId: id, projectOf: () => id };
  }

  /**
   * Through a view: refuses, before anything is written, the entries of each list (named at
   * `prefix` + index) that name another project than the view's. The store itself takes any.
   */
  #checkProjects(what: string, lists: readonly (readonly [prefix: string, entries: readonly { readonly project?: string | undefined }[]])[]): void {
    const project = this.project;
    if (project === null) return;
    const violations = lists.flatMap(([prefix, entries]) => foreignProjectViolations(project, entries, (i) => `${prefix}${i}`));
    if (violations.length > 0) throw new ValidationError(what, violations);
  }

  #read<T>(operation: string, fn: (conn: Connection) => T): T {
    const conn = this.#open(operation);
    try {
      return fn(conn);
    } catch (error) {
      throw asStoreError(operation, error);
    }
  }

  #writable(operation: string): Connection {
    const conn = this.#open(operation);
    if (conn.readonly) {
      throw new StoreError(`store is read-only: cannot ${operation} (${this.location} was opened with readonly: true)`);
    }
    return conn;
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction, with a writer whose aggregate changes are written at
   * its end. `changesInvocations` false: only vectors or the catalog change (the revision stays).
   */
  #write<T>(operation: string, fn: (writer: InvocationWriter, scope: WriteScope) => T, changesInvocations = true): T {
    const conn = this.#writable(operation);
    const shared = this.#shared;
    let writes: WriteStatements | undefined;
    try {
      const statements = (writes = shared.writes ??= new WriteStatements(conn));
      const committed = conn.write(() => {
        statements.beginTransaction();
        const scope = this.#writeScope(statements);
        const writer = new InvocationWriter(statements, scope);
        const result = fn(writer, scope);
        writer.finish();
        return result;
      });
      if (changesInvocations) shared.changes++;
      return committed;
    } catch (error) {
      // Rolled back: ids of names and texts stored in it are gone again.
      writes?.reset();
      throw asStoreError(operation, error);
    }
  }

  #upsertCatalog(entries: readonly CatalogEntry[], scope: WriteScope): void {
    const conn = this.#open('upsertCatalog');
    for (const entry of entries) {
      conn.run(
        conn.builder
          .insertInto('catalog')
          .values({ project_id: scope.projectOf(entry.project), skill_name: entry.skillName, description: entry.description })
          .onConflict((oc) =>
            oc.columns(['project_id', 'skill_name']).doUpdateSet((eb) => ({ description: eb.ref('excluded.description') })),
          ),
      );
    }
  }

  #catalog(conn: Connection): CatalogEntry[] {
    const projectId = this.#readProjectId(conn);
    return conn.all<CatalogEntry>(
      conn.builder
        .selectFrom('catalog')
        .innerJoin('projects', 'projects.id', 'catalog.project_id')
        .select(['catalog.skill_name as skillName', 'catalog.description', 'projects.name as project'])
        .$if(projectId !== null, (qb) => qb.where('catalog.project_id', '=', projectId!))
        .orderBy('projects.name')
        .orderBy('catalog.skill_name'),
    );
  }
}

/**
 * Opens the SQLite store at `options.path` (WAL, synchronous=NORMAL, foreign keys on, 5 s busy
 * timeout), creating the file and its folders and applying pending migrations. A file built by
 * other or newer migrations is refused with a StoreError that says which.
 *
 * @example
 * import { openSqliteStore } from '@skills/store-sqlite';
 *
 * const store = await openSqliteStore({ path: '.skills/skills.db' });
 * console.log(store.location, await store.countInvocations());
 * await store.close();
 */
export function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  return SqliteStore.open(options);
}

/** The id reads of a view use while its project is not stored: no row has it. */
const NO_PROJECT = 0;

/** What a store and its project views share: one connection, what is prepared on it, the change feed. */
class Shared {
  conn: Connection | undefined;
  writes: WriteStatements | undefined;
  /** Invocation writes committed through this connection: with SQLite's data_version, the revision. */
  changes = 0;
  readonly embeddings: EmbeddingStatements;
  readonly models: ModelStateStatements;
  /** Polls the revision, which other connections' commits change too. */
  readonly feed: PollingChangeFeed;

  constructor(conn: Connection) {
    this.conn = conn;
    this.embeddings = new EmbeddingStatements(conn);
    this.models = new ModelStateStatements(conn);
    this.feed = new PollingChangeFeed(() => {
      if (!this.conn) throw new StoreError('store is closed');
      return this.revision(this.conn);
    });
  }

  revision(conn: Connection): string {
    return `${this.changes}.${conn.dataVersion()}`;
  }
}

/**
 * Creates the folder (0700) and an empty database file (0600) when they do not exist yet: queries
 * are private to their user, and SQLite gives the -wal and -shm files the database file's mode.
 * Existing folders and files keep the modes their owner chose.
 */
function createPrivately(location: string): void {
  mkdirSync(dirname(location), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(location, '', { flag: 'wx', mode: 0o600 }); // an empty file is an empty database
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
