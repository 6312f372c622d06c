import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, describe, expect, it } from 'vitest';
import { McpUnavailableError } from '@skills/mcp-client';
import {
  DEFAULT_SETTINGS,
  fromMcpRecommendation,
  MCP_TOOLS,
  newInvocationId,
  NotAvailableError,
  pendingRecord,
  RecommendSkillsResultSchema,
  SettingsSchema,
  silentLogger,
  TrackerClosedError,
  TrackInvocationsResultSchema,
  type InvocationRecord,
  type Logger,
  type Settings,
  type TrackInvocationsArgs,
} from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { countSpoolFile, listSpoolFiles, McpTracker, syncSpool, type McpConnector, type McpTrackerTuning } from '@skills/tracker';
import { SkillsServerApp } from '../src/app.js';
import { tempDir, testSettings } from '../src/test-support/harness.js';

/**
 * The server's real tools (the app's `createMcpServer()`, on a real SQLite file), reached over the
 * MCP SDK's in-memory linked transport pair: one MCP session per connection, as over HTTP.
 * `down` is the one fault injected, at the transport: an in-memory pair cannot lose its peer,
 * so a server that is gone is a connection, or a message, refused the way the HTTP client
 * reports it.
 */
class InMemoryServer {
  down = false;
  /** `track_invocations` calls the server answered. */
  readonly calls: TrackInvocationsArgs[] = [];

  private constructor(readonly app: SkillsServerApp) {}

  static async open(dir: string): Promise<InMemoryServer> {
    return new InMemoryServer(await SkillsServerApp.open({ settings: testSettings(dir), logger: silentLogger, transport: 'stdio' }));
  }

  connect: McpConnector = async () => {
    if (this.down) throw refused();
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const send = clientSide.send.bind(clientSide);
    clientSide.send = async (message, options) => {
      if (this.down) throw refused();
      return send(message, options);
    };
    const server = this.app.createMcpServer();
    await server.connect(serverSide);
    const client = new Client({ name: 'mcp-tracker-test', version: '0.0.0' });
    await client.connect(clientSide);
    const call = async (name: string, args: object): Promise<unknown> => {
      const result = await client.callTool({ name, arguments: args as Record<string, unknown> });
      if (result.isError) throw new Error(JSON.stringify(result.content));
      return result.structuredContent;
    };
    return {
      trackInvocations: async (args) => {
        const result = TrackInvocationsResultSchema.parse(await call(MCP_TOOLS.trackInvocations, args));
        this.calls.push(args);
        return result;
      },
      recommendSkills: async (args) =>
        RecommendSkillsResultSchema.parse(await call(MCP_TOOLS.recommendSkills, args)).recommendations.map(fromMcpRecommendation),
      close: async () => {
        await client.close();
        await server.close();
      },
    };
  };

  all(): Promise<InvocationRecord[]> {
    return this.app.service.store.listInvocations(undefined, { limit: 100_000 });
  }
}

const refused = () =>
  new McpUnavailableError('skills server at http://127.0.0.1:1/mcp: connection refused (ECONNREFUSED)', {
    reason: 'connection refused (ECONNREFUSED)',
  });

