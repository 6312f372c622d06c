import { durationMicros, STATUS_CODE, type StatusCode } from '@skills/protocol';
import { sql, type Kysely } from 'kysely';
import type { StoreDatabase } from './schema.js';

/** The stored fields of one invocation that the aggregates depend on. */
export interface CountedRow {
  readonly projectId: number;
  readonly skillId: number;
  readonly phaseId: number | null;
  readonly queryId: number | null;
  readonly status: StatusCode;
  readonly duration: number | null;
  /** ms since the epoch. */
  readonly invokedAt: number;
}

/** Invocations alike in these fields, counted out together (a prune). */
export interface CountedGroup {
  readonly projectId: number;
  readonly skillId: number;
  readonly phaseId: number | null;
  readonly queryId: number | null;
  readonly status: StatusCode;
  readonly count: number;
  readonly durationMicros: number;
  readonly durationCount: number;
}

/** {@link durationMicros} of the `duration` column, in SQL: the same double arithmetic, then truncation. */
export const DURATION_MICROS_SQL = sql<number>`trunc(duration * 1000000 + 0.5)::bigint`;

interface SkillPhaseDelta {
  projectId: number;
  skillId: number;
  phaseId: number;
  invocations: number;
  pending: number;
  completed: number;
  failed: number;
  abandoned: number;
  durationMicros: number;
  durationCount: number;
  lastUsedAt: number;
}

/** A (query, skill) count change; the query's project is the count's. */
interface QuerySkillDelta {
  queryId: number;
  skillId: number;
  invocations: number;
  completed: number;
  failed: number;
}

const STATUS_FIELD = ['pending', 'completed', 'failed', 'abandoned'] as const;

/**
 * Changes to the aggregates gathered over one write transaction, written at its end as one
 * multi-row upsert per table that adds the deltas to what is stored (`n = n + excluded.n`), so
 * concurrent writers never lose each other's counts. Rows go in key order, the same in every
 * transaction, so two writers never wait for each other in a cycle.
 */
export class AggregateDeltas {
  readonly #skillPhase = new Map<string, SkillPhaseDelta>();
  readonly #querySkill = new Map<string, QuerySkillDelta>();

