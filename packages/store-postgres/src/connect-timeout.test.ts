import { createServer, type Socket } from 'node:net';
import { StoreError } from '@skills/protocol';
import { describePostgres, useDatabases } from '@skills/store-contract/postgres';
import { afterEach, expect, it } from 'vitest';
import { openPostgresStore } from './index.js';
import { connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_SECONDS } from './pool.js';

const databases = useDatabases();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/**
 * A peer that accepts TCP connections and never says a word: what a stopped or wedged server (or
 * a network that drops its answers) looks like to a client. A real socket, not a mock: a hung
 * PostgreSQL cannot be had on purpose without stopping the test cluster for every other test.
 */
async function silentServer(): Promise<number> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as { port: number }).port;
}

/** Settles with `promise`, or rejects once `ms` have passed: a hang fails the test instead of stalling it. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms)));
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

it("a server that never answers fails the store's opening after connect_timeout, without the password", async () => {
  const port = await silentServer();
  // Before the pool had a connection timeout, this waited forever.
  const error = await within(openPostgresStore({ url: `postgres://skills:PASSWORD-9z@127.0.0.1:${port}/skills?connect_timeout=1` }), 10_000).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StoreError);
  expect((error as Error).message).toMatch(/^opening postgres:\/\/skills@127\.0\.0\.1:\d+\/skills\?connect_timeout=1 failed: .*timeout/i);
  expect((error as Error).message).not.toContain('PASSWORD-9z');
});

it('connect_timeout is read in seconds (0: wait forever), defaults to 30 s, and must be a whole number', () => {
  expect(connectTimeoutMs('postgres://h/db')).toBe(DEFAULT_CONNECT_TIMEOUT_SECONDS * 1000);
  expect(connectTimeoutMs('postgres://h/db?connect_timeout=5')).toBe(5000);
  expect(connectTimeoutMs('postgres://h/db?connect_timeout=0')).toBe(0);
  expect(() => connectTimeoutMs('postgres://h/db?connect_timeout=soon')).toThrow('connect_timeout must be a whole number of seconds (0: wait forever), not "soon"');
});

describePostgres('connect_timeout on a real server', () => {
  it('a URL with connect_timeout opens and works as one without', async () => {
    const url = new URL(await databases.create());
    url.searchParams.set('connect_timeout', '5');
    const store = await openPostgresStore({ url: url.href });
    try {
      expect(await store.countInvocations()).toBe(0);
    } finally {
      await store.close();
    }
  });
});
