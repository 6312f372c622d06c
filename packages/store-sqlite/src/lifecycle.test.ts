import { existsSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import Database from 'better-sqlite3';
import { isSyncWritable, StoreError } from '@skills/protocol';
import { describe, expect, it } from 'vitest';
import { asStored, pendingRecord } from '@skills/store-contract';
import { openSqliteStore, SqliteStore } from './index.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();

describe('openSqliteStore', () => {
  it('creates the file and its folders, in WAL mode, and reports an absolute location', async () => {
    const path = tmp.path('nested/deeper/store.db');
    const store = await openSqliteStore({ path: relative(process.cwd(), path) });
    expect(store).toBeInstanceOf(SqliteStore);
    expect(isSyncWritable(store)).toBe(true);
    expect(isAbsolute(store.location)).toBe(true);
    expect(store.location).toBe(path);
    expect(Object.isFrozen(store.options)).toBe(true);
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses a file that is not a database with a StoreError', async () => {
    const path = tmp.path('not-a-db.db');
    writeFileSync(path, 'just some text, long enough to be read as a header by SQLite...'.repeat(20));
    const error = await openSqliteStore({ path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain('not a database');
  });
});

describe('close', () => {
  it('is idempotent, and every later call fails with "store is closed"', async () => {
    const store = await openSqliteStore({ path: tmp.path('closed.db') });
    await store.close();
    await store.close();
    await expect(store.countInvocations()).rejects.toThrow(StoreError);
    await expect(store.listInvocations()).rejects.toThrow(/store is closed/);
    await expect(store.applyBatch({ inserts: [pendingRecord(1)] })).rejects.toThrow(/store is closed/);
    expect(() => store.applyBatchSync({})).toThrow(/store is closed/);
  });
});

describe('readonly', () => {
  it('reads an existing file and refuses every write with a StoreError', async () => {
    const path = tmp.path('readonly.db');
    const writer = await openSqliteStore({ path });
    await writer.applyBatch({ inserts: [pendingRecord(1)] });
    await writer.upsertCatalog([{ skillName: 'code-reviewer', description: 'reviews code' }]);

    const reader = await openSqliteStore({ path, readonly: true });
    expect(await reader.countInvocations()).toBe(1);
    expect(await reader.getInvocation('inv-000001')).toEqual(asStored(pendingRecord(1)));
    expect(await reader.listCatalog()).toHaveLength(1);
    expect((await reader.exportAll()).invocations).toHaveLength(1);

    const writes: Array<() => Promise<unknown>> = [
      () => reader.applyBatch({ inserts: [pendingRecord(2)] }),
      () => reader.markAbandoned({ ids: ['inv-000001'] }),
      () => reader.prune('2100-01-01T00:00:00Z'),
      () => reader.importAll({ format: 'skills-export', version: 1, exportedAt: '2024-01-01T00:00:00Z', invocations: [], catalog: [] }),
      () => reader.putEmbeddings('e', new Map()),
      () => reader.deleteEmbeddings(),
      () => reader.upsertCatalog([]),
    ];
    for (const write of writes) await expect(write()).rejects.toThrow(/store is read-only/);
    expect(await reader.countInvocations()).toBe(1);
    await reader.close();
    await writer.close();

    const afterWriterClosed = await openSqliteStore({ path, readonly: true });
    expect(await afterWriterClosed.countInvocations()).toBe(1);
    await afterWriterClosed.close();
  });

  it('refuses a missing file instead of creating it', async () => {
    const path = tmp.path('missing/store.db');
    await expect(openSqliteStore({ path, readonly: true })).rejects.toThrow(/no store at/);
    expect(existsSync(path)).toBe(false);
  });
});
