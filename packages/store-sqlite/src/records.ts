import type { InvocationRecord } from '@skills/protocol';
import type { Kysely } from 'kysely';
import { decodeList } from './name-lists.js';
import type { StoreDatabase } from './schema.js';
import { statusOf } from './status.js';
import { toIso } from './time.js';

/** An invocation row with its names joined back in. */
export interface RecordRow {
  id: string;
  skill_name: string;
  session_name: string;
  invoked_at: number;
  status: number;
  completed: number;
  completed_at: number | null;
  duration: number | null;
  query_text: string | null;
  phase_name: string | null;
  alternatives: string | null;
  selection_rank: number | null;
  follow_ups: string | null;
  error_type: string | null;
}

/** Selects whole records: invocations joined to their names and query texts. */
export function selectRecords(b: Kysely<StoreDatabase>) {
  return b
    .selectFrom('invocations')
    .innerJoin('skills', 'skills.id', 'invocations.skill_id')
    .innerJoin('sessions', 'sessions.id', 'invocations.session_id')
    .leftJoin('queries', 'queries.id', 'invocations.query_id')
    .leftJoin('phases', 'phases.id', 'invocations.phase_id')
    .select([
      'invocations.id',
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
      'invocations.selection_rank',
      'invocations.follow_ups',
      'invocations.error_type',
    ]);
}

/** The protocol record a row stands for. */
export function toRecord(row: RecordRow): InvocationRecord {
  return {
    id: row.id,
    skillName: row.skill_name,
    sessionId: row.session_name,
    invokedAt: toIso(row.invoked_at),
    status: statusOf(row.status),
    completed: row.completed === 1,
    completedAt: row.completed_at === null ? null : toIso(row.completed_at),
    durationSeconds: row.duration,
    userQuery: row.query_text,
    workflowPhase: row.phase_name,
    alternativesConsidered: decodeList(row.alternatives),
    selectionRank: row.selection_rank,
    followUpActions: decodeList(row.follow_ups),
    errorType: row.error_type,
  };
}
