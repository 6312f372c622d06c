import Database from 'better-sqlite3';
import fc from 'fast-check';
import { ValidationError, type InvocationRecord, type InvocationStatus } from '@skills/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from './index.js';
import { at, completion, finishedRecord, pendingRecord } from './test-support/records.js';
import { recountAggregates } from './test-support/recount.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();
let store: SqliteStore;
afterEach(() => store?.close());
const open = async () => (store = await openSqliteStore({ path: tmp.path('store.db') }));

function expectAggregatesMatchRows(s: SqliteStore) {
  const { stored, recounted } = recountAggregates(s.location);
  expect(stored).toEqual(recounted);
}

function countRows(path: string, table: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('markAbandoned', () => {
  it('abandons the pending invocations among the ids, and leaves finished ones alone', async () => {
    await open();
    await store.applyBatch({ inserts: [pendingRecord(1), pendingRecord(2), finishedRecord(3, 'completed', 1)] });
    expect(await store.markAbandoned({ ids: ['inv-000001', 'inv-000003', 'unknown'] })).toBe(1);
    expect(await store.markAbandoned({ ids: ['inv-000001'] })).toBe(0);
    expect(await store.getInvocation('inv-000001')).toMatchObject({ status: 'abandoned', completed: false, completedAt: null });
    expect(await store.getInvocation('inv-000003')).toMatchObject({ status: 'completed' });
    const [stats] = await store.skillStats();
    expect(stats).toMatchObject({ pending: 1, abandoned: 1, completed: 1, successRate: 1 / 2 });
    expectAggregatesMatchRows(store);
  });

  it('abandons pending invocations invoked before a time', async () => {
    await open();
    await store.applyBatch({ inserts: [pendingRecord(1), pendingRecord(2), pendingRecord(3), finishedRecord(0, 'failed', 1)] });
    expect(await store.markAbandoned({ olderThan: at(3) })).toBe(2);
    expect((await store.listInvocations({ status: 'pending' })).map((r) => r.id)).toEqual(['inv-000003']);
    expect(await store.countInvocations({ status: 'abandoned' })).toBe(2);
    expect(await store.markAbandoned({ ids: ['inv-000003'], olderThan: at(100) })).toBe(1);
    expect(await store.markAbandoned({})).toBe(0);
    expectAggregatesMatchRows(store);
  });

  it('rejects a cutoff that is not an instant', async () => {
    await open();
    await expect(store.markAbandoned({ olderThan: 'yesterday' })).rejects.toThrow(ValidationError);
  });
});

describe('prune', () => {
  it('deletes invocations before a time and what only they used, keeping the aggregates right', async () => {
    await open();
    await store.applyBatch({
      inserts: [
        finishedRecord(1, 'completed', 1, { userQuery: 'old only', sessionId: 'old-session', skillName: 'retired' }),
        finishedRecord(2, 'failed', 2, { userQuery: 'shared' }),
        finishedRecord(3, 'completed', 3, { userQuery: 'shared' }),
        pendingRecord(4, { userQuery: 'new only' }),
      ],
    });
    const queries = await store.listQueries();
    const oldOnly = queries.find((q) => q.text === 'old only')!.id;
    await store.putEmbeddings('lexical', new Map(queries.map((q) => [q.id, new Uint8Array([q.id])])));

    expect(await store.prune(at(3))).toBe(2);
    expect((await store.exportAll()).invocations.map((r) => r.id)).toEqual(['inv-000003', 'inv-000004']);
    expect((await store.listQueries()).map((q) => q.text)).toEqual(['shared', 'new only']);
    expect([...(await store.getEmbeddings('lexical')).keys()]).not.toContain(oldOnly);
    expect((await store.getEmbeddings('lexical')).size).toBe(2);
    expect((await store.skillStats()).map((s) => s.skillName)).toEqual(['code-reviewer']);
    expect(await store.listQuerySkillCounts()).toEqual([
      { queryId: queries.find((q) => q.text === 'shared')!.id, skillName: 'code-reviewer', invocations: 1, completed: 1, failed: 0 },
      { queryId: queries.find((q) => q.text === 'new only')!.id, skillName: 'code-reviewer', invocations: 1, completed: 0, failed: 0 },
    ]);
    expect(countRows(store.location, 'sessions')).toBe(1);
    expect(await store.prune(at(3))).toBe(0);
    expectAggregatesMatchRows(store);

    // A new text after pruning never takes a pruned query's id.
    await store.applyBatch({ inserts: [pendingRecord(5, { userQuery: 'brand new' })] });
    expect((await store.listQueries()).at(-1)!.id).toBeGreaterThan(Math.max(...queries.map((q) => q.id)));
  });

  it('rejects a cutoff that is not an instant', async () => {
    await open();
    await expect(store.prune('2024-01-01')).rejects.toThrow(ValidationError);
  });
});

// A random mix of every write; afterwards the aggregates must equal a recount from the rows, and
// the rows must match a plain model of the semantics.
describe('aggregates under any sequence of writes', () => {
  const skills = ['alpha', 'beta', 'gamma'];
  const phases = ['plan', 'build', null];
  const texts = ['fix the build', 'review my change', 'run the tests', null];

  const recordArb = fc
    .record({
      n: fc.integer({ min: 0, max: 60 }),
      skill: fc.constantFrom(...skills),
      phase: fc.constantFrom(...phases),
      text: fc.constantFrom(...texts),
      status: fc.constantFrom<InvocationStatus>('pending', 'pending', 'completed', 'failed', 'abandoned'),
      durationMs: fc.option(fc.integer({ min: 0, max: 100_000 })),
    })
    .map(({ n, skill, phase, text, status, durationMs }) => {
      const overrides = { id: `id-${n}`, skillName: skill, workflowPhase: phase, userQuery: text };
      const duration = durationMs === null ? null : durationMs / 1000;
      return status === 'pending' ? pendingRecord(n, overrides) : finishedRecord(n, status, duration, overrides);
    });
  const idArb = fc.integer({ min: 0, max: 62 }).map((n) => `id-${n}`);
  const minuteArb = fc.integer({ min: 0, max: 62 });
  const opArb = fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), records: fc.array(recordArb, { maxLength: 6 }) }),
    fc.record({
      kind: fc.constant('complete' as const),
      ids: fc.array(idArb, { maxLength: 4 }),
      completed: fc.boolean(),
      durationMs: fc.option(fc.integer({ min: 0, max: 100_000 })),
    }),
    fc.record({ kind: fc.constant('abandonIds' as const), ids: fc.array(idArb, { maxLength: 4 }) }),
    fc.record({ kind: fc.constant('abandonOlder' as const), minute: minuteArb }),
    fc.record({ kind: fc.constant('prune' as const), minute: minuteArb }),
    fc.record({ kind: fc.constant('import' as const), records: fc.array(recordArb, { maxLength: 6 }) }),
  );

  it('keeps the aggregates equal to a recount from the rows', async () => {
    // One file for every run (creating one costs more than a run): pruning everything resets it.
    const s = await openSqliteStore({ path: tmp.path('property.db') });
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        await s.prune('9999-12-31T23:59:59.999Z');
        expect(recountAggregates(s.location).stored).toEqual({ skillPhase: [], querySkill: [], queries: [] });
        const model = new Map<string, InvocationRecord>();
        for (const op of ops) {
          switch (op.kind) {
            case 'insert':
            case 'import': {
              if (op.kind === 'insert') await s.applyBatch({ inserts: op.records });
              else await s.importAll({ format: 'skills-export', version: 1, exportedAt: at(0), invocations: op.records, catalog: [] });
              for (const r of op.records) if (!model.has(r.id)) model.set(r.id, r);
              break;
            }
            case 'complete': {
              const duration = op.durationMs === null ? null : op.durationMs / 1000;
              const result = await s.applyBatch({ completions: op.ids.map((id) => completion(id, op.completed, duration)) });
              let completed = 0;
              for (const id of op.ids) {
                const r = model.get(id);
                if (r?.status !== 'pending') continue;
                model.set(id, { ...r, status: op.completed ? 'completed' : 'failed' });
                completed++;
              }
              expect(result.completed).toBe(completed);
              break;
            }
            case 'abandonIds':
            case 'abandonOlder': {
              const target = op.kind === 'abandonIds' ? { ids: op.ids } : { olderThan: at(op.minute) };
              let expected = 0;
              for (const [id, r] of model) {
                const hit = op.kind === 'abandonIds' ? op.ids.includes(id) : r.invokedAt < at(op.minute);
                if (hit && r.status === 'pending') {
                  model.set(id, { ...r, status: 'abandoned' });
                  expected++;
                }
              }
              expect(await s.markAbandoned(target)).toBe(expected);
              break;
            }
            case 'prune': {
              let expected = 0;
              for (const [id, r] of model) {
                if (r.invokedAt < at(op.minute)) {
                  model.delete(id);
                  expected++;
                }
              }
              expect(await s.prune(at(op.minute))).toBe(expected);
              break;
            }
          }
        }
        const { stored, recounted } = recountAggregates(s.location);
        expect(stored).toEqual(recounted);
        const rows = (await s.exportAll()).invocations;
        expect(rows.map((r) => [r.id, r.status]).sort()).toEqual([...model.values()].map((r) => [r.id, r.status]).sort());
        expect(await s.countInvocations()).toBe(model.size);
      }),
      { numRuns: 40 },
    );
    await s.close();
  });
});
