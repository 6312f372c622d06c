import {
  ACTIVITY_MIN_POINTS,
  ACTIVITY_POINTS,
  DEFAULT_PROJECT,
  EXPORT_FORMAT_VERSION,
  seededRandom,
  ValidationError,
  type ExportDocument,
  type InsightsStore,
  type InvocationRecord,
  type InvocationStatus,
  type SkillsStore,
} from '@skills/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { Follower, usage } from './follower.js';
import { describeModelStateContract } from './model-state.js';
import { describeProjectsContract } from './projects.js';
import { asStored, at, completion, finishedRecord, pendingRecord } from './records.js';
import { recount } from './recount.js';

/** What the contract checks: a store with the dashboard's insights. */
export type ContractStore = SkillsStore & InsightsStore;

/** A store on a database of its own, and a way to open a second store on the same database. */
export interface FreshStore {
  readonly store: ContractStore;
  /** Another store (another connection, or pool) on the same database. */
  openAnother(): Promise<ContractStore>;
}

/**
 * Defines the store contract's tests for one engine: every engine passes the same suite.
 * `openFreshStore` gives a store on an empty database each time it is called; the suite closes
 * every store it opened.
 *
 * @example
 * describeStoreContract('SQLite', async () => {
 *   const path = tmp.path('contract.db');
 *   return { store: await openSqliteStore({ path }), openAnother: () => openSqliteStore({ path }) };
 * });
 */
