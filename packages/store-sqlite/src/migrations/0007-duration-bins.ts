import type { Migration } from '@skills/protocol';

/**
 * A duration histogram for the dashboard overview's p50/p95 (issue 17), kept in the write
 * transaction like the other rollups (aggregates.ts), so the percentiles of every skill read a few
 * thousand rows instead of every completed invocation's duration.
 *
 * `duration_stats`: completed invocations with a duration per (project, skill, bin). The bin of a
 * duration of m whole microseconds (cast(duration * 1e6 + 0.5 as integer), as the aggregates round
 * it) is m itself below 64, else (e - 6) * 64 + (m >> (e - 6)) with e = floor(log2(m)): 64
 * bins per power of two (duration-bins.ts). log2 may be one ulp off near a power of two, hence
 * the corrections of e against 1 << e.
 */
export const durationBins: Migration = Object.freeze({
  version: 7,
  name: 'duration-bins',
  sql: `
CREATE TABLE duration_stats (
  project_id INTEGER NOT NULL REFERENCES projects (id),
  skill_id INTEGER NOT NULL,
  bin INTEGER NOT NULL,
  invocations INTEGER NOT NULL,
  PRIMARY KEY (project_id, skill_id, bin)
) STRICT, WITHOUT ROWID;

INSERT INTO duration_stats (project_id, skill_id, bin, invocations)
  SELECT project_id, skill_id, CASE WHEN m < 64 THEN m ELSE (e - 6) * 64 + (m >> (e - 6)) END AS bin, count(*)
  FROM (
    SELECT project_id, skill_id, m, l - ((1 << l) > m) + ((1 << (l + 1)) <= m) AS e
    FROM (
      SELECT project_id, skill_id, m, CAST(log2(max(m, 1)) AS INTEGER) AS l
      FROM (
        SELECT project_id, skill_id, CAST(duration * 1000000 + 0.5 AS INTEGER) AS m
        FROM invocations WHERE status = 1 AND duration IS NOT NULL
      )
    )
  )
  GROUP BY project_id, skill_id, bin;
`,
});
