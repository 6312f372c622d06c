import { sql } from 'kysely';
import type { Completion, InvocationRecord } from '@skills/protocol';
import {
  AggregateDeltas,
  AggregateStatements,
  contributionOf,
  countCompletedDurations,
  NEVER,
  sumCompletedMicros,
  type Contribution,
  type CountedRow,
} from './aggregates.js';
import type { Connection } from './connection.js';
import type { Prepared } from './prepared.js';
import { encodeList } from './name-lists.js';
import { named } from './named.js';
import { NameIds, NameStatements } from './names.js';
import { QueryIds, QueryStatements } from './query-ids.js';
import { normaliseQuery } from './query-text.js';
import { STATUS_CODE, type StatusCode } from './status.js';
import { toMillis } from './time.js';

/** What a changed row returns so its aggregates can be moved. */
interface ChangedRow {
  skill_id: number;
  phase_id: number | null;
  query_id: number | null;
  invoked_at: number;
}

/** Invocations about to be pruned that count alike in the aggregates. */
interface PrunedGroup {
  skill_id: number;
  phase_id: number | null;
  query_id: number | null;
  status: StatusCode;
  count: number;
  duration_micros: number;
  duration_count: number;
}

/** Every statement the write path runs per row, compiled by kysely and prepared once per connection. */
export class WriteStatements {
  readonly skills: NameStatements;
  readonly sessions: NameStatements;
  readonly phases: NameStatements;
  readonly queries: QueryStatements;
  readonly aggregates: AggregateStatements;
  readonly exists: Prepared;
  readonly insert: Prepared;
  readonly complete: Prepared;
  readonly abandonId: Prepared;
  readonly abandonOlder: Prepared;
  readonly prunedGroups: Prepared;
  readonly prunedSessions: Prepared;
  readonly prune: Prepared;
  readonly deleteUnusedSession: Prepared;

  constructor(conn: Connection) {
    const b = conn.builder;
    this.skills = new NameStatements(conn, 'skills');
    this.sessions = new NameStatements(conn, 'sessions');
    this.phases = new NameStatements(conn, 'phases');
    this.queries = new QueryStatements(conn);
    this.aggregates = new AggregateStatements(conn);
    this.exists = conn.prepare(b.selectFrom('invocations').select('status').where('id', '=', named<string>('id')));
    this.insert = conn.prepare(
      b.insertInto('invocations').values({
        id: named('id'),
        skill_id: named('skill_id'),
        session_id: named('session_id'),
        invoked_at: named('invoked_at'),
        status: named('status'),
        completed: named('completed'),
        completed_at: named('completed_at'),
        duration: named('duration'),
        query_id: named('query_id'),
        phase_id: named('phase_id'),
        alternatives: named('alternatives'),
        selection_rank: named('selection_rank'),
        follow_ups: named('follow_ups'),
        error_type: named('error_type'),
      }),
    );
    const changed = ['skill_id', 'phase_id', 'query_id', 'invoked_at'] as const;
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
        .where('id', '=', named<string>('id'))
        .where('status', '=', pending)
        .returning(changed),
    );
    const abandon = b
      .updateTable('invocations')
      .set({ status: sql.lit(STATUS_CODE.abandoned) })
      .where('status', '=', pending);
    this.abandonId = conn.prepare(abandon.where('id', '=', named<string>('id')).returning(changed));
    this.abandonOlder = conn.prepare(abandon.where('invoked_at', '<', named<number>('cutoff')).returning(changed));

    const old = b.selectFrom('invocations').where('invoked_at', '<', named<number>('cutoff'));
    this.prunedGroups = conn.prepare(
      old
        .select((eb) => [
          'skill_id',
          'phase_id',
          'query_id',
          'status',
          eb.fn.countAll<number>().as('count'),
          sumCompletedMicros(eb).as('duration_micros'),
          countCompletedDurations(eb).as('duration_count'),
        ])
        .groupBy(['skill_id', 'phase_id', 'query_id', 'status']),
    );
    this.prunedSessions = conn.prepare(old.select('session_id').distinct());
    this.prune = conn.prepare(b.deleteFrom('invocations').where('invoked_at', '<', named<number>('cutoff')));
    this.deleteUnusedSession = conn.prepare(
      b
        .deleteFrom('sessions')
        .where('id', '=', named<number>('id'))
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('invocations').select('session_id').where('session_id', '=', named<number>('id')))),
        ),
    );
  }
}

/** What became of one completion. */
export type CompletionOutcome = 'completed' | 'alreadyFinished' | 'unknown';

/**
 * The row-level writes of one transaction: inserts, completions and abandonment, with the
 * aggregate changes they imply gathered and written by {@link InvocationWriter.finish}.
 */
