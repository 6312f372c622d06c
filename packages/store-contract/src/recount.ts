import {
  compareSkillStats,
  durationMicros,
  isProjectStore,
  normaliseQuery,
  type InsightsStore,
  type InvocationRecord,
  type QuerySkillCount,
  type SkillsStore,
  type SkillStats,
} from '@skills/protocol';

/** What a store shows of its aggregates, next to the same figures recounted from its records. */
export interface Recount {
  readonly stored: Figures;
  readonly recounted: Figures;
}

interface Figures {
  readonly invocations: number;
  readonly sessions: number;
  readonly skills: Omit<SkillStats, 'p50DurationSeconds' | 'p95DurationSeconds'>[];
  readonly phases: Omit<SkillStats, 'p50DurationSeconds' | 'p95DurationSeconds'>[];
  readonly querySkill: QuerySkillCount[];
  readonly queryTexts: string[];
}

/**
 * Reads what the store computes from its aggregates (unfiltered statistics, counts, query counts)
 * and recounts the same from `exportAll()`'s records, here, one record at a time: through the
 * interface only, so any engine can be checked. Means use whole microseconds, as the stores do.
 */
export async function recount(store: SkillsStore & InsightsStore): Promise<Recount> {
  const records = (await store.exportAll()).invocations;
  const queries = await store.listQueries();
  const strip = ({ p50DurationSeconds: _p50, p95DurationSeconds: _p95, ...rest }: SkillStats) => rest;
  const stored: Figures = {
    invocations: await store.countInvocations(),
    sessions: await store.sessionCount(),
    skills: (await store.skillStats(undefined, { percentiles: false })).map(strip),
    phases: (await store.phaseStats(undefined, { percentiles: false })).map(strip),
    querySkill: await store.listQuerySkillCounts(),
    queryTexts: queries.map((q) => q.text).sort(),
  };
  const idOf = await queryIdsByProject(store, records);
  const pairs = new Map<string, QuerySkillCount>();
  const texts = new Map<string, string>();
  for (const r of records) {
    const text = normaliseQuery(r.userQuery);
    if (text === null) continue;
    const projectText = `${r.project ?? ''}\u0000${text}`;
    texts.set(projectText, text);
    const queryId = idOf.get(projectText) ?? -1;
    const key = `${queryId}\u0000${r.skillName}`;
    const c = pairs.get(key) ?? { queryId, skillName: r.skillName, invocations: 0, completed: 0, failed: 0 };
    pairs.set(key, {
      ...c,
      invocations: c.invocations + 1,
      completed: c.completed + (r.status === 'completed' ? 1 : 0),
      failed: c.failed + (r.status === 'failed' ? 1 : 0),
    });
  }
  const recounted: Figures = {
    invocations: records.length,
    sessions: new Set(records.map((r) => r.sessionId)).size,
    skills: tallyStats(records, false),
    phases: tallyStats(records, true),
    querySkill: [...pairs.values()].sort((a, b) => a.queryId - b.queryId || byBytes(a.skillName, b.skillName)),
    // A text is stored once per project that uses it.
    queryTexts: [...texts.values()].sort(),
  };
  return { stored, recounted };
}

/**
 * The query id of each (project, text) the records use, keyed `project NUL text`: a text is a
 * query of its project, so the ids come from each project's view (one project's: the store's own
 * list, when the store keeps no projects).
 */
async function queryIdsByProject(store: SkillsStore, records: readonly InvocationRecord[]): Promise<Map<string, number>> {
  const idOf = new Map<string, number>();
  for (const project of new Set(records.map((r) => r.project ?? ''))) {
    const view = isProjectStore(store) && project !== '' ? store.forProject(project) : store;
    for (const q of await view.listQueries()) idOf.set(`${project}\u0000${q.text}`, q.id);
  }
  return idOf;
}

function tallyStats(records: readonly InvocationRecord[], byPhase: boolean): Figures['skills'] {
  const groups = new Map<string, { skillName: string; workflowPhase: string | null; rows: InvocationRecord[] }>();
  for (const r of records) {
    const key = byPhase ? `${r.skillName}\u0000${r.workflowPhase ?? ''}\u0000${r.workflowPhase === null}` : r.skillName;
    const g = groups.get(key) ?? { skillName: r.skillName, workflowPhase: r.workflowPhase, rows: [] };
    g.rows.push(r);
    groups.set(key, g);
  }
  const out = [...groups.values()].map(({ skillName, workflowPhase, rows }) => {
    const count = (s: string) => rows.filter((r) => r.status === s).length;
    const timed = rows.filter((r) => r.status === 'completed' && r.durationSeconds !== null);
    const micros = timed.reduce((sum, r) => sum + durationMicros(r.durationSeconds as number), 0);
    const finished = count('completed') + count('failed') + count('abandoned');
    return {
      skillName,
      ...(byPhase ? { workflowPhase } : {}),
      invocations: rows.length,
      completed: count('completed'),
      failed: count('failed'),
      abandoned: count('abandoned'),
      pending: count('pending'),
      successRate: finished > 0 ? count('completed') / finished : null,
      meanDurationSeconds: timed.length > 0 ? micros / timed.length / 1_000_000 : null,
      lastUsed: new Date(Math.max(...rows.map((r) => Date.parse(r.invokedAt)))).toISOString(),
    };
  });
  return out.sort(compareSkillStats);
}

/** Compares two strings by their UTF-8 bytes (SQLite's BINARY collation, PostgreSQL's "C"). */
export function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
