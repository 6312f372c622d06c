import { afterEach, describe, expect, it } from 'vitest';
import { completion, pendingRecord } from '@skills/store-contract';
import { openSqliteStore, type SqliteStore } from './index.js';
import { recountAggregates } from './test-support/recount.js';
import { useTempDir } from './test-support/temp-dir.js';

// What every engine must do with a batch is the store contract's (contract.test.ts); this file
// keeps what only SQLite has: the synchronous write and its aggregates as a SQL recount sees them.

const tmp = useTempDir();
let store: SqliteStore;
afterEach(() => store?.close());

describe('applyBatchSync', () => {
  it('completes an invocation inserted earlier in the same batch, and only the first of two completions', async () => {
    store = await openSqliteStore({ path: tmp.path('store.db') });
    const result = store.applyBatchSync({
      inserts: [pendingRecord(1)],
      completions: [completion('inv-000001', true, 1), completion('inv-000001', false, 2)],
    });
    expect(result).toEqual({ inserted: 1, duplicates: 0, completed: 1, alreadyFinished: ['inv-000001'], unknown: [] });
    const { stored, recounted } = recountAggregates(store.location);
    expect(stored).toEqual(recounted);
  });
});
