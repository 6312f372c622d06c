import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { McpUnavailableError, SkillsMcpClient } from '@skills/mcp-client';
import { silentLogger, type InvocationCompleter, type InvocationRecord, type SkillsTracker } from '@skills/protocol';
import { createSkillsTracker, McpTracker, SkillsService, syncSpool, type CreateSkillsTrackerOptions } from '@skills/tracker';
import { startSkillsServer, type RunningSkillsServer } from './server.js';
import { eventually, freePort, SlowProxy, spawnServer, tempDir, testSettings, type ServerProcess } from './test-support/harness.js';

/*
 * The `mcp` and `auto` backends of @skills/tracker against the real server: absent, killed and
 * restarted, slow. Counts are taken from the databases themselves.
 */

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

function trackerOptions(dir: string, url: string, extra: Partial<CreateSkillsTrackerOptions> = {}): CreateSkillsTrackerOptions {
  return {
    cwd: dir,
    env: {},
    logger: silentLogger,
    dbPath: join(dir, 'local.db'),
    embedder: 'lexical',
    minSimilarity: 0,
    mcpServerUrl: url,
    mcpTimeoutMs: 1_000,
    ...extra,
    mcp: { reconnectIntervalMs: 100, reprobeIntervalMs: 100, ...extra.mcp },
  };
}

async function open(dir: string, url: string, extra: Partial<CreateSkillsTrackerOptions> = {}): Promise<SkillsTracker> {
  const tracker = await createSkillsTracker(trackerOptions(dir, url, extra));
  cleanups.push(() => tracker.close());
  return tracker;
}

/** Every record of a SQLite file (the server's database, or a spool). */
async function recordsOf(path: string): Promise<InvocationRecord[]> {
  const service = await SkillsService.open({ settings: testSettings('', { dbPath: path }), logger: silentLogger });
  try {
    return await service.store.listInvocations(undefined, { limit: 1_000_000 });
  } finally {
    await service.close();
  }
}

async function inProcessServer(dir: string, port = 0): Promise<RunningSkillsServer> {
  const server = await startSkillsServer({ settings: testSettings(dir), host: '127.0.0.1', port, logger: silentLogger });
  cleanups.push(() => server.close());
  return server;
}

describe('@skills/mcp-client', () => {
  it('keeps working across a server restart: fails fast while it is down, then opens a new session (404) by itself', async () => {
    const dir = tempDir();
    const port = await freePort();
    let server = await inProcessServer(dir, port);
    const client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 2_000 });
    cleanups.push(() => client.close());
    await client.trackInvocation({ session_id: 'restart', skill_name: 'before' });
    const session = client.sessionId;

    await server.close();
    const down = await client.trackInvocation({ session_id: 'restart', skill_name: 'while-down' }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(McpUnavailableError);
    // The pooled keep-alive connection was closed under it, or a new one is refused.
    expect((down as McpUnavailableError).reason).toMatch(/^connection (closed|refused)/);

    server = await inProcessServer(dir, port);
    await client.trackInvocation({ session_id: 'restart', skill_name: 'after' });
    expect(client.sessionId).not.toBe(session);
    expect((await client.skillStats()).map((s) => s.skillName).sort()).toEqual(['after', 'before']);
  });
});

describe('auto backend', () => {
  it('tracks directly when no server answers at start, and switches once one does', async () => {
    const dir = tempDir();
    const port = await freePort();
    const tracker = await open(dir, `http://127.0.0.1:${port}`, { backend: 'auto' });
    expect(tracker.getBackend()).toEqual({ kind: 'direct', requested: 'auto' });
    const early = Array.from({ length: 5 }, () => tracker.trackInvocation({ skillName: 'early', userQuery: 'before the server' })!);
    early.forEach((done) => done({ completed: true }));
    await tracker.flush();

    const server = await inProcessServer(dir, port);
    await eventually(() => tracker.getBackend().kind === 'mcp', 10_000, 'the switch to the server');
    expect(tracker.getBackend()).toEqual({ kind: 'mcp', requested: 'auto' });
    for (let i = 0; i < 3; i++) tracker.trackInvocation({ skillName: 'late' })!({ completed: true });
    await tracker.flush();

    expect((await server.app.service.store.listInvocations()).map((r) => r.skillName)).toEqual(['late', 'late', 'late']);
    await tracker.close();
    expect((await recordsOf(join(dir, 'local.db'))).map((r) => r.skillName)).toEqual(Array(5).fill('early'));
  });
});

