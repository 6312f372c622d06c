import Database from 'better-sqlite3';
import type { ActivityStatsTable, SessionStatsTable } from '../schema.js';

/** The dashboard's rollups stored in a file next to the same numbers recounted from its rows. */
export interface RollupCheck {
  stored: { activity: ActivityStatsTable[]; sessions: SessionStatsTable[] };
  recounted: { activity: ActivityStatsTable[]; sessions: SessionStatsTable[] };
}

/** floor(invoked_at / 1 hour) in plain SQL, written apart from the store's own code. */
const HOUR = 'CAST(floor(invoked_at / 3600000.0) AS INTEGER)';
const COUNTS = 'count(*) AS invocations, sum(status = 1) AS completed, sum(status = 2) AS failed, sum(status = 3) AS abandoned, sum(status = 0) AS pending';

/**
 * Reads `activity_stats` and `session_stats` of the store file at `path` and recounts them from
 * the invocation rows with plain SQL, independent of the store's own code: per (project, skill,
 * hour), per (project, hour) as skill 0, and per (project, session).
 */
export function recountRollups(path: string): RollupCheck {
  const db = new Database(path, { readonly: true });
  try {
    const all = <T>(sql: string) => db.prepare(sql).all() as T[];
    return {
      stored: {
        activity: all<ActivityStatsTable>('SELECT * FROM activity_stats ORDER BY project_id, skill_id, hour'),
        sessions: all<SessionStatsTable>('SELECT * FROM session_stats ORDER BY project_id, session_id'),
      },
      recounted: {
        activity: all<ActivityStatsTable>(`
          SELECT project_id, skill_id, ${HOUR} AS hour, ${COUNTS} FROM invocations GROUP BY project_id, skill_id, hour
          UNION ALL
          SELECT project_id, 0 AS skill_id, ${HOUR} AS hour, ${COUNTS} FROM invocations GROUP BY project_id, hour
          ORDER BY project_id, skill_id, hour`),
        sessions: all<SessionStatsTable>(`
          SELECT project_id, session_id, count(*) AS invocations, max(invoked_at) AS last_invoked_at
          FROM invocations GROUP BY project_id, session_id ORDER BY project_id, session_id`),
      },
    };
  } finally {
    db.close();
  }
}
