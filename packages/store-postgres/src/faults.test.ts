import { StoreError } from '@skills/protocol';
import { completion, pendingRecord, recount } from '@skills/store-contract';
import { waitFor } from '@skills/vitest-config/wait-for';
import pg from 'pg';
import { expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from './index.js';
import { describePostgres, useDatabases } from '@skills/store-contract/postgres';

const databases = useDatabases();

/** A second connection that holds row locks, to stop a store's transaction at a known point. */
async function withBlocker<T>(url: string, fn: (blocker: pg.Client) => Promise<T>): Promise<T> {
  const blocker = new pg.Client({ connectionString: url });
  await blocker.connect();
  try {
    return await fn(blocker);
  } finally {
    await blocker.end();
  }
}

/** The backend of `store`'s transaction once it waits for a lock `blocker` holds. */
async function waitingBackend(blocker: pg.Client): Promise<number> {
  return waitFor(
    async () =>
      (await blocker.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`)).rows[0]?.pid,
    { what: "the store's transaction to wait for the held row" },
  );
}

async function expectExact(store: PostgresStore): Promise<void> {
  const { stored, recounted } = await recount(store);
  expect(stored).toEqual(recounted);
}

describePostgres('faults', () => {
  it('a connection killed mid-batch writes nothing; the replay writes everything once, on a new connection', async () => {
    const url = await databases.create();
    const store = await openPostgresStore({ url });
    try {
      await store.applyBatch({ inserts: [pendingRecord(0)] });
      const batch = { inserts: [1, 2, 3].map((n) => pendingRecord(n, { userQuery: `query ${n}` })), completions: [completion('inv-000000', true, 2)] };
      await withBlocker(url, async (blocker) => {
        await blocker.query('BEGIN');
        await blocker.query(`SELECT 1 FROM invocations WHERE id = 'inv-000000' FOR UPDATE`);
        const killed = store.applyBatch(batch).catch((e: unknown) => e);
        // The batch has inserted its rows and waits to complete inv-000000: its connection dies there.
        await blocker.query('SELECT pg_terminate_backend($1)', [await waitingBackend(blocker)]);
        const error = await killed;
        expect(error).toBeInstanceOf(StoreError);
        expect((error as Error).message).toMatch(/^applyBatch failed: /);
        expect((error as Error).message).not.toContain(new URL(url).password);
        await blocker.query('COMMIT');
      });
      expect(await store.countInvocations()).toBe(1);
      // A tracker replays a batch it got no answer for: nothing is written twice.
      expect(await store.applyBatch(batch)).toMatchObject({ inserted: 3, duplicates: 0, completed: 1 });
      expect(await store.applyBatch(batch)).toMatchObject({ inserted: 0, duplicates: 3, completed: 0, alreadyFinished: ['inv-000000'] });
      await expectExact(store);
    } finally {
      await store.close();
    }
  });

  it('a transaction PostgreSQL aborts for a deadlock is run again', async () => {
    const url = await databases.create();
    const store = await openPostgresStore({ url });
    try {
      await store.applyBatch({ inserts: [pendingRecord(1), pendingRecord(2)] });
      await withBlocker(url, async (blocker) => {
        await blocker.query('BEGIN');
        await blocker.query(`SELECT 1 FROM invocations WHERE id = 'inv-000002' FOR UPDATE`);
        let settled = false;
        const done = store.applyBatch({ completions: [completion('inv-000001', true), completion('inv-000002', false)] }).finally(() => (settled = true));
        await waitingBackend(blocker);
        // The store holds inv-000001 and waits for inv-000002; taking inv-000001 closes the cycle.
        // The store waited first, so its deadlock check fires first and aborts its transaction:
        // only then can the blocker have inv-000001, with the batch still unanswered.
        await blocker.query(`SELECT 1 FROM invocations WHERE id = 'inv-000001' FOR UPDATE`);
        expect(settled).toBe(false);
        await blocker.query('COMMIT');
        expect(await done).toMatchObject({ completed: 2, alreadyFinished: [], unknown: [] });
      });
      await expectExact(store);
    } finally {
      await store.close();
    }
  });
});
