import { ValidationError } from '@skills/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, finishedRecord, pendingRecord } from '@skills/store-contract';
import { openSqliteStore, type SqliteStore } from './index.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();
let store: SqliteStore;

// 1..30: three skills in turn, two sessions, phases review / build / none, every third completed.
const records = Array.from({ length: 30 }, (_, i) => {
  const n = i + 1;
  const overrides = {
    skillName: ['reviewer', 'builder', 'tester'][n % 3]!,
    sessionId: n <= 15 ? 'session-a' : 'session-b',
    workflowPhase: n % 2 === 0 ? 'review' : n % 5 === 0 ? null : 'build',
  };
  return n % 3 === 0 ? finishedRecord(n, 'completed', n, overrides) : pendingRecord(n, overrides);
});
// Same instant as record 30, smaller id: comes after it in newest-first order.
const tie = pendingRecord(31, { id: 'inv-000000-tie', invokedAt: at(30), skillName: 'builder' });

beforeAll(async () => {
  store = await openSqliteStore({ path: tmp.path('listing.db') });
  await store.applyBatch({ inserts: [...records, tie] });
});
afterAll(() => store.close());

const ids = (rs: { id: string }[]) => rs.map((r) => r.id);
const expected = (keep: (r: (typeof records)[number]) => boolean) =>
  [...records, tie]
    .filter(keep)
    .sort((a, b) => b.invokedAt.localeCompare(a.invokedAt) || (a.id < b.id ? 1 : -1))
    .map((r) => r.id);

describe('listInvocations', () => {
  it('lists newest first, ties by id descending, 100 at most by default', async () => {
    const all = await store.listInvocations();
    expect(ids(all)).toEqual(expected(() => true));
    expect(ids(all).slice(0, 2)).toEqual(['inv-000030', 'inv-000000-tie']);
  });

  it('filters by session, skill, phase and status, alone or together', async () => {
    expect(ids(await store.listInvocations({ sessionId: 'session-a' }))).toEqual(expected((r) => r.sessionId === 'session-a'));
    expect(ids(await store.listInvocations({ skillName: 'builder' }))).toEqual(expected((r) => r.skillName === 'builder'));
    expect(ids(await store.listInvocations({ workflowPhase: 'review' }))).toEqual(expected((r) => r.workflowPhase === 'review'));
    expect(ids(await store.listInvocations({ status: 'completed' }))).toEqual(expected((r) => r.status === 'completed'));
    expect(ids(await store.listInvocations({ status: 'pending', skillName: 'reviewer', sessionId: 'session-b' }))).toEqual(
      expected((r) => r.status === 'pending' && r.skillName === 'reviewer' && r.sessionId === 'session-b'),
    );
    expect(await store.listInvocations({ skillName: 'nobody' })).toEqual([]);
  });

  it('takes since as inclusive and until as exclusive', async () => {
    const window = await store.listInvocations({ since: at(10), until: at(20) });
    expect(ids(window)).toEqual(expected((r) => r.invokedAt >= at(10) && r.invokedAt < at(20)));
    expect(ids(window).at(-1)).toBe('inv-000010');
    expect(ids(window)[0]).toBe('inv-000019');
  });

  it('accepts instants with an offset', async () => {
    const offset = '2024-05-01T14:10:00+02:00'; // = at(10)
    expect(ids(await store.listInvocations({ since: offset, until: offset }))).toEqual([]);
    expect(ids(await store.listInvocations({ since: offset, until: at(11) }))).toEqual(['inv-000010']);
  });

  it('pages with limit and offset', async () => {
    const all = expected(() => true);
    expect(ids(await store.listInvocations({}, { limit: 5 }))).toEqual(all.slice(0, 5));
    expect(ids(await store.listInvocations({}, { limit: 5, offset: 5 }))).toEqual(all.slice(5, 10));
    expect(ids(await store.listInvocations({}, { offset: 29 }))).toEqual(all.slice(29));
    expect(await store.listInvocations({}, { offset: 100 })).toEqual([]);
  });

  it('rejects bad filters and pages with a ValidationError naming the field', async () => {
    const cases: Array<[Promise<unknown>, string]> = [
      [store.listInvocations({ since: 'last week' }), 'since'],
      [store.listInvocations({ until: '2024-13-01T00:00:00Z' }), 'until'],
      [store.listInvocations({ status: 'done' as never }), 'status'],
      [store.listInvocations({}, { limit: 0 }), 'limit'],
      [store.listInvocations({}, { offset: -1 }), 'offset'],
      [store.countInvocations({ since: '' }), 'since'],
    ];
    for (const [promise, field] of cases) {
      const error = await promise.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).violations[0]?.path).toBe(field);
    }
  });
});

describe('countInvocations', () => {
  it('counts everything from the aggregates and filtered counts from the rows', async () => {
    expect(await store.countInvocations()).toBe(31);
    expect(await store.countInvocations({})).toBe(31);
    expect(await store.countInvocations({ skillName: 'builder' })).toBe(11);
    expect(await store.countInvocations({ status: 'completed', sessionId: 'session-b' })).toBe(5);
    expect(await store.countInvocations({ since: at(30) })).toBe(2);
  });
});
