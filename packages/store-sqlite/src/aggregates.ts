import { sql, type ExpressionBuilder, type RawBuilder } from 'kysely';
import type { Connection } from './connection.js';
import type { Prepared } from './prepared.js';
import { named } from './named.js';
import type { StoreDatabase } from './schema.js';
import { STATUS_CODE, type StatusCode } from './status.js';

/** What one invocation, or a group of invocations alike in these fields, adds to the aggregates. */
export interface Contribution {
  readonly skillId: number;
  readonly phaseId: number | null;
  readonly queryId: number | null;
  readonly status: StatusCode;
  readonly count: number;
  /** Sum of {@link durationMicros} over the completed runs with a duration. */
  readonly durationMicros: number;
  readonly durationCount: number;
  /** Latest invocation time among them (ms); {@link NEVER} when it does not matter (counting out). */
  readonly lastUsedAt: number;
}

/** The stored fields of one invocation that the aggregates depend on. */
export interface CountedRow {
  readonly skillId: number;
  readonly phaseId: number | null;
  readonly queryId: number | null;
  readonly status: StatusCode;
  readonly duration: number | null;
  readonly invokedAt: number;
}

/**
 * A duration in whole microseconds, so that sums can be subtracted exactly. Rounds half up the
 * way {@link durationMicrosSql} does in SQL (the same double arithmetic, then truncation).
 */
export function durationMicros(seconds: number): number {
  return Math.trunc(seconds * 1_000_000 + 0.5);
}

/** {@link durationMicros} of the `duration` column, in SQL. */
function durationMicrosSql(): RawBuilder<number> {
  return sql<number>`cast(${sql.ref('duration')} * 1000000 + 0.5 as integer)`;
}

/** SQL aggregate: `duration_micros` of the rows in a group, as {@link contributionOf} counts it. */
export function sumCompletedMicros(eb: ExpressionBuilder<StoreDatabase, 'invocations'>) {
  const completed = eb.case().when('status', '=', sql.lit(STATUS_CODE.completed));
  return eb.fn.coalesce(eb.fn.sum<number>(completed.then(durationMicrosSql()).end()), sql.lit(0));
}

/** SQL aggregate: `duration_count` of the rows in a group, as {@link contributionOf} counts it. */
export function countCompletedDurations(eb: ExpressionBuilder<StoreDatabase, 'invocations'>) {
  return eb.fn.count<number>(eb.case().when('status', '=', sql.lit(STATUS_CODE.completed)).then(eb.ref('duration')).end());
}

/** The contribution of one stored invocation. */
export function contributionOf(row: CountedRow): Contribution {
  const timed = row.status === STATUS_CODE.completed && row.duration !== null;
  return {
    skillId: row.skillId,
    phaseId: row.phaseId,
    queryId: row.queryId,
    status: row.status,
    count: 1,
    durationMicros: timed ? durationMicros(row.duration as number) : 0,
    durationCount: timed ? 1 : 0,
    lastUsedAt: row.invokedAt,
  };
}

/** Upserts that add signed deltas, and deletes of groups left empty, prepared once per connection. */
export class AggregateStatements {
  readonly upsertSkillPhase: Prepared;
  readonly deleteEmptySkillPhase: Prepared;
  readonly upsertQuerySkill: Prepared;
  readonly deleteEmptyQuerySkill: Prepared;
  readonly deleteUnusedQuery: Prepared;

  constructor(conn: Connection) {
    const b = conn.builder;
    this.upsertSkillPhase = conn.prepare(
      b
        .insertInto('skill_phase_stats')
        .values({
          skill_id: named('skill_id'),
          phase_id: named('phase_id'),
          invocations: named('invocations'),
          completed: named('completed'),
          failed: named('failed'),
          abandoned: named('abandoned'),
          pending: named('pending'),
          duration_micros: named('duration_micros'),
          duration_count: named('duration_count'),
          last_used_at: named('last_used_at'),
        })
        .onConflict((oc) =>
          oc.columns(['skill_id', 'phase_id']).doUpdateSet((eb) => ({
            invocations: eb('skill_phase_stats.invocations', '+', eb.ref('excluded.invocations')),
            completed: eb('skill_phase_stats.completed', '+', eb.ref('excluded.completed')),
            failed: eb('skill_phase_stats.failed', '+', eb.ref('excluded.failed')),
            abandoned: eb('skill_phase_stats.abandoned', '+', eb.ref('excluded.abandoned')),
            pending: eb('skill_phase_stats.pending', '+', eb.ref('excluded.pending')),
            duration_micros: eb('skill_phase_stats.duration_micros', '+', eb.ref('excluded.duration_micros')),
            duration_count: eb('skill_phase_stats.duration_count', '+', eb.ref('excluded.duration_count')),
            last_used_at: eb.fn<number>('max', ['skill_phase_stats.last_used_at', 'excluded.last_used_at']),
          })),
        ),
    );
    this.deleteEmptySkillPhase = conn.prepare(
      b
        .deleteFrom('skill_phase_stats')
        .where('skill_id', '=', named<number>('skill_id'))
        .where('phase_id', '=', named<number>('phase_id'))
        .where('invocations', '=', sql.lit(0)),
    );
    this.upsertQuerySkill = conn.prepare(
      b
        .insertInto('query_skill_stats')
        .values({
          query_id: named('query_id'),
          skill_id: named('skill_id'),
          invocations: named('invocations'),
          completed: named('completed'),
          failed: named('failed'),
        })
        .onConflict((oc) =>
          oc.columns(['query_id', 'skill_id']).doUpdateSet((eb) => ({
            invocations: eb('query_skill_stats.invocations', '+', eb.ref('excluded.invocations')),
            completed: eb('query_skill_stats.completed', '+', eb.ref('excluded.completed')),
            failed: eb('query_skill_stats.failed', '+', eb.ref('excluded.failed')),
          })),
        ),
    );
    this.deleteEmptyQuerySkill = conn.prepare(
      b
        .deleteFrom('query_skill_stats')
        .where('query_id', '=', named<number>('query_id'))
        .where('skill_id', '=', named<number>('skill_id'))
        .where('invocations', '=', sql.lit(0)),
    );
    // query_skill_stats is the reference count of a query: no row there, no invocation uses it.
    this.deleteUnusedQuery = conn.prepare(
      b
        .deleteFrom('queries')
        .where('id', '=', named<number>('id'))
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('query_skill_stats').select('skill_id').where('query_id', '=', named<number>('id')))),
        ),
    );
  }
}

