import type { Migration } from '@skills/protocol';

/**
 * Projects (issue 15): each invocation, aggregate row, query text, catalog entry and model state
 * belongs to one project, a name stored once in `projects` like skills and sessions. Everything
 * stored before belongs to `default` (id 1). Also each record's shown scores
 * (`alternative_scores`, JSON text, NULL when none were kept).
 *
 * Cost on an existing file: the two columns are added without rewriting a row (a constant
 * default), whatever the number of invocations. The query texts, the aggregates, the catalog and
 * the model states are copied into tables keyed by project first: their size is that of the
 * distinct texts and (query, skill) pairs, not of the history; the vectors are not copied. At 1M
 * invocations with 1M distinct texts and 1M distinct pairs (the worst case) the step took 12.6 s
 * (0.7 s of it the reference check the migrator runs after it) on the 2-core test machine under a
 * load of 18, once, at the first open.
 *
 * `invocations.project_id` has no REFERENCES clause: SQLite cannot add a column with a foreign key
 * and a non-NULL default. The write path only ever stores ids it read from `projects`.
 * No index of invocations leads with the project: every index is paid on every insert, and a
 * view's reads of rows filter through the existing ones (time, session, pending); its statistics
 * and the recommender's counts come from the aggregates, which are keyed by project first.
 */
export const projects: Migration = Object.freeze({
  version: 5,
  name: 'projects',
  sql: `
CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;
INSERT INTO projects (id, name) VALUES (1, 'default');

ALTER TABLE invocations ADD COLUMN project_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE invocations ADD COLUMN alternative_scores TEXT;

CREATE TABLE skill_phase_stats_by_project (
  project_id INTEGER NOT NULL REFERENCES projects (id),
  skill_id INTEGER NOT NULL REFERENCES skills (id),
  phase_id INTEGER NOT NULL,
  invocations INTEGER NOT NULL,
  completed INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  abandoned INTEGER NOT NULL,
  pending INTEGER NOT NULL,
  duration_micros INTEGER NOT NULL,
  duration_count INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, skill_id, phase_id)
) STRICT, WITHOUT ROWID;
INSERT INTO skill_phase_stats_by_project
  (project_id, skill_id, phase_id, invocations, completed, failed, abandoned, pending, duration_micros, duration_count, last_used_at)
  SELECT 1, skill_id, phase_id, invocations, completed, failed, abandoned, pending, duration_micros, duration_count, last_used_at
  FROM skill_phase_stats;
DROP TABLE skill_phase_stats;
ALTER TABLE skill_phase_stats_by_project RENAME TO skill_phase_stats;

-- A query text belongs to one project: a project's first use of a text stores it anew, with an id
-- above every id any reader has seen (AUTOINCREMENT, its high-water mark carried over), so a
-- project's reader following "every query id above the last one seen" misses none of its texts.
-- Vectors stay keyed by query id: a text two projects use is embedded and stored once for each.
CREATE TABLE queries_by_project (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects (id),
  hash BLOB NOT NULL,
  text TEXT NOT NULL,
  UNIQUE (project_id, hash)
) STRICT;
INSERT INTO sqlite_sequence (name, seq) SELECT 'queries_by_project', seq FROM sqlite_sequence WHERE name = 'queries';
INSERT INTO queries_by_project (id, project_id, hash, text) SELECT id, 1, hash, text FROM queries;
-- Foreign keys are off while migrations run (see migrator.ts): the vectors keep their rows (the
-- drop would delete them), and reference the new table once it is renamed.
DROP TABLE queries;
ALTER TABLE queries_by_project RENAME TO queries;

-- A project's counts are one range of the key, and so are a query's (a query is one project's):
-- pruning deletes a query once its project's counts of it are gone. query_id has no foreign key
-- (as invocations.query_id): deleting a query would then look for its children by query_id
-- alone, which no index leads with; these rows are the query's reference count instead.
CREATE TABLE query_skill_stats_by_project (
  project_id INTEGER NOT NULL REFERENCES projects (id),
  query_id INTEGER NOT NULL,
  skill_id INTEGER NOT NULL REFERENCES skills (id),
  invocations INTEGER NOT NULL,
  completed INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  PRIMARY KEY (project_id, query_id, skill_id)
) STRICT, WITHOUT ROWID;
INSERT INTO query_skill_stats_by_project (project_id, query_id, skill_id, invocations, completed, failed)
  SELECT 1, query_id, skill_id, invocations, completed, failed FROM query_skill_stats;
DROP TABLE query_skill_stats;
ALTER TABLE query_skill_stats_by_project RENAME TO query_skill_stats;

CREATE TABLE catalog_by_project (
  project_id INTEGER NOT NULL REFERENCES projects (id),
  skill_name TEXT NOT NULL,
  description TEXT NOT NULL,
  PRIMARY KEY (project_id, skill_name)
) STRICT;
INSERT INTO catalog_by_project (project_id, skill_name, description) SELECT 1, skill_name, description FROM catalog;
DROP TABLE catalog;
ALTER TABLE catalog_by_project RENAME TO catalog;

CREATE TABLE model_state_by_project (
  project_id INTEGER NOT NULL REFERENCES projects (id),
  key TEXT NOT NULL,
  version TEXT NOT NULL,
  trained_up_to INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, key)
) STRICT;
INSERT INTO model_state_by_project (project_id, key, version, trained_up_to, bytes, updated_at)
  SELECT 1, key, version, trained_up_to, bytes, updated_at FROM model_state;
DROP TABLE model_state;
ALTER TABLE model_state_by_project RENAME TO model_state;
`,
});