export class InvocationWriter {
  readonly #s: WriteStatements;
  readonly #skills: NameIds;
  readonly #sessions: NameIds;
  readonly #phases: NameIds;
  readonly #queries: QueryIds;
  readonly #deltas: AggregateDeltas;

  constructor(statements: WriteStatements) {
    this.#s = statements;
    this.#skills = new NameIds(statements.skills);
    this.#sessions = new NameIds(statements.sessions);
    this.#phases = new NameIds(statements.phases);
    this.#queries = new QueryIds(statements.queries);
    this.#deltas = new AggregateDeltas(statements.aggregates);
  }

  /** Stores a validated record; false when its id is already stored (a replay), which changes nothing. */
  insert(r: InvocationRecord): boolean {
    // Checked before anything else is written, so a replay never leaves a new query text behind.
    if (this.#s.exists.get({ id: r.id }) !== undefined) return false;
    const text = normaliseQuery(r.userQuery);
    const row: CountedRow = {
      skillId: this.#skills.idOf(r.skillName),
      phaseId: r.workflowPhase === null ? null : this.#phases.idOf(r.workflowPhase),
      queryId: text === null ? null : this.#queries.idOf(text),
      status: STATUS_CODE[r.status],
      duration: r.durationSeconds,
      invokedAt: toMillis(r.invokedAt),
    };
    this.#s.insert.run({
      id: r.id,
      skill_id: row.skillId,
      session_id: this.#sessions.idOf(r.sessionId),
      invoked_at: row.invokedAt,
      status: row.status,
      completed: r.completed ? 1 : 0,
      completed_at: r.completedAt === null ? null : toMillis(r.completedAt),
      duration: r.durationSeconds,
      query_id: row.queryId,
      phase_id: row.phaseId,
      alternatives: encodeList(r.alternativesConsidered),
      selection_rank: r.selectionRank,
      follow_ups: encodeList(r.followUpActions),
      error_type: r.errorType,
    });
    this.#deltas.add(contributionOf(row), 1);
    return true;
  }

  /** Finishes a pending invocation; a finished or unknown one is left alone. */
  complete(c: Completion): CompletionOutcome {
    const status = c.completed ? STATUS_CODE.completed : STATUS_CODE.failed;
    const changed = this.#s.complete.get<ChangedRow>({
      id: c.id,
      status,
      completed: c.completed ? 1 : 0,
      completed_at: toMillis(c.completedAt),
      duration: c.durationSeconds,
      follow_ups: encodeList(c.followUpActions),
      error_type: c.errorType ?? null,
    });
    if (!changed) return this.#s.exists.get({ id: c.id }) === undefined ? 'unknown' : 'alreadyFinished';
    this.#move(changed, status, c.durationSeconds);
    return 'completed';
  }

  /** Marks the pending invocations among `ids` abandoned; returns how many were. */
  abandonIds(ids: readonly string[]): number {
    let count = 0;
    for (const id of ids) {
      const changed = this.#s.abandonId.get<ChangedRow>({ id });
      if (changed) {
        this.#move(changed, STATUS_CODE.abandoned, null);
        count++;
      }
    }
    return count;
  }

  /** Marks every invocation still pending that was invoked before `cutoff` (ms) abandoned. */
  abandonOlderThan(cutoff: number): number {
    const rows = this.#s.abandonOlder.all<ChangedRow>({ cutoff });
    for (const changed of rows) this.#move(changed, STATUS_CODE.abandoned, null);
    return rows.length;
  }

  /**
   * Deletes every invocation invoked before `cutoff` (ms), counting them out of the aggregates
   * group by group, then the sessions no invocation refers to any more.
   */
  prune(cutoff: number): number {
    const groups = this.#s.prunedGroups.all<PrunedGroup>({ cutoff });
    for (const g of groups) {
      const c: Contribution = {
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
    const sessions = this.#s.prunedSessions.all<{ session_id: number }>({ cutoff });
    const deleted = this.#s.prune.run({ cutoff }).changes;
    for (const s of sessions) this.#s.deleteUnusedSession.run({ id: s.session_id });
    return deleted;
  }

  /** Writes the aggregate changes of everything done through this writer. */
  finish(): void {
    this.#deltas.flush();
  }

  /** Moves a formerly pending row's contribution to its new status. */
  #move(changed: ChangedRow, status: StatusCode, duration: number | null): void {
    const base = {
      skillId: changed.skill_id,
      phaseId: changed.phase_id,
      queryId: changed.query_id,
      invokedAt: changed.invoked_at,
    };
    this.#deltas.add(contributionOf({ ...base, status: STATUS_CODE.pending, duration: null }), -1);
    this.#deltas.add(contributionOf({ ...base, status, duration }), 1);
  }
}
