import { spawn } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { pendingRecord } from '@skills/store-contract';
import { describePostgres, useDatabases } from '@skills/store-contract/postgres';
import { waitFor } from '@skills/vitest-config/wait-for';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { LISTENER_NAME, PostgresChangeFeed } from './change-feed.js';
import { openPostgresStore, type PostgresStore } from './index.js';

const databases = useDatabases();
const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const closable of opened.splice(0)) await closable.close();
});

async function open(url: string): Promise<PostgresStore> {
  const store = await openPostgresStore({ url, maxConnections: 2 });
  opened.push(store);
  return store;
}

/** A listener that counts its calls. */
function counter(feed: { watchChanges(listener: () => void): () => void }) {
  const seen = { calls: 0 };
  const unsubscribe = feed.watchChanges(() => seen.calls++);
  return { seen, unsubscribe };
}

/** The backends of the database at `url` that listen for changes. */
async function listeners(url: string): Promise<number[]> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const rows = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()', [LISTENER_NAME]);
    return rows.rows.map((r) => r.pid);
  } finally {
    await admin.end();
  }
}

/** Waits for the call a feed makes once its LISTEN is in place, then counts from zero. */
async function listening(seen: { calls: number }): Promise<void> {
  await waitFor(() => seen.calls > 0, { timeoutMs: 5000, what: 'the feed to start listening' });
  seen.calls = 0;
}

describePostgres('change feed', () => {
  it('signals a write committed through another store (another process, as far as PostgreSQL knows)', async () => {
    const url = await databases.create();
    const [writer, reader] = [await open(url), await open(url)];
    const { seen } = counter(reader);
    await listening(seen);
    await writer.applyBatch({ inserts: [pendingRecord(1)] });
    await waitFor(() => seen.calls > 0, { timeoutMs: 5000, what: 'the write to be signalled' });
    seen.calls = 0;
    await writer.upsertCatalog([{ skillName: 'code-reviewer', description: 'Reviews changes' }]);
    await waitFor(() => seen.calls > 0, { timeoutMs: 5000, what: 'the catalog write to be signalled' });
  });

  it('stops calling a listener once it unsubscribed, and closes the LISTEN connection with the last one', async () => {
    const url = await databases.create();
    const [writer, reader] = [await open(url), await open(url)];
    const gone = counter(reader);
    const witness = counter(reader);
    await listening(gone.seen);
    await listening(witness.seen);
    expect(await listeners(url)).toHaveLength(1);
    gone.unsubscribe();
    gone.unsubscribe();
    await writer.applyBatch({ inserts: [pendingRecord(1)] });
    // One notice calls every listener in the same turn: once the witness heard it, the other would have.
    await waitFor(() => witness.seen.calls > 0, { timeoutMs: 5000, what: 'the witness to hear the write' });
    expect(gone.seen.calls).toBe(0);
    witness.unsubscribe();
    await waitFor(async () => (await listeners(url)).length === 0, { timeoutMs: 5000, what: 'the LISTEN connection to close' });
  });

  it('close() ends every subscription and releases the LISTEN connection', async () => {
    const url = await databases.create();
    const store = await open(url);
    const { seen } = counter(store);
    await listening(seen);
    expect(await listeners(url)).toHaveLength(1);
    await store.close();
    await waitFor(async () => (await listeners(url)).length === 0, { timeoutMs: 5000, what: 'the LISTEN connection to close' });
    expect(() => store.watchChanges(() => {})).toThrow(/store is closed: cannot watchChanges/);
  });

  it('reconnects after its backend is killed, signals (changes may have been missed), and hears writes again', async () => {
    const url = await databases.create();
    const [writer, reader] = [await open(url), await open(url)];
    const { seen } = counter(reader);
    await listening(seen);
    const [pid] = await listeners(url);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
    await waitFor(async () => seen.calls > 0 && (await listeners(url)).some((p) => p !== pid), { timeoutMs: 5000, what: 'a new LISTEN connection' });
    seen.calls = 0;
    await writer.applyBatch({ inserts: [pendingRecord(1)] });
    await waitFor(() => seen.calls > 0, { timeoutMs: 5000, what: 'the write to be signalled after reconnecting' });
  });

  it('keeps retrying while the server is unreachable, and signals once it listens again', async () => {
    const url = await databases.create();
    const writer = await open(url);
    // A real TCP proxy stands in for the server: stopping it refuses and drops connections as a
    // restarting server does, without restarting the cluster the other test files share.
    const proxy = await TcpProxy.start(new URL(url));
    opened.push(proxy);
    const feed = new PostgresChangeFeed(proxy.url(url));
    opened.push(feed);
    const { seen } = counter({ watchChanges: (l) => feed.watch(l) });
    await listening(seen);
    proxy.down();
    // Refused connections are retried with a growing wait; the signal comes once one succeeds.
    await waitFor(() => proxy.refused > 1, { timeoutMs: 5000, what: 'refused reconnection attempts' });
    expect(seen.calls).toBe(0);
    proxy.resume();
    await listening(seen);
    await writer.applyBatch({ inserts: [pendingRecord(1)] });
    await waitFor(() => seen.calls > 0, { timeoutMs: 5000, what: 'the write to be signalled through the proxy' });
  });
});

/**
 * Forwards TCP connections to a PostgreSQL server. While down, it drops every connection and
 * resets new ones at once, as a server that is restarting does.
 */
class TcpProxy {
  /** Connections reset while down. */
  refused = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #down = false;

  private constructor(target: URL) {
    this.#server = createServer((client) => {
      if (this.#down) {
        this.refused++;
        return client.resetAndDestroy();
      }
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('error', () => s.destroy());
        s.on('close', () => {
          this.#sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
  }

  static async start(target: URL): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** `url` pointed at the proxy. */
  url(url: string): string {
    const via = new URL(url);
    via.hostname = '127.0.0.1';
    via.port = String((this.#server.address() as AddressInfo).port);
    return via.href;
  }

  /** Drops every connection and resets new ones until {@link resume}. */
  down(): void {
    this.#down = true;
    for (const s of this.#sockets) s.destroy();
  }

  resume(): void {
    this.#down = false;
  }

  async close(): Promise<void> {
    this.down();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

describePostgres('change feed in a host process', () => {
  it('does not keep a process alive: one that listens and never closes its store exits when its work is done', async () => {
    const url = await databases.create();
    const script = `
      import { openPostgresStore } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      const store = await openPostgresStore({ url: process.argv[1] });
      await store.applyBatch({ inserts: [JSON.parse(process.argv[2])] });
      // Wait until the LISTEN is in place (the feed signals then), and end without close().
      await new Promise((resolve) => store.watchChanges(resolve));`;
    // Under pg's 10 s idle timeout: an idle pooled connection that held the process would fail it.
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, '--', url, JSON.stringify(pendingRecord(1))], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 9_000,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    expect({ ...exit, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
  });
});
