import { StoreError } from '@skills/protocol';
import { pendingRecord } from '@skills/store-contract';
import { describePostgres, useDatabases } from '@skills/store-contract/postgres';
import { waitFor } from '@skills/vitest-config/wait-for';
import { expect, it } from 'vitest';
import { openPostgresStore } from './index.js';

const databases = useDatabases();

describePostgres('a database that refuses writes', () => {
  it('still opens when its schema is up to date, serves reads, and refuses writes with a StoreError', async () => {
    const url = await databases.create();
    const writer = await openPostgresStore({ url });
    await writer.applyBatch({ inserts: [pendingRecord(1)] });
    await writer.close();
    await databases.setReadOnly(url, true);
    try {
      // Before: opening ran CREATE TABLE IF NOT EXISTS, which a read-only transaction refuses (25006).
      const store = await openPostgresStore({ url });
      try {
        expect(await store.countInvocations()).toBe(1);
        const error = await store.applyBatch({ inserts: [pendingRecord(2)] }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreError);
        expect((error as Error).message).toMatch(/^applyBatch failed: .*read-only transaction \(SQLSTATE 25006\)/);
        await expect(store.probeWrites()).rejects.toThrow(/^probeWrites failed: .*read-only transaction \(SQLSTATE 25006\)/);
        await databases.setReadOnly(url, false);
        // Switching ends every session: a pooled connection may still meet its own end first.
        await waitFor(() => store.probeWrites().then(() => true, () => false), { what: 'the store to accept writes again' });
        expect(await store.countInvocations()).toBe(1);
      } finally {
        await store.close();
      }
    } finally {
      await databases.setReadOnly(url, false);
    }
  });

  it('a database with no schema yet, refusing writes, fails to open naming the cause', async () => {
    const url = await databases.create();
    await databases.setReadOnly(url, true);
    const error = await openPostgresStore({ url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/^opening postgres:\/\/.* failed: .*read-only transaction \(SQLSTATE 25006\)/);
    expect((error as Error).message).not.toContain(new URL(url).password);
  });
});