export function describeStoreContract(engineName: string, openFreshStore: () => Promise<FreshStore>): void {
  const opened: ContractStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  // Stores keep private state: the second-store opener is kept beside the store, not wrapped around it.
  const siblings = new WeakMap<ContractStore, () => Promise<ContractStore>>();
  const fresh = async (): Promise<ContractStore> => {
    const { store, openAnother } = await openFreshStore();
    opened.push(store);
    siblings.set(store, openAnother);
    return store;
  };
  const another = async (store: ContractStore): Promise<ContractStore> => {
    const other = await siblings.get(store)!();
    opened.push(other);
    return other;
  };
  const expectAggregatesMatchRows = async (store: ContractStore) => {
    const { stored, recounted } = await recount(store);
    expect(stored).toEqual(recounted);
  };
  const queryIdOf = async (store: ContractStore, text: string) => (await store.listQueries()).find((q) => q.text === text)!.id;

  describe(`store contract: ${engineName}`, () => {
    describe('records and completions', () => {
      it('stores every field of a record and its completion, and reads them back', async () => {
        const store = await fresh();
        const record = pendingRecord(1, {
          id: '01936f0e-8c2a-7c3d-9f4e-2b1a0c9d8e7f',
          skillName: 'test-runner',
          sessionId: 'session-42',
          invokedAt: '2024-05-01T12:00:00.123Z',
          userQuery: '  run   the\n unit tests ',
          workflowPhase: 'verification',
          alternativesConsidered: ['linter', 'type-checker'],
          selectionRank: 2,
          source: 'ai-sdk',
        });
        expect(await store.applyBatch({ inserts: [record] })).toEqual({ inserted: 1, duplicates: 0, completed: 0, alreadyFinished: [], unknown: [] });
        expect(await store.getInvocation(record.id)).toEqual({ ...asStored(record), userQuery: 'run the unit tests' });
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
          ...asStored(record),
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

      it('keeps instants in UTC to the millisecond, whatever zone they were given in', async () => {
        const store = await fresh();
        await store.applyBatch({ inserts: [pendingRecord(1, { invokedAt: '2024-05-01T14:00:00.5+02:00' })] });
        expect((await store.getInvocation('inv-000001'))?.invokedAt).toBe('2024-05-01T12:00:00.500Z');
      });

      it('stores records that arrive already finished and counts them by status', async () => {
        const store = await fresh();
        const records = [finishedRecord(1, 'completed', 2), finishedRecord(2, 'failed', 3, { errorType: 'Crash' }), finishedRecord(3, 'abandoned', null), pendingRecord(4)];
        await store.applyBatch({ inserts: records });
        for (const r of records) expect(await store.getInvocation(r.id)).toEqual(asStored(r));
        expect((await store.skillStats())[0]).toMatchObject({ invocations: 4, completed: 1, failed: 1, abandoned: 1, pending: 1, meanDurationSeconds: 2 });
        await expectAggregatesMatchRows(store);
      });

      it('applies a completion once: a second one is reported and never counted again', async () => {
        const store = await fresh();
        await store.applyBatch({ inserts: [pendingRecord(1)] });
        expect(await store.applyBatch({ completions: [completion('inv-000001', true, 4)] })).toMatchObject({ completed: 1, alreadyFinished: [] });
        const again = await store.applyBatch({ completions: [completion('inv-000001', false, 9), completion('inv-000001', true, 9)] });
        expect(again).toEqual({ inserted: 0, duplicates: 0, completed: 0, alreadyFinished: ['inv-000001', 'inv-000001'], unknown: [] });
        expect(await store.getInvocation('inv-000001')).toMatchObject({ status: 'completed', durationSeconds: 4 });
        expect((await store.skillStats())[0]).toMatchObject({ invocations: 1, completed: 1, failed: 0, pending: 0, meanDurationSeconds: 4 });
        expect(await store.listQuerySkillCounts()).toEqual([
          { queryId: await queryIdOf(store, 'review change 1'), skillName: 'code-reviewer', invocations: 1, completed: 1, failed: 0 },
        ]);
        await expectAggregatesMatchRows(store);
      });

      it('completes an invocation inserted earlier in the same batch, and only the first of two completions', async () => {
        const store = await fresh();
        const result = await store.applyBatch({
          inserts: [pendingRecord(1)],
          completions: [completion('inv-000001', true, 1), completion('inv-000001', false, 2)],
        });
        expect(result).toEqual({ inserted: 1, duplicates: 0, completed: 1, alreadyFinished: ['inv-000001'], unknown: [] });
        expect(await store.getInvocation('inv-000001')).toMatchObject({ status: 'completed', durationSeconds: 1 });
        await expectAggregatesMatchRows(store);
      });

      it('reports completions of unknown ids and of abandoned invocations, and changes nothing for them', async () => {
        const store = await fresh();
        await store.applyBatch({ inserts: [pendingRecord(1)] });
        await store.markAbandoned({ ids: ['inv-000001'] });
        const result = await store.applyBatch({ completions: [completion('missing', true), completion('inv-000001', true)] });
        expect(result).toMatchObject({ completed: 0, unknown: ['missing'], alreadyFinished: ['inv-000001'] });
        expect(await store.getInvocation('inv-000001')).toMatchObject({ status: 'abandoned', completedAt: null });
      });

      it('rejects a batch with an invalid record as a whole, naming the entry and field', async () => {
        const store = await fresh();
        const error = await store.applyBatch({ inserts: [pendingRecord(1), { ...pendingRecord(2), skillName: '   ' }] }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).violations).toEqual([{ path: 'inserts.1.skillName', message: 'skillName must not be empty' }]);
        expect((error as Error).message).toContain('inserts.1.skillName');
        expect(await store.countInvocations()).toBe(0);
        expect(await store.listQueries()).toEqual([]);
        expect(await store.skillStats()).toEqual([]);
      });

      it('rejects a batch with an invalid completion, writing none of its inserts', async () => {
        const store = await fresh();
        const error = await store
          .applyBatch({ inserts: [pendingRecord(1)], completions: [{ ...completion('inv-000001', true), completedAt: 'yesterday' }] })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).violations[0]?.path).toBe('completions.0.completedAt');
        expect(await store.countInvocations()).toBe(0);
      });

      it('stores a query text once, whatever its spacing, and an empty one as no query', async () => {
        const store = await fresh();
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
        const queries = await store.listQueries();
        expect(queries.map((q) => q.text)).toEqual(['fix the build']);
        expect(await store.getInvocation('inv-000004')).toMatchObject({ userQuery: null });
        expect(await store.listQuerySkillCounts()).toEqual([
          { queryId: queries[0]!.id, skillName: 'builder', invocations: 1, completed: 0, failed: 0 },
          { queryId: queries[0]!.id, skillName: 'code-reviewer', invocations: 3, completed: 0, failed: 0 },
        ]);
      });

      it('lists newest first (ties by id, descending), filtered and paged', async () => {
        const store = await fresh();
        const records = Array.from({ length: 12 }, (_, i) =>
          pendingRecord(i + 1, { skillName: i % 2 === 0 ? 'alpha' : 'beta', sessionId: i < 6 ? 's-a' : 's-b', workflowPhase: i % 3 === 0 ? null : 'build' }),
        );
        const tie = pendingRecord(13, { id: 'inv-000000-tie', invokedAt: at(12) });
        await store.applyBatch({ inserts: [...records, tie], completions: [completion('inv-000003', true)] });
        const all = [...records, tie].sort((a, b) => b.invokedAt.localeCompare(a.invokedAt) || (a.id < b.id ? 1 : -1)).map((r) => r.id);
        expect((await store.listInvocations()).map((r) => r.id)).toEqual(all);
        expect((await store.listInvocations({}, { limit: 3, offset: 1 })).map((r) => r.id)).toEqual(all.slice(1, 4));
        expect((await store.listInvocations({ skillName: 'beta', sessionId: 's-b' })).map((r) => r.id)).toEqual(['inv-000012', 'inv-000010', 'inv-000008']);
        expect(await store.countInvocations({ status: 'completed' })).toBe(1);
        expect(await store.countInvocations({ workflowPhase: 'build' })).toBe(records.filter((r) => r.workflowPhase === 'build').length);
        expect(await store.countInvocations({ since: at(10), until: at(12) })).toBe(2);
        await expect(store.listInvocations({}, { limit: 0 })).rejects.toThrow(ValidationError);
        await expect(store.countInvocations({ status: 'running' as InvocationStatus })).rejects.toThrow(/status must be one of/);
      });
    });

    describe('idempotency', () => {
      it('skips an insert whose id is stored (a replay) and keeps the first version, writing nothing of the replay', async () => {
        const store = await fresh();
        const first = pendingRecord(1);
        const replay = { ...first, skillName: 'other-skill', userQuery: 'a text nobody else used' };
        expect(await store.applyBatch({ inserts: [first, replay] })).toMatchObject({ inserted: 1, duplicates: 1 });
        expect(await store.applyBatch({ inserts: [replay] })).toMatchObject({ inserted: 0, duplicates: 1 });
        expect(await store.getInvocation(first.id)).toEqual(asStored(first));
        expect(await store.countInvocations()).toBe(1);
        expect((await store.listQueries()).map((q) => q.text)).toEqual([first.userQuery]);
        await expectAggregatesMatchRows(store);
      });

      it('counts a batch replayed through another connection once', async () => {
        const store = await fresh();
        const other = await another(store);
        const batch = { inserts: [pendingRecord(1), finishedRecord(2, 'completed', 2)], completions: [completion('inv-000001', true, 3)] };
        expect(await store.applyBatch(batch)).toMatchObject({ inserted: 2, completed: 1 });
        expect(await other.applyBatch(batch)).toMatchObject({ inserted: 0, duplicates: 2, completed: 0, alreadyFinished: ['inv-000001'] });
        await expectAggregatesMatchRows(store);
      });
    });

    describe('markAbandoned and prune', () => {
      it('abandons the pending invocations among the ids, and leaves finished ones alone', async () => {
        const store = await fresh();
        await store.applyBatch({ inserts: [pendingRecord(1), pendingRecord(2), finishedRecord(3, 'completed', 1)] });
        expect(await store.markAbandoned({ ids: ['inv-000001', 'inv-000003', 'unknown'] })).toBe(1);
        expect(await store.markAbandoned({ ids: ['inv-000001'] })).toBe(0);
        expect(await store.getInvocation('inv-000001')).toMatchObject({ status: 'abandoned', completed: false, completedAt: null });
        expect(await store.getInvocation('inv-000003')).toMatchObject({ status: 'completed' });
        expect((await store.skillStats())[0]).toMatchObject({ pending: 1, abandoned: 1, completed: 1, successRate: 1 / 2 });
        await expectAggregatesMatchRows(store);
      });

      it('abandons pending invocations invoked before a time', async () => {
        const store = await fresh();
        await store.applyBatch({ inserts: [pendingRecord(1), pendingRecord(2), pendingRecord(3), finishedRecord(0, 'failed', 1)] });
        expect(await store.markAbandoned({ olderThan: at(3) })).toBe(2);
        expect((await store.listInvocations({ status: 'pending' })).map((r) => r.id)).toEqual(['inv-000003']);
        expect(await store.countInvocations({ status: 'abandoned' })).toBe(2);
        expect(await store.markAbandoned({ ids: ['inv-000003'], olderThan: at(100) })).toBe(1);
        expect(await store.markAbandoned({})).toBe(0);
        await expect(store.markAbandoned({ olderThan: 'yesterday' })).rejects.toThrow(ValidationError);
        await expectAggregatesMatchRows(store);
      });

      it('deletes invocations before a time and what only they used, keeping the aggregates right', async () => {
        const store = await fresh();
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
        expect(await store.sessionCount()).toBe(1);
        expect(await store.prune(at(3))).toBe(0);
        await expectAggregatesMatchRows(store);
        // A new text after pruning never takes a pruned query's id.
        await store.applyBatch({ inserts: [pendingRecord(5, { userQuery: 'brand new' })] });
        expect((await store.listQueries()).at(-1)!.id).toBeGreaterThan(Math.max(...queries.map((q) => q.id)));
        await expect(store.prune('2024-01-01')).rejects.toThrow(ValidationError);
      });

      it('keeps the aggregates equal to a recount under any sequence of writes', async () => {
        const store = await fresh();
        const rand = seededRandom(5);
        const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
        const record = () => {
          const n = Math.floor(rand() * 60);
          const overrides = { id: `id-${n}`, skillName: pick(['alpha', 'beta', 'gamma']), workflowPhase: pick(['plan', 'build', null]), userQuery: pick(['fix the build', 'review my change', 'run the tests', null]) };
          const status = pick<InvocationStatus>(['pending', 'pending', 'completed', 'failed', 'abandoned']);
          const duration = rand() < 0.2 ? null : Math.floor(rand() * 100_000) / 1000;
          return status === 'pending' ? pendingRecord(n, overrides) : finishedRecord(n, status, duration, overrides);
        };
        for (let run = 0; run < 12; run++) {
          await store.prune('9999-12-31T23:59:59.999Z');
          const model = new Map<string, InvocationRecord>();
          for (let step = 0; step < 10; step++) {
            const kind = pick(['insert', 'import', 'complete', 'abandonIds', 'abandonOlder', 'prune'] as const);
            if (kind === 'insert' || kind === 'import') {
              const records = Array.from({ length: Math.floor(rand() * 7) }, record);
              if (kind === 'insert') await store.applyBatch({ inserts: records });
              else await store.importAll({ format: 'skills-export', version: EXPORT_FORMAT_VERSION, exportedAt: at(0), invocations: records, catalog: [] });
              for (const r of records) if (!model.has(r.id)) model.set(r.id, r);
            } else if (kind === 'complete') {
              const ids = Array.from({ length: Math.floor(rand() * 5) }, () => `id-${Math.floor(rand() * 62)}`);
              const done = rand() < 0.5;
              const result = await store.applyBatch({ completions: ids.map((id) => completion(id, done, rand() < 0.2 ? null : rand() * 100)) });
              let completed = 0;
              for (const id of ids) {
                const r = model.get(id);
                if (r?.status !== 'pending') continue;
                model.set(id, { ...r, status: done ? 'completed' : 'failed' });
                completed++;
              }
              expect(result.completed).toBe(completed);
            } else if (kind === 'abandonIds' || kind === 'abandonOlder') {
              const ids = Array.from({ length: Math.floor(rand() * 5) }, () => `id-${Math.floor(rand() * 62)}`);
              const minute = Math.floor(rand() * 62);
              let expected = 0;
              for (const [id, r] of model) {
                const hit = kind === 'abandonIds' ? ids.includes(id) : r.invokedAt < at(minute);
                if (hit && r.status === 'pending') {
                  model.set(id, { ...r, status: 'abandoned' });
                  expected++;
                }
              }
              expect(await store.markAbandoned(kind === 'abandonIds' ? { ids } : { olderThan: at(minute) })).toBe(expected);
            } else {
              const minute = Math.floor(rand() * 62);
              let expected = 0;
              for (const [id, r] of model) {
                if (r.invokedAt < at(minute)) {
                  model.delete(id);
                  expected++;
                }
              }
              expect(await store.prune(at(minute))).toBe(expected);
            }
          }
          await expectAggregatesMatchRows(store);
          // Filtered statistics come from the rows: a filter that keeps everything agrees with the aggregates.
          const everything = { since: '1970-01-01T00:00:00.000Z' };
          expect(await store.skillStats(everything)).toEqual(await store.skillStats());
          expect(await store.phaseStats(everything)).toEqual(await store.phaseStats());
          const rows = (await store.exportAll()).invocations;
          expect(rows.map((r) => [r.id, r.status]).sort()).toEqual([...model.values()].map((r) => [r.id, r.status]).sort());
        }
      });
    });

    describe('export and import', () => {
      const sample = [
        pendingRecord(5, { alternativesConsidered: ['a', 'b'], selectionRank: 3, sessionId: 's-2', source: 'claude-code' }),
        finishedRecord(1, 'completed', 1.25, { followUpActions: ['git commit'], workflowPhase: null, source: 'ai-sdk' }),
        finishedRecord(2, 'failed', 0, { errorType: 'TypeError', userQuery: null, skillName: 'builder' }),
        finishedRecord(3, 'abandoned', null, { userQuery: 'ünïcödé query ✓' }),
        pendingRecord(4, { id: 'a-plain-id', invokedAt: at(5) }),
      ];

      it('round-trip a store exactly, apart from exportedAt', async () => {
        const source = await fresh();
        await source.applyBatch({ inserts: sample, completions: [completion('inv-000005', true, 9.75)] });
        await source.upsertCatalog([
          { skillName: 'code-reviewer', description: 'Reviews a change' },
          { skillName: 'builder', description: 'Builds the project' },
        ]);
        const exported = await source.exportAll();
        expect(exported).toMatchObject({ format: 'skills-export', version: EXPORT_FORMAT_VERSION });
        expect(exported.invocations.map((r) => r.id)).toEqual(['inv-000001', 'inv-000002', 'inv-000003', 'a-plain-id', 'inv-000005']);
        expect(exported.invocations.map((r) => r.source)).toEqual(['ai-sdk', null, null, null, 'claude-code']);
        expect(exported.catalog.map((c) => c.skillName)).toEqual(['builder', 'code-reviewer']);

        const target = await fresh();
        expect(await target.importAll(JSON.parse(JSON.stringify(exported)) as ExportDocument)).toEqual({ imported: 5, duplicates: 0 });
        const again = await target.exportAll();
        expect({ ...again, exportedAt: exported.exportedAt }).toEqual(exported);
        // Listings read the records another way than exports do: newest first, ties by id descending.
        expect(await target.listInvocations()).toEqual([...exported.invocations].reverse());
        await expectAggregatesMatchRows(target);
        expect(await target.importAll(exported)).toEqual({ imported: 0, duplicates: 5 });
        expect(await target.countInvocations()).toBe(5);
      });

      it('report progress per chunk, inside one transaction, and import nothing when the callback throws', async () => {
        const store = await fresh();
        const invocations = Array.from({ length: 12_000 }, (_, i) => finishedRecord(i, 'completed', 1, { userQuery: `query ${i % 50}` }));
        const doc = (list: InvocationRecord[]): ExportDocument => ({ format: 'skills-export', version: EXPORT_FORMAT_VERSION, exportedAt: at(0), invocations: list, catalog: [] });
        await expect(
          store.importAll(doc(invocations), (done) => {
            if (done > 5000) throw new Error('cancelled');
          }),
        ).rejects.toThrow(/cancelled/);
        expect(await store.countInvocations()).toBe(0);
        const progress: Array<[number, number]> = [];
        expect(await store.importAll(doc(invocations), (done, total) => progress.push([done, total]))).toEqual({ imported: 12_000, duplicates: 0 });
        expect(progress).toEqual([[5000, 12_000], [10_000, 12_000], [12_000, 12_000]]);
        expect(await store.listQueries()).toHaveLength(50);
        const empty: Array<[number, number]> = [];
        await store.importAll(doc([]), (d, t) => empty.push([d, t]));
        expect(empty).toEqual([[0, 0]]);
        await expectAggregatesMatchRows(store);
      });

      it('reject an invalid document, naming the field, and write nothing', async () => {
        const store = await fresh();
        const doc = {
          format: 'skills-export',
          version: 1,
          exportedAt: at(0),
          invocations: [pendingRecord(1), { ...pendingRecord(2), status: 'running' }],
          catalog: [],
        } as unknown as ExportDocument;
        const error = await store.importAll(doc).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).violations[0]?.path).toBe('invocations.1.status');
        await expect(store.importAll({ ...doc, version: EXPORT_FORMAT_VERSION + 1 } as ExportDocument)).rejects.toThrow(`version must be at most ${EXPORT_FORMAT_VERSION}`);
        expect(await store.countInvocations()).toBe(0);
      });
    });

    describeChangeCursor({ fresh, another });
    describeInsights({ fresh, another });

    describe('embeddings and catalog', () => {
      it('store vectors per embedder, read back after an id, replaced, deleted, and skip unknown query ids', async () => {
        const store = await fresh();
        await store.applyBatch({ inserts: [1, 2, 3].map((n) => pendingRecord(n, { userQuery: `q${n}` })) });
        const [q1, q2, q3] = (await store.listQueries()).map((q) => q.id) as [number, number, number];
        const vector = (n: number) => new Uint8Array(new Float32Array([n, n / 2]).buffer);
        await store.putEmbeddings('lexical', new Map([q1, q2, q3, q3 + 1000].map((id) => [id, vector(id)])));
        await store.putEmbeddings('minilm', new Map([[q2, new Uint8Array([9])]]));
        const lexical = await store.getEmbeddings('lexical');
        expect([...lexical.keys()]).toEqual([q1, q2, q3]);
        expect(new Float32Array(lexical.get(q3)!.buffer, lexical.get(q3)!.byteOffset, 2)).toEqual(new Float32Array([q3, q3 / 2]));
        expect([...(await store.getEmbeddings('lexical', q1)).keys()]).toEqual([q2, q3]);
        expect(await store.getEmbeddings('minilm')).toEqual(new Map([[q2, new Uint8Array([9])]]));
        expect(await store.getEmbeddings('unknown')).toEqual(new Map());
        await store.putEmbeddings('minilm', new Map([[q2, new Uint8Array([7, 7])]]));
        expect((await store.getEmbeddings('minilm')).get(q2)).toEqual(new Uint8Array([7, 7]));
        expect(await store.deleteEmbeddings('minilm')).toBe(1);
        expect(await store.getEmbeddings('minilm')).toEqual(new Map());
        expect(await store.deleteEmbeddings()).toBe(3);
        expect(await store.getEmbeddings('lexical')).toEqual(new Map());
      });

      it('adds catalog entries and replaces descriptions, listed by name; rejects an entry without a description', async () => {
        const store = await fresh();
        await store.upsertCatalog([
          { skillName: 'test-runner', description: 'Runs the tests' },
          { skillName: 'builder', description: 'Builds' },
        ]);
        await store.upsertCatalog([{ skillName: ' builder ', description: 'Builds the project  ' }]);
        expect(await store.listCatalog()).toEqual([
          { skillName: 'builder', description: 'Builds the project', project: DEFAULT_PROJECT },
          { skillName: 'test-runner', description: 'Runs the tests', project: DEFAULT_PROJECT },
        ]);
        const error = await store.upsertCatalog([{ skillName: 'x', description: ' ' }]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).violations[0]?.path).toBe('0.description');
        expect(await store.listCatalog()).toHaveLength(2);
      });
    });

    describeModelStateContract(fresh, another);
    describeProjectsContract(fresh, another);

    describe('lifecycle', () => {
      it('closes idempotently, and refuses calls afterwards', async () => {
        const { store } = await openFreshStore();
        await store.close();
        await store.close();
        await expect(store.countInvocations()).rejects.toThrow(/closed/);
        await expect(store.applyBatch({ inserts: [pendingRecord(1)] })).rejects.toThrow(/closed/);
      });
    });
  });
}

