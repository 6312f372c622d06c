import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthProbe } from '@skills/mcp-client';
import { silentLogger, type SkillsTracker, type TrackInvocationsArgs } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { createSkillsTracker, type CreateSkillsTrackerOptions } from '../create-tracker.js';
import { SkillsService } from '../service.js';
import { loadSettings } from '../settings/index.js';
import { AutoTracker } from './auto-tracker.js';
import { McpTracker } from './mcp-tracker.js';
import type { McpTrackerClient } from './server-link.js';
import { countSpoolFile, listSpoolFiles } from './spool.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A loopback URL nothing listens on. */
async function nobodyHome(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise((resolve) => server.close(resolve));
  return url;
}

async function open(options: CreateSkillsTrackerOptions): Promise<SkillsTracker> {
  const dir = mkdtempSync(join(tmpdir(), 'skills-auto-'));
  const tracker = await createSkillsTracker({ cwd: dir, env: {}, logger: silentLogger, embedder: 'lexical', dbPath: join(dir, 'skills.db'), ...options });
  cleanups.push(() => tracker.close());
  return tracker;
}

async function spooled(tracker: SkillsTracker): Promise<number> {
  const { replayable, inUse } = listSpoolFiles((tracker as McpTracker).spoolDir);
  let n = 0;
  for (const f of [...replayable, ...inUse]) n += await countSpoolFile(f.path);
  return n;
}

describe('the mcp backend with a real client', () => {
  it('falls back at once when nothing listens, and spools', async () => {
    const tracker = await open({ backend: 'mcp', mcpServerUrl: await nobodyHome() });
    expect(tracker.getBackend()).toMatchObject({ kind: 'direct', requested: 'mcp', fallback: { from: 'mcp', reason: 'connection refused (ECONNREFUSED)' } });
    tracker.trackInvocation({ skillName: 'offline' })!({ completed: true });
    await tracker.flush();
    expect(await spooled(tracker)).toBe(1);
  });

  it("spools the source label, and the host's own duration instead of the measured one", async () => {
    const tracker = await open({ backend: 'mcp', mcpServerUrl: await nobodyHome() });
    const done = tracker.trackInvocation({ skillName: 'offline', source: 'claude-code' })!;
    done({ completed: true, durationSeconds: 42 });
    tracker.trackInvocation({ skillName: 'offline' })!({ completed: false, errorType: 'Timeout' });
    await tracker.flush();
    const { replayable, inUse } = listSpoolFiles((tracker as McpTracker).spoolDir);
    const records = [];
    for (const f of [...replayable, ...inUse]) {
      const spool = await openSqliteStore({ path: f.path, readonly: true });
      records.push(...(await spool.listInvocations()));
      await spool.close();
    }
    const byId = new Map(records.map((r) => [r.id, r]));
    expect(byId.get(done.invocationId)).toMatchObject({ source: 'claude-code', status: 'completed', durationSeconds: 42 });
    expect(records.find((r) => r.id !== done.invocationId)).toMatchObject({ source: null, status: 'failed' });
  });

  it('falls back when the server is slower than mcpTimeoutMs, without making the caller wait', async () => {
    let held = 0;
    // Accepts every request and answers none of them in time: a real slow server.
    const url = await listen((_req, res) => {
      held++;
      setTimeout(() => res.destroy(), 5_000).unref();
    });
    const tracker = await open({ backend: 'mcp', mcpServerUrl: url, mcpTimeoutMs: 200 });
    expect(held).toBeGreaterThan(0);
    expect(tracker.getBackend()).toMatchObject({ kind: 'direct', fallback: { reason: 'no answer within 200 ms' } });
    const done = tracker.trackInvocation({ skillName: 'slow-server' });
    expect(typeof done).toBe('function');
    done!({ completed: true });
    await tracker.flush();
    expect(await spooled(tracker)).toBe(1);
  });
});

describe('the auto backend', () => {
  it('tracks directly when the health probe fails, and switches to the server once it answers', async () => {
    let up = false;
    const calls: TrackInvocationsArgs[] = [];
    const health: HealthProbe = {
      ok: true,
      latencyMs: 0.2,
      health: { status: 'ok', version: 't', uptime_seconds: 1, database: { path: 'x', invocations: 0 }, embedder: null, transport: 'http' },
    };
    const client: McpTrackerClient = {
      trackInvocations: async (args) => {
        calls.push(args);
        return { inserted: args.invocations.length, duplicates: 0, completed: 0, abandoned: 0, already_finished: [], unknown: [] };
      },
      recommendSkills: async () => [],
      close: async () => {},
    };
    const tracker = await open({
      backend: 'auto',
      mcp: {
        probe: async () => (up ? health : { ok: false, reason: 'connection refused (ECONNREFUSED)', latencyMs: 0.1 }),
        connect: async () => client,
        reprobeIntervalMs: 60_000,
      },
    });
    expect(tracker).toBeInstanceOf(AutoTracker);
    expect(tracker.getBackend()).toEqual({ kind: 'direct', requested: 'auto' });
    const before = tracker.trackInvocation({ skillName: 'direct-one' })!;

    expect(await (tracker as AutoTracker).probeNow()).toBe(false);
    up = true;
    expect(await (tracker as AutoTracker).probeNow()).toBe(true);
    expect(tracker.getBackend()).toEqual({ kind: 'mcp', requested: 'auto' });
    tracker.trackInvocation({ skillName: 'via-server' })!({ completed: true });
    before({ completed: true }); // finishes where it started
    await tracker.flush();
    expect(calls.flatMap((c) => c.invocations.map((r) => r.skill_name))).toEqual(['via-server']);
    expect(tracker.health()).toMatchObject({ tracked: 2, completed: 2 });
  });

  it('is an McpTracker from the start when the server answers', async () => {
    const tracker = await open({
      backend: 'auto',
      mcp: {
        probe: async () => ({ ok: true, latencyMs: 0, health: { status: 'ok', version: 't', uptime_seconds: 1, database: { path: 'x', invocations: 0 }, embedder: null, transport: 'http' } }),
        connect: async () => ({ trackInvocations: async () => ({ inserted: 0, duplicates: 0, completed: 0, abandoned: 0, already_finished: [], unknown: [] }), recommendSkills: async () => [], close: async () => {} }),
      },
    });
    expect(tracker).toBeInstanceOf(McpTracker);
    expect(tracker.getBackend()).toEqual({ kind: 'mcp', requested: 'auto' });
  });
});

describe('auto while the server is away', () => {
  it('writes into the configured database, as direct does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skills-auto-db-'));
    const tracker = await createSkillsTracker({
      cwd: dir,
      env: {},
      logger: silentLogger,
      backend: 'auto',
      dbPath: join(dir, 'local.db'),
      mcpServerUrl: await nobodyHome(),
    });
    tracker.trackInvocation({ skillName: 'kept-locally' })!({ completed: true });
    await tracker.close();
    const { settings } = loadSettings({ cwd: dir, env: {}, overrides: { dbPath: join(dir, 'local.db') } });
    const service = await SkillsService.open({ settings, logger: silentLogger });
    expect((await service.store.listInvocations()).map((r) => r.skillName)).toEqual(['kept-locally']);
    await service.close();
  });
});
