import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { completion, pendingRecord } from '@skills/store-contract';
import { openSqliteStore } from './index.js';
import { recountAggregates } from './test-support/recount.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();

describe('several stores on one file', () => {
  it('write interleaved batches without losing or duplicating anything', async () => {
    const path = tmp.path('shared.db');
    const [a, b] = await Promise.all([openSqliteStore({ path }), openSqliteStore({ path })]);
    const batches = Array.from({ length: 40 }, (_, i) => {
      const writer = i % 2 === 0 ? a : b;
      const records = Array.from({ length: 25 }, (_, j) =>
        pendingRecord(i * 25 + j, { sessionId: `session-${i % 2}`, userQuery: `query ${j % 7}` }),
      );
      // Every batch also completes the previous batch's records, possibly written by the other store.
      const completions = i === 0 ? [] : Array.from({ length: 25 }, (_, j) => completion(pendingRecord((i - 1) * 25 + j).id, j % 3 !== 0));
      return async () => {
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        return writer.applyBatch({ inserts: records, completions });
      };
    });
    const results = await Promise.all(batches.map((run) => run()));
    expect(results.reduce((n, r) => n + r.inserted, 0)).toBe(1000);
    expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(0);

    // Replays through the other store are duplicates.
    const replay = await b.applyBatch({ inserts: [pendingRecord(0), pendingRecord(999)] });
    expect(replay).toMatchObject({ inserted: 0, duplicates: 2 });

    // A completion that overtook its insert is reported unknown; none is lost or counted twice.
    const answered = results.reduce((n, r) => n + r.completed + r.unknown.length + r.alreadyFinished.length, 0);
    expect(answered).toBe(975);
    expect(results.every((r) => r.alreadyFinished.length === 0)).toBe(true);
    expect(await a.countInvocations()).toBe(1000);
    expect(await b.countInvocations({ sessionId: 'session-1' })).toBe(500);
    expect((await a.exportAll()).invocations.map((r) => r.id)).toEqual(
      Array.from({ length: 1000 }, (_, n) => pendingRecord(n).id),
    );
    expect(await a.listQueries()).toHaveLength(7);
    const { stored, recounted } = recountAggregates(path);
    expect(stored).toEqual(recounted);
    await Promise.all([a.close(), b.close()]);
  });

  it('wait for another process that holds the write lock instead of failing', async () => {
    const path = tmp.path('locked.db');
    const store = await openSqliteStore({ path });
    const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3');
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require(${JSON.stringify(betterSqlite3)}))(${JSON.stringify(path)});
         db.exec('BEGIN IMMEDIATE');
         db.prepare("INSERT INTO sessions (name) VALUES ('holder')").run();
         console.log('locked');
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
         db.exec('COMMIT');
         db.close();`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await once(holder.stdout, 'data');
    const result = await store.applyBatch({ inserts: [pendingRecord(1)] });
    expect(result.inserted).toBe(1);
    await once(holder, 'exit');
    await store.close();
    // The batch's session was stored after the holder's commit: it waited for the lock.
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT name FROM sessions ORDER BY id').pluck().all()).toEqual(['holder', 'session-1']);
    db.close();
  });
});
