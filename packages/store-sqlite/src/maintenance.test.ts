import { chmodSync, closeSync, openSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { isMaintainable } from '@skills/protocol';
import { describe, expect, it } from 'vitest';
import { pendingRecord } from '@skills/store-contract';
import { openSqliteStore } from './index.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();

describe('maintenance', () => {
  it('checkpoint() empties the WAL into the main file, so the file alone is a complete copy', async () => {
    const path = tmp.path('store.db');
    const store = await openSqliteStore({ path });
    expect(isMaintainable(store)).toBe(true);
    await store.applyBatch({ inserts: Array.from({ length: 200 }, (_, i) => pendingRecord(i)) });
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
    await store.checkpoint();
    expect(statSync(`${path}-wal`).size).toBe(0);
    await store.close();
  });

  it('integrityCheck() finds nothing in a sound file and reports a damaged one', async () => {
    const path = tmp.path('store.db');
    const store = await openSqliteStore({ path });
    await store.applyBatch({ inserts: Array.from({ length: 2_000 }, (_, i) => pendingRecord(i)) });
    expect(await store.integrityCheck()).toEqual([]);
    await store.checkpoint();
    await store.close();

    // Overwrite the middle of the file (index and table pages), past the header and schema.
    const fd = openSync(path, 'r+');
    const size = statSync(path).size;
    writeSync(fd, Buffer.alloc(8_192, 0x5a), 0, 8_192, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    const damaged = await openSqliteStore({ path, readonly: true });
    await expect(damaged.integrityCheck().then((problems) => problems.length)).resolves.toBeGreaterThan(0);
    await damaged.close();
  });
});

describe('file modes', () => {
  it('creates the folder 0700 and the database and its WAL 0600; existing modes are kept', async () => {
    const path = tmp.path('private/store.db');
    const store = await openSqliteStore({ path });
    await store.applyBatch({ inserts: [pendingRecord(1)] });
    const mode = (p: string) => statSync(p).mode & 0o777;
    expect(mode(dirname(path))).toBe(0o700);
    expect(mode(path)).toBe(0o600);
    expect(mode(`${path}-wal`)).toBe(0o600);
    await store.close();

    chmodSync(path, 0o640);
    await (await openSqliteStore({ path })).close();
    expect(mode(path)).toBe(0o640);
  });
});
