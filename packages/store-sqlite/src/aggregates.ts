import { durationMicros, STATUS_CODE, type StatusCode } from '@skills/protocol';
import { sql, type ExpressionBuilder, type RawBuilder } from 'kysely';
import type { Connection } from './connection.js';
import type { Prepared } from './prepared.js';
import { named } from './named.js';
import { ChunkedStatement } from './chunked.js';
import { durationBin, durationBinSql } from './duration-bins.js';
import type { ActivityStatsTable, DurationStatsTable, QuerySkillStatsTable, SessionStatsTable, SkillPhaseStatsTable, StoreDatabase } from './schema.js';

/** What one invocation, or a group of invocations alike in these fields, adds to the aggregates. */
export interface Contribution {
  readonly projectId: number;
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
  readonly projectId: number;
  readonly skillId: number;
  readonly phaseId: number | null;
  readonly queryId: number | null;
  readonly status: StatusCode;
  readonly duration: number | null;
  readonly invokedAt: number;
}

/** {@link durationMicros} of the `duration` column, in SQL: the same double arithmetic, then truncation. */
function durationMicrosSql(): RawBuilder<number> {
  return sql<number>`cast(${sql.ref('duration')} * 1000000 + 0.5 as integer)`;
}

/** The {@link durationBin} of the `duration` column, in SQL. */
export function durationBinOfRowSql(): RawBuilder<number> {
  return durationBinSql(durationMicrosSql());
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

/** Milliseconds in an hour: the grain of `activity_stats`. */
export const HOUR_MS = 3_600_000;

/** The `hour` of `activity_stats` an invocation at `ms` counts in. */
export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS);
}

/** {@link hourOf} of the `invoked_at` column, in SQL (its integer division truncates toward zero). */
export function hourOfSql(): RawBuilder<number> {
  const at = sql.ref('invoked_at');
  return sql<number>`(${at} - (${at} % ${sql.lit(HOUR_MS)} + ${sql.lit(HOUR_MS)}) % ${sql.lit(HOUR_MS)}) / ${sql.lit(HOUR_MS)}`;
}

/** The `skill_id` of the rows of `activity_stats` that count every skill of their project. */
export const ALL_SKILLS = 0;

