import type { StoredCounts } from '@skills/protocol';
import type { Generated } from 'kysely';

/** One invocation; lists are JSON arrays (NULL when empty); `xid` is the inserting transaction's id. */
export interface InvocationsTable {
  id: string;
  project_id: number;
  skill_id: number;
  session_id: number;
  invoked_at: Date | string;
  status: number;
  completed: boolean;
  completed_at: Date | string | null;
  duration: number | null;
  query_id: number | null;
  phase_id: number | null;
  alternatives: string[] | null;
  alternative_scores: number[] | null;
  selection_rank: number | null;
  follow_ups: string[] | null;
  error_type: string | null;
  source_id: number | null;
  xid: Generated<string>;
}

/** A name stored once (a skill, a session id, a workflow phase, a source). */
export interface NamesTable {
  id: Generated<number>;
  name: string;
}

/** A distinct, whitespace-normalised query text of one project; `hash` is the first 16 bytes of its SHA-256. */
export interface QueriesTable {
  id: Generated<number>;
  project_id: number;
  hash: Buffer;
  text: string;
}

/** Counts per (skill, phase); `phase_id` 0 means no phase. */
export interface SkillPhaseStatsTable extends StoredCounts {
  project_id: number;
  skill_id: number;
  phase_id: number;
  last_used_at: Date | string;
}

/** Counts per (query, skill); the query's project is theirs. */
export interface QuerySkillStatsTable {
  query_id: number;
  skill_id: number;
  invocations: number;
  completed: number;
  failed: number;
}

/** A query's vector from one embedder. */
export interface EmbeddingsTable {
  query_id: number;
  embedder_id: string;
  vector: Buffer;
}

/** A skill of one project known by its description before it has any history. */
export interface CatalogTable {
  project_id: number;
  skill_name: string;
  description: string;
}

/** One applied migration. */
export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: Date | string;
}

/** Counters kept in the database (`prunes`). */
export interface StoreMetaTable {
  key: string;
  value: number;
}

/** A project's name, stored once. */
export interface ProjectsTable {
  id: Generated<number>;
  name: string;
}

/** The tables, as kysely sees them. */
export interface StoreDatabase {
  projects: ProjectsTable;
  invocations: InvocationsTable;
  skills: NamesTable;
  sessions: NamesTable;
  phases: NamesTable;
  sources: NamesTable;
  queries: QueriesTable;
  skill_phase_stats: SkillPhaseStatsTable;
  query_skill_stats: QuerySkillStatsTable;
  embeddings: EmbeddingsTable;
  catalog: CatalogTable;
  schema_migrations: SchemaMigrationsTable;
  store_meta: StoreMetaTable;
}
