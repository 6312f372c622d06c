import { ACTIVITY_MIN_POINTS, ACTIVITY_POINTS, seededRandom, type InvocationRecord } from '@skills/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from './index.js';
import { finishedRecord, pendingRecord } from './test-support/records.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();
const stores: SqliteStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
const open = async (path = tmp.path('insights.db')) => {
  const store = await openSqliteStore({ path });
  stores.push(store);
  return store;
};

const SKILLS = ['code-reviewer', 'test-runner', 'debugger'];
const STATUSES = ['pending', 'completed', 'failed', 'abandoned'] as const;

/** Random invocations over about ten days, `n` minutes apart at most; every field the profile reads varies. */
function history(count: number, seed: number): InvocationRecord[] {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  let minute = 0;
  return Array.from({ length: count }, (_, i) => {
    minute += Math.floor(rand() * 40);
    const status = pick(STATUSES);
    const base = status === 'pending' ? pendingRecord(i) : finishedRecord(i, status, status === 'abandoned' ? null : rand() * 10);
    return {
      ...base,
      invokedAt: new Date(Date.parse('2024-05-01T00:00:00.000Z') + minute * 60_000).toISOString(),
      skillName: pick(SKILLS),
      sessionId: `session-${Math.floor(i / 7)}`,
      workflowPhase: pick(['review', 'planning', null]),
      userQuery: rand() < 0.8 ? `query ${Math.floor(rand() * 30)}` : null,
      alternativesConsidered: rand() < 0.5 ? [pick(SKILLS), 'planner'].filter((s, k, all) => all.indexOf(s) === k) : [],
      selectionRank: rand() < 0.7 ? 1 + Math.floor(rand() * 3) : null,
      followUpActions: rand() < 0.3 ? ['open-pr'] : rand() < 0.3 ? ['rerun', 'notify'] : [],
      errorType: status === 'failed' ? pick(['Timeout', 'ToolError']) : null,
      source: pick(['ai-sdk', 'claude-code', 'langchain', null]),
    };
  });
}

