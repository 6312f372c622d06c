import { sql, type Insertable, type SqlBool } from 'kysely';
import type Database from 'better-sqlite3';
import { durationMicros, STATUS_CODE, type Completion, type InvocationRecord, type StatusCode } from '@skills/protocol';
import {
  AggregateDeltas,
  AggregateStatements,
  contributionOf,
  countCompletedDurations,
  durationBinOfRowSql,
  hourOf,
  hourOfSql,
  NEVER,
  sumCompletedMicros,
  type Contribution,
  type CountedRow,
} from './aggregates.js';
import type { Connection } from './connection.js';
import { durationBin } from './duration-bins.js';
import type { Prepared } from './prepared.js';
import { encodeList } from './name-lists.js';
import { named } from './named.js';
import { NameIds, NameStatements } from './names.js';
import { ChunkedStatement } from './chunked.js';
import { fromStoredId, toStoredId, type StoredId } from './ids.js';
import { QueryIds, QueryStatements } from './query-ids.js';
import type { InvocationsTable } from './schema.js';
import { toMillis } from './time.js';

/** What a changed row returns so its aggregates can be moved. */
interface ChangedRow {
  project_id: number;
  skill_id: number;
  phase_id: number | null;
  query_id: number | null;
  invoked_at: number;
}

/** Invocations about to be pruned that count alike in the aggregates. */
interface PrunedGroup {
  project_id: number;
  skill_id: number;
  phase_id: number | null;
  query_id: number | null;
  status: StatusCode;
  count: number;
  duration_micros: number;
  duration_count: number;
}

/** Invocations about to be pruned of one (project, skill, hour, status). */
interface PrunedActivity {
  project_id: number;
  skill_id: number;
  hour: number;
  status: StatusCode;
  count: number;
}

/** Completed invocations about to be pruned of one (project, skill, duration bin). */
interface PrunedDurations {
  project_id: number;
  skill_id: number;
  bin: number;
  count: number;
}

/** Invocations about to be pruned of one (project, session). */
interface PrunedSession {
  project_id: number;
  session_id: number;
  count: number;
}

/** Ids one duplicate lookup asks about; smaller remainders go as 128, 64, ... 1. */
const LOOKUP_IDS = 256;

/**
 * One row of placeholder values (kysely compiles each into a parameter): its keys are the
 * columns of the multi-row INSERT, in the order a row's values are bound.
 */
const PLACEHOLDER_ROW: Required<Insertable<InvocationsTable>> = {
  id: '',
  skill_id: 0,
  session_id: 0,
  invoked_at: 0,
  status: 0,
  completed: 0,
  completed_at: 0,
  duration: 0,
  query_id: 0,
  phase_id: 0,
  alternatives: '',
  selection_rank: 0,
  follow_ups: '',
  error_type: '',
  source_id: 0,
  project_id: 0,
  alternative_scores: '',
};
const WIDTH = Object.keys(PLACEHOLDER_ROW).length;

/**
 * Every statement the write path runs, compiled by kysely and prepared once per connection, and
 * the connection's caches of name and query ids (kept across transactions, see {@link NameIds}).
 */
export class WriteStatements {
  readonly skills: NameIds;
  readonly sessions: NameIds;
  readonly phases: NameIds;
  readonly sources: NameIds;
  readonly projects: NameIds;
  readonly queries: QueryIds;
  readonly aggregates: AggregateStatements;
  readonly exists: Prepared;
  readonly complete: Prepared;
  readonly abandonId: Prepared;
  readonly abandonOlder: Prepared;
  readonly prunedGroups: Prepared;
  readonly prunedActivity: Prepared;
  readonly prunedSessions: Prepared;
  readonly prunedDurations: Prepared;
  readonly prune: Prepared;
  readonly countPrune: Prepared;
  readonly deleteUnusedSession: Prepared;
  /** Multi-row INSERT of the columns of {@link PLACEHOLDER_ROW}, bound in that order. */
  readonly insertRows: ChunkedStatement;
  readonly #conn: Connection;
  readonly #lookups = new Map<number, Database.Statement>();
  #dataVersion: number | undefined;