interface SkillPhaseDelta {
  skill_id: number;
  phase_id: number;
  invocations: number;
  pending: number;
  completed: number;
  failed: number;
  abandoned: number;
  duration_micros: number;
  duration_count: number;
  last_used_at: number;
}

interface QuerySkillDelta {
  query_id: number;
  skill_id: number;
  invocations: number;
  completed: number;
  failed: number;
}

/** The neutral "last used": any real time is later. */
export const NEVER = Number.MIN_SAFE_INTEGER;

const STATUS_FIELD = ['pending', 'completed', 'failed', 'abandoned'] as const;

/**
 * Changes to the aggregates gathered over one write transaction and written once per group at its
 * end: one upsert per (skill, phase) and per (query, skill) instead of one per row.
 */
export class AggregateDeltas {
  readonly #statements: AggregateStatements;
  readonly #skillPhase = new Map<string, SkillPhaseDelta>();
  readonly #querySkill = new Map<string, QuerySkillDelta>();

  constructor(statements: AggregateStatements) {
    this.#statements = statements;
  }

  /** Counts `c` in (`sign` 1) or out (`sign` -1). A status change is one of each. */
  add(c: Contribution, sign: 1 | -1): void {
    const phaseId = c.phaseId ?? 0;
    const spKey = `${c.skillId} ${phaseId}`;
    let sp = this.#skillPhase.get(spKey);
    if (!sp) {
      sp = {
        skill_id: c.skillId,
        phase_id: phaseId,
        invocations: 0,
        pending: 0,
        completed: 0,
        failed: 0,
        abandoned: 0,
        duration_micros: 0,
        duration_count: 0,
        last_used_at: NEVER,
      };
      this.#skillPhase.set(spKey, sp);
    }
    const n = sign * c.count;
    sp.invocations += n;
    sp[STATUS_FIELD[c.status]] += n;
    sp.duration_micros += sign * c.durationMicros;
    sp.duration_count += sign * c.durationCount;
    // Counting out never lowers the latest time: prune removes only the oldest rows of a group,
    // and a group with no rows left is deleted.
    if (sign > 0 && c.lastUsedAt > sp.last_used_at) sp.last_used_at = c.lastUsedAt;

    if (c.queryId === null) return;
    const qsKey = `${c.queryId} ${c.skillId}`;
    let qs = this.#querySkill.get(qsKey);
    if (!qs) {
      qs = { query_id: c.queryId, skill_id: c.skillId, invocations: 0, completed: 0, failed: 0 };
      this.#querySkill.set(qsKey, qs);
    }
    qs.invocations += n;
    if (c.status === STATUS_CODE.completed) qs.completed += n;
    else if (c.status === STATUS_CODE.failed) qs.failed += n;
  }

  /** Writes the gathered changes, then drops groups and queries nothing refers to any more. */
  flush(): void {
    const s = this.#statements;
    for (const d of this.#skillPhase.values()) {
      s.upsertSkillPhase.run(d);
      if (d.invocations < 0) s.deleteEmptySkillPhase.run(d);
    }
    const shrunkQueries = new Set<number>();
    for (const d of this.#querySkill.values()) {
      s.upsertQuerySkill.run(d);
      if (d.invocations < 0) {
        s.deleteEmptyQuerySkill.run(d);
        shrunkQueries.add(d.query_id);
      }
    }
    for (const id of shrunkQueries) s.deleteUnusedQuery.run({ id });
    this.#skillPhase.clear();
    this.#querySkill.clear();
  }
}
