import {
  normaliseQuery,
  STATUS_CODE,
  type Completion,
  type InvocationRecord,
  type StatusCode,
} from '@skills/protocol';
import { sql, type Kysely } from 'kysely';
import { AggregateDeltas, DURATION_MICROS_SQL } from './aggregates.js';
import { ByProjectText, byText, NameIds, type NameTable, type WantedNames, type WantedQuery } from './name-ids.js';
import { inScope, type Scope } from './projects.js';
import type { StoreDatabase } from './schema.js';
import { toStoredInstant } from './time.js';

/** The fields of a changed row that its aggregates need. */
interface ChangedRow {
  id: string;
  project_id: number;
  skill_id: number;
  phase_id: number | null;
  query_id: number | null;
  invoked_at: Date;
}

/** What became of one completion. */
export type CompletionOutcome = 'completed' | 'alreadyFinished' | 'unknown';

/** A list as stored: JSON text, or NULL when empty (most lists are). */
function encodeList(list: readonly (string | number)[] | undefined): string | null {
  return list && list.length > 0 ? JSON.stringify(list) : null;
}

/**
 * The row-level writes of one transaction, with the aggregate changes they imply gathered and
 * written by {@link InvocationWriter.finish}. Every statement handles the whole batch (arrays
 * bound as parameters and unnested), and touches rows in id order. Completions, abandonment and
 * prunes reach only the invocations of `scope`; inserts go where the caller says.
 */
export class InvocationWriter {
  readonly #db: Kysely<StoreDatabase>;
  readonly #scope: Scope;
  readonly #deltas = new AggregateDeltas();

  constructor(db: Kysely<StoreDatabase>, scope: Scope) {
    this.#db = db;
    this.#scope = scope;
  }