  constructor(conn: Connection) {
    const b = conn.builder;
    this.#conn = conn;
    this.skills = new NameIds(new NameStatements(conn, 'skills'));
    this.sessions = new NameIds(new NameStatements(conn, 'sessions'));
    this.phases = new NameIds(new NameStatements(conn, 'phases'));
    this.sources = new NameIds(new NameStatements(conn, 'sources'));
    this.projects = new NameIds(new NameStatements(conn, 'projects'));
    this.queries = new QueryIds(new QueryStatements(conn));
    this.aggregates = new AggregateStatements(conn);
    this.insertRows = new ChunkedStatement(conn, WIDTH, (rows) =>
      b.insertInto('invocations').values(Array.from({ length: rows }, () => PLACEHOLDER_ROW)),
    );
    // @project null: any project's row (the store itself); else only that project's (a view's).
    const inProject = sql<SqlBool>`(${named('project')} is null or ${sql.ref('project_id')} = ${named('project')})`;
    this.exists = conn.prepare(b.selectFrom('invocations').select('status').where('id', '=', named<StoredId>('id')).where(inProject));
    const changed = ['project_id', 'skill_id', 'phase_id', 'query_id', 'invoked_at'] as const;
    // Status codes are literals, not parameters: only then can SQLite use the pending-only index.
    const pending = sql.lit(STATUS_CODE.pending);
    this.complete = conn.prepare(
      b
        .updateTable('invocations')
        .set({
          status: named('status'),
          completed: named('completed'),
          completed_at: named('completed_at'),
          duration: named('duration'),
          follow_ups: named('follow_ups'),
          error_type: named('error_type'),
        })
        .where('id', '=', named<StoredId>('id'))
        .where('status', '=', pending)
        .where(inProject)
        .returning(changed),
    );
    const abandon = b
      .updateTable('invocations')
      .set({ status: sql.lit(STATUS_CODE.abandoned) })
      .where('status', '=', pending)
      .where(inProject);
    this.abandonId = conn.prepare(abandon.where('id', '=', named<StoredId>('id')).returning(changed));
    this.abandonOlder = conn.prepare(abandon.where('invoked_at', '<', named<number>('cutoff')).returning(changed));

    const old = b.selectFrom('invocations').where('invoked_at', '<', named<number>('cutoff')).where(inProject);
    this.prunedGroups = conn.prepare(
      old
        .select((eb) => [
          'project_id',
          'skill_id',
          'phase_id',
          'query_id',
          'status',
          eb.fn.countAll<number>().as('count'),
          sumCompletedMicros(eb).as('duration_micros'),
          countCompletedDurations(eb).as('duration_count'),
        ])
        .groupBy(['project_id', 'skill_id', 'phase_id', 'query_id', 'status']),
    );
    this.prunedActivity = conn.prepare(
      old
        .select((eb) => ['project_id', 'skill_id', hourOfSql().as('hour'), 'status', eb.fn.countAll<number>().as('count')])
        .groupBy(['project_id', 'skill_id', 'hour', 'status']),
    );
    this.prunedDurations = conn.prepare(
      old
        .where('status', '=', sql.lit(STATUS_CODE.completed))
        .where('duration', 'is not', null)
        .select((eb) => ['project_id', 'skill_id', durationBinOfRowSql().as('bin'), eb.fn.countAll<number>().as('count')])
        .groupBy(['project_id', 'skill_id', 'bin']),
    );
    this.prunedSessions = conn.prepare(
      old.select((eb) => ['project_id', 'session_id', eb.fn.countAll<number>().as('count')]).groupBy(['project_id', 'session_id']),
    );
    this.prune = conn.prepare(b.deleteFrom('invocations').where('invoked_at', '<', named<number>('cutoff')).where(inProject));
    this.countPrune = conn.prepare(
      b
        .updateTable('store_meta')
        .set((eb) => ({ value: eb('value', '+', sql.lit(1)) }))
        .where('key', '=', sql.lit('prunes')),
    );
    this.deleteUnusedSession = conn.prepare(
      b
        .deleteFrom('sessions')
        .where('id', '=', named<number>('id'))
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('invocations').select('session_id').where('session_id', '=', named<number>('id')))),
        ),
    );
  }

  /**
   * Call at the start of every write transaction: forgets the cached ids when another
   * connection has committed since this one last looked.
   */
  beginTransaction(): void {
    const version = this.#conn.dataVersion();
    if (version !== this.#dataVersion) this.forgetIds();
    this.#dataVersion = version;
  }

  /** After a transaction that failed: forgets every cached id and every row still buffered. */
  reset(): void {
    this.forgetIds();
    this.insertRows.discard();
    this.aggregates.upsertSkillPhase.discard();
    this.aggregates.upsertQuerySkill.discard();
    this.aggregates.upsertActivity.discard();
    this.aggregates.upsertSession.discard();
  }

  /** Forgets every cached name and query id (after a prune, or a transaction that rolled back). */
  forgetIds(): void {
    this.skills.reset();
    this.sessions.reset();
    this.phases.reset();
    this.sources.reset();
    this.projects.reset();
    this.queries.reset();
  }

  /** SELECT of the ids stored among `count` given ones. */
  storedIds(count: number): Database.Statement {
    let statement = this.#lookups.get(count);
    if (!statement) {
      const query = this.#conn.builder
        .selectFrom('invocations')
        .select('id')
        .where('id', 'in', Array.from({ length: count }, () => ''));
      checkParameterCount(query.compile().parameters.length, count);
      statement = this.#conn.preparePositional(query).pluck();
      this.#lookups.set(count, statement);
    }
    return statement;
  }
}

