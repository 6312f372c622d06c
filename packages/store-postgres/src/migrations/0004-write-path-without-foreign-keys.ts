import type { Migration } from '@skills/protocol';

/**
 * Drops the foreign keys the write path checks on every row: those of the invocations to the
 * names (skill, session, phase, source) and those of the aggregates to the skills and the query
 * texts. Measured with pg_stat_statements over 30k invocations, the invocations' INSERT took
 * 2,739 ms with them and 1,097 ms without; the whole write's server time halved. Migrations 1 and
 * 3 left out the keys to queries and projects for the same reason.
 *
 * The rule they enforced is kept by the write protocol instead: a write reads or stores every id
 * it refers to in its own transaction, holding the store's write lock shared; names and query texts
 * are deleted only by a prune, which holds that lock alone and deletes only those no row refers to
 * (writer.ts, aggregates.ts). `diagnose` counts ids that refer to nothing, column by column.
 * Dropping a foreign key writes only the catalog: instant at any size.
 */
export const writePathWithoutForeignKeys: Migration = Object.freeze({
  version: 4,
  name: 'write-path-without-foreign-keys',
  sql: `
ALTER TABLE invocations
  DROP CONSTRAINT invocations_skill_id_fkey,
  DROP CONSTRAINT invocations_session_id_fkey,
  DROP CONSTRAINT invocations_phase_id_fkey,
  DROP CONSTRAINT invocations_source_id_fkey;
ALTER TABLE skill_phase_stats DROP CONSTRAINT skill_phase_stats_skill_id_fkey;
ALTER TABLE query_skill_stats DROP CONSTRAINT query_skill_stats_query_id_fkey, DROP CONSTRAINT query_skill_stats_skill_id_fkey;
`,
});