describe('mcp backend', () => {
  it('returns recommendations in the same shape as the direct backend', async () => {
    const dir = tempDir();
    const server = await inProcessServer(dir);
    const tracker = await open(dir, server.url, { backend: 'mcp' });
    expect(tracker.getBackend()).toEqual({ kind: 'mcp', requested: 'mcp' });
    for (const [skill, query] of [
      ['sql-expert', 'optimise the slow SQL query'],
      ['sql-expert', 'add an index to speed up this SQL query'],
      ['test-runner', 'run the unit tests'],
    ] as const) {
      tracker.trackInvocation({ skillName: skill, userQuery: query })!({ completed: true });
    }
    await tracker.flush();
    const query = { userQuery: 'my SQL query is slow', limit: 2 };
    const viaMcp = await tracker.getRecommendations(query);
    expect(viaMcp.length).toBeGreaterThan(0);
    expect(viaMcp).toEqual(await server.app.service.recommend(query));
  });

  it('loses and duplicates nothing when the server is killed mid-run and restarted', async () => {
    const dir = tempDir();
    const port = await freePort();
    const serverDb = join(dir, 'server.db');
    const env = { SKILLS_EMBEDDER: 'lexical' };
    const args = ['--port', String(port), '--db', serverDb];
    let server: ServerProcess = await spawnServer(args, env);
    cleanups.push(() => server.stop('SIGKILL'));
    const tracker = await open(dir, server.url, { backend: 'mcp' });

    const completers: InvocationCompleter[] = [];
    for (let i = 0; i < 200; i++) completers.push(tracker.trackInvocation({ skillName: `skill-${i % 5}`, userQuery: `task ${i}` })!);
    completers.slice(0, 100).forEach((done) => done({ completed: true }));
    await tracker.flush();

    // Killed while invocations keep coming and finishing.
    for (let i = 0; i < 150; i++) {
      if (i === 40) await server.stop('SIGKILL');
      completers.push(tracker.trackInvocation({ skillName: 'during', userQuery: `task during ${i}` })!);
      if (i % 3 === 0) completers[100 + i]!({ completed: i % 2 === 0 });
      await new Promise((r) => setTimeout(r, 1));
    }
    await tracker.flush();
    expect(tracker.getBackend()).toMatchObject({ kind: 'direct', requested: 'mcp', fallback: { from: 'mcp', reason: expect.any(String) } });

    // Across both stores, every invocation is somewhere, once per store.
    const onServer = await recordsOf(serverDb);
    const spoolDir = join(dir, 'spool');
    const spooled = (await Promise.all(readdirSync(spoolDir).filter((f) => f.endsWith('.db')).map((f) => recordsOf(join(spoolDir, f))))).flat();
    const ids = new Set([...onServer, ...spooled].map((r) => r.id));
    expect(ids.size).toBe(350);
    expect(new Set(onServer.map((r) => r.id)).size).toBe(onServer.length);
    expect(new Set(spooled.map((r) => r.id)).size).toBe(spooled.length);
    // `skills sync` leaves a running tracker's spool alone.
    const syncOptions = { cwd: dir, env: {}, logger: silentLogger, dbPath: join(dir, 'local.db'), mcpServerUrl: server.url };
    expect(await syncSpool(syncOptions)).toEqual({ replayed: 0, duplicates: 0, remaining: spooled.length });

    server = await spawnServer(args, env);
    await eventually(() => tracker.getBackend().kind === 'mcp', 10_000, 'the reconnection');
    completers.slice(340).forEach((done) => done({ completed: true }));
    await tracker.close();
    const sync = await syncSpool(syncOptions);
    expect(sync.remaining).toBe(0);
    expect((tracker as McpTracker).replayed.replayed).toBeGreaterThan(0);
    await server.stop('SIGTERM');

    const final = await recordsOf(serverDb);
    expect(final).toHaveLength(350);
    expect(new Set(final.map((r) => r.id))).toEqual(ids);
    const byId = new Map(final.map((r) => [r.id, r]));
    const status = (i: number) => byId.get(completers[i]!.invocationId)!.status;
    expect([...Array(100).keys()].every((i) => status(i) === 'completed')).toBe(true);
    for (let i = 0; i < 150; i += 3) expect(status(100 + i)).toBe(i % 2 === 0 ? 'completed' : 'failed');
    expect([...Array(10).keys()].every((i) => status(340 + i) === 'completed')).toBe(true);
    expect(readdirSync(spoolDir).filter((f) => f.endsWith('.db'))).toEqual([]);
  });

  it('never blocks the caller on a slow server, and falls back once calls take longer than mcpTimeoutMs', async () => {
    const dir = tempDir();
    const server = await inProcessServer(dir);
    const proxy = await SlowProxy.start(server.url);
    cleanups.push(() => proxy.stop());
    const tracker = await open(dir, proxy.url, { backend: 'mcp', mcpTimeoutMs: 300 });
    for (let i = 0; i < 10; i++) tracker.trackInvocation({ skillName: 'fast' })!({ completed: true });
    await tracker.flush();

    proxy.delayMs = 1_500;
    const answered = proxy.answered;
    const received = proxy.received;
    tracker.trackInvocation({ skillName: 'slow' })!({ completed: true });
    await eventually(() => proxy.received > received, 5_000, 'a call to reach the slow server');
    // While the server holds that call, the caller tracks on undisturbed.
    for (let i = 0; i < 499; i++) tracker.trackInvocation({ skillName: 'slow' })!({ completed: true });
    expect(tracker.health().tracked).toBe(510);
    expect(proxy.answered).toBe(answered);

    await tracker.flush();
    expect(tracker.getBackend()).toMatchObject({ kind: 'direct', fallback: { reason: expect.stringContaining('no answer within 300 ms') } });

    proxy.delayMs = 0;
    await eventually(() => tracker.getBackend().kind === 'mcp', 10_000, 'the reconnection');
    await tracker.close();
    // The held call reaches the server late: its records are duplicates by then, skipped.
    await eventually(() => proxy.answered === proxy.received, 10_000, 'the held calls');
    const stored = await server.app.service.store.listInvocations(undefined, { limit: 10_000 });
    expect(stored).toHaveLength(510);
    expect(stored.every((r) => r.status === 'completed')).toBe(true);
  });
});
