import { ValidationError } from '@skills/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from './index.js';
import { pendingRecord } from './test-support/records.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();
let store: SqliteStore;
afterEach(() => store?.close());
const open = async () => (store = await openSqliteStore({ path: tmp.path('store.db') }));

describe('queries', () => {
  it('list by id above a given one, with per-skill counts', async () => {
    await open();
    await store.applyBatch({
      inserts: [
        pendingRecord(1, { userQuery: 'one' }),
        pendingRecord(2, { userQuery: 'two' }),
        pendingRecord(3, { userQuery: 'three', skillName: 'zeta' }),
        pendingRecord(4, { userQuery: 'three', skillName: 'alpha' }),
      ],
      completions: [{ id: 'inv-000003', completed: false, completedAt: '2024-05-02T00:00:00Z', durationSeconds: 1 }],
    });
    expect(await store.listQueries()).toEqual([
      { id: 1, text: 'one' },
      { id: 2, text: 'two' },
      { id: 3, text: 'three' },
    ]);
    expect(await store.listQueries(2)).toEqual([{ id: 3, text: 'three' }]);
    expect(await store.listQuerySkillCounts(2)).toEqual([
      { queryId: 3, skillName: 'alpha', invocations: 1, completed: 0, failed: 0 },
      { queryId: 3, skillName: 'zeta', invocations: 1, completed: 0, failed: 1 },
    ]);
  });
});

describe('embeddings', () => {
  it('are stored per embedder, read back after an id, replaced and deleted', async () => {
    await open();
    await store.applyBatch({ inserts: [1, 2, 3].map((n) => pendingRecord(n, { userQuery: `q${n}` })) });
    const vector = (n: number) => new Uint8Array(new Float32Array([n, n / 2]).buffer);
    await store.putEmbeddings('lexical', new Map([1, 2, 3].map((id) => [id, vector(id)])));
    await store.putEmbeddings('minilm', new Map([[2, new Uint8Array([9])]]));

    const lexical = await store.getEmbeddings('lexical');
    expect([...lexical.keys()]).toEqual([1, 2, 3]);
    expect(new Float32Array(lexical.get(3)!.slice().buffer)).toEqual(new Float32Array([3, 1.5]));
    expect([...(await store.getEmbeddings('lexical', 1)).keys()]).toEqual([2, 3]);
    expect(await store.getEmbeddings('minilm')).toEqual(new Map([[2, new Uint8Array([9])]]));
    expect(await store.getEmbeddings('unknown')).toEqual(new Map());

    await store.putEmbeddings('minilm', new Map([[2, new Uint8Array([7, 7])]]));
    expect((await store.getEmbeddings('minilm')).get(2)).toEqual(new Uint8Array([7, 7]));

    expect(await store.deleteEmbeddings('minilm')).toBe(1);
    expect(await store.getEmbeddings('minilm')).toEqual(new Map());
    expect(await store.deleteEmbeddings()).toBe(3);
    expect(await store.getEmbeddings('lexical')).toEqual(new Map());
  });

  it('skip query ids that are not stored', async () => {
    await open();
    await store.applyBatch({ inserts: [pendingRecord(1)] });
    await store.putEmbeddings('lexical', new Map([[1, new Uint8Array([1])], [42, new Uint8Array([2])]]));
    expect([...(await store.getEmbeddings('lexical')).keys()]).toEqual([1]);
  });
});

describe('catalog', () => {
  it('adds entries and replaces descriptions, listed by name', async () => {
    await open();
    await store.upsertCatalog([
      { skillName: 'test-runner', description: 'Runs the tests' },
      { skillName: 'builder', description: 'Builds' },
    ]);
    await store.upsertCatalog([{ skillName: ' builder ', description: 'Builds the project  ' }]);
    expect(await store.listCatalog()).toEqual([
      { skillName: 'builder', description: 'Builds the project' },
      { skillName: 'test-runner', description: 'Runs the tests' },
    ]);
  });

  it('rejects an entry without a description', async () => {
    await open();
    const error = await store.upsertCatalog([{ skillName: 'x', description: ' ' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).violations[0]?.path).toBe('0.description');
    expect(await store.listCatalog()).toEqual([]);
  });
});
