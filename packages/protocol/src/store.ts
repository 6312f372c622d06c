import type { InvocationRecord, InvocationStatus } from './invocation.js';
import type { ExportDocument } from './export.js';

/** A new invocation as written by a tracker: a full record (pending, or already finished). */
export type NewInvocation = InvocationRecord;

/** The end of an invocation, applied at most once. */
export interface Completion {
  readonly id: string;
  readonly completed: boolean;
  readonly completedAt: string;
  readonly durationSeconds: number | null;
  readonly followUpActions?: readonly string[];
  readonly errorType?: string | null;
}

/** Writes applied together in one transaction, inserts first. */
export interface WriteBatch {
  readonly inserts?: readonly NewInvocation[];
  readonly completions?: readonly Completion[];
}

/** What happened to each part of a batch. Ignored completions are reported, never double-counted. */
export interface BatchResult {
  readonly inserted: number;
  /** Inserts whose id was already stored (a replay): skipped. */
  readonly duplicates: number;
  readonly completed: number;
  /** Completions of invocations already finished: ignored. */
  readonly alreadyFinished: readonly string[];
  /** Completions naming no stored invocation: ignored. */
  readonly unknown: readonly string[];
}

/** Filters shared by listings and statistics. All optional; `since`/`until` are ISO instants. */
export interface InvocationFilter {
  readonly sessionId?: string;
  readonly skillName?: string;
  readonly workflowPhase?: string;
  readonly status?: InvocationStatus;
  readonly since?: string;
  readonly until?: string;
}

/** A page of a listing, newest first. */
export interface Page {
  readonly limit?: number;
  readonly offset?: number;
}

/** Invocations by how they ended, and the share of the finished ones that completed. */
export interface OutcomeCounts {
  readonly invocations: number;
  readonly completed: number;
  readonly failed: number;
  readonly abandoned: number;
  readonly pending: number;
  /** completed / (completed + failed + abandoned), or null when none finished. */
  readonly successRate: number | null;
}

/** What a statistics call computes beyond the counts. */
export interface StatsOptions {
  /**
   * The p50 and p95 durations, default true. They need every completed invocation's duration;
   * without them (null), unfiltered statistics come from the aggregates alone, whatever the size.
   */
  readonly percentiles?: boolean;
  /**
   * With `percentiles`, p50 and p95 within `APPROXIMATE_PERCENTILE_ERROR` (0.8%, plus 1 µs) of
   * the exact nearest-rank values suffice, default false. An engine that keeps a duration histogram then reads it instead of
   * every duration (SQLite: per-skill statistics without a filter, as the dashboard overview asks
   * them); one that keeps none returns the exact values.
   */
  readonly approximatePercentiles?: boolean;
}

/** Counts and durations of one skill, or of one skill in one phase. */
export interface SkillStats extends OutcomeCounts {
  readonly skillName: string;
  /** Set on per-phase statistics; null groups invocations tracked with no phase. */
  readonly workflowPhase?: string | null;
  readonly meanDurationSeconds: number | null;
  readonly p50DurationSeconds: number | null;
  readonly p95DurationSeconds: number | null;
  readonly lastUsed: string | null;
}

/** A distinct query text (whitespace-normalised) and the id the store gives it. */
export interface StoredQuery {
  readonly id: number;
  readonly text: string;
}

/** How often a skill served one distinct query, and how often it succeeded there. */
export interface QuerySkillCount {
  readonly queryId: number;
  readonly skillName: string;
  readonly invocations: number;
  readonly completed: number;
  readonly failed: number;
}

/** The (query, skill) counts a reader follows: all of them, or those that changed since its cursor. */
export interface QuerySkillCountChanges {
  /**
   * True when `counts` holds every pair, to replace what the reader knew: on the first call, and
   * whenever invocations were deleted (a prune, here or by another process) since the cursor.
   */
  readonly complete: boolean;
  /** When not complete: the queries used by invocations stored since the cursor; `counts` holds all their pairs. */
  readonly queryIds: readonly number[];
  /** By query id, then skill name. */
  readonly counts: readonly QuerySkillCount[];
  /** Where this answer stands: pass it to the next call. */
  readonly cursor: string;
}

