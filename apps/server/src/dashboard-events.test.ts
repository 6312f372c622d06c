import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@skills/protocol';
import { pendingRecord } from '@skills/store-contract';
import { openSqliteStore, type SqliteStore } from '@skills/store-sqlite';
import { ChangeEvents } from './dashboard/events.js';
import { changeStream } from './test-support/change-events.js';
import { tempDir } from './test-support/harness.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(path: string): Promise<SqliteStore> {
  const store = await openSqliteStore({ path });
  cleanups.push(() => store.close());
  return store;
}

/** Serves `events` on a loopback port; its URL. */
async function serve(events: ChangeEvents): Promise<string> {
  const server: Server = createServer((req, res) => void events.listen(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  cleanups.push(() => events.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('dashboard events with the store change feed', () => {
  it('announce a write by another connection when the feed signals it, not at the next poll', async () => {
    const path = join(tempDir(), 'events.db');
    const [store, other] = [await open(path), await open(path)];
    // A poll an hour apart: only the feed can bring the event within the test's time.
    const events = new ChangeEvents(() => store.revision(), silentLogger, { changes: store, pollMs: 3_600_000 });
    const changes = changeStream(await fetch(await serve(events)));
    cleanups.push(() => changes.cancel());
    const first = await changes.next();
    await other.applyBatch({ inserts: [pendingRecord(1)] });
    expect(await changes.next(5_000)).not.toBe(first);
  });
});