interface Opener {
  fresh(): Promise<ContractStore>;
  another(store: ContractStore): Promise<ContractStore>;
}

function describeChangeCursor({ fresh, another }: Opener): void {
  describe('the change cursor (querySkillCountsSince)', () => {
    it('gives every count first, then only the queries new invocations used, and everything again after a prune', async () => {
      const store = await fresh();
      await store.applyBatch({ inserts: [finishedRecord(1, 'completed', 1, { userQuery: 'alpha' }), finishedRecord(2, 'completed', 1, { userQuery: 'beta' })] });
      const first = await store.querySkillCountsSince(null);
      expect(first.complete).toBe(true);
      expect(first.counts).toEqual(await store.listQuerySkillCounts());

      await store.applyBatch({ inserts: [pendingRecord(3, { userQuery: 'alpha', skillName: 'linter' }), pendingRecord(4, { userQuery: 'gamma' })] });
      const second = await store.querySkillCountsSince(first.cursor);
      expect(second.complete).toBe(false);
      const all = await store.listQuerySkillCounts();
      const alpha = all.find((c) => c.skillName === 'linter')!.queryId;
      const gamma = all.at(-1)!.queryId;
      expect([...second.queryIds].sort()).toEqual([alpha, gamma].sort());
      expect(second.counts).toEqual(all.filter((c) => c.queryId === alpha || c.queryId === gamma));

      await store.applyBatch({ completions: [{ id: 'inv-000003', completed: true, completedAt: at(5), durationSeconds: 1 }] });
      const third = await store.querySkillCountsSince(second.cursor);
      expect(third).toMatchObject({ complete: false, queryIds: [], counts: [] });

      await store.prune(at(1.5));
      const fourth = await store.querySkillCountsSince(third.cursor);
      expect(fourth.complete).toBe(true);
      expect(fourth.counts).toEqual(await store.listQuerySkillCounts());
      expect((await store.querySkillCountsSince('not a cursor')).complete).toBe(true);
    });

    it('sees a prune followed by as many new invocations as it deleted', async () => {
      const store = await fresh();
      await store.applyBatch({ inserts: Array.from({ length: 5 }, (_, i) => pendingRecord(10 + i, { userQuery: `late ${i}` })) });
      await store.applyBatch({ inserts: Array.from({ length: 5 }, (_, i) => pendingRecord(i, { userQuery: `early ${i}` })) });
      const follower = new Follower();
      await follower.follow(store);
      await store.prune(at(5));
      await store.applyBatch({ inserts: Array.from({ length: 5 }, (_, i) => pendingRecord(20 + i, { userQuery: `new ${i}` })) });
      expect(await store.countInvocations()).toBe(10);
      await follower.follow(store);
      expect(follower.usage()).toEqual(usage(await store.listQuerySkillCounts()));
    });

    it('keeps a follower exact through random inserts, completions and prunes by two connections', async () => {
      const a = await fresh();
      const b = await another(a);
      const follower = new Follower();
      const rand = seededRandom(17);
      let n = 0;
      for (let step = 0; step < 120; step++) {
        const writer = rand() < 0.5 ? a : b;
        const roll = rand();
        if (roll < 0.7) {
          const inserts = Array.from({ length: 1 + Math.floor(rand() * 5) }, () =>
            pendingRecord(++n, { userQuery: `query ${Math.floor(rand() * 30)}`, skillName: `skill-${Math.floor(rand() * 4)}` }),
          );
          await writer.applyBatch({ inserts });
        } else if (roll < 0.9) {
          await writer.applyBatch({ completions: [{ id: `inv-${String(1 + Math.floor(rand() * n)).padStart(6, '0')}`, completed: rand() < 0.5, completedAt: at(n), durationSeconds: 1 }] });
        } else {
          await writer.prune(at(Math.floor(rand() * n)));
        }
        if (rand() < 0.5) {
          await follower.follow(a);
          expect(follower.usage(), `step ${step}`).toEqual(usage(await a.listQuerySkillCounts()));
          expect(follower.untexted(), `step ${step}`).toEqual([]);
        }
      }
      // Most steps were followed from changes alone.
      expect(follower.completes).toBeLessThan(20);
    });
  });
}

