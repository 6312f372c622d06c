import {
  EXPORT_FORMAT_VERSION,
  ExportDocumentSchema,
  parseOrThrow,
  StoreError,
  isEmptyFilter,
  resolvePage,
  validateBatch,
  validateCatalog,
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
import { createPool } from './pool.js';
import { querySkillCountsSince, readCounts } from './query-counts.js';
import { selectRecords, toRecord, type RecordRow } from './records.js';
import type { StoreDatabase } from './schema.js';
import { computeStats } from './stats.js';
import { parseInstant } from './time.js';
import { parseUrl, type ParsedUrl } from './url.js';
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

/**
 * The PostgreSQL implementation of the skills store: a `pg` pool, kysely's PostgreSQL dialect,
 * every write batch one transaction that also keeps the aggregates in step with the rows (by
 * adding deltas, so concurrent writers never lose a count). Several stores, in one process or
 * many, may write to the same database.
 *
 * @example
 * import { openPostgresStore } from '@skills/store-postgres';
 *
 * const store = await openPostgresStore({ url: process.env.SKILLS_DB_URL! });
 * const result = await store.applyBatch({ completions: [{ id: 'inv-1', completed: true, completedAt: new Date().toISOString(), durationSeconds: 1 }] });
 * console.log(store.location, result.unknown); // the URL without its password, ['inv-1'] on an empty store
 * await store.close();
 */
export class PostgresStore implements SkillsStore, InsightsStore, ModelStateStore, DiagnosableStore, ChangeFeed {
  /** The URL without its password. */
  readonly location: string;
  readonly #db: Kysely<StoreDatabase>;
  readonly #secrets: readonly string[];
  readonly #feed: PostgresChangeFeed;
  #closed = false;

  private constructor(db: Kysely<StoreDatabase>, url: ParsedUrl) {
    this.#db = db;
    this.location = url.display;
    this.#secrets = url.secrets;
    this.#feed = new PostgresChangeFeed(url.connectionString);
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
    return new PostgresStore(db, url);
  }

  /** Applies a batch in one transaction, inserts first. Validates everything first; one bad entry writes nothing. */
  async applyBatch(batch: WriteBatch): Promise<BatchResult> {
    this.#open('applyBatch');
    const valid = validateBatch(batch);
    return this.#write('applyBatch', async (writer) => {
      const { inserted, applied } = await writer.insertMany(valid.inserts, valid.completions);
      const outcomes = await writer.complete(valid.completions, applied);
      const alreadyFinished: string[] = [];
      const unknown: string[] = [];
      let completed = 0;
      outcomes.forEach((outcome, j) => {
        if (outcome === null || outcome === 'completed') completed++;
        else (outcome === 'alreadyFinished' ? alreadyFinished : unknown).push(valid.completions[j]!.id);
      });
      return { inserted, duplicates: valid.inserts.length - inserted, completed, alreadyFinished, unknown };
    });
  }

  /** The stored record with this id, or null. */
  async getInvocation(id: string): Promise<InvocationRecord | null> {
    return this.#read('getInvocation', async (db) => {
      const row = (await selectRecords(db).where('invocations.id', '=', id).executeTakeFirst()) as RecordRow | undefined;
      return row ? toRecord(row) : null;
    });
  }

  /** Matching records, newest first (ties by id, descending); 100 per page unless asked. */
  async listInvocations(filter?: InvocationFilter, page?: Page): Promise<InvocationRecord[]> {
    const f = resolveFilter(filter);
    const { limit, offset } = resolvePage(page);
    return this.#read('listInvocations', async (db) => {
      const rows = (await selectRecords(db)
        .where(filterCondition(f))
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
    return this.#read('countInvocations', async (db) => {
      const row = isEmptyFilter(f)
        ? await db.selectFrom('skill_phase_stats').select(sql<number>`coalesce(sum(invocations), 0)`.as('n')).executeTakeFirst()
        : await db.selectFrom('invocations').where(filterCondition(f)).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
      return Number(row?.n ?? 0);
    });
  }

  /** Statistics per skill, most used first. */
  async skillStats(filter?: InvocationFilter, options?: StatsOptions): Promise<SkillStats[]> {
    const f = resolveFilter(filter);
    return this.#snapshot('skillStats', (db) => computeStats(db, f, false, options?.percentiles ?? true));
  }

  /** Statistics per skill and phase (`workflowPhase` null for invocations with none), most used first. */
  async phaseStats(filter?: InvocationFilter, options?: StatsOptions): Promise<SkillStats[]> {
    const f = resolveFilter(filter);
    return this.#snapshot('phaseStats', (db) => computeStats(db, f, true, options?.percentiles ?? true));
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
    return this.#write('prune', (writer) => writer.prune(cutoff), 'exclusive');
  }

  /** The whole store as an export document, in one snapshot: every record oldest first (ties by id), and the catalog. */
  async exportAll(): Promise<ExportDocument> {
    return this.#snapshot('exportAll', async (db) => {
      const rows = (await selectRecords(db).orderBy('invocations.invoked_at').orderBy(sql`invocations.id COLLATE "C"`).execute()) as RecordRow[];
      return {
        format: 'skills-export' as const,
        version: EXPORT_FORMAT_VERSION,
        exportedAt: new Date().toISOString(),
        invocations: rows.map(toRecord),
        catalog: await catalog(db),
      };
    });
  }

  /**
   * Imports a document in one transaction: all of it or nothing. `onProgress` runs inside that
   * transaction after every chunk of records (and once for an empty document); if it throws,
   * nothing is imported.
   */
  async importAll(doc: ExportDocument, onProgress?: (done: number, total: number) => void): Promise<ImportResult> {
    this.#open('importAll');
    const valid = parseOrThrow(ExportDocumentSchema, doc, 'export document');
    return this.#write('importAll', async (writer, db) => {
      const total = valid.invocations.length;
      const chunks = Math.max(1, Math.ceil(total / IMPORT_CHUNK));
      let imported = 0;
      for (let c = 0; c < chunks; c++) {
        imported += (await writer.insertMany(valid.invocations.slice(c * IMPORT_CHUNK, (c + 1) * IMPORT_CHUNK))).inserted;
        onProgress?.(Math.min((c + 1) * IMPORT_CHUNK, total), total);
      }
      await upsertCatalog(db, valid.catalog);
      return { imported, duplicates: total - imported };
    });
  }

  /** Distinct query texts with id above `afterId`, by id. */
  async listQueries(afterId = 0): Promise<StoredQuery[]> {
    return this.#read('listQueries', (db) => db.selectFrom('queries').select(['id', 'text']).where('id', '>', afterId).orderBy('id').execute());
  }

  /** Per (query, skill) counts for queries with id above `afterId`, by query id then skill name. */
  async listQuerySkillCounts(afterId = 0): Promise<QuerySkillCount[]> {
    return this.#read('listQuerySkillCounts', (db) => readCounts(db, { afterId }));
  }

  /** The counts that changed since `cursor` (null: all of them), and the cursor to pass next; exact under concurrent writers. */
  async querySkillCountsSince(cursor: string | null): Promise<QuerySkillCountChanges> {
    return this.#snapshot('querySkillCountsSince', (db) => querySkillCountsSince(db, cursor));
  }

  /** The vectors one embedder stored, by query id (above `afterId`), each in its own buffer. */
  async getEmbeddings(embedderId: string, afterId = 0): Promise<Map<number, Uint8Array>> {
    return this.#read('getEmbeddings', async (db) => {
      const rows = await db
        .selectFrom('embeddings')
        .select(['query_id', 'vector'])
        .where('embedder_id', '=', embedderId)
        .where('query_id', '>', afterId)
        .orderBy('query_id')
        .execute();
      // Copied: a vector must start its own buffer to be viewed as a Float32Array.
      return new Map(rows.map((r) => [r.query_id, new Uint8Array(r.vector)]));
    });
  }

  /** Stores vectors by query id, replacing that embedder's older ones; ids of queries no longer stored are skipped. */
  async putEmbeddings(embedderId: string, vectors: ReadonlyMap<number, Uint8Array>): Promise<void> {
    this.#open('putEmbeddings');
    if (vectors.size === 0) return;
    const entries = [...vectors].sort((a, b) => a[0] - b[0]);
    await this.#write('putEmbeddings', async (_writer, db) => {
      await sql`
        INSERT INTO embeddings (query_id, embedder_id, vector)
        SELECT q.id, ${embedderId}, v.vector
        FROM unnest(${entries.map((e) => e[0])}::bigint[], ${entries.map((e) => Buffer.from(e[1].buffer, e[1].byteOffset, e[1].byteLength))}::bytea[]) AS v(query_id, vector)
        JOIN queries q ON q.id = v.query_id
        ORDER BY q.id
        ON CONFLICT (query_id, embedder_id) DO UPDATE SET vector = excluded.vector`.execute(db);
    });
  }

  /** Drops the vectors of one embedder, or all of them; returns how many. */
  async deleteEmbeddings(embedderId?: string): Promise<number> {
    this.#open('deleteEmbeddings');
    return this.#write('deleteEmbeddings', async (_writer, db) => {
      const query = db.deleteFrom('embeddings');
      const result = await (embedderId === undefined ? query : query.where('embedder_id', '=', embedderId)).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  /** The trained model kept under `key` (see `ModelStateStore`), or null. */
  async getModelState(key: string): Promise<ModelState | null> {
    return this.#read('getModelState', (db) => getModelState(db, key));
  }

  /** Keeps a trained model under `key`, replacing the one there; a bad key or state writes nothing. */
  async putModelState(key: string, state: ModelState): Promise<void> {
    await this.#write('putModelState', (_writer, db) => putModelState(db, key, state));
  }

  /** Adds skills to the catalog, or replaces their descriptions. */
  async upsertCatalog(entries: readonly CatalogEntry[]): Promise<void> {
    this.#open('upsertCatalog');
    const valid = validateCatalog(entries);
    await this.#write('upsertCatalog', (_writer, db) => upsertCatalog(db, valid));
  }

  /** The catalog, by skill name. */
  async listCatalog(): Promise<CatalogEntry[]> {
    return this.#read('listCatalog', catalog);
  }

  /** Invocations over time, computed in SQL (see {@link InsightsStore.activity}). */
  async activity(query: ActivityQuery): Promise<Activity> {
    return this.#snapshot('activity', (db) => activity(db, query));
  }

  /** Distinct sessions with an invocation at or after `since`. */
  async sessionsSince(since: string): Promise<number> {
    const cutoff = parseInstant(since, 'since', 'sessions query');
    return this.#read('sessionsSince', (db) => sessionsSince(db, cutoff));
  }

  /** Distinct sessions stored. */
  async sessionCount(): Promise<number> {
    return this.#read('sessionCount', sessionCount);
  }

  /** One skill's error types, follow-ups, alternatives, ranks and latest queries; null when it has no invocation. */
  async skillProfile(skillName: string): Promise<SkillProfile | null> {
    return this.#snapshot('skillProfile', (db) => skillProfile(db, skillName));
  }

  /**
   * Changes whenever invocations change, through this store or any other connection: the totals
   * by status and the prune count, read in one statement from the aggregates (a few hundred rows).
   * Between prunes no write can restore an earlier value: inserts add invocations, completions and
   * abandonment add finished ones.
   */
  async revision(): Promise<string> {
    return this.#read('revision', async (db) => {
      const row = (
        await sql<{ r: string }>`
          SELECT concat_ws('.', coalesce(sum(invocations), 0), coalesce(sum(completed), 0), coalesce(sum(failed), 0),
            coalesce(sum(abandoned), 0), (SELECT value FROM store_meta WHERE key = 'prunes')) AS r
          FROM skill_phase_stats`.execute(db)
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
    return this.#feed.watch(listener);
  }

  /** PostgreSQL's own checks of this store, for `skills doctor` (see {@link diagnose}). */
  async diagnose(): Promise<StoreCheck[]> {
    this.#open('diagnose');
    return diagnose(this.#db, { location: this.location, secrets: this.#secrets });
  }

  /** A write that changes nothing; rejects with a StoreError when the database refuses writes. */
  async probeWrites(): Promise<void> {
    return this.#read('probeWrites', probeWrites);
  }

  /** Closes the pool. Idempotent; any other call afterwards fails with a StoreError. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#feed.close();
      await this.#db.destroy();
    } catch (error) {
      throw asStoreError('close', error, this.#secrets);
    }
  }

  #open(operation: string): void {
    if (this.#closed) throw new StoreError(`store is closed: cannot ${operation} (${this.location})`);
  }

  async #read<T>(operation: string, fn: (db: Kysely<StoreDatabase>) => Promise<T>): Promise<T> {
    this.#open(operation);
    try {
      return await fn(this.#db);
    } catch (error) {
      throw asStoreError(operation, error, this.#secrets);
    }
  }

  /** Runs reads that must agree in one REPEATABLE READ, read-only transaction: one snapshot. */
  async #snapshot<T>(operation: string, fn: (db: Kysely<StoreDatabase>) => Promise<T>): Promise<T> {
    return this.#read(operation, (db) => db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(fn));
  }

  /**
   * Runs `fn` in one transaction holding the write lock (shared, or exclusive for a prune), with a
   * writer whose aggregate changes are written at its end. A transaction PostgreSQL aborted for a
   * deadlock or a serialization failure wrote nothing and is run again.
   */
  async #write<T>(operation: string, fn: (writer: InvocationWriter, db: Kysely<StoreDatabase>) => Promise<T>, lock: 'shared' | 'exclusive' = 'shared'): Promise<T> {
    this.#open(operation);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#db.transaction().execute(async (trx) => {
          await (lock === 'shared' ? sql`SELECT pg_advisory_xact_lock_shared(${WRITE_LOCK})` : sql`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`).execute(trx);
          const writer = new InvocationWriter(trx);
          const result = await fn(writer, trx);
          await writer.finish();
          await announceChange(trx, operation);
          return result;
        });
      } catch (error) {
        if (attempt < WRITE_ATTEMPTS && RETRYABLE.has(sqlState(error) ?? '')) continue;
        throw asStoreError(operation, error, this.#secrets);
      }
    }
  }
}

/** Adds catalog entries or replaces their descriptions (the last entry of a name wins). */
async function upsertCatalog(db: Kysely<StoreDatabase>, entries: readonly CatalogEntry[]): Promise<void> {
  const byName = new Map(entries.map((e) => [e.skillName, e.description]));
  if (byName.size === 0) return;
  const rows = [...byName].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([skill_name, description]) => ({ skill_name, description }));
  await db
    .insertInto('catalog')
    .values(rows)
    .onConflict((oc) => oc.column('skill_name').doUpdateSet((eb) => ({ description: eb.ref('excluded.description') })))
    .execute();
}

/** The catalog, by skill name (by bytes, as SQLite orders it). */
function catalog(db: Kysely<StoreDatabase>): Promise<CatalogEntry[]> {
  return db.selectFrom('catalog').select(['skill_name as skillName', 'description']).orderBy(sql`skill_name COLLATE "C"`).execute();
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
