import { statusOf, type InvocationRecord } from '@skills/protocol';
import type { Kysely } from 'kysely';
import type { Connection } from './connection.js';
import { fromStoredId, idText, type StoredId } from './ids.js';
import { decodeList } from './name-lists.js';
import { nameMap } from './names.js';
import type { InvocationsTable, StoreDatabase } from './schema.js';
import { toIso } from './time.js';

/** An invocation row with its names joined back in. */
export interface RecordRow {
  id: StoredId;
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
  source_name: string | null;
  project_name: string;
  alternative_scores: string | null;
}

/** Selects whole records: invocations joined to their names and query texts. */
export function selectRecords(b: Kysely<StoreDatabase>) {
  return b
    .selectFrom('invocations')
    .innerJoin('skills', 'skills.id', 'invocations.skill_id')
    .innerJoin('sessions', 'sessions.id', 'invocations.session_id')
    .leftJoin('queries', 'queries.id', 'invocations.query_id')
    .leftJoin('phases', 'phases.id', 'invocations.phase_id')
    .leftJoin('sources', 'sources.id', 'invocations.source_id')
    .innerJoin('projects', 'projects.id', 'invocations.project_id')
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
      'sources.name as source_name',
      'projects.name as project_name',
      'invocations.alternative_scores',
    ]);
}

/** The protocol record a row stands for. */
export function toRecord(row: RecordRow): InvocationRecord {
  return {
    id: fromStoredId(row.id),
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
    source: row.source_name,
    ...scoresOf(row.alternative_scores),
    project: row.project_name,
  };
}

/** The `alternativeScores` property of a record: present only when scores were kept. */
function scoresOf(stored: string | null): { alternativeScores?: number[] } {
  return stored === null ? {} : { alternativeScores: JSON.parse(stored) as number[] };
}

/**
 * Every record (of one project, or of all when `projectId` is null), oldest first (ties by id as
 * text), for an export. The rows come through the time index one by one and get their names from
 * maps read first: a join would make the planner sort every row of the history in a temporary table.
 */
export function exportRecords(conn: Connection, projectId: number | null): InvocationRecord[] {
  const b = conn.builder;
  const projects = nameMap(conn, 'projects');
  const skills = nameMap(conn, 'skills');
  const sessions = nameMap(conn, 'sessions');
  const phases = nameMap(conn, 'phases');
  const sources = nameMap(conn, 'sources');
  const texts = new Map(
    conn
      .all<{ id: number; text: string }>(
        b
          .selectFrom('queries')
          .select(['id', 'text'])
          .$if(projectId !== null, (qb) => qb.where('project_id', '=', projectId!)),
      )
      .map((r) => [r.id, r.text]),
  );
  const rows = conn.all<InvocationsTable>(
    b
      .selectFrom('invocations')
      .selectAll()
      .$if(projectId !== null, (qb) => qb.where('project_id', '=', projectId!))
      .orderBy('invoked_at')
      .orderBy(idText()),
  );
  const records = new Array<InvocationRecord>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    records[i] = {
      id: fromStoredId(r.id),
      skillName: skills.get(r.skill_id)!,
      sessionId: sessions.get(r.session_id)!,
      invokedAt: toIso(r.invoked_at),
      status: statusOf(r.status),
      completed: r.completed === 1,
      completedAt: r.completed_at === null ? null : toIso(r.completed_at),
      durationSeconds: r.duration,
      userQuery: r.query_id === null ? null : (texts.get(r.query_id) ?? null),
      workflowPhase: r.phase_id === null ? null : (phases.get(r.phase_id) ?? null),
      alternativesConsidered: decodeList(r.alternatives),
      selectionRank: r.selection_rank,
      followUpActions: decodeList(r.follow_ups),
      errorType: r.error_type,
      source: r.source_id === null ? null : (sources.get(r.source_id) ?? null),
      ...scoresOf(r.alternative_scores),
      project: projects.get(r.project_id)!,
    };
    // Each row can go as soon as its record exists: the rows and the records are never both whole.
    rows[i] = undefined as unknown as InvocationsTable;
  }
  return records;
}