const SKILLS = ['code-reviewer', 'test-runner', 'debugger'];
const STATUSES = ['pending', 'completed', 'failed', 'abandoned'] as const;

/** Random invocations over about ten days; every field the profile reads varies. */
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
      source: rand() < 0.3 ? null : pick(['cli', 'ai-sdk']),
    };
  });
}

/** The counts of `records`, tallied one by one: what the store's SQL must agree with. */
function tally<K>(records: readonly InvocationRecord[], keysOf: (r: InvocationRecord) => readonly K[]): Map<K, number> {
  const counts = new Map<K, number>();
  for (const r of records) for (const k of keysOf(r)) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

function describeInsights({ fresh, another }: Opener): void {
  describe("the dashboard's insights", () => {
    it('activity counts every bucket exactly as the rows do, empty buckets as zeros, ending at the latest invocation', async () => {
      const store = await fresh();
      expect(await store.activity({ bucket: 'day' })).toEqual({ bucket: 'day', points: [] });
      const records = history(600, 1);
      await store.applyBatch({ inserts: records });
      expect(await store.activity({ bucket: 'hour', skillName: 'nobody' })).toEqual({ bucket: 'hour', points: [] });
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

    it("activity counts an invocation at a bucket's first millisecond in that bucket, and one a millisecond earlier in the one before", async () => {
      const store = await fresh();
      // Midnights and hour starts (UTC) of a week, each with the millisecond before it, and the last one's
      // first millisecond after: the edges where rounding of a time to milliseconds would move a row.
      const edges = Array.from({ length: 7 }, (_, day) => Date.UTC(2024, 4, 1 + day, day % 3 === 0 ? 0 : day));
      const times = edges.flatMap((t) => [t - 1, t, t + 1]);
      await store.applyBatch({ inserts: times.map((t, n) => pendingRecord(n, { invokedAt: new Date(t).toISOString() })) });
      for (const bucket of ['hour', 'day'] as const) {
        const width = bucket === 'hour' ? 3_600_000 : 86_400_000;
        const { points } = await store.activity({ bucket });
        for (const p of points) {
          const start = Date.parse(p.start);
          expect(p.invocations, `${bucket} from ${p.start}`).toBe(times.filter((t) => t >= start && t < start + width).length);
        }
        expect(points.reduce((n, p) => n + p.invocations, 0), bucket).toBe(times.filter((t) => t >= Date.parse(points[0]!.start)).length);
      }
    });

    it('skillProfile gives the commonest error types, follow-ups and alternatives, every rank and source, and the latest queries', async () => {
      const store = await fresh();
      expect(await store.skillProfile('test-runner')).toBeNull();
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
      const sources = [...tally(mine, (r) => [r.source ?? null])]
        .map(([source, count]) => ({ source, count }))
        .sort((a, b) => b.count - a.count || (a.source === null ? 1 : b.source === null ? -1 : a.source < b.source ? -1 : 1));
      expect(profile?.sources).toEqual(sources);
      const latest = mine
        .filter((r) => r.userQuery !== null)
        .sort((a, b) => Date.parse(b.invokedAt) - Date.parse(a.invokedAt))
        .slice(0, 50);
      expect(profile?.queries.map((q) => [q.query, q.invokedAt, q.status, q.workflowPhase])).toEqual(
        latest.map((r) => [r.userQuery, r.invokedAt, r.status, r.workflowPhase]),
      );
      await store.prune('2100-01-01T00:00:00.000Z');
      expect(await store.skillProfile('test-runner')).toBeNull();
    });

    it('counts distinct sessions in all and since a time', async () => {
      const store = await fresh();
      const records = history(300, 3);
      await store.applyBatch({ inserts: records });
      expect(await store.sessionCount()).toBe(new Set(records.map((r) => r.sessionId)).size);
      const since = records[200]!.invokedAt;
      const recent = records.filter((r) => Date.parse(r.invokedAt) >= Date.parse(since));
      expect(await store.sessionsSince(since)).toBe(new Set(recent.map((r) => r.sessionId)).size);
    });

    it('revision changes with every invocation write, through this store or another connection, and not on reads or vectors', async () => {
      const store = await fresh();
      const other = await another(store);
      const first = await store.revision();
      await store.skillStats();
      await store.putEmbeddings('lexical', new Map());
      expect(await store.revision()).toBe(first);
      await store.applyBatch({ inserts: [pendingRecord(1)] });
      const second = await store.revision();
      expect(second).not.toBe(first);
      await other.applyBatch({ completions: [{ id: 'inv-000001', completed: true, completedAt: '2024-05-01T13:00:00.000Z', durationSeconds: 2 }] });
      const third = await store.revision();
      expect(third).not.toBe(second);
      await other.markAbandoned({ olderThan: at(100) });
      expect(await store.revision()).toBe(third);
      await other.prune(at(100));
      expect(await store.revision()).not.toBe(third);
    });
  });
}
