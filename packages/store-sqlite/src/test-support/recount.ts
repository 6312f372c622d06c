import Database from 'better-sqlite3';
import type { QuerySkillStatsTable, SkillPhaseStatsTable } from '../schema.js';

/** One row of skill_phase_stats, as stored or as recounted. */
export type SkillPhaseCounts = SkillPhaseStatsTable;

/** One row of query_skill_stats, as stored or as recounted. */
export type QuerySkillCounts = QuerySkillStatsTable;

/** The aggregates stored in a file next to the same numbers recounted from its rows. */
export interface AggregateCheck {
  stored: { skillPhase: SkillPhaseCounts[]; querySkill: QuerySkillCounts[]; queries: number[] };
  recounted: { skillPhase: SkillPhaseCounts[]; querySkill: QuerySkillCounts[]; queries: number[] };
}

/**
 * Reads the aggregates of the store file at `path` and recounts them from the invocation rows
 * with plain SQL, independent of the store's own code. `queries` lists stored query ids, and the
 * ids the rows refer to (each a query of the row's own project): every stored query must be
 * referenced, by its project's rows.
 */
export function recountAggregates(path: string): AggregateCheck {
  const db = new Database(path, { readonly: true });
  try {
    const all = <T>(sql: string) => db.prepare(sql).all() as T[];
    return {
      stored: {
        skillPhase: all<SkillPhaseCounts>('SELECT * FROM skill_phase_stats ORDER BY project_id, skill_id, phase_id'),
        querySkill: all<QuerySkillCounts>('SELECT * FROM query_skill_stats ORDER BY project_id, query_id, skill_id'),
        queries: all<{ id: number }>('SELECT id FROM queries ORDER BY id').map((r) => r.id),
      },
      recounted: {
        skillPhase: all<SkillPhaseCounts>(`
          SELECT project_id, skill_id, coalesce(phase_id, 0) AS phase_id, count(*) AS invocations,
                 sum(status = 1) AS completed, sum(status = 2) AS failed,
                 sum(status = 3) AS abandoned, sum(status = 0) AS pending,
                 coalesce(sum(CASE WHEN status = 1 AND duration IS NOT NULL
                                   THEN CAST(duration * 1000000 + 0.5 AS INTEGER) END), 0) AS duration_micros,
                 sum(status = 1 AND duration IS NOT NULL) AS duration_count,
                 max(invoked_at) AS last_used_at
          FROM invocations GROUP BY project_id, skill_id, coalesce(phase_id, 0) ORDER BY project_id, skill_id, phase_id`),
        querySkill: all<QuerySkillCounts>(`
          SELECT project_id, query_id, skill_id, count(*) AS invocations,
                 sum(status = 1) AS completed, sum(status = 2) AS failed
          FROM invocations WHERE query_id IS NOT NULL
          GROUP BY project_id, query_id, skill_id ORDER BY project_id, query_id, skill_id`),
        // A row refers to a query of its own project only (a text is a query per project).
        queries: all<{ id: number }>(
          'SELECT DISTINCT i.query_id AS id FROM invocations i JOIN queries q ON q.id = i.query_id AND q.project_id = i.project_id ORDER BY id',
        ).map((r) => r.id),
      },
    };
  } finally {
    db.close();
  }
}
