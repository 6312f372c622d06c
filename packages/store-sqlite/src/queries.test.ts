import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { pendingRecord } from '@skills/store-contract';
import { openSqliteStore, type SqliteStore } from './index.js';
import { useTempDir } from './test-support/temp-dir.js';

// Embeddings and the catalog are checked by the store contract (contract.test.ts); listing queries
// after an id is not.

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

  it('are keyed by the first 16 bytes of the normalised text\'s SHA-256, as files made earlier are', async () => {
    const path = tmp.path('keys.db');
    store = await openSqliteStore({ path });
    await store.applyBatch({ inserts: [pendingRecord(1, { userQuery: '  fix\n the   build ' })] });
    await store.close();
    const db = new Database(path, { readonly: true });
    const row = db.prepare('SELECT hash, text FROM queries').get() as { hash: Buffer; text: string };
    db.close();
    expect(row.text).toBe('fix the build');
    expect(row.hash).toEqual(createHash('sha256').update('fix the build').digest().subarray(0, 16));
  });
});
