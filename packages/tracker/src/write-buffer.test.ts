import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchResult, SkillsStore, WriteBatch } from '@skills/protocol';
import { completion, pendingRecord } from '@skills/store-contract';
import { openSqliteStore, type SqliteStore } from '@skills/store-sqlite';
import { waitFor } from '@skills/vitest-config/wait-for';
import { memoryLogger, tempDir } from './test-support/temp.js';
import { WriteBuffer } from './write-buffer.js';

/** One applyBatch call held until the test releases it. */
interface HeldWrite {
  readonly batch: WriteBatch;
  result?: BatchResult;
  released?: boolean;
  /** Applies the batch to the real store now (or fails it with `error`, writing nothing). */
  release(error?: Error): void;
}

/**
 * A real SQLite store whose applyBatch calls wait until the test releases them, in any order: the
 * only way to make a later batch commit before an earlier one on demand, as two PostgreSQL
 * transactions may. `async` hides applyBatchSync, so the buffer treats it as an async engine.
 */
function heldWrites(real: SqliteStore, kind: 'async' | 'sync'): { store: SkillsStore; writes: HeldWrite[] } {
  const writes: HeldWrite[] = [];
  const applyBatch = (batch: WriteBatch) =>
    new Promise<BatchResult>((resolve, reject) => {
      const write: HeldWrite = {
        batch,
        release: (error) => {
          write.released = true;
          if (error) return reject(error);
          real.applyBatch(batch).then((result) => {
            write.result = result;
            resolve(result);
          }, reject);
        },
      };
      writes.push(write);
    });
  const store = new Proxy(real, {
    get(target, prop) {
      if (prop === 'applyBatch') return applyBatch;
      if (prop === 'applyBatchSync' && kind === 'async') return undefined;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store, writes };
}

const OPTIONS = { flushIntervalMs: 60_000, maxBatch: 1_000, maxRetained: 1_000 };
let real: SqliteStore | undefined;
afterEach(async () => {
  await real?.close();
  real = undefined;
});

async function setUp(kind: 'async' | 'sync', options = OPTIONS) {
  real = await openSqliteStore({ path: join(tempDir(), 'skills.db') });
  const { store, writes } = heldWrites(real, kind);
  const logger = memoryLogger();
  return { buffer: new WriteBuffer(store, logger, () => undefined, options), writes, logger, real };
}

/** Flushes, releasing every write in the order it started, until the flush resolved. */
async function drain(buffer: WriteBuffer, writes: HeldWrite[]): Promise<void> {
  let flushed = false;
  void buffer.flush().then(() => (flushed = true));
  await waitFor(
    () => {
      for (const w of writes) if (!w.released) w.release();
      return flushed;
    },
    { what: 'the flush' },
  );
}

describe('write buffer', () => {
  it('keeps two writes in flight on an async store, one on a store that writes synchronously', async () => {
    for (const [kind, inFlight] of [['async', 2], ['sync', 1]] as const) {
      const { buffer, writes } = await setUp(kind);
      buffer.insert(pendingRecord(1));
      const first = buffer.flush();
      buffer.insert(pendingRecord(2));
      const second = buffer.flush();
      expect(writes.length).toBe(inFlight); // writes start synchronously when a slot is free
      writes[0]!.release();
      await waitFor(() => writes.length === 2, { what: 'the second write' });
      writes[1]!.release();
      await Promise.all([first, second]);
      expect(writes.map((w) => w.batch.inserts?.map((r) => r.id))).toEqual([['inv-000001'], ['inv-000002']]);
      await real!.close();
      real = undefined;
    }
  });

  it('holds a completion back while its insert is in flight, even when the later write commits first', async () => {
    const { buffer, writes, real } = await setUp('async');
    buffer.insert(pendingRecord(1));
    const first = buffer.flush();
    buffer.complete(completion('inv-000001', true));
    buffer.insert(pendingRecord(2));
    const second = buffer.flush();
    await waitFor(() => writes.length === 2, { what: 'two writes in flight' });
    expect(writes[1]!.batch.completions).toEqual([]);
    // The later transaction commits first; then the one inserting the record.
    writes[1]!.release();
    writes[0]!.release();
    await first;
    await waitFor(() => writes.length === 3, { what: 'the held completion written' });
    expect(writes[2]!.batch.completions?.map((c) => c.id)).toEqual(['inv-000001']);
    writes[2]!.release();
    await second; // flush() waits for the held completion too
    expect(writes.map((w) => w.result?.unknown)).toEqual([[], [], []]);
    expect(await real.getInvocation('inv-000001')).toMatchObject({ status: 'completed' });
    expect(await real.getInvocation('inv-000002')).toMatchObject({ status: 'pending' });
  });

  it('writes a held completion with its insert again when the write inserting it fails', async () => {
    const { buffer, writes, logger, real } = await setUp('async');
    buffer.insert(pendingRecord(1));
    const first = buffer.flush();
    buffer.complete(completion('inv-000001', false));
    buffer.insert(pendingRecord(2));
    const second = buffer.flush();
    await waitFor(() => writes.length === 2, { what: 'two writes in flight' });
    writes[1]!.release();
    writes[0]!.release(new Error('connection terminated'));
    await first;
    expect(buffer.health).toMatchObject({ failures: 1, dropped: 0, lastError: 'connection terminated' });
    await waitFor(() => writes.length === 3, { what: 'the retry' });
    expect(writes[2]!.batch.inserts?.map((r) => r.id)).toEqual(['inv-000001']);
    expect(writes[2]!.batch.completions?.map((c) => c.id)).toEqual(['inv-000001']);
    writes[2]!.release();
    await second;
    expect(buffer.size).toBe(0);
    expect(await real.countInvocations()).toBe(2);
    expect(await real.getInvocation('inv-000001')).toMatchObject({ status: 'failed' });
    expect(logger.lines.some((l) => l.includes('kept for retry'))).toBe(true);
  });

  it('counts a failed insert in flight again from the moment a write takes it back', async () => {
    // maxBatch 1: the failure's own retry starts at once, while the failed write is settling.
    const { buffer, writes, real } = await setUp('async', { ...OPTIONS, maxBatch: 1 });
    buffer.insert(pendingRecord(1));
    writes[0]!.release(new Error('connection terminated'));
    await waitFor(() => writes.length === 2, { what: 'the retry' });
    expect(writes[1]!.batch.inserts?.map((r) => r.id)).toEqual(['inv-000001']);
    buffer.complete(completion('inv-000001', true));
    await waitFor(() => writes.length === 3, { what: 'the write of the completion' });
    expect(writes[2]!.batch.completions).toEqual([]);
    writes[2]!.release();
    writes[1]!.release();
    await drain(buffer, writes);
    expect(writes.slice(1).map((w) => w.result?.unknown)).not.toContainEqual(['inv-000001']);
    expect(await real.getInvocation('inv-000001')).toMatchObject({ status: 'completed' });
  });
});
