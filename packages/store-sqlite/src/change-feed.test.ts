import { spawn } from 'node:child_process';
import { pendingRecord } from '@skills/store-contract';
import { waitFor } from '@skills/vitest-config/wait-for';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from './index.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();
const DIST = new URL('../dist/index.js', import.meta.url).href;
const opened: SqliteStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

async function open(path: string): Promise<SqliteStore> {
  const store = await openSqliteStore({ path });
  opened.push(store);
  return store;
}

/** A listener that counts its calls. */
function counter(store: SqliteStore) {
  const seen = { calls: 0 };
  const unsubscribe = store.watchChanges(() => seen.calls++);
  return { seen, unsubscribe };
}

/**
 * Runs an ES module script that may import `openSqliteStore` from the built package; resolves with
 * its exit code and error output. Killed after 5 s: a process that does not end is a failure.
 */
function node(script: string, args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', `import { openSqliteStore } from ${JSON.stringify(DIST)};\n${script}`, '--', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 5000,
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

describe('change feed', () => {
  it('signals a write another process commits to the file', async () => {
    const path = tmp.path('other-process.db');
    const store = await open(path);
    const { seen } = counter(store);
    const record = JSON.stringify(pendingRecord(1));
    const writer = await node(
      `const store = await openSqliteStore({ path: process.argv[1] });
       await store.applyBatch({ inserts: [JSON.parse(process.argv[2])] });
       await store.close();`,
      [path, record],
    );
    expect(writer).toEqual({ code: 0, stderr: '' });
    await waitFor(() => seen.calls > 0, { timeoutMs: 5000, what: "the other process's write to be signalled" });
    expect(await store.countInvocations()).toBe(1);
  });

  it('signals writes through this store and through another connection in this process', async () => {
    const path = tmp.path('same-process.db');
    const [store, other] = [await open(path), await open(path)];
    const { seen } = counter(store);
    await store.applyBatch({ inserts: [pendingRecord(1)] });
    await waitFor(() => seen.calls > 0, { timeoutMs: 5000, what: 'its own write to be signalled' });
    seen.calls = 0;
    await other.upsertCatalog([{ skillName: 'code-reviewer', description: 'Reviews changes' }]);
    await waitFor(() => seen.calls > 0, { timeoutMs: 5000, what: "another connection's write to be signalled" });
  });

  it('stops calling a listener once it unsubscribed; close() ends every subscription', async () => {
    const path = tmp.path('unsubscribe.db');
    const [store, other] = [await open(path), await open(path)];
    const gone = counter(store);
    const witness = counter(store);
    gone.unsubscribe();
    await other.applyBatch({ inserts: [pendingRecord(1)] });
    // One poll calls every listener in the same turn: once the witness heard it, the other would have.
    await waitFor(() => witness.seen.calls > 0, { timeoutMs: 5000, what: 'the witness to hear the write' });
    expect(gone.seen.calls).toBe(0);
    await store.close();
    expect(() => store.watchChanges(() => {})).toThrow(/store is closed: cannot watchChanges/);
  });

  it('never keeps a process alive: one that listens and never unsubscribes still exits', async () => {
    const path = tmp.path('exits.db');
    await (await open(path)).close();
    const listener = await node(
      `const store = await openSqliteStore({ path: process.argv[1] });
       store.watchChanges(() => {});`,
      [path],
    );
    expect(listener).toEqual({ code: 0, stderr: '' });
  });
});