/** A skill registered with a description, found by meaning before it has any history. */
export interface CatalogEntry {
  readonly skillName: string;
  readonly description: string;
  /** Its project: set when read from a store; when written, absent means the view's project (or `default`). */
  readonly project?: string;
}

/** Outcome of an import: every record either imported or counted as a duplicate. */
export interface ImportResult {
  readonly imported: number;
  readonly duplicates: number;
}

/**
 * What the trackers, the server and the command need from storage. Defined by use, not by
 * SQLite: a second engine implements this interface and nothing above it changes.
 * Every write keeps the aggregates consistent with the rows in the same transaction.
 */
export interface SkillsStore {
  /** Where the data lives, for people (a file path, a URL without credentials). */
  readonly location: string;

  applyBatch(batch: WriteBatch): Promise<BatchResult>;
  getInvocation(id: string): Promise<InvocationRecord | null>;
  listInvocations(filter?: InvocationFilter, page?: Page): Promise<InvocationRecord[]>;
  countInvocations(filter?: InvocationFilter): Promise<number>;
  /** Per-skill statistics, most used first. */
  skillStats(filter?: InvocationFilter, options?: StatsOptions): Promise<SkillStats[]>;
  /** Per-skill, per-phase statistics. */
  phaseStats(filter?: InvocationFilter, options?: StatsOptions): Promise<SkillStats[]>;
  /** Marks pending invocations abandoned: those of `ids`, or all invoked before `olderThan`. */
  markAbandoned(target: { ids?: readonly string[]; olderThan?: string }): Promise<number>;
  /** Deletes invocations invoked before `olderThan`; returns how many. */
  prune(olderThan: string): Promise<number>;
  exportAll(): Promise<ExportDocument>;
  /** Imports an export document in one transaction; ids already stored are duplicates. */
  importAll(doc: ExportDocument, onProgress?: (done: number, total: number) => void): Promise<ImportResult>;

  /** Distinct query texts with id greater than `afterId` (for incremental index updates). */
  listQueries(afterId?: number): Promise<StoredQuery[]>;
  /** Per (query, skill) counts, for queries with id greater than `afterId`. */
  listQuerySkillCounts(afterId?: number): Promise<QuerySkillCount[]>;
  /**
   * The counts that changed since `cursor` (null: every count), so that a reader need not read
   * them all again after each write. Counts of completed and failed runs of queries not listed
   * may have changed too (completions); the invocation counts of those queries have not.
   */
  querySkillCountsSince(cursor: string | null): Promise<QuerySkillCountChanges>;
  /** Stored vectors of one embedder, by query id. */
  getEmbeddings(embedderId: string, afterId?: number): Promise<Map<number, Uint8Array>>;
  putEmbeddings(embedderId: string, vectors: ReadonlyMap<number, Uint8Array>): Promise<void>;
  /** Drops stored vectors: of one embedder, or all. Returns how many. */
  deleteEmbeddings(embedderId?: string): Promise<number>;

  upsertCatalog(entries: readonly CatalogEntry[]): Promise<void>;
  listCatalog(): Promise<CatalogEntry[]>;

  /** Releases the store. Idempotent. */
  close(): Promise<void>;
}

/**
 * A store that can also write synchronously, for the last flush in a process `exit` handler
 * where no promise can settle. SQLite can; a network database cannot.
 */
export interface SyncWritableStore extends SkillsStore {
  applyBatchSync(batch: WriteBatch): BatchResult;
}

/** Upkeep a file-based store offers; the command's backups and `doctor` use it when present. */
export interface MaintainableStore extends SkillsStore {
  /** Makes the main file complete on its own (SQLite: moves the WAL into it). */
  checkpoint(): Promise<void>;
  /** Problems a full consistency check finds; empty when the store is sound. */
  integrityCheck(): Promise<string[]>;
}

/** True when `store` offers {@link MaintainableStore} upkeep. */
export function isMaintainable(store: SkillsStore): store is MaintainableStore {
  const s = store as Partial<MaintainableStore>;
  return typeof s.checkpoint === 'function' && typeof s.integrityCheck === 'function';
}

/** True when `store` can write synchronously. */
export function isSyncWritable(store: SkillsStore): store is SyncWritableStore {
  return typeof (store as Partial<SyncWritableStore>).applyBatchSync === 'function';
}