  /**
   * Stores validated records, each in the project `projectOf` gives, skipping those whose id is
   * stored already (in any project) or earlier in the list (replays). A completion among
   * `completions` of a record stored here while still pending is applied with its insert, as one
   * row written once; `applied` marks those (by completion index).
   */
  async insertMany(
    records: readonly InvocationRecord[],
    projectOf: (record: InvocationRecord) => number,
    completions: readonly Completion[] = [],
  ): Promise<{ inserted: number; applied: Uint8Array }> {
    const applied = new Uint8Array(completions.length);
    // The first record of an id wins; later ones in the same list are replays.
    const firstOfId = new Map<string, InvocationRecord>();
    for (const r of records) if (!firstOfId.has(r.id)) firstOfId.set(r.id, r);
    // The default sort orders strings by UTF-16 code units, as byText does, natively.
    let fresh = [...firstOfId.keys()].sort().map((id) => firstOfId.get(id)!);
    if (fresh.length === 0) return { inserted: 0, applied };
    // Each record's project id and normalised query text (texts are stored per project).
    const queries = new Map(fresh.map((r) => [r.id, { projectId: projectOf(r), text: normaliseQuery(r.userQuery) }]));
    // Distinct names and texts: a batch repeats them, and each is looked up once.
    const wanted = (list: readonly InvocationRecord[]): WantedNames => {
      const skills = new Set<string>();
      const sessions = new Set<string>();
      const phases = new Set<string>();
      const sources = new Set<string>();
      const texts = new ByProjectText<WantedQuery>();
      for (const r of list) {
        skills.add(r.skillName);
        sessions.add(r.sessionId);
        if (r.workflowPhase !== null) phases.add(r.workflowPhase);
        if (r.source != null) sources.add(r.source);
        const q = queries.get(r.id)!;
        if (q.text === null) continue;
        if (!texts.has(q.projectId, q.text)) texts.set(q.projectId, q.text, { projectId: q.projectId, text: q.text });
      }
      return { skills: [...skills], sessions: [...sessions], phases: [...phases], sources: [...sources], queries: [...texts.values()] };
    };
    const names = new NameIds();
    await names.read(this.#db, wanted(fresh));
    // A replay writes nothing, not even a new name or query text: the records that would store
    // one are looked up first. Replays of the others are skipped by the insert's ON CONFLICT.
    const known = (table: NameTable, name: string | null | undefined) => name == null || names.get(table, name) !== undefined;
    const queryId = (r: InvocationRecord) => {
      const q = queries.get(r.id)!;
      return q.text === null ? null : names.queryId(q.projectId, q.text);
    };
    const adding = fresh.filter(
      (r) => !(known('skills', r.skillName) && known('sessions', r.sessionId) && known('phases', r.workflowPhase) && known('sources', r.source) && queryId(r) !== undefined),
    );
    if (adding.length > 0) {
      const stored = await this.#storedAmong(adding.map((r) => r.id));
      fresh = fresh.filter((r) => !stored.has(r.id));
      await names.add(this.#db, wanted(adding.filter((r) => !stored.has(r.id))));
    }
    if (fresh.length === 0) return { inserted: 0, applied };

    const firstCompletion = new Map<string, number>();
    for (let j = completions.length - 1; j >= 0; j--) firstCompletion.set(completions[j]!.id, j);
    const rows = fresh.map((r) => {
      const j = r.status === 'pending' ? firstCompletion.get(r.id) : undefined;
      const c = j === undefined ? undefined : completions[j]!;
      const q = queries.get(r.id)!;
      return {
        j,
        id: r.id,
        projectId: q.projectId,
        skillId: names.get('skills', r.skillName)!,
        sessionId: names.get('sessions', r.sessionId)!,
        invokedAtText: toStoredInstant(r.invokedAt),
        invokedAt: Date.parse(r.invokedAt),
        status: (c === undefined ? STATUS_CODE[r.status] : c.completed ? STATUS_CODE.completed : STATUS_CODE.failed) as StatusCode,
        completed: c === undefined ? r.completed : c.completed,
        completedAt: c === undefined ? (r.completedAt === null ? null : toStoredInstant(r.completedAt)) : toStoredInstant(c.completedAt),
        duration: c === undefined ? r.durationSeconds : c.durationSeconds,
        queryId: q.text === null ? null : names.queryId(q.projectId, q.text)!,
        phaseId: r.workflowPhase === null ? null : names.get('phases', r.workflowPhase)!,
        alternatives: encodeList(r.alternativesConsidered),
        alternativeScores: encodeList(r.alternativeScores),
        selectionRank: r.selectionRank,
        // A completion replaces the follow-ups and the error type, as completing a stored row does.
        followUps: c === undefined ? encodeList(r.followUpActions) : encodeList(c.followUpActions),
        errorType: c === undefined ? r.errorType : (c.errorType ?? null),
        sourceId: r.source == null ? null : names.get('sources', r.source)!,
      };
    });
    const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
    const result = await sql<{ id: string }>`
      INSERT INTO invocations (id, project_id, skill_id, session_id, invoked_at, status, completed, completed_at, duration,
        query_id, phase_id, alternatives, alternative_scores, selection_rank, follow_ups, error_type, source_id)
      SELECT * FROM unnest(${col('id')}::text[], ${col('projectId')}::integer[], ${col('skillId')}::integer[], ${col('sessionId')}::bigint[],
        ${col('invokedAtText')}::timestamptz[], ${col('status')}::smallint[], ${col('completed')}::boolean[],
        ${col('completedAt')}::timestamptz[], ${col('duration')}::float8[], ${col('queryId')}::bigint[],
        ${col('phaseId')}::integer[], ${col('alternatives')}::jsonb[], ${col('alternativeScores')}::jsonb[], ${col('selectionRank')}::integer[],
        ${col('followUps')}::jsonb[], ${col('errorType')}::text[], ${col('sourceId')}::integer[])
      ON CONFLICT (id) DO NOTHING
      RETURNING id`.execute(this.#db);
    // Another writer may have stored some of these ids since the check: those are replays too.
    const inserted = new Set(result.rows.map((r) => r.id));
    for (const row of rows) {
      if (!inserted.has(row.id)) continue;
      if (row.j !== undefined) applied[row.j] = 1;
      this.#deltas.addRow(row, 1);
    }
    return { inserted: inserted.size, applied };
  }

  /**
   * Finishes the pending invocations completions name (those not marked in `skip`); the first
   * completion of an id wins. Returns each completion's outcome by index (null where skipped).
   */
  async complete(completions: readonly Completion[], skip: Uint8Array): Promise<(CompletionOutcome | null)[]> {
    const outcomes: (CompletionOutcome | null)[] = completions.map(() => null);
    const first = new Map<string, number>();
    completions.forEach((c, j) => {
      if (skip[j] !== 1 && !first.has(c.id)) first.set(c.id, j);
    });
    if (first.size === 0) return outcomes;
    const list = [...first.values()].map((j) => completions[j]!).sort((a, b) => byText(a.id, b.id));
    const changed = await sql<ChangedRow>`
      UPDATE invocations AS i SET status = c.status, completed = c.completed, completed_at = c.completed_at,
        duration = c.duration, follow_ups = c.follow_ups, error_type = c.error_type
      FROM unnest(${list.map((c) => c.id)}::text[], ${list.map((c) => (c.completed ? STATUS_CODE.completed : STATUS_CODE.failed))}::smallint[],
        ${list.map((c) => c.completed)}::boolean[], ${list.map((c) => toStoredInstant(c.completedAt))}::timestamptz[],
        ${list.map((c) => c.durationSeconds)}::float8[], ${list.map((c) => encodeList(c.followUpActions))}::jsonb[],
        ${list.map((c) => c.errorType ?? null)}::text[]) AS c(id, status, completed, completed_at, duration, follow_ups, error_type)
      WHERE i.id = c.id AND i.status = 0 AND ${inScope('i.project_id', this.#scope)}
      RETURNING i.id, i.project_id, i.skill_id, i.phase_id, i.query_id, i.invoked_at`.execute(this.#db);
    const applied = new Set<number>();
    for (const row of changed.rows) {
      const j = first.get(row.id)!;
      const c = completions[j]!;
      applied.add(j);
      this.#move(row, c.completed ? STATUS_CODE.completed : STATUS_CODE.failed, c.durationSeconds);
    }
    // Another project's invocation is unknown here.
    const stored = await this.#storedAmong(
      completions.filter((_, j) => skip[j] !== 1 && !applied.has(j)).map((c) => c.id),
      this.#scope,
    );
    completions.forEach((c, j) => {
      if (skip[j] !== 1) outcomes[j] = applied.has(j) ? 'completed' : stored.has(c.id) ? 'alreadyFinished' : 'unknown';
    });
    return outcomes;
  }

  /** Marks the pending invocations among `ids` abandoned; returns how many were. */
  async abandonIds(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const sorted = [...new Set(ids)].sort(byText);
    return this.#abandon(sql`id = ANY(${sorted}::text[])`);
  }

  /** Marks every invocation still pending that was invoked before `cutoff` abandoned. */
  async abandonOlderThan(cutoff: string): Promise<number> {
    return this.#abandon(sql`invoked_at < ${cutoff}::timestamptz`);
  }

  /**
   * Deletes every invocation invoked before `cutoff`, counting them out of the aggregates group
   * by group, then the sessions no invocation refers to any more. The caller holds the store's
   * exclusive lock: no other write runs between the count and the delete.
   */
  async prune(cutoff: string): Promise<number> {
    const pruned = sql`invoked_at < ${cutoff}::timestamptz AND ${inScope('project_id', this.#scope)}`;
    const groups = await sql<{ project_id: number; skill_id: number; phase_id: number | null; query_id: number | null; status: StatusCode; count: number; micros: number; timed: number }>`
      SELECT project_id, skill_id, phase_id, query_id, status, count(*) AS count,
        coalesce(sum(CASE WHEN status = ${STATUS_CODE.completed} THEN ${DURATION_MICROS_SQL} END), 0) AS micros,
        count(CASE WHEN status = ${STATUS_CODE.completed} THEN duration END) AS timed
      FROM invocations WHERE ${pruned}
      GROUP BY project_id, skill_id, phase_id, query_id, status`.execute(this.#db);
    for (const g of groups.rows) {
      this.#deltas.addGroup(
        { projectId: g.project_id, skillId: g.skill_id, phaseId: g.phase_id, queryId: g.query_id, status: g.status, count: g.count, durationMicros: g.micros, durationCount: g.timed },
        -1,
      );
    }
    const sessions = await sql<{ session_id: number }>`
      SELECT DISTINCT session_id FROM invocations WHERE ${pruned}`.execute(this.#db);
    const deleted = (await sql`DELETE FROM invocations WHERE ${pruned}`.execute(this.#db)).numAffectedRows;
    if (deleted === undefined || deleted === 0n) return 0;
    // Readers following new rows must start over: see query-counts.ts.
    await this.#db.updateTable('store_meta').set((eb) => ({ value: eb('value', '+', 1) })).where('key', '=', 'prunes').execute();
    const ids = sessions.rows.map((s) => s.session_id);
    await sql`DELETE FROM sessions s WHERE s.id = ANY(${ids}::bigint[])
      AND NOT EXISTS (SELECT 1 FROM invocations i WHERE i.session_id = s.id)`.execute(this.#db);
    return Number(deleted);
  }

  /** Writes the aggregate changes of everything done through this writer. */
  async finish(): Promise<void> {
    await this.#deltas.flush(this.#db);
  }

  async #abandon(where: ReturnType<typeof sql>): Promise<number> {
    const changed = await sql<ChangedRow>`
      UPDATE invocations SET status = ${STATUS_CODE.abandoned} WHERE status = 0 AND ${where} AND ${inScope('project_id', this.#scope)}
      RETURNING id, project_id, skill_id, phase_id, query_id, invoked_at`.execute(this.#db);
    for (const row of changed.rows) this.#move(row, STATUS_CODE.abandoned, null);
    return changed.rows.length;
  }

  /** Moves a formerly pending row's contribution to its new status. */
  #move(row: ChangedRow, status: StatusCode, duration: number | null): void {
    const base = { projectId: row.project_id, skillId: row.skill_id, phaseId: row.phase_id, queryId: row.query_id, invokedAt: row.invoked_at.getTime() };
    this.#deltas.addRow({ ...base, status: STATUS_CODE.pending, duration: null }, -1);
    this.#deltas.addRow({ ...base, status, duration }, 1);
  }

  /** The ids among `ids` that are stored (in `scope`, or in any project). */
  async #storedAmong(ids: readonly string[], scope: Scope = null): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await sql<{ id: string }>`SELECT id FROM invocations WHERE id = ANY(${[...new Set(ids)]}::text[]) AND ${inScope('project_id', scope)}`.execute(this.#db);
    return new Set(rows.rows.map((r) => r.id));
  }
}