function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: () => {},
    info: (m) => lines.push(`info: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(tuning: McpTrackerTuning = {}) {
  const dir = tempDir('skills-mcp-tracker-');
  const server = await InMemoryServer.open(dir);
  const logger = capturingLogger();
  const settings: Settings = SettingsSchema.parse({ ...DEFAULT_SETTINGS, dbPath: join(dir, 'local.db'), embedder: 'lexical', mcpTimeoutMs: 500 });
  const spoolDir = join(dir, 'spool');
  mkdirSync(spoolDir);
  const open = () =>
    McpTracker.open({
      settings,
      logger,
      sessionId: 'test-session',
      requested: 'mcp',
      connect: server.connect,
      spoolDir,
      reconnectIntervalMs: 60_000, // tests reconnect explicitly
      ...tuning,
    });
  cleanups.push(() => server.app.close());
  return { dir, server, logger, settings, spoolDir, open };
}

async function spooled(spoolDir: string): Promise<number> {
  const { replayable, inUse } = listSpoolFiles(spoolDir);
  let n = 0;
  for (const f of [...replayable, ...inUse]) n += await countSpoolFile(f.path);
  return n;
}

async function spooledIds(spoolDir: string): Promise<string[]> {
  const ids: string[] = [];
  for (const f of readdirSync(spoolDir).filter((n) => n.endsWith('.db'))) {
    try {
      const store = await openSqliteStore({ path: join(spoolDir, f), readonly: true });
      ids.push(...(await store.listInvocations(undefined, { limit: 100_000 })).map((r) => r.id));
      await store.close();
    } catch {
      // replayed and deleted meanwhile: its records are at the server
    }
  }
  return ids;
}

/** A process id that is certainly not running: one that has just exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

function record(id: string = newInvocationId()): InvocationRecord {
  return pendingRecord(
    { skillName: 'replayed', userQuery: 'from an earlier run' },
    { id, sessionId: 'old-session', invokedAt: new Date().toISOString() },
  );
}

describe('McpTracker against the real tools', () => {
  it('returns completers at once and sends the queue in batches, merging completions into records not yet sent', async () => {
    const { server, open } = await setup({ batchSize: 500 });
    const tracker = await open();
    for (let i = 0; i < 1_200; i++) {
      const done = tracker.trackInvocation({ skillName: `skill-${i % 3}`, userQuery: `query ${i}` });
      done!({ completed: i % 2 === 0 });
    }
    expect(server.calls).toHaveLength(0); // nothing went out on the caller's path
    await tracker.flush();
    const all = await server.all();
    expect(all).toHaveLength(1_200);
    expect(all.filter((r) => r.status === 'completed')).toHaveLength(600);
    expect(all.filter((r) => r.status === 'failed')).toHaveLength(600);
    expect(server.calls.length).toBeLessThanOrEqual(3);
    expect(server.calls.every((c) => !c.completions)).toBe(true);
    expect(tracker.getBackend()).toEqual({ kind: 'mcp', requested: 'mcp' });
    await tracker.close();
  });

  it('sends a completion on its own once the record is at the server', async () => {
    const { server, open } = await setup();
    const tracker = await open();
    const done = tracker.trackInvocation({ skillName: 'linter' })!;
    await tracker.flush();
    expect((await server.all())[0]).toMatchObject({ id: done.invocationId, status: 'pending' });
    done({ completed: true, followUpActions: ['git commit'] });
    await tracker.flush();
    expect(server.calls.at(-1)).toMatchObject({ invocations: [], completions: [{ invocation_id: done.invocationId }] });
    expect((await server.all())[0]).toMatchObject({ status: 'completed', followUpActions: ['git commit'] });
    expect(tracker.health()).toMatchObject({ tracked: 1, completed: 1, failures: 0 });
    await tracker.close();
  });

  it('answers recommendations from the server', async () => {
    const { open } = await setup();
    const tracker = await open();
    for (let i = 0; i < 3; i++) tracker.trackInvocation({ skillName: 'test-runner', userQuery: 'run the unit tests' })!({ completed: true });
    await tracker.flush();
    const top = await tracker.getRecommendations({ userQuery: 'run the unit tests', limit: 1 });
    expect(top).toMatchObject([{ skillName: 'test-runner', invocationCount: 3 }]);
    await tracker.close();
  });

  it('starts fallen back when the server is absent, says why once, and spools everything', async () => {
    const { server, logger, spoolDir, open } = await setup();
    server.down = true;
    const tracker = await open();
    expect(tracker.getBackend()).toMatchObject({
      kind: 'direct',
      requested: 'mcp',
      fallback: { from: 'mcp', reason: 'connection refused (ECONNREFUSED)', at: expect.any(String) },
    });
    for (let i = 0; i < 10; i++) tracker.trackInvocation({ skillName: 'offline' })!({ completed: true });
    await tracker.flush();
    expect(await spooled(spoolDir)).toBe(10);
    expect(logger.lines.filter((l) => l.includes('not available'))).toHaveLength(1);
    await tracker.close();
    // The spool outlives the tracker, finished and ready for replay.
    expect(listSpoolFiles(spoolDir).replayable).toHaveLength(1);
  });

  it('loses nothing and duplicates nothing when the server goes away mid-run and comes back', async () => {
    const { server, logger, spoolDir, open } = await setup({ batchSize: 50 });
    const tracker = await open();
    const before = Array.from({ length: 100 }, (_, i) => tracker.trackInvocation({ skillName: `s${i % 4}` })!);
    await tracker.flush();
    server.down = true;
    // Finished while away: their records are at the server, their completions go to the spool.
    before.slice(0, 40).forEach((done) => done({ completed: true }));
    const during = Array.from({ length: 60 }, () => tracker.trackInvocation({ skillName: 'during' })!);
    during.slice(0, 30).forEach((done) => done({ completed: false, errorType: 'TimeoutError' }));
    await tracker.flush();
    expect(tracker.getBackend().kind).toBe('direct');
    expect(await spooled(spoolDir)).toBe(100); // 40 completions (with their records) + 60 new

    server.down = false;
    expect(await tracker.reconnectNow()).toBe(true);
    // Finished after the server is back: some records are only in the spool so far.
    during.slice(30).forEach((done) => done({ completed: true }));
    await tracker.flush();
    await tracker.close();

    const all = await server.all();
    expect(all).toHaveLength(160);
    expect(new Set(all.map((r) => r.id)).size).toBe(160);
    const byId = new Map(all.map((r) => [r.id, r]));
    expect(before.slice(0, 40).every((d) => byId.get(d.invocationId)!.status === 'completed')).toBe(true);
    expect(before.slice(40).every((d) => byId.get(d.invocationId)!.status === 'abandoned')).toBe(true);
    expect(during.slice(0, 30).every((d) => byId.get(d.invocationId)!.status === 'failed')).toBe(true);
    expect(during.slice(30).every((d) => byId.get(d.invocationId)!.status === 'completed')).toBe(true);
    expect(tracker.replayed.replayed).toBe(100);
    expect(await spooled(spoolDir)).toBe(0);
    expect(readdirSync(spoolDir)).toEqual([]);
    expect(logger.lines.some((l) => l.includes('is back'))).toBe(true);
  });

  it('spools what exceeds the queue bound and replays it when the queue drains', async () => {
    const { server, logger, spoolDir, open } = await setup({ maxQueued: 10, batchSize: 10 });
    const tracker = await open();
    const ids = Array.from({ length: 100 }, () => {
      const done = tracker.trackInvocation({ skillName: 'burst' })!;
      done({ completed: true });
      return done.invocationId;
    });
    await tracker.flush();
    // Once flush resolves each one is at the server or in the spool (read first: replay moves records to the server).
    const inSpool = await spooledIds(spoolDir);
    const atServer = (await server.all()).map((r) => r.id);
    expect(new Set([...inSpool, ...atServer])).toEqual(new Set(ids));
    await tracker.close();
    expect(await server.all()).toHaveLength(100);
    expect(logger.lines.some((l) => l.includes('spooling the excess'))).toBe(true);
  });

  it('replays spools that ended processes left behind, at startup', async () => {
    const { server, spoolDir, open } = await setup();
    const orphan = await openSqliteStore({ path: join(spoolDir, `${deadPid()}-abc-def.db`) });
    const records = Array.from({ length: 5 }, (_, i) => record(`orphan-${i}`));
    await orphan.applyBatch({ inserts: records });
    await orphan.close();
    const tracker = await open();
    await tracker.flush();
    await tracker.close();
    expect((await server.all()).map((r) => r.id).sort()).toEqual(records.map((r) => r.id).sort());
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('after close, refuses to track (once logged, counted), ignores completers and rejects recommendations', async () => {
    const { server, logger, open } = await setup();
    const tracker = await open();
    const open1 = tracker.trackInvocation({ skillName: 'left-open' })!;
    await tracker.close();
    expect(tracker.trackInvocation({ skillName: 'late' })).toBeNull();
    expect(tracker.trackInvocation({ skillName: 'later' })).toBeNull();
    open1({ completed: true });
    await expect(tracker.getRecommendations({ userQuery: 'anything' })).rejects.toThrow(TrackerClosedError);
    await expect(tracker.getRecommendations({ userQuery: 'anything' })).rejects.toMatchObject({ code: 'TRACKER_CLOSED' });
    await tracker.flush();
    await tracker.close();
    expect(tracker.health()).toMatchObject({ tracked: 1, completed: 0, refusedAfterClose: 2 });
    expect(logger.lines.filter((l) => l.includes('after the tracker was closed'))).toHaveLength(1);
    expect(await server.all()).toMatchObject([{ skillName: 'left-open', status: 'abandoned' }]);
  });
});

describe('syncSpool against the real tools', () => {
  it('replays finished spools exactly once, counting what the server already had, and deletes them', async () => {
    const { server, spoolDir, settings } = await setup();
    const store = server.app.service.store;
    const spool = await openSqliteStore({ path: join(spoolDir, `${deadPid()}-aaa-bbb.db`) });
    const sent = record('sent-before-outage'); // the server has it pending; the spool has it finished
    await store.applyBatch({ inserts: [sent] });
    const finished = { ...sent, status: 'completed' as const, completed: true, completedAt: new Date().toISOString(), durationSeconds: 2 };
    const fresh = Array.from({ length: 7 }, (_, i) => record(`fresh-${i}`));
    const already = record('already-replayed');
    await store.applyBatch({ inserts: [already] });
    await spool.applyBatch({ inserts: [finished, ...fresh, already] });
    await spool.close();

    const options = { dbPath: settings.dbPath!, spoolDir, connect: server.connect, logger: capturingLogger(), env: {} };
    expect(await syncSpool(options)).toEqual({ replayed: 8, duplicates: 1, remaining: 0 });
    expect((await store.getInvocation(sent.id))?.status).toBe('completed');
    expect(await server.all()).toHaveLength(9);
    expect(readdirSync(spoolDir)).toEqual([]);
    expect(await syncSpool(options)).toEqual({ replayed: 0, duplicates: 0, remaining: 0 });
  });

  it('leaves the spool of a running tracker alone, and says so when the server is unreachable', async () => {
    const { server, spoolDir, settings, open } = await setup();
    server.down = true;
    const tracker = await open();
    tracker.trackInvocation({ skillName: 'kept' });
    await tracker.flush();
    const options = { dbPath: settings.dbPath!, spoolDir, connect: server.connect, logger: capturingLogger(), env: {} };
    // The running tracker's spool is not replayable: nothing to do, nothing to connect to.
    expect(await syncSpool(options)).toEqual({ replayed: 0, duplicates: 0, remaining: 1 });
    await tracker.close(); // now a finished spool
    await expect(syncSpool(options)).rejects.toThrow(NotAvailableError);
    await expect(syncSpool(options)).rejects.toThrow(/cannot replay 1 spooled invocations.*connection refused/);
    server.down = false;
    expect(await syncSpool(options)).toEqual({ replayed: 1, duplicates: 0, remaining: 0 });
    expect((await server.all())[0]).toMatchObject({ skillName: 'kept', status: 'abandoned' });
  });
});