/** The contribution of one stored invocation. */
export function contributionOf(row: CountedRow): Contribution {
  const timed = row.status === STATUS_CODE.completed && row.duration !== null;
  return {
    projectId: row.projectId,
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

/** Placeholder rows: their keys are the columns of the multi-row upserts, in binding order. */
const SKILL_PHASE_ROW: SkillPhaseStatsTable = {
  project_id: 0,
  skill_id: 0,
  phase_id: 0,
  invocations: 0,
  completed: 0,
  failed: 0,
  abandoned: 0,
  pending: 0,
  duration_micros: 0,
  duration_count: 0,
  last_used_at: 0,
};
const QUERY_SKILL_ROW: QuerySkillStatsTable = { project_id: 0, query_id: 0, skill_id: 0, invocations: 0, completed: 0, failed: 0 };
const ACTIVITY_ROW: ActivityStatsTable = {
  project_id: 0,
  skill_id: 0,
  hour: 0,
  invocations: 0,
  completed: 0,
  failed: 0,
  abandoned: 0,
  pending: 0,
};
const SESSION_ROW: SessionStatsTable = { project_id: 0, session_id: 0, invocations: 0, last_invoked_at: 0 };
const DURATION_ROW: DurationStatsTable = { project_id: 0, skill_id: 0, bin: 0, invocations: 0 };
const ACTIVITY_COLUMNS = Object.keys(ACTIVITY_ROW) as (keyof ActivityStatsTable)[];
const DURATION_COLUMNS = Object.keys(DURATION_ROW) as (keyof DurationStatsTable)[];
const SESSION_COLUMNS = Object.keys(SESSION_ROW) as (keyof SessionStatsTable)[];

/**
 * Upserts that add signed deltas (many groups per statement), and deletes of groups left empty,
 * prepared once per connection.
 */
export class AggregateStatements {
  readonly upsertSkillPhase: ChunkedStatement;
  readonly deleteEmptySkillPhase: Prepared;
  readonly upsertQuerySkill: ChunkedStatement;
  readonly deleteEmptyQuerySkill: Prepared;
  readonly deleteUnusedQuery: Prepared;
  readonly upsertActivity: ChunkedStatement;
  readonly deleteEmptyActivity: Prepared;
  readonly upsertSession: ChunkedStatement;
  readonly deleteEmptySession: Prepared;
  readonly upsertDuration: ChunkedStatement;
  readonly deleteEmptyDuration: Prepared;

  constructor(conn: Connection) {
    const b = conn.builder;
    this.upsertSkillPhase = new ChunkedStatement(conn, Object.keys(SKILL_PHASE_ROW).length, (rows) =>
      b
        .insertInto('skill_phase_stats')
        .values(Array.from({ length: rows }, () => SKILL_PHASE_ROW))
        .onConflict((oc) =>
          oc.columns(['project_id', 'skill_id', 'phase_id']).doUpdateSet((eb) => ({
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
        .where('project_id', '=', named<number>('project_id'))
        .where('skill_id', '=', named<number>('skill_id'))
        .where('phase_id', '=', named<number>('phase_id'))
        .where('invocations', '=', sql.lit(0)),
    );
    this.upsertQuerySkill = new ChunkedStatement(conn, Object.keys(QUERY_SKILL_ROW).length, (rows) =>
      b
        .insertInto('query_skill_stats')
        .values(Array.from({ length: rows }, () => QUERY_SKILL_ROW))
        .onConflict((oc) =>
          oc.columns(['project_id', 'query_id', 'skill_id']).doUpdateSet((eb) => ({
            invocations: eb('query_skill_stats.invocations', '+', eb.ref('excluded.invocations')),
            completed: eb('query_skill_stats.completed', '+', eb.ref('excluded.completed')),
            failed: eb('query_skill_stats.failed', '+', eb.ref('excluded.failed')),
          })),
        ),
    );
    this.deleteEmptyQuerySkill = conn.prepare(
      b
        .deleteFrom('query_skill_stats')
        .where('project_id', '=', named<number>('project_id'))
        .where('query_id', '=', named<number>('query_id'))
        .where('skill_id', '=', named<number>('skill_id'))
        .where('invocations', '=', sql.lit(0)),
    );
    // query_skill_stats is the reference count of a query: no row there, no invocation uses it.
    // A query is one project's: its rows are one range of the key (project, query, skill).
    this.deleteUnusedQuery = conn.prepare(
      b
        .deleteFrom('queries')
        .where('id', '=', named<number>('query_id'))
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('query_skill_stats')
                .select('skill_id')
                .where('project_id', '=', named<number>('project_id'))
                .where('query_id', '=', named<number>('query_id')),
            ),
          ),
        ),
    );
    this.upsertActivity = new ChunkedStatement(conn, ACTIVITY_COLUMNS.length, (rows) =>
      b
        .insertInto('activity_stats')
        .values(Array.from({ length: rows }, () => ACTIVITY_ROW))
        .onConflict((oc) =>
          oc.columns(['project_id', 'skill_id', 'hour']).doUpdateSet((eb) => ({
            invocations: eb('activity_stats.invocations', '+', eb.ref('excluded.invocations')),
            completed: eb('activity_stats.completed', '+', eb.ref('excluded.completed')),
            failed: eb('activity_stats.failed', '+', eb.ref('excluded.failed')),
            abandoned: eb('activity_stats.abandoned', '+', eb.ref('excluded.abandoned')),
            pending: eb('activity_stats.pending', '+', eb.ref('excluded.pending')),
          })),
        ),
    );
    this.deleteEmptyActivity = conn.prepare(
      b
        .deleteFrom('activity_stats')
        .where('project_id', '=', named<number>('project_id'))
        .where('skill_id', '=', named<number>('skill_id'))
        .where('hour', '=', named<number>('hour'))
        .where('invocations', '=', sql.lit(0)),
    );
    this.upsertSession = new ChunkedStatement(conn, SESSION_COLUMNS.length, (rows) =>
      b
        .insertInto('session_stats')
        .values(Array.from({ length: rows }, () => SESSION_ROW))
        .onConflict((oc) =>
          oc.columns(['project_id', 'session_id']).doUpdateSet((eb) => ({
            invocations: eb('session_stats.invocations', '+', eb.ref('excluded.invocations')),
            last_invoked_at: eb.fn<number>('max', ['session_stats.last_invoked_at', 'excluded.last_invoked_at']),
          })),
        ),
    );
    this.deleteEmptySession = conn.prepare(
      b
        .deleteFrom('session_stats')
        .where('project_id', '=', named<number>('project_id'))
        .where('session_id', '=', named<number>('session_id'))
        .where('invocations', '=', sql.lit(0)),
    );
    this.upsertDuration = new ChunkedStatement(conn, DURATION_COLUMNS.length, (rows) =>
      b
        .insertInto('duration_stats')
        .values(Array.from({ length: rows }, () => DURATION_ROW))
        .onConflict((oc) =>
          oc.columns(['project_id', 'skill_id', 'bin']).doUpdateSet((eb) => ({
            invocations: eb('duration_stats.invocations', '+', eb.ref('excluded.invocations')),
          })),
        ),
    );
    this.deleteEmptyDuration = conn.prepare(
      b
        .deleteFrom('duration_stats')
        .where('project_id', '=', named<number>('project_id'))
        .where('skill_id', '=', named<number>('skill_id'))
        .where('bin', '=', named<number>('bin'))
        .where('invocations', '=', sql.lit(0)),
    );
  }
}

/**
 * Buffers `rows` into `statement` (their values in `columns` order), runs it, then deletes with
 * `deleteEmpty` each row a negative delta may have emptied.
 */
function upsertRows<T extends { invocations: number }>(statement: ChunkedStatement, columns: readonly (keyof T)[], rows: Iterable<T>, deleteEmpty: Prepared): void {
  const emptied: T[] = [];
  for (const row of rows) {
    const v = statement.values;
    let o = statement.offset;
    for (const column of columns) v[o++] = row[column];
    statement.commitRow();
    if (row.invocations < 0) emptied.push(row);
  }
  statement.flush();
  for (const row of emptied) deleteEmpty.run(row);
}

interface SkillPhaseDelta {
  project_id: number;
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
  project_id: number;
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
 * The changes of one project: by skill id, then phase id (0 for none), query id, hour or duration
 * bin; and by session id.
 */
interface ProjectDeltas {
  readonly skillPhase: Map<number, Map<number, SkillPhaseDelta>>;
  readonly querySkill: Map<number, Map<number, QuerySkillDelta>>;
  readonly activity: Map<number, Map<number, ActivityStatsTable>>;
  readonly sessions: Map<number, SessionStatsTable>;
  readonly durations: Map<number, Map<number, DurationStatsTable>>;
}

/**
 * Changes to the aggregates and the dashboard's rollups gathered over one write transaction and
 * written once per group at its end: one upsert per (project, skill, phase), (project, query,
 * skill), (project, skill, hour), (project, session) and (project, skill, duration bin) instead of
 * one per row.
 */
export class AggregateDeltas {
  readonly #statements: AggregateStatements;
  /** By project id. */
  readonly #projects = new Map<number, ProjectDeltas>();
  /** The project of the last change: a batch is usually all one project's. */
  #lastProjectId = -1;
  #last: ProjectDeltas | undefined;

  constructor(statements: AggregateStatements) {
    this.#statements = statements;
  }

  /** Counts `c` in (`sign` 1) or out (`sign` -1). A status change is one of each. */
  add(c: Contribution, sign: 1 | -1): void {
    const n = sign * c.count;
    const p = this.#project(c.projectId);
    const sp = this.#skillPhaseDelta(p, c.projectId, c.skillId, c.phaseId ?? 0);
    sp.invocations += n;
    sp[STATUS_FIELD[c.status]] += n;
    sp.duration_micros += sign * c.durationMicros;
    sp.duration_count += sign * c.durationCount;
    // Counting out never lowers the latest time: prune removes only the oldest rows of a group,
    // and a group with no rows left is deleted.
    if (sign > 0 && c.lastUsedAt > sp.last_used_at) sp.last_used_at = c.lastUsedAt;
    if (c.queryId !== null) this.#countQuery(p, c.projectId, c.queryId, c.skillId, c.status, n);
  }

  /** Counts `n` (negative: out) invocations of a skill in `status` in the activity of an hour. */
  addActivity(projectId: number, skillId: number, hour: number, status: StatusCode, n: number): void {
    const a = this.#activityDelta(this.#project(projectId), projectId, skillId, hour);
    a.invocations += n;
    a[STATUS_FIELD[status]] += n;
  }

  /**
   * Counts `n` (negative: out) completed invocations of a skill whose duration has the
   * {@link durationBin} `bin`.
   */
  addDuration(projectId: number, skillId: number, bin: number, n: number): void {
    this.#durationDelta(this.#project(projectId), projectId, skillId, bin).invocations += n;
  }

  /**
   * Counts `n` (negative: out) invocations of a session; `lastInvokedAt` is the latest of those
   * counted in ({@link NEVER} counting out: prune removes a session's oldest rows, or all of them).
   */
  addSession(projectId: number, sessionId: number, n: number, lastInvokedAt: number): void {
    const s = this.#sessionDelta(this.#project(projectId), projectId, sessionId);
    s.invocations += n;
    if (lastInvokedAt > s.last_invoked_at) s.last_invoked_at = lastInvokedAt;
  }

  /**
   * Counts in one new row: what `add(contributionOf(row), 1)`, `addActivity`, `addSession` and
   * `addDuration` do, without the objects.
   */
  addRow(
    projectId: number,
    skillId: number,
    phaseId: number | null,
    queryId: number | null,
    sessionId: number,
    status: StatusCode,
    duration: number | null,
    invokedAt: number,
  ): void {
    const p = this.#project(projectId);
    const a = this.#activityDelta(p, projectId, skillId, hourOf(invokedAt));
    a.invocations++;
    a[STATUS_FIELD[status]]++;
    const s = this.#sessionDelta(p, projectId, sessionId);
    s.invocations++;
    if (invokedAt > s.last_invoked_at) s.last_invoked_at = invokedAt;
    const sp = this.#skillPhaseDelta(p, projectId, skillId, phaseId ?? 0);
    sp.invocations++;
    sp[STATUS_FIELD[status]]++;
    if (status === STATUS_CODE.completed && duration !== null) {
      const micros = durationMicros(duration);
      sp.duration_micros += micros;
      sp.duration_count++;
      this.#durationDelta(p, projectId, skillId, durationBin(micros)).invocations++;
    }
    if (invokedAt > sp.last_used_at) sp.last_used_at = invokedAt;
    if (queryId !== null) this.#countQuery(p, projectId, queryId, skillId, status, 1);
  }

  /** Writes the gathered changes, then drops groups and queries nothing refers to any more. */
  flush(): void {
    const s = this.#statements;
    const emptied: SkillPhaseDelta[] = [];
    const up = s.upsertSkillPhase;
    const projects = [...this.#projects.values()];
    for (const byPhase of projects.flatMap((p) => [...p.skillPhase.values()])) {
      for (const d of byPhase.values()) {
        const v = up.values;
        let o = up.offset;
        v[o++] = d.project_id;
        v[o++] = d.skill_id;
        v[o++] = d.phase_id;
        v[o++] = d.invocations;
        v[o++] = d.completed;
        v[o++] = d.failed;
        v[o++] = d.abandoned;
        v[o++] = d.pending;
        v[o++] = d.duration_micros;
        v[o++] = d.duration_count;
        v[o++] = d.last_used_at;
        up.commitRow();
        if (d.invocations < 0) emptied.push(d);
      }
    }
    up.flush();
    for (const d of emptied) s.deleteEmptySkillPhase.run(d);

    const shrunk: QuerySkillDelta[] = [];
    const uq = s.upsertQuerySkill;
    for (const byQuery of projects.flatMap((p) => [...p.querySkill.values()])) {
      for (const d of byQuery.values()) {
        const v = uq.values;
        let o = uq.offset;
        v[o++] = d.project_id;
        v[o++] = d.query_id;
        v[o++] = d.skill_id;
        v[o++] = d.invocations;
        v[o++] = d.completed;
        v[o++] = d.failed;
        uq.commitRow();
        if (d.invocations < 0) shrunk.push(d);
      }
    }
    uq.flush();
    // By query id: a query is one project's.
    const shrunkQueries = new Map<number, number>();
    for (const d of shrunk) {
      s.deleteEmptyQuerySkill.run(d);
      shrunkQueries.set(d.query_id, d.project_id);
    }
    for (const [queryId, projectId] of shrunkQueries) s.deleteUnusedQuery.run({ query_id: queryId, project_id: projectId });

    upsertRows(s.upsertActivity, ACTIVITY_COLUMNS, projects.flatMap(activityWithTotals), s.deleteEmptyActivity);
    upsertRows(s.upsertSession, SESSION_COLUMNS, projects.flatMap((p) => [...p.sessions.values()]), s.deleteEmptySession);
    // In key order: each upsert then finds its B-tree page where the last one left off.
    const durations = projects.flatMap((p) => [...p.durations.values()].flatMap((byBin) => [...byBin.values()]));
    durations.sort((a, b) => a.project_id - b.project_id || a.skill_id - b.skill_id || a.bin - b.bin);
    upsertRows(s.upsertDuration, DURATION_COLUMNS, durations, s.deleteEmptyDuration);
    this.#projects.clear();
    this.#lastProjectId = -1;
    this.#last = undefined;
  }

  #project(projectId: number): ProjectDeltas {
    if (projectId === this.#lastProjectId) return this.#last!;
    let p = this.#projects.get(projectId);
    if (!p) this.#projects.set(projectId, (p = { skillPhase: new Map(), querySkill: new Map(), activity: new Map(), sessions: new Map(), durations: new Map() }));
    this.#lastProjectId = projectId;
    this.#last = p;
    return p;
  }

  #skillPhaseDelta(p: ProjectDeltas, projectId: number, skillId: number, phaseId: number): SkillPhaseDelta {
    let byPhase = p.skillPhase.get(skillId);
    if (!byPhase) p.skillPhase.set(skillId, (byPhase = new Map()));
    let sp = byPhase.get(phaseId);
    if (!sp) {
      sp = {
        project_id: projectId,
        skill_id: skillId,
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
      byPhase.set(phaseId, sp);
    }
    return sp;
  }

  #activityDelta(p: ProjectDeltas, projectId: number, skillId: number, hour: number): ActivityStatsTable {
    let byHour = p.activity.get(skillId);
    if (!byHour) p.activity.set(skillId, (byHour = new Map()));
    let a = byHour.get(hour);
    if (!a) byHour.set(hour, (a = { ...ACTIVITY_ROW, project_id: projectId, skill_id: skillId, hour }));
    return a;
  }

  #durationDelta(p: ProjectDeltas, projectId: number, skillId: number, bin: number): DurationStatsTable {
    let byBin = p.durations.get(skillId);
    if (!byBin) p.durations.set(skillId, (byBin = new Map()));
    let d = byBin.get(bin);
    if (!d) byBin.set(bin, (d = { project_id: projectId, skill_id: skillId, bin, invocations: 0 }));
    return d;
  }

  #sessionDelta(p: ProjectDeltas, projectId: number, sessionId: number): SessionStatsTable {
    let s = p.sessions.get(sessionId);
    if (!s) p.sessions.set(sessionId, (s = { project_id: projectId, session_id: sessionId, invocations: 0, last_invoked_at: NEVER }));
    return s;
  }

  #countQuery(p: ProjectDeltas, projectId: number, queryId: number, skillId: number, status: StatusCode, n: number): void {
    let byQuery = p.querySkill.get(skillId);
    if (!byQuery) p.querySkill.set(skillId, (byQuery = new Map()));
    let qs = byQuery.get(queryId);
    if (!qs) {
      qs = { project_id: projectId, query_id: queryId, skill_id: skillId, invocations: 0, completed: 0, failed: 0 };
      byQuery.set(queryId, qs);
    }
    qs.invocations += n;
    if (status === STATUS_CODE.completed) qs.completed += n;
    else if (status === STATUS_CODE.failed) qs.failed += n;
  }
}

/** A project's activity changes per skill, and their sums per hour (the {@link ALL_SKILLS} rows). */
function activityWithTotals(p: ProjectDeltas): ActivityStatsTable[] {
  const rows: ActivityStatsTable[] = [];
  const totals = new Map<number, ActivityStatsTable>();
  for (const byHour of p.activity.values()) {
    for (const a of byHour.values()) {
      rows.push(a);
      let t = totals.get(a.hour);
      if (!t) totals.set(a.hour, (t = { ...a, skill_id: ALL_SKILLS }));
      else {
        t.invocations += a.invocations;
        t.completed += a.completed;
        t.failed += a.failed;
        t.abandoned += a.abandoned;
        t.pending += a.pending;
      }
    }
  }
  return [...rows, ...totals.values()];
}
