import type { Migration } from '@skills/protocol';

/**
 * Projects (several teams' histories in one database, kept apart) and the scores recommendations
 * showed. A project's name is stored once and referenced by id, as skills are; every existing row,
 * aggregate, query text, catalog entry and model state belongs to `default` (id 1).
 *
 * Query texts are per project: the same text used by two projects is two queries, with two ids.
 * A project's readers follow its texts by id ("every id above the last one seen"), so a project's
 * first use of a text must get a new id, above those its readers saw: reusing another project's
 * older id would hide the text from them (writers keep one project's new ids in commit order: see
 * name-ids.ts). A query's (query, skill) counts are its project's, so query_skill_stats keeps its
 * key; vectors stay per query id, so a text two projects use is embedded and stored once for each.
 *
 * The write path's tables get no foreign key to projects (a check per written row); project ids
 * come from the projects table, which is never deleted from. alternative_scores: a JSON array of
 * numbers, NULL when none were kept (as the other lists).
 *
 * Cost at 1M invocations: adding a column with a constant default writes only the catalog (no
 * table rewrite since PostgreSQL 11), so what takes time is building the index on (project,
 * invoked_at) over the invocations and the unique index on (project, hash) over the distinct query
 * texts (up to one per invocation). Measured on a 2-core machine under a load of 7 to 11, with 1M
 * invocations and 300k texts: 1.0 to 1.4 s, during which those tables are locked (writers wait;
 * the upgrade is one transaction, all or nothing). The invocations' new index has entries 8 bytes
 * wider than the one it replaces (alignment): 21 -> 30 MB at 1M. The (project, hash) entries are
 * as wide as the hash's were (alignment): 16 -> 12 MB at 300k, being built packed.
 */
export const projects: Migration = Object.freeze({
  version: 3,
  name: 'projects',
  sql: `
CREATE TABLE projects (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE
);
INSERT INTO projects (name) VALUES ('default');

ALTER TABLE invocations ADD COLUMN project_id integer NOT NULL DEFAULT 1, ADD COLUMN alternative_scores jsonb;
ALTER TABLE invocations ALTER COLUMN project_id DROP DEFAULT;
-- A project's listings, time windows and prunes; the whole store's read every project's range.
DROP INDEX invocations_invoked_at;
CREATE INDEX invocations_project_invoked_at ON invocations (project_id, invoked_at);

ALTER TABLE skill_phase_stats ADD COLUMN project_id integer NOT NULL DEFAULT 1;
ALTER TABLE skill_phase_stats ALTER COLUMN project_id DROP DEFAULT;
ALTER TABLE skill_phase_stats DROP CONSTRAINT skill_phase_stats_pkey, ADD PRIMARY KEY (project_id, skill_id, phase_id);

-- A text's id within its project (see above); also finds a project's queries.
ALTER TABLE queries ADD COLUMN project_id integer NOT NULL DEFAULT 1;
ALTER TABLE queries ALTER COLUMN project_id DROP DEFAULT;
ALTER TABLE queries DROP CONSTRAINT queries_hash_key, ADD UNIQUE (project_id, hash);

ALTER TABLE catalog ADD COLUMN project_id integer NOT NULL DEFAULT 1 REFERENCES projects (id);
ALTER TABLE catalog ALTER COLUMN project_id DROP DEFAULT;
ALTER TABLE catalog DROP CONSTRAINT catalog_pkey, ADD PRIMARY KEY (project_id, skill_name);

ALTER TABLE model_state ADD COLUMN project_id integer NOT NULL DEFAULT 1 REFERENCES projects (id);
ALTER TABLE model_state ALTER COLUMN project_id DROP DEFAULT;
ALTER TABLE model_state DROP CONSTRAINT model_state_pkey, ADD PRIMARY KEY (project_id, key);
`,
});