function checkParameterCount(actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`expected ${expected} parameters in a compiled statement, got ${actual}`);
}

/** What became of one completion. */
export type CompletionOutcome = 'completed' | 'alreadyFinished' | 'unknown';

/** What {@link InvocationWriter.insertMany} did. */
export interface InsertOutcome {
  /** How many records were stored (the others were already stored: replays). */
  readonly inserted: number;
  /**
   * By index in the completions given: 1 where the completion was applied with its insert
   * (its invocation was new in this batch and pending), 0 where it is still to apply.
   */
  readonly appliedCompletions: Uint8Array;
}

/** Which project's rows a writer may touch, and where its new records go. */
export interface WriteScope {
  /** The project whose rows completions, abandonment and prunes reach; null: every project's. */
  readonly projectId: number | null;
  /** The id of the project a record or catalog entry naming `project` (or none) is stored under; it is allowed here. */
  projectOf(project: string | undefined): number;
}

/**
 * The row-level writes of one transaction: inserts, completions and abandonment, with the
 * aggregate changes they imply gathered and written by {@link InvocationWriter.finish}.
 */
export class InvocationWriter {
  readonly #s: WriteStatements;
  readonly #scope: WriteScope;
  readonly #deltas: AggregateDeltas;
  #forgetIds = false;

  constructor(statements: WriteStatements, scope: WriteScope) {
    this.#s = statements;
    this.#scope = scope;
    this.#deltas = new AggregateDeltas(statements.aggregates);
  }

  /** Stores a validated record; false when its id is already stored (a replay), which changes nothing. */
  insert(r: InvocationRecord): boolean {
    return this.insertMany([r]).inserted === 1;
  }

