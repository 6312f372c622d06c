import Database from 'better-sqlite3';
import type { ActivityStatsTable, DurationStatsTable, QuerySkillStatsTable, SessionStatsTable, SkillPhaseStatsTable } from '../schema.js';

/** One row of skill_phase_stats, as stored or as recounted. */
export type SkillPhaseCounts = SkillPhaseStatsTable;

/** One row of query_skill_stats, as stored or as recounted. */
export type QuerySkillCounts = QuerySkillStatsTable;

/** The aggregates and the dashboard's rollups of a file, as stored or as recounted. */
export interface Aggregates {
  skillPhase: SkillPhaseCounts[];
  querySkill: QuerySkillCounts[];
  queries: number[];
  activity: ActivityStatsTable[];
  sessions: SessionStatsTable[];
  durations: DurationStatsTable[];
}

/** The aggregates stored in a file next to the same numbers recounted from its rows. */
export interface AggregateCheck {
  stored: Aggregates;
  recounted: Aggregates;
}

/** What a file without invocations stores. */
export const NO_AGGREGATES: Aggregates = Object.freeze({ skillPhase: [], querySkill: [], queries: [], activity: [], sessions: [], durations: [] });

/** floor(invoked_at / 1 hour) in plain SQL, written apart from the store's own code. */
const HOUR = 'CAST(floor(invoked_at / 3600000.0) AS INTEGER)';
const COUNTS = 'count(*) AS invocations, sum(status = 1) AS completed, sum(status = 2) AS failed, sum(status = 3) AS abandoned, sum(status = 0) AS pending';

/**
 * The duration bin of `micros` whole microseconds, written apart from duration-bins.ts: the value
 * itself under 64, else the power of two's position and the top 7 bits of its binary digits.
 */
function binOf(micros: number): number {
  const digits = micros.toString(2);
  if (digits.length <= 6) return micros;
  const shift = digits.length - 7;
  return shift * 64 + parseInt(digits.slice(0, 7), 2);
}

/** Completed rows' durations per (project, skill, bin), counted in JavaScript. */
function recountDurations(rows: { project_id: number; skill_id: number; micros: number }[]): DurationStatsTable[] {
  const counts = new Map<string, DurationStatsTable>();
  for (const r of rows) {
    const bin = binOf(r.micros);
    const key = `${r.project_id}:${r.skill_id}:${bin}`;
    const c = counts.get(key);
    if (c) c.invocations++;
    else counts.set(key, { project_id: r.project_id, skill_id: r.skill_id, bin, invocations: 1 });
  }
  return [...counts.values()].sort((a, b) => a.project_id - b.project_id || a.skill_id - b.skill_id || a.bin - b.bin);
}

/**
 * Reads the aggregates and rollups of the store file at `path` and recounts them from the
 * invocation rows, independent of the store's own code (plain SQL; the duration bins in
 * JavaScript). `queries` lists stored query ids, and the ids the rows refer to (each a query of
 * the row's own project): every stored query must be referenced, by its project's rows.
 * `activity` is per (project, skill, hour), and per (project, hour) as skill 0.
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
        activity: all<ActivityStatsTable>('SELECT * FROM activity_stats ORDER BY project_id, skill_id, hour'),
        sessions: all<SessionStatsTable>('SELECT * FROM session_stats ORDER BY project_id, session_id'),
        durations: all<DurationStatsTable>('SELECT * FROM duration_stats ORDER BY project_id, skill_id, bin'),
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
        activity: all<ActivityStatsTable>(`
          SELECT project_id, skill_id, ${HOUR} AS hour, ${COUNTS} FROM invocations GROUP BY project_id, skill_id, hour
          UNION ALL
          SELECT project_id, 0 AS skill_id, ${HOUR} AS hour, ${COUNTS} FROM invocations GROUP BY project_id, hour
          ORDER BY project_id, skill_id, hour`),
        sessions: all<SessionStatsTable>(`
          SELECT project_id, session_id, count(*) AS invocations, max(invoked_at) AS last_invoked_at
          FROM invocations GROUP BY project_id, session_id ORDER BY project_id, session_id`),
        durations: recountDurations(
          all(`SELECT project_id, skill_id, CAST(duration * 1000000 + 0.5 AS INTEGER) AS micros
               FROM invocations WHERE status = 1 AND duration IS NOT NULL`),
        ),
      },
    };
  } finally {
    db.close();
  }
}
