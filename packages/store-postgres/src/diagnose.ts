import { performance } from 'node:perf_hooks';
import {
  checkAppliedMigrations,
  orderedMigrations,
  STATUS_CODE,
  type AppliedMigration,
  type Migration,
  type StoreCheck,
} from '@skills/protocol';
import { sql, type Kysely } from 'kysely';
import { DURATION_MICROS_SQL } from './aggregates.js';
import { asStoreError } from './errors.js';
import { migrations as shippedMigrations } from './migrations/index.js';
import type { StoreDatabase } from './schema.js';

/** The oldest server the schema runs on: `xid8` and `pg_current_xact_id()` came with 13. */
const MIN_SERVER_VERSION = 130000;

/** Where the checks run and what they may show. */
export interface DiagnoseTarget {
  /** The URL without its password. */
  readonly location: string;
  /** Texts no detail may hold (the password). */
  readonly secrets: readonly string[];
  /** The migrations the code ships; default those of this package. */
  readonly migrations?: readonly Migration[];
}

/**
 * PostgreSQL's own checks of a store: the server answers (and how fast), its version, the
 * migrations recorded against those this code ships (checksums included), whether it accepts
 * writes (a standby, or `default_transaction_read_only`), the aggregates against a recount of
 * the rows in one snapshot, and ids that refer to no stored row. A check that fails is reported, never thrown; when the server does
 * not answer, that is the only check.
 */
export async function diagnose(db: Kysely<StoreDatabase>, target: DiagnoseTarget): Promise<StoreCheck[]> {
  const failed = (name: string, error: unknown): StoreCheck => ({ name, status: 'fail', detail: asStoreError(name, error, target.secrets).message });
  const started = performance.now();
  try {
    await sql`SELECT 1`.execute(db);
  } catch (error) {
    return [failed('reachable', error)];
  }
  const checks: StoreCheck[] = [{ name: 'reachable', status: 'ok', detail: `${target.location} answers (${(performance.now() - started).toFixed(0)} ms)` }];
  const steps: [string, () => Promise<StoreCheck>][] = [
    ['server version', () => serverVersion(db)],
    ['migrations', () => migrationState(db, target)],
    ['accepts writes', () => writable(db)],
    ['aggregates', () => aggregates(db)],
    ['references', () => references(db)],
  ];
  for (const [name, step] of steps) checks.push(await step().catch((error: unknown) => failed(name, error)));
  return checks;
}

async function serverVersion(db: Kysely<StoreDatabase>): Promise<StoreCheck> {
  const { rows } = await sql<{ num: number; version: string }>`
    SELECT current_setting('server_version_num')::int AS num, current_setting('server_version') AS version`.execute(db);
  const { num, version } = rows[0]!;
  return num >= MIN_SERVER_VERSION
    ? { name: 'server version', status: 'ok', detail: `PostgreSQL ${version}` }
    : { name: 'server version', status: 'fail', detail: `PostgreSQL ${version}: the store needs 13 or later (xid8)` };
}

async function migrationState(db: Kysely<StoreDatabase>, target: DiagnoseTarget): Promise<StoreCheck> {
  const known = orderedMigrations(target.migrations ?? shippedMigrations);
  const applied: AppliedMigration[] = await db.selectFrom('schema_migrations').select(['version', 'name', 'checksum']).orderBy('version').execute();
  // Throws, naming the migration, when a checksum differs or the database is newer than the code.
  checkAppliedMigrations(applied, known, { location: target.location, kind: 'database', packageName: '@skills/store-postgres' });
  const newest = known.at(-1);
  if (applied.length < known.length) {
    return { name: 'migrations', status: 'fail', detail: `${applied.length} of ${known.length} applied: opening the store for writing applies the rest` };
  }
  return { name: 'migrations', status: 'ok', detail: `${applied.length} of ${known.length} applied, checksums match (newest: ${newest?.version} ${newest?.name})` };
}

async function writable(db: Kysely<StoreDatabase>): Promise<StoreCheck> {
  const { rows } = await sql<{ recovery: boolean; readonly: string }>`
    SELECT pg_is_in_recovery() AS recovery, current_setting('default_transaction_read_only') AS readonly`.execute(db);
  const { recovery, readonly } = rows[0]!;
  if (recovery) return { name: 'accepts writes', status: 'fail', detail: 'the server is a standby in recovery (pg_is_in_recovery): it refuses every write' };
  if (readonly === 'on') return { name: 'accepts writes', status: 'fail', detail: 'default_transaction_read_only is on: every write is refused' };
  // Anything else that refuses writes (a role's or a session's setting, a lock-down) shows here; its error is the detail.
  await probeWrites(db);
  return { name: 'accepts writes', status: 'ok', detail: 'read-write (not in recovery, default_transaction_read_only off, a write probe passes)' };
}