  /** Counts one row in (`sign` 1) or out (`sign` -1). A status change is one of each. */
  addRow(row: CountedRow, sign: 1 | -1): void {
    // Once per row written: no intermediate group object (the hot path of every insert).
    const timed = row.status === STATUS_CODE.completed && row.duration !== null;
    this.#add(
      row.projectId,
      row.skillId,
      row.phaseId,
      row.queryId,
      row.status,
      sign,
      timed ? sign * durationMicros(row.duration as number) : 0,
      timed ? sign : 0,
      sign > 0 ? row.invokedAt : -Infinity,
    );
  }

  /** Counts a group in or out; `lastUsedAt` (ms) raises the group's latest use, never lowers it. */
  addGroup(g: CountedGroup, sign: 1 | -1, lastUsedAt = -Infinity): void {
    this.#add(g.projectId, g.skillId, g.phaseId, g.queryId, g.status, sign * g.count, sign * g.durationMicros, sign * g.durationCount, lastUsedAt);
  }

  #add(
    projectId: number,
    skillId: number,
    phase: number | null,
    queryId: number | null,
    status: StatusCode,
    n: number,
    micros: number,
    timed: number,
    lastUsedAt: number,
  ): void {
    const phaseId = phase ?? 0;
    const key = `${projectId}:${skillId}:${phaseId}`;
    let sp = this.#skillPhase.get(key);
    if (!sp) {
      sp = { projectId, skillId, phaseId, invocations: 0, pending: 0, completed: 0, failed: 0, abandoned: 0, durationMicros: 0, durationCount: 0, lastUsedAt: -Infinity };
      this.#skillPhase.set(key, sp);
    }
    sp.invocations += n;
    sp[STATUS_FIELD[status]] += n;
    sp.durationMicros += micros;
    sp.durationCount += timed;
    if (lastUsedAt > sp.lastUsedAt) sp.lastUsedAt = lastUsedAt;
    if (queryId === null) return;
    const qkey = `${queryId}:${skillId}`;
    let qs = this.#querySkill.get(qkey);
    if (!qs) this.#querySkill.set(qkey, (qs = { queryId, skillId, invocations: 0, completed: 0, failed: 0 }));
    qs.invocations += n;
    if (status === STATUS_CODE.completed) qs.completed += n;
    else if (status === STATUS_CODE.failed) qs.failed += n;
  }

  /** Writes the gathered changes, then drops groups and queries nothing refers to any more. */
  async flush(db: Kysely<StoreDatabase>): Promise<void> {
    const sp = [...this.#skillPhase.values()].sort((a, b) => a.projectId - b.projectId || a.skillId - b.skillId || a.phaseId - b.phaseId);
    const qs = [...this.#querySkill.values()].sort((a, b) => a.queryId - b.queryId || a.skillId - b.skillId);
    this.#skillPhase.clear();
    this.#querySkill.clear();
    if (sp.length > 0) {
      const col = <K extends keyof SkillPhaseDelta>(k: K) => sp.map((d) => d[k]);
      await sql`
        INSERT INTO skill_phase_stats (project_id, skill_id, phase_id, invocations, completed, failed, abandoned, pending, duration_micros, duration_count, last_used_at)
        SELECT * FROM unnest(${col('projectId')}::integer[], ${col('skillId')}::integer[], ${col('phaseId')}::integer[], ${col('invocations')}::bigint[],
          ${col('completed')}::bigint[], ${col('failed')}::bigint[], ${col('abandoned')}::bigint[], ${col('pending')}::bigint[],
          ${col('durationMicros')}::bigint[], ${col('durationCount')}::bigint[],
          ${sp.map((d) => (d.lastUsedAt === -Infinity ? '-infinity' : new Date(d.lastUsedAt).toISOString()))}::timestamptz[])
        ON CONFLICT (project_id, skill_id, phase_id) DO UPDATE SET
          invocations = skill_phase_stats.invocations + excluded.invocations,
          completed = skill_phase_stats.completed + excluded.completed,
          failed = skill_phase_stats.failed + excluded.failed,
          abandoned = skill_phase_stats.abandoned + excluded.abandoned,
          pending = skill_phase_stats.pending + excluded.pending,
          duration_micros = skill_phase_stats.duration_micros + excluded.duration_micros,
          duration_count = skill_phase_stats.duration_count + excluded.duration_count,
          last_used_at = greatest(skill_phase_stats.last_used_at, excluded.last_used_at)`.execute(db);
      // Counting out never lowers the latest time: prune removes only the oldest rows of a
      // group, and a group with no rows left is deleted here.
      const shrunk = sp.filter((d) => d.invocations < 0);
      if (shrunk.length > 0) {
        await sql`DELETE FROM skill_phase_stats WHERE invocations = 0 AND (project_id, skill_id, phase_id) IN
          (SELECT * FROM unnest(${shrunk.map((d) => d.projectId)}::integer[], ${shrunk.map((d) => d.skillId)}::integer[], ${shrunk.map((d) => d.phaseId)}::integer[]))`.execute(db);
      }
    }
    if (qs.length > 0) {
      const col = <K extends keyof QuerySkillDelta>(k: K) => qs.map((d) => d[k]);
      await sql`
        INSERT INTO query_skill_stats (query_id, skill_id, invocations, completed, failed)
        SELECT * FROM unnest(${col('queryId')}::bigint[], ${col('skillId')}::integer[], ${col('invocations')}::bigint[],
          ${col('completed')}::bigint[], ${col('failed')}::bigint[])
        ON CONFLICT (query_id, skill_id) DO UPDATE SET
          invocations = query_skill_stats.invocations + excluded.invocations,
          completed = query_skill_stats.completed + excluded.completed,
          failed = query_skill_stats.failed + excluded.failed`.execute(db);
      const shrunk = qs.filter((d) => d.invocations < 0);
      if (shrunk.length > 0) {
        await sql`DELETE FROM query_skill_stats WHERE invocations = 0 AND (query_id, skill_id) IN
          (SELECT * FROM unnest(${shrunk.map((d) => d.queryId)}::bigint[], ${shrunk.map((d) => d.skillId)}::integer[]))`.execute(db);
        // query_skill_stats is the reference count of a query: no row there, no invocation uses it.
        const ids = [...new Set(shrunk.map((d) => d.queryId))];
        await sql`DELETE FROM queries q WHERE q.id = ANY(${ids}::bigint[])
          AND NOT EXISTS (SELECT 1 FROM query_skill_stats s WHERE s.query_id = q.id)`.execute(db);
      }
    }
  }
}