/** The counts of `records`, tallied here one by one: what the store's SQL must agree with. */
function tally<K>(records: readonly InvocationRecord[], keysOf: (r: InvocationRecord) => readonly K[]): Map<K, number> {
  const counts = new Map<K, number>();
  for (const r of records) for (const k of keysOf(r)) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

describe('activity', () => {
  it('counts every bucket exactly as the rows do, empty buckets as zeros, ending at the latest invocation', async () => {
    const store = await open();
    const records = history(600, 1);
    await store.applyBatch({ inserts: records });
    for (const bucket of ['hour', 'day'] as const) {
      for (const skillName of [undefined, 'debugger']) {
        const { points } = await store.activity({ bucket, ...(skillName ? { skillName } : {}) });
        const width = bucket === 'hour' ? 3_600_000 : 86_400_000;
        const mine = records.filter((r) => skillName === undefined || r.skillName === skillName);
        const latest = Math.max(...mine.map((r) => Date.parse(r.invokedAt)));
        const windowStart = (Math.floor(latest / width) - ACTIVITY_POINTS[bucket] + 1) * width;
        const earliest = Math.min(...mine.map((r) => Date.parse(r.invokedAt)).filter((t) => t >= windowStart));
        const span = Math.floor(latest / width) - Math.floor(earliest / width) + 1;
        expect(points).toHaveLength(Math.min(ACTIVITY_POINTS[bucket], Math.max(ACTIVITY_MIN_POINTS[bucket], span)));
        expect(Date.parse(points.at(-1)!.start)).toBe(Math.floor(latest / width) * width);
        for (const p of points) {
          const start = Date.parse(p.start);
          const inside = mine.filter((r) => Date.parse(r.invokedAt) >= start && Date.parse(r.invokedAt) < start + width);
          const count = (s: string) => inside.filter((r) => r.status === s).length;
          const finished = count('completed') + count('failed') + count('abandoned');
          expect(p).toEqual({
            start: p.start,
            invocations: inside.length,
            completed: count('completed'),
            failed: count('failed'),
            abandoned: count('abandoned'),
            pending: count('pending'),
            successRate: finished > 0 ? count('completed') / finished : null,
          });
        }
      }
    }
  });

  it('is empty on an empty store and for an unknown skill', async () => {
    const store = await open();
    expect(await store.activity({ bucket: 'day' })).toEqual({ bucket: 'day', points: [] });
    await store.applyBatch({ inserts: [pendingRecord(1)] });
    expect(await store.activity({ bucket: 'hour', skillName: 'nobody' })).toEqual({ bucket: 'hour', points: [] });
  });
});

describe('skillProfile', () => {
  it('gives the commonest error types, follow-ups and alternatives, every rank and source, and the latest queries', async () => {
    const store = await open();
    const records = history(400, 2);
    await store.applyBatch({ inserts: records });
    const mine = records.filter((r) => r.skillName === 'test-runner');
    const profile = await store.skillProfile('test-runner');
    const sorted = (m: Map<string, number>) =>
      [...m].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    expect(profile?.errorTypes).toEqual(sorted(tally(mine, (r) => (r.errorType ? [r.errorType] : []))));
    expect(profile?.followUpActions).toEqual(sorted(tally(mine, (r) => r.followUpActions)));
    expect(profile?.alternatives).toEqual(sorted(tally(mine, (r) => r.alternativesConsidered)));
    const ranks = tally(mine, (r) => (r.selectionRank === null ? [] : [r.selectionRank]));
    expect(profile?.selectionRanks).toEqual([...ranks].sort((a, b) => a[0] - b[0]).map(([rank, count]) => ({ rank, count })));
    const sources = [...tally(mine, (r) => [r.source ?? null])].map(([source, count]) => ({ source, count }));
    // Most first; among equal counts by name, unknown last.
    const order = (s: string | null) => s ?? '\uFFFF';
    expect(profile?.sources).toEqual(sources.sort((a, b) => b.count - a.count || (order(a.source) < order(b.source) ? -1 : 1)));
    expect(profile?.sources.reduce((n, s) => n + s.count, 0)).toBe(mine.length);
    const latest = mine
      .filter((r) => r.userQuery !== null)
      .sort((a, b) => Date.parse(b.invokedAt) - Date.parse(a.invokedAt))
      .slice(0, 50);
    expect(profile?.queries.map((q) => [q.query, q.invokedAt, q.status, q.workflowPhase])).toEqual(
      latest.map((r) => [r.userQuery, r.invokedAt, r.status, r.workflowPhase]),
    );
  });

  it('is null for a skill with no invocation, also once its invocations are pruned', async () => {
    const store = await open();
    expect(await store.skillProfile('code-reviewer')).toBeNull();
    await store.applyBatch({ inserts: [finishedRecord(1, 'completed', 1)] });
    expect(await store.skillProfile('code-reviewer')).not.toBeNull();
    await store.prune('2100-01-01T00:00:00.000Z');
    expect(await store.skillProfile('code-reviewer')).toBeNull();
  });
});

describe('sessions', () => {
  it('counts distinct sessions in all and since a time', async () => {
    const store = await open();
    const records = history(300, 3);
    await store.applyBatch({ inserts: records });
    expect(await store.sessionCount()).toBe(new Set(records.map((r) => r.sessionId)).size);
    const since = records[200]!.invokedAt;
    const recent = records.filter((r) => Date.parse(r.invokedAt) >= Date.parse(since));
    expect(await store.sessionsSince(since)).toBe(new Set(recent.map((r) => r.sessionId)).size);
  });
});

describe('revision', () => {
  it('changes with every invocation write, through this store or another connection, and not on reads or vectors', async () => {
    const path = tmp.path('revision.db');
    const store = await open(path);
    const other = await open(path);
    const first = await store.revision();
    await store.skillStats();
    await store.putEmbeddings('lexical', new Map());
    expect(await store.revision()).toBe(first);
    await store.applyBatch({ inserts: [pendingRecord(1)] });
    const second = await store.revision();
    expect(second).not.toBe(first);
    await other.applyBatch({ completions: [{ id: 'inv-000001', completed: true, completedAt: '2024-05-01T13:00:00.000Z', durationSeconds: 2 }] });
    expect(await store.revision()).not.toBe(second);
  });
});
