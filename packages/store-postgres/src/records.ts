import { statusOf, type InvocationRecord } from '@skills/protocol';
import type { Kysely } from 'kysely';
import type { StoreDatabase } from './schema.js';
import { toIso } from './time.js';

/** An invocation row with its names joined back in. */
export interface RecordRow {
  id: string;
  project_name: string;
  skill_name: string;
  session_name: string;
  invoked_at: Date | string;
  status: number;
  completed: boolean;
  completed_at: Date | string | null;
  duration: number | null;
  query_text: string | null;
  phase_name: string | null;
  alternatives: string[] | null;
  alternative_scores: number[] | null;
  selection_rank: number | null;
  follow_ups: string[] | null;
  error_type: string | null;
  source_name: string | null;
}

/** Selects whole records: invocations joined to their names and query texts. */
export function selectRecords(db: Kysely<StoreDatabase>) {
  return db
    .selectFrom('invocations')
    .innerJoin('projects', 'projects.id', 'invocations.project_id')
    .innerJoin('skills', 'skills.id', 'invocations.skill_id')
    .innerJoin('sessions', 'sessions.id', 'invocations.session_id')
    .leftJoin('queries', 'queries.id', 'invocations.query_id')
    .leftJoin('phases', 'phases.id', 'invocations.phase_id')
    .leftJoin('sources', 'sources.id', 'invocations.source_id')
    .select([
      'invocations.id',
      'projects.name as project_name',
      'skills.name as skill_name',
      'sessions.name as session_name',
      'invocations.invoked_at',
      'invocations.status',
      'invocations.completed',
      'invocations.completed_at',
      'invocations.duration',
      'queries.text as query_text',
      'phases.name as phase_name',
      'invocations.alternatives',
      'invocations.alternative_scores',
      'invocations.selection_rank',
      'invocations.follow_ups',
      'invocations.error_type',
      'sources.name as source_name',
    ]);
}

/** The protocol record a row stands for (`alternativeScores` only when some were kept). */
export function toRecord(row: RecordRow): InvocationRecord {
  return {
    id: row.id,
    project: row.project_name,
    skillName: row.skill_name,
    sessionId: row.session_name,
    invokedAt: toIso(row.invoked_at),
    status: statusOf(row.status),
    completed: row.completed,
    completedAt: row.completed_at === null ? null : toIso(row.completed_at),
    durationSeconds: row.duration,
    userQuery: row.query_text,
    workflowPhase: row.phase_name,
    alternativesConsidered: row.alternatives ?? [],
    ...(row.alternative_scores === null ? {} : { alternativeScores: row.alternative_scores }),
    selectionRank: row.selection_rank,
    followUpActions: row.follow_ups ?? [],
    errorType: row.error_type,
    source: row.source_name,
  };
}