/** Groups of each aggregate table whose stored counts differ from a recount, in one snapshot. */
async function aggregates(db: Kysely<StoreDatabase>): Promise<StoreCheck> {
  const { pending, completed, failed, abandoned } = STATUS_CODE;
  const found = await inSnapshot(db, async (trx) => {
    const skillPhase = await sql<{ n: number }>`
      WITH counted AS (
        SELECT project_id, skill_id, coalesce(phase_id, 0) AS phase_id, count(*) AS invocations,
          count(*) FILTER (WHERE status = ${pending}) AS pending, count(*) FILTER (WHERE status = ${completed}) AS completed,
          count(*) FILTER (WHERE status = ${failed}) AS failed, count(*) FILTER (WHERE status = ${abandoned}) AS abandoned,
          coalesce(sum(${DURATION_MICROS_SQL}) FILTER (WHERE status = ${completed}), 0) AS duration_micros,
          count(duration) FILTER (WHERE status = ${completed}) AS duration_count
        FROM invocations GROUP BY 1, 2, 3)
      SELECT count(*) AS n FROM counted c FULL JOIN skill_phase_stats s USING (project_id, skill_id, phase_id)
      WHERE (c.invocations, c.pending, c.completed, c.failed, c.abandoned, c.duration_micros, c.duration_count)
        IS DISTINCT FROM (s.invocations, s.pending, s.completed, s.failed, s.abandoned, s.duration_micros, s.duration_count)`.execute(trx);
    const querySkill = await sql<{ n: number }>`
      WITH counted AS (
        SELECT query_id, skill_id, count(*) AS invocations,
          count(*) FILTER (WHERE status = ${completed}) AS completed, count(*) FILTER (WHERE status = ${failed}) AS failed
        FROM invocations WHERE query_id IS NOT NULL GROUP BY 1, 2)
      SELECT count(*) AS n FROM counted c FULL JOIN query_skill_stats s USING (query_id, skill_id)
      WHERE (c.invocations, c.completed, c.failed) IS DISTINCT FROM (s.invocations, s.completed, s.failed)`.execute(trx);
    const total = await sql<{ n: number }>`SELECT count(*) AS n FROM invocations`.execute(trx);
    return { skillPhase: skillPhase.rows[0]!.n, querySkill: querySkill.rows[0]!.n, invocations: total.rows[0]!.n };
  });
  if (found.skillPhase === 0 && found.querySkill === 0) {
    return { name: 'aggregates', status: 'ok', detail: `equal a recount of the ${found.invocations} invocations` };
  }
  return {
    name: 'aggregates',
    status: 'fail',
    detail: `${found.skillPhase} (skill, phase) and ${found.querySkill} (query, skill) counts differ from a recount of the ${found.invocations} invocations`,
  };
}

/**
 * The id columns written without a foreign key (a check per written row: see migrations 1, 3 and
 * 4), with the table each refers to. The write protocol keeps them sound; this finds where it did
 * not. skill_phase_stats.phase_id (0 for none) is left out: its groups are the invocations'
 * (the aggregates check), whose phase_id is here.
 */
const REFERENCES: readonly (readonly [table: keyof StoreDatabase, column: string, refersTo: keyof StoreDatabase])[] = [
  ['invocations', 'project_id', 'projects'],
  ['invocations', 'skill_id', 'skills'],
  ['invocations', 'session_id', 'sessions'],
  ['invocations', 'phase_id', 'phases'],
  ['invocations', 'source_id', 'sources'],
  ['invocations', 'query_id', 'queries'],
  ['skill_phase_stats', 'project_id', 'projects'],
  ['skill_phase_stats', 'skill_id', 'skills'],
  ['query_skill_stats', 'query_id', 'queries'],
  ['query_skill_stats', 'skill_id', 'skills'],
  ['queries', 'project_id', 'projects'],
];

/** Rows whose id in a column of {@link REFERENCES} refers to no stored row: one anti-join per column, in one snapshot. */
async function references(db: Kysely<StoreDatabase>): Promise<StoreCheck> {
  const orphans = await inSnapshot(db, async (trx) => {
    const found: string[] = [];
    for (const [table, column, refersTo] of REFERENCES) {
      const { rows } = await sql<{ n: number }>`
        SELECT count(*) AS n FROM ${sql.table(table)} t
        WHERE t.${sql.ref(column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${sql.table(refersTo)} r WHERE r.id = t.${sql.ref(column)})`.execute(trx);
      const n = rows[0]!.n;
      if (n > 0) found.push(`${n} ${table}.${column}`);
    }
    return found;
  });
  if (orphans.length === 0) return { name: 'references', status: 'ok', detail: `every id of ${REFERENCES.length} columns refers to a stored row` };
  return { name: 'references', status: 'fail', detail: `ids that refer to no stored row: ${orphans.join(', ')}` };
}

/** Runs `fn` in one REPEATABLE READ, read-only transaction: every statement sees one snapshot. */
function inSnapshot<T>(db: Kysely<StoreDatabase>, fn: (trx: Kysely<StoreDatabase>) => Promise<T>): Promise<T> {
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(fn);
}

/**
 * A write that changes nothing and locks no row: PostgreSQL refuses it as it would any write when
 * the database is read-only or a standby.
 */
export async function probeWrites(db: Kysely<StoreDatabase>): Promise<void> {
  await sql`UPDATE store_meta SET value = value WHERE false`.execute(db);
}