  /**
   * Stores validated records, skipping those whose id is stored already or earlier in the list
   * (replays: nothing of theirs is written, not even a new name or query text). A completion
   * among `completions` of a record stored here while still pending is applied with its insert,
   * as one row written once: the same outcome as inserting first and completing after.
   */
  insertMany(records: readonly InvocationRecord[], completions: readonly Completion[] = []): InsertOutcome {
    const appliedCompletions = new Uint8Array(completions.length);
    const keys = records.map((r) => toStoredId(r.id));
    const stored = this.#storedAmong(keys);
    const seen = new Set<string>();
    let firstCompletion: Map<string, number> | undefined;
    if (completions.length > 0) {
      firstCompletion = new Map();
      for (let j = completions.length - 1; j >= 0; j--) firstCompletion.set(completions[j]!.id, j);
    }

    const s = this.#s;
    const scope = this.#scope;
    const rows = s.insertRows;
    let inserted = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (stored.has(r.id) || seen.has(r.id)) continue;
      seen.add(r.id);
      inserted++;
      const projectId = scope.projectOf(r.project);
      const skillId = s.skills.idOf(r.skillName);
      const phaseId = r.workflowPhase === null ? null : s.phases.idOf(r.workflowPhase);
      const queryId = s.queries.idOfText(projectId, r.userQuery);
      const sessionId = s.sessions.idOf(r.sessionId);
      const invokedAt = toMillis(r.invokedAt);
      const j = r.status === 'pending' ? firstCompletion?.get(r.id) : undefined;
      const c = j === undefined ? undefined : completions[j]!;
      let status: StatusCode;
      let duration: number | null;
      const values = rows.values;
      let o = rows.offset;
      values[o++] = keys[i];
      values[o++] = skillId;
      values[o++] = sessionId;
      values[o++] = invokedAt;
      if (c === undefined) {
        status = STATUS_CODE[r.status];
        duration = r.durationSeconds;
        values[o++] = status;
        values[o++] = r.completed ? 1 : 0;
        values[o++] = r.completedAt === null ? null : toMillis(r.completedAt);
      } else {
        appliedCompletions[j!] = 1;
        status = c.completed ? STATUS_CODE.completed : STATUS_CODE.failed;
        duration = c.durationSeconds;
        values[o++] = status;
        values[o++] = c.completed ? 1 : 0;
        values[o++] = toMillis(c.completedAt);
      }
      values[o++] = duration;
      values[o++] = queryId;
      values[o++] = phaseId;
      values[o++] = encodeList(r.alternativesConsidered);
      values[o++] = r.selectionRank;
      // A completion replaces the follow-ups and the error type, as completing a stored row does.
      values[o++] = c === undefined ? encodeList(r.followUpActions) : encodeList(c.followUpActions);
      values[o++] = c === undefined ? r.errorType : (c.errorType ?? null);
      values[o++] = r.source == null ? null : s.sources.idOf(r.source);
      values[o++] = projectId;
      values[o++] = r.alternativeScores === undefined || r.alternativeScores.length === 0 ? null : JSON.stringify(r.alternativeScores);
      rows.commitRow();
      this.#deltas.addRow(projectId, skillId, phaseId, queryId, sessionId, status, duration, invokedAt);
    }
    rows.flush();
    return { inserted, appliedCompletions };
  }

  /** Finishes a pending invocation; a finished or unknown one is left alone. */
  complete(c: Completion): CompletionOutcome {
    const status = c.completed ? STATUS_CODE.completed : STATUS_CODE.failed;
    const id = toStoredId(c.id);
    const project = this.#scope.projectId;
    const changed = this.#s.complete.get<ChangedRow>({
      id,
      project,
      status,
      completed: c.completed ? 1 : 0,
      completed_at: toMillis(c.completedAt),
      duration: c.durationSeconds,
      follow_ups: encodeList(c.followUpActions),
      error_type: c.errorType ?? null,
    });
    if (!changed) return this.#s.exists.get({ id, project }) === undefined ? 'unknown' : 'alreadyFinished';
    this.#move(changed, status, c.durationSeconds);
    return 'completed';
  }

  /** Marks the pending invocations among `ids` abandoned; returns how many were. */
  abandonIds(ids: readonly string[]): number {
    let count = 0;
    for (const id of ids) {
      const changed = this.#s.abandonId.get<ChangedRow>({ id: toStoredId(id), project: this.#scope.projectId });
      if (changed) {
        this.#move(changed, STATUS_CODE.abandoned, null);
        count++;
      }
    }
    return count;
  }

  /** Marks every invocation still pending that was invoked before `cutoff` (ms) abandoned. */
  abandonOlderThan(cutoff: number): number {
    const rows = this.#s.abandonOlder.all<ChangedRow>({ cutoff, project: this.#scope.projectId });
    for (const changed of rows) this.#move(changed, STATUS_CODE.abandoned, null);
    return rows.length;
  }

  /**
   * Deletes every invocation invoked before `cutoff` (ms), counting them out of the aggregates
   * group by group, then the sessions no invocation refers to any more.
   */
  prune(cutoff: number): number {
    const project = this.#scope.projectId;
    const groups = this.#s.prunedGroups.all<PrunedGroup>({ cutoff, project });
    for (const g of groups) {
      const c: Contribution = {
        projectId: g.project_id,
        skillId: g.skill_id,
        phaseId: g.phase_id,
        queryId: g.query_id,
        status: g.status,
        count: g.count,
        durationMicros: g.duration_micros,
        durationCount: g.duration_count,
        lastUsedAt: NEVER,
      };
      this.#deltas.add(c, -1);
    }
    for (const a of this.#s.prunedActivity.all<PrunedActivity>({ cutoff, project })) {
      this.#deltas.addActivity(a.project_id, a.skill_id, a.hour, a.status, -a.count);
    }
    for (const d of this.#s.prunedDurations.all<PrunedDurations>({ cutoff, project })) {
      this.#deltas.addDuration(d.project_id, d.skill_id, d.bin, -d.count);
    }
    const sessions = this.#s.prunedSessions.all<PrunedSession>({ cutoff, project });
    for (const s of sessions) this.#deltas.addSession(s.project_id, s.session_id, -s.count, NEVER);
    const deleted = this.#s.prune.run({ cutoff, project }).changes;
    // Readers following new rows by rowid must start over: see querySkillUsesSince.
    if (deleted > 0) this.#s.countPrune.run({});
    for (const s of sessions) this.#s.deleteUnusedSession.run({ id: s.session_id });
    // Sessions, and (in finish) query texts, may be gone now: their cached ids with them.
    this.#forgetIds = true;
    return deleted;
  }

  /** Writes the aggregate changes of everything done through this writer. */
  finish(): void {
    this.#deltas.flush();
    if (this.#forgetIds) this.#s.forgetIds();
  }

  /** The ids among `keys` that are stored, as id texts. */
  #storedAmong(keys: readonly StoredId[]): Set<string> {
    const stored = new Set<string>();
    let offset = 0;
    while (offset < keys.length) {
      const left = keys.length - offset;
      // Full lookups, then the remainder in power-of-two ones: few statement shapes are prepared.
      const size = left >= LOOKUP_IDS ? LOOKUP_IDS : 2 ** Math.floor(Math.log2(left));
      const found = this.#s.storedIds(size).all(keys.slice(offset, offset + size)) as (Buffer | string)[];
      for (const key of found) stored.add(fromStoredId(key));
      offset += size;
    }
    return stored;
  }

  /** Moves a formerly pending row's contribution to its new status. */
  #move(changed: ChangedRow, status: StatusCode, duration: number | null): void {
    const base = {
      projectId: changed.project_id,
      skillId: changed.skill_id,
      phaseId: changed.phase_id,
      queryId: changed.query_id,
      invokedAt: changed.invoked_at,
    };
    this.#deltas.add(contributionOf({ ...base, status: STATUS_CODE.pending, duration: null }), -1);
    this.#deltas.add(contributionOf({ ...base, status, duration }), 1);
    const hour = hourOf(changed.invoked_at);
    this.#deltas.addActivity(changed.project_id, changed.skill_id, hour, STATUS_CODE.pending, -1);
    this.#deltas.addActivity(changed.project_id, changed.skill_id, hour, status, 1);
    if (status === STATUS_CODE.completed && duration !== null) {
      this.#deltas.addDuration(changed.project_id, changed.skill_id, durationBin(durationMicros(duration)), 1);
    }
  }
}
