import type { Migration } from '@skills/protocol';

/**
 * The whole first schema, with the meaning of the SQLite store's: names and query texts stored
 * once and referenced by id, the aggregates kept in the same transaction as the rows they count.
 * What differs is for concurrent writers: every row records the transaction that inserted it
 * (`xid`), which is how a reader follows new rows exactly although transactions commit in any
 * order (see query-counts.ts), and a counter of prunes tells readers that rows went away.
 */
export const initialSchema: Migration = Object.freeze({
  version: 1,
  name: 'initial-schema',
  sql: `
CREATE TABLE skills (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE
);

CREATE TABLE sessions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE
);

CREATE TABLE phases (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE
);

-- Which integration recorded an invocation (claude-code, ai-sdk, ...).
CREATE TABLE sources (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE
);

-- An identity never gives a pruned query's id to a new text: readers keep incremental indexes
-- keyed by "every query id above the last one seen". hash: the first 16 bytes of the SHA-256 of
-- the text (texts may be longer than a b-tree entry can be).
CREATE TABLE queries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hash bytea NOT NULL UNIQUE,
  text text NOT NULL
);

-- query_id has no foreign key on purpose, as in SQLite: deleting a query would then scan this
-- table for children. query_skill_stats counts the references instead. Lists are JSON arrays,
-- NULL when empty (most are).
CREATE TABLE invocations (
  id text PRIMARY KEY,
  skill_id integer NOT NULL REFERENCES skills (id),
  session_id bigint NOT NULL REFERENCES sessions (id),
  invoked_at timestamptz NOT NULL,
  status smallint NOT NULL CHECK (status BETWEEN 0 AND 3),
  completed boolean NOT NULL,
  completed_at timestamptz,
  duration double precision,
  query_id bigint,
  phase_id integer REFERENCES phases (id),
  alternatives jsonb,
  selection_rank integer,
  follow_ups jsonb,
  error_type text,
  source_id integer REFERENCES sources (id),
  xid xid8 NOT NULL DEFAULT pg_current_xact_id()
);

CREATE INDEX invocations_session ON invocations (session_id);
CREATE INDEX invocations_invoked_at ON invocations (invoked_at);
CREATE INDEX invocations_pending ON invocations (invoked_at) WHERE status = 0;
CREATE INDEX invocations_xid ON invocations (xid);

-- phase_id 0 stands for "no phase": a primary key column cannot hold NULL.
-- duration_micros sums whole microseconds so that subtracting on prune is exact.
CREATE TABLE skill_phase_stats (
  skill_id integer NOT NULL REFERENCES skills (id),
  phase_id integer NOT NULL,
  invocations bigint NOT NULL,
  completed bigint NOT NULL,
  failed bigint NOT NULL,
  abandoned bigint NOT NULL,
  pending bigint NOT NULL,
  duration_micros bigint NOT NULL,
  duration_count bigint NOT NULL,
  last_used_at timestamptz NOT NULL,
  PRIMARY KEY (skill_id, phase_id)
);

CREATE TABLE query_skill_stats (
  query_id bigint NOT NULL REFERENCES queries (id),
  skill_id integer NOT NULL REFERENCES skills (id),
  invocations bigint NOT NULL,
  completed bigint NOT NULL,
  failed bigint NOT NULL,
  PRIMARY KEY (query_id, skill_id)
);

CREATE TABLE embeddings (
  query_id bigint NOT NULL REFERENCES queries (id) ON DELETE CASCADE,
  embedder_id text NOT NULL,
  vector bytea NOT NULL,
  PRIMARY KEY (query_id, embedder_id)
);

CREATE TABLE catalog (
  skill_name text NOT NULL PRIMARY KEY,
  description text NOT NULL
);

-- prunes: how many prunes deleted rows, so that readers following new rows start over.
CREATE TABLE store_meta (
  key text NOT NULL PRIMARY KEY,
  value bigint NOT NULL
);
INSERT INTO store_meta (key, value) VALUES ('prunes', 0);
`,
});
