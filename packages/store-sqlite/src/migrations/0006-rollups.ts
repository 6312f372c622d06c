import type { Migration } from '@skills/protocol';

/**
 * Rollups for the dashboard's overview (issue 17), kept in the write transaction by the code that
 * keeps the other aggregates (aggregates.ts), so its activity series and session counts read a few
 * hundred rows instead of every invocation.
 *
 * `activity_stats`: invocations per (project, skill, hour started, status). `skill_id` 0 (no
 * skill has it) holds the project's total of the hour, so the all-skills series is one range of
 * the key. `hour` is floor(invoked_at / 3,600,000), also for times before 1970 (SQLite's integer
 * division truncates, hence the remainder taken first). Day buckets start at UTC midnight, a
 * whole number of hours: an hour lies in one day.
 *
 * `session_stats`: invocations per (project, session) and the latest one's time: a project's
 * sessions, and its active ones, are counted without reading invocations. `session_id` has no
 * foreign key: prune deletes an unused session in the transaction that counts its row out.
 *
 * Cost on an existing file: two grouped scans of the invocations, once, at the first open: 3.2 s
 * at 1M invocations (the bench's workload, 2,000 sessions, 199 skills) on the 2-core test machine
 * under a load of 8.
 */
export const rollups: Migration = Object.freeze({
  version: 6,
  name: 'rollups',
  sql: `
CREATE TABLE activity_stats (
  project_id INTEGER NOT NULL REFERENCES projects (id),
  skill_id INTEGER NOT NULL,
  hour INTEGER NOT NULL,
  invocations INTEGER NOT NULL,
  completed INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  abandoned INTEGER NOT NULL,
  pending INTEGER NOT NULL,
  PRIMARY KEY (project_id, skill_id, hour)
) STRICT, WITHOUT ROWID;

CREATE TEMP TABLE hourly AS
  SELECT project_id, skill_id, (invoked_at - (invoked_at % 3600000 + 3600000) % 3600000) / 3600000 AS hour,
         count(*) AS invocations, sum(status = 1) AS completed, sum(status = 2) AS failed,
         sum(status = 3) AS abandoned, sum(status = 0) AS pending
  FROM invocations GROUP BY project_id, skill_id, hour;
INSERT INTO activity_stats (project_id, skill_id, hour, invocations, completed, failed, abandoned, pending)
  SELECT project_id, skill_id, hour, invocations, completed, failed, abandoned, pending FROM hourly;
INSERT INTO activity_stats (project_id, skill_id, hour, invocations, completed, failed, abandoned, pending)
  SELECT project_id, 0, hour, sum(invocations), sum(completed), sum(failed), sum(abandoned), sum(pending)
  FROM hourly GROUP BY project_id, hour;
DROP TABLE hourly;

CREATE TABLE session_stats (
  project_id INTEGER NOT NULL REFERENCES projects (id),
  session_id INTEGER NOT NULL,
  invocations INTEGER NOT NULL,
  last_invoked_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, session_id)
) STRICT, WITHOUT ROWID;
INSERT INTO session_stats (project_id, session_id, invocations, last_invoked_at)
  SELECT project_id, session_id, count(*), max(invoked_at) FROM invocations GROUP BY project_id, session_id;
`,
});
