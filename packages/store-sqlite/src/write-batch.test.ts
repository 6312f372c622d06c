import { ValidationError } from '@skills/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from './index.js';
import { completion, finishedRecord, pendingRecord } from './test-support/records.js';
import { recountAggregates } from './test-support/recount.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();
let store: SqliteStore;
const open = async () => (store = await openSqliteStore({ path: tmp.path('store.db') }));
afterEach(() => store?.close());

function expectAggregatesMatchRows(s: SqliteStore) {
  const { stored, recounted } = recountAggregates(s.location);
  expect(stored).toEqual(recounted);
}

describe('applyBatch', () => {
  it('stores every field of a record and its completion, and reads them back', async () => {
    await open();
    const record = pendingRecord(1, {
      id: '01936f0e-8c2a-7c3d-9f4e-2b1a0c9d8e7f',
      skillName: 'test-runner',
      sessionId: 'session-42',
      invokedAt: '2024-05-01T12:00:00.123Z',
      userQuery: '  run   the\n unit tests ',
      workflowPhase: 'verification',
      alternativesConsidered: ['linter', 'type-checker'],
      selectionRank: 2,
    });
    const inserted = await store.applyBatch({ inserts: [record] });
    expect(inserted).toEqual({ inserted: 1, duplicates: 0, completed: 0, alreadyFinished: [], unknown: [] });
    expect(await store.getInvocation(record.id)).toEqual({ ...record, userQuery: 'run the unit tests' });

    const done = {
      id: record.id,
      completed: false,
      completedAt: '2024-05-01T12:00:07.456Z',
      durationSeconds: 7.333,
      followUpActions: ['git stash', 'open issue'],
      errorType: 'TimeoutError',
    };
    expect((await store.applyBatch({ completions: [done] })).completed).toBe(1);
    expect(await store.getInvocation(record.id)).toEqual({
      ...record,
      userQuery: 'run the unit tests',
      status: 'failed',
      completed: false,
      completedAt: done.completedAt,
      durationSeconds: 7.333,
      followUpActions: done.followUpActions,
      errorType: 'TimeoutError',
    });
    expect(await store.getInvocation('no-such-id')).toBeNull();
  });

  it('stores records that arrive already finished and counts them by status', async () => {
    await open();
    const records = [
      finishedRecord(1, 'completed', 2),
      finishedRecord(2, 'failed', 3, { errorType: 'Crash' }),
      finishedRecord(3, 'abandoned', null),
      pendingRecord(4),
    ];
    await store.applyBatch({ inserts: records });
    for (const r of records) expect(await store.getInvocation(r.id)).toEqual(r);
    const [stats] = await store.skillStats();
    expect(stats).toMatchObject({ invocations: 4, completed: 1, failed: 1, abandoned: 1, pending: 1, meanDurationSeconds: 2 });
    expectAggregatesMatchRows(store);
  });

  it('applies a completion once: a second one is reported and never counted again', async () => {
    await open();
    await store.applyBatch({ inserts: [pendingRecord(1)] });
    const first = await store.applyBatch({ completions: [completion('inv-000001', true, 4)] });
    expect(first).toMatchObject({ completed: 1, alreadyFinished: [] });
    const again = await store.applyBatch({
      completions: [completion('inv-000001', false, 9), completion('inv-000001', true, 9)],
    });
    expect(again).toEqual({ inserted: 0, duplicates: 0, completed: 0, alreadyFinished: ['inv-000001', 'inv-000001'], unknown: [] });

    expect(await store.getInvocation('inv-000001')).toMatchObject({ status: 'completed', durationSeconds: 4 });
    const [stats] = await store.skillStats();
    expect(stats).toMatchObject({ invocations: 1, completed: 1, failed: 0, pending: 0, meanDurationSeconds: 4 });
    expect(await store.listQuerySkillCounts()).toEqual([
      { queryId: 1, skillName: 'code-reviewer', invocations: 1, completed: 1, failed: 0 },
    ]);
    expectAggregatesMatchRows(store);
  });

  it('completes an invocation inserted earlier in the same batch, and only the first of two completions', async () => {
    await open();
    const result = store.applyBatchSync({
      inserts: [pendingRecord(1)],
      completions: [completion('inv-000001', true, 1), completion('inv-000001', false, 2)],
    });
    expect(result).toEqual({ inserted: 1, duplicates: 0, completed: 1, alreadyFinished: ['inv-000001'], unknown: [] });
    expectAggregatesMatchRows(store);
  });

  it('reports completions of unknown ids and of abandoned invocations, and changes nothing for them', async () => {
    await open();
    await store.applyBatch({ inserts: [pendingRecord(1)] });
    await store.markAbandoned({ ids: ['inv-000001'] });
    const result = await store.applyBatch({ completions: [completion('missing', true), completion('inv-000001', true)] });
    expect(result).toMatchObject({ completed: 0, unknown: ['missing'], alreadyFinished: ['inv-000001'] });
    expect(await store.getInvocation('inv-000001')).toMatchObject({ status: 'abandoned', completedAt: null });
  });

  it('skips an insert whose id is stored (a replay) and keeps the first version', async () => {
    await open();
    const first = pendingRecord(1);
    const replay = { ...first, skillName: 'other-skill', userQuery: 'a text nobody else used' };
    expect(await store.applyBatch({ inserts: [first, replay] })).toMatchObject({ inserted: 1, duplicates: 1 });
    expect(await store.applyBatch({ inserts: [replay] })).toMatchObject({ inserted: 0, duplicates: 1 });
    expect(await store.getInvocation(first.id)).toEqual(first);
    expect(await store.countInvocations()).toBe(1);
    expect(await store.listQueries()).toEqual([{ id: 1, text: first.userQuery }]);
    expectAggregatesMatchRows(store);
  });

  it('rejects a batch with an invalid record as a whole, naming the entry and field', async () => {
    await open();
    const bad = { ...pendingRecord(2), skillName: '   ' };
    const error = await store.applyBatch({ inserts: [pendingRecord(1), bad] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).violations).toEqual([
      { path: 'inserts.1.skillName', message: 'skillName must not be empty' },
    ]);
    expect((error as Error).message).toContain('inserts.1.skillName');
    expect(await store.countInvocations()).toBe(0);
    expect(await store.listQueries()).toEqual([]);
    expect(await store.skillStats()).toEqual([]);
  });

  it('rejects a batch with an invalid completion, writing none of its inserts', async () => {
    await open();
    const error = await store
      .applyBatch({ inserts: [pendingRecord(1)], completions: [{ ...completion('inv-000001', true), completedAt: 'yesterday' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).violations[0]?.path).toBe('completions.0.completedAt');
    expect(await store.countInvocations()).toBe(0);
  });

  it('stores a query text once, whatever its spacing, and an empty one as no query', async () => {
    await open();
    await store.applyBatch({
      inserts: [
        pendingRecord(1, { userQuery: 'fix the build' }),
        pendingRecord(2, { userQuery: '  fix   the\tbuild\n' }),
        pendingRecord(3, { userQuery: 'fix the build', skillName: 'builder' }),
        pendingRecord(4, { userQuery: '   ' }),
        pendingRecord(5, { userQuery: null }),
      ],
    });
    await store.applyBatch({ inserts: [pendingRecord(6, { userQuery: 'fix the  build' })] });
    expect(await store.listQueries()).toEqual([{ id: 1, text: 'fix the build' }]);
    expect(await store.getInvocation('inv-000004')).toMatchObject({ userQuery: null });
    expect(await store.listQuerySkillCounts()).toEqual([
      { queryId: 1, skillName: 'builder', invocations: 1, completed: 0, failed: 0 },
      { queryId: 1, skillName: 'code-reviewer', invocations: 3, completed: 0, failed: 0 },
    ]);
  });
});
