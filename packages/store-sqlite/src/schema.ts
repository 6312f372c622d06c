import type { StatusCode, StoredCounts } from '@skills/protocol';
import type { Generated } from 'kysely';
import type { StoredId } from './ids.js';

/**
 * One invocation. Timestamps are ms since the epoch; lists are JSON text, NULL when empty; the id
 * is 16 bytes for a canonical UUID, else text (see ids.ts).
 */
export interface InvocationsTable {
  id: StoredId;
  skill_id: number;
  session_id: number;
  invoked_at: number;
  status: StatusCode;
  completed: 0 | 1;
  completed_at: number | null;
  duration: number | null;
  query_id: number | null;
  phase_id: number | null;
  alternatives: string | null;
  selection_rank: number | null;
  follow_ups: string | null;
  error_type: string | null;
  /** The integration that recorded it (see `sources`), NULL when unknown. */
  source_id: number | null;
  /** Its project (see `projects`). */
  project_id: number;
  /** The shown scores of `alternatives`, JSON text; NULL when none were kept. */
  alternative_scores: string | null;
}

/** A name stored once (a skill, a session id, a workflow phase, a source, a project). */
export interface NamesTable {
  id: Generated<number>;
  name: string;
}

/**
 * A distinct, whitespace-normalised query text of one project (a text two projects use is two
 * queries); `hash` is the first 16 bytes of its SHA-256.
 */
export interface QueriesTable {
  id: Generated<number>;
  project_id: number;
  hash: Uint8Array;
  text: string;
}

/** Counts per (project, skill, phase); `phase_id` 0 means no phase. */
export interface SkillPhaseStatsTable extends StoredCounts {
  project_id: number;
  skill_id: number;
  phase_id: number;
  last_used_at: number;
}

/** Counts per (project, query, skill). */
export interface QuerySkillStatsTable {
  project_id: number;
  query_id: number;
  skill_id: number;
  invocations: number;
  completed: number;
  failed: number;
}

/**
 * Invocations per (project, skill, hour started, status); `skill_id` 0: every skill of the
 * project. `hour` is floor(invoked_at / 3,600,000) (see migration 6).
 */
export interface ActivityStatsTable {
  project_id: number;
  skill_id: number;
  hour: number;
  invocations: number;
  completed: number;
  failed: number;
  abandoned: number;
  pending: number;
}

/** Invocations per (project, session), and the latest one's time (ms). */
export interface SessionStatsTable {
  project_id: number;
  session_id: number;
  invocations: number;
  last_invoked_at: number;
}

/**
 * Completed invocations with a duration per (project, skill, duration bin): see duration-bins.ts
 * and migration 7.
 */
export interface DurationStatsTable {
  project_id: number;
  skill_id: number;
  bin: number;
  invocations: number;
}

/** A query's vector from one embedder (its bytes as the embedder wrote them). */
export interface EmbeddingsTable {
  query_id: number;
  embedder_id: string;
  vector: Uint8Array;
}

/** A skill known by its description before it has any history. */
export interface CatalogTable {
  project_id: number;
  skill_name: string;
  description: string;
}

/** One applied migration; `applied_at` is an ISO instant, for people reading the file. */
export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: string;
}

/** Counters kept in the file (`prunes`: how many prunes deleted rows). */
export interface StoreMetaTable {
  key: string;
  value: number;
}

/** The tables, as kysely sees them. */
export interface StoreDatabase {
  invocations: InvocationsTable;
  skills: NamesTable;
  sessions: NamesTable;
  phases: NamesTable;
  sources: NamesTable;
  projects: NamesTable;
  queries: QueriesTable;
  skill_phase_stats: SkillPhaseStatsTable;
  query_skill_stats: QuerySkillStatsTable;
  activity_stats: ActivityStatsTable;
  session_stats: SessionStatsTable;
  duration_stats: DurationStatsTable;
  embeddings: EmbeddingsTable;
  catalog: CatalogTable;
  schema_migrations: SchemaMigrationsTable;
  store_meta: StoreMetaTable;
}

/** The id migration 5 gives the project `default`, which every store holds. */
export const DEFAULT_PROJECT_ID = 1;
