import type { Migration } from '@skills/protocol';

/**
 * The whole first schema. Size drives the layout: names (skills, sessions, phases) and query texts
 * are stored once and referenced by integer id, timestamps are integers (ms since the epoch), empty
 * lists are NULL, and the aggregates are kept in the same transaction as the rows they count.
 */
export const initialSchema: Migration = Object.freeze({
  version: 1,
  name: 'initial-schema',
  sql: `
CREATE TABLE skills (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE phases (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;

-- AUTOINCREMENT so that a pruned query's id is never given to a new text: readers keep
-- incremental indexes keyed by "every query id above the last one seen".
CREATE TABLE queries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  hash BLOB NOT NULL UNIQUE,
  text TEXT NOT NULL
) STRICT;

-- id: a canonical lowercase UUID is stored as its 16 bytes, any other id as its text (see ids.ts).
-- query_id has no foreign key on purpose: deleting a query would then scan this table for
-- children (there is no index on query_id). query_skill_stats counts the references instead.
-- Few indexes, because every one is paid on every insert: an index on a column with few
-- values (skill, phase) takes each new row to one of many places in its b-tree, which costs
-- more than the row itself. Filters by skill or phase scan instead; the statistics nobody
-- filters come from the aggregates below.
CREATE TABLE invocations (
  id ANY NOT NULL UNIQUE,
  skill_id INTEGER NOT NULL REFERENCES skills (id),
  session_id INTEGER NOT NULL REFERENCES sessions (id),
  invoked_at INTEGER NOT NULL,
  status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 3),
  completed INTEGER NOT NULL CHECK (completed IN (0, 1)),
  completed_at INTEGER,
  duration REAL,
  query_id INTEGER,
  phase_id INTEGER REFERENCES phases (id),
  alternatives TEXT,
  selection_rank INTEGER,
  follow_ups TEXT,
  error_type TEXT
) STRICT;

-- Sessions come one after another, so this index grows at its end; pruning needs it to find
-- the sessions no row uses any more.
CREATE INDEX invocations_session ON invocations (session_id);
CREATE INDEX invocations_invoked_at ON invocations (invoked_at);
-- Abandoning stale invocations runs at every tracker start; this index holds only the few
-- pending rows, so that never scans the history.
CREATE INDEX invocations_pending ON invocations (invoked_at) WHERE status = 0;

-- phase_id 0 stands for "no phase": a primary key column cannot hold NULL.
-- duration_micros sums whole microseconds so that subtracting on prune is exact.
CREATE TABLE skill_phase_stats (
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
  PRIMARY KEY (skill_id, phase_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE query_skill_stats (
  query_id INTEGER NOT NULL REFERENCES queries (id),
  skill_id INTEGER NOT NULL REFERENCES skills (id),
  invocations INTEGER NOT NULL,
  completed INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  PRIMARY KEY (query_id, skill_id)
) STRICT, WITHOUT ROWID;

-- A rowid table: vectors are kilobytes, and WITHOUT ROWID suits only small rows.
CREATE TABLE embeddings (
  query_id INTEGER NOT NULL REFERENCES queries (id) ON DELETE CASCADE,
  embedder_id TEXT NOT NULL,
  vector BLOB NOT NULL,
  PRIMARY KEY (query_id, embedder_id)
) STRICT;

CREATE TABLE catalog (
  skill_name TEXT NOT NULL PRIMARY KEY,
  description TEXT NOT NULL
) STRICT;
`,
});
