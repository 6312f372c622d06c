import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SkillsMcpClient } from '@skills/mcp-client';
import type { Logger } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { startSkillsServer, type RunningSkillsServer } from './server.js';
import { INITIALIZE_BODY, MCP_HEADERS, rawRequest, tempDir, testSettings } from './test-support/harness.js';

/*
 * What a hostile or broken client can make the server do to itself: grow its metrics without
 * bound, break /metrics, reach a route through dot segments, or fill the log on a failing disk.
 */

const recorder = () => {
  const lines: { level: string; text: string }[] = [];
  const logger: Logger = {
    debug: () => {},
    info: (text) => void lines.push({ level: 'info', text }),
    warn: (text) => void lines.push({ level: 'warn', text }),
    error: (text) => void lines.push({ level: 'error', text }),
  };
  return { lines, logger };
};

async function openSession(url: string): Promise<Record<string, string>> {
  const init = await rawRequest(url, { method: 'POST', path: '/mcp', headers: MCP_HEADERS, body: INITIALIZE_BODY });
  return { ...MCP_HEADERS, 'mcp-session-id': init.headers['mcp-session-id'] as string, 'mcp-protocol-version': '2025-06-18' };
}

const metricValue = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"/]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

describe('a writable server', () => {
  let server: RunningSkillsServer;
  const log = recorder();

  beforeAll(async () => {
    server = await startSkillsServer({ settings: testSettings(tempDir()), host: '127.0.0.1', port: 0, logger: log.logger });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('counts calls of tools it does not have under tool="unknown": a client cannot add series, or a 4 MB label', async () => {
    const session = await openSession(server.url);
    const names = ['no_such_tool', 'x'.repeat(4_000_000), 'a"b\\c\nd', ...Array.from({ length: 50 }, (_, i) => `made_up_${i}`)];
    for (const [i, name] of names.entries()) {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 10 + i, method: 'tools/call', params: { name, arguments: {} } });
      expect((await rawRequest(server.url, { method: 'POST', path: '/mcp', headers: session, body })).status).toBe(200);
    }
    const metrics = await rawRequest(server.url, { path: '/metrics' });
    expect(metrics.status).toBe(200);
    expect(metricValue(metrics.body, 'skills_tool_calls_total{tool="unknown",outcome="error"}')).toBe(names.length);
    expect(metrics.body).not.toMatch(/made_up|no_such_tool|xxxx/);
    expect(metrics.body.length).toBeLessThan(64 * 1024);
  });

  it('answers /metrics with 500 (not a dropped connection) when rendering fails', async () => {
    // A gauge that throws stands for any failure while rendering: with labels from a fixed set,
    // no client can make the real exposition fail any more.
    server.app.metrics.gauge('test_broken', 'Fails when read.', () => {
      throw new RangeError('Invalid string length');
    });
    const res = await rawRequest(server.url, { path: '/metrics' });
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toEqual({ error: 'internal error; see the server log' });
  });

  it('refuses paths with dot segments with 400 and no stack in the log', async () => {
    const errorsBefore = log.lines.filter((l) => l.level === 'error').length;
    for (const path of ['/api/../metrics', '/api/%2e%2e/metrics', '/api/%2E./health', '/api/..%5Cmetrics/..', '/api/./overview', '/api/..\\metrics', '/./mcp']) {
      const res = await rawRequest(server.url, { path });
      expect(res.status, path).toBe(400);
      expect(JSON.parse(res.body).error, path).toMatch(/"\." or "\.\." segments are refused/);
    }
    expect(log.lines.filter((l) => l.level === 'error').length).toBe(errorsBefore);
    // Dots inside a segment are names like any other.
    expect((await rawRequest(server.url, { path: '/api/skills/v1..2' })).status).toBe(404);
  });
});

describe('a server whose database refuses every write (a full or read-only disk)', () => {
  let server: RunningSkillsServer;
  let client: SkillsMcpClient;
  const log = recorder();

  beforeAll(async () => {
    const dir = tempDir();
    const path = join(dir, 'server.db');
    const writable = await openSqliteStore({ path });
    const at = new Date().toISOString();
    await writable.applyBatch({
      inserts: ['optimise the slow SQL query', 'run the unit tests'].map((query, i) => ({
        id: `seed-${i}`,
        skillName: i === 0 ? 'sql-expert' : 'test-runner',
        sessionId: 's',
        invokedAt: at,
        status: 'completed' as const,
        completed: true,
        completedAt: at,
        durationSeconds: 1,
        userQuery: query,
        workflowPhase: null,
        alternativesConsidered: [],
        selectionRank: null,
        followUpActions: [],
        errorType: null,
      })),
    });
    await writable.close();
    // A real SQLite refusal, as in storage-health.test.ts: the store is opened read-only.
    const store = await openSqliteStore({ path, readonly: true });
    server = await startSkillsServer({ settings: testSettings(dir), store, host: '127.0.0.1', port: 0, logger: log.logger });
    client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it('still recommends: the query vectors it cannot store are kept in memory, and that is logged once', async () => {
    for (let i = 0; i < 3; i++) {
      const recommendations = await client.recommendSkills({ user_query: 'the SQL query is slow' });
      expect(recommendations[0]?.skillName).toBe('sql-expert');
    }
    expect(log.lines.filter((l) => l.text.startsWith('could not store 2 query vectors'))).toHaveLength(1);
  });

  it('logs the failure once with its stack, and counts the repeats instead of logging them', async () => {
    for (let i = 0; i < 30; i++) await expect(client.trackInvocation({ session_id: 's', skill_name: `k${i}` })).rejects.toThrow(/failed on the server/);
    const logged = log.lines.filter((l) => l.level === 'error' && l.text.startsWith('track_invocation failed'));
    expect(logged).toHaveLength(1);
    expect(logged[0]!.text).toMatch(/readonly|read-only/i);
    const metrics = (await rawRequest(server.url, { path: '/metrics' })).body;
    expect(metricValue(metrics, 'skills_repeated_failures_total{source="track_invocation"}')).toBe(29);
    // Another condition (another tool's failure) is logged once too.
    const invocations = [{ invocation_id: 'r-1', session_id: 's', skill_name: 'k', invoked_at: new Date().toISOString(), status: 'pending' as const, completed: false }];
    for (let i = 0; i < 3; i++) await expect(client.trackInvocations({ invocations })).rejects.toThrow(/failed on the server/);
    expect(log.lines.filter((l) => l.level === 'error' && l.text.startsWith('track_invocations failed'))).toHaveLength(1);
  });
});
