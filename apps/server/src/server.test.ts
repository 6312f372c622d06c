import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpToolError, SkillsMcpClient, probeHealth } from '@skills/mcp-client';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { newInvocationId, ServerHealthSchema } from '@skills/protocol';
import { waitFor } from '@skills/vitest-config/wait-for';
import { startTestServer, tempDir } from './test-support/harness.js';
import type { RunningSkillsServer } from './server.js';

let server: RunningSkillsServer;
let client: SkillsMcpClient;

beforeAll(async () => {
  server = await startTestServer(tempDir());
  client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 5_000 });
});

afterAll(async () => {
  await client?.close();
  await server?.close();
});

const rows = () => server.app.service.store.countInvocations();
const textOf = (r: CallToolResult) => r.content.map((c) => ('text' in c ? c.text : '')).join('');

describe('MCP tools over Streamable HTTP', () => {
  it('offers every tool, get_recommendations as an alias of recommend_skills', async () => {
    expect((await client.listTools()).sort()).toEqual(
      ['complete_invocation', 'get_recommendations', 'health_check', 'recommend_skills', 'skill_stats', 'track_invocation', 'track_invocations'].sort(),
    );
  });

  it('track_invocation then complete_invocation by id', async () => {
    const { invocation_id, duplicate } = await client.trackInvocation({
      session_id: 'sess-1',
      skill_name: 'code-reviewer',
      user_query: 'review my pull request for the parser',
      alternatives_considered: ['linter'],
      selection_rank: 1,
      workflow_phase: 'verification',
    });
    expect(duplicate).toBe(false);
    const stored = await server.app.service.store.getInvocation(invocation_id);
    expect(stored).toMatchObject({ sessionId: 'sess-1', skillName: 'code-reviewer', status: 'pending', alternativesConsidered: ['linter'] });

    const done = await client.completeInvocation({ invocation_id, completed: true, follow_up_actions: ['git commit'], duration_seconds: 1.5 });
    expect(done).toEqual({ invocation_id, applied: true, status: 'completed', duration_seconds: 1.5 });
    expect(await server.app.service.store.getInvocation(invocation_id)).toMatchObject({
      status: 'completed',
      durationSeconds: 1.5,
      followUpActions: ['git commit'],
    });
    // Completing again changes nothing.
    expect(await client.completeInvocation({ invocation_id, completed: false })).toMatchObject({ applied: false, status: 'completed' });
  });

  it('track_invocation with a client id is idempotent', async () => {
    const id = newInvocationId();
    const before = await rows();
    expect(await client.trackInvocation({ session_id: 's', skill_name: 'x', invocation_id: id })).toEqual({ invocation_id: id, duplicate: false });
    expect(await client.trackInvocation({ session_id: 's', skill_name: 'x', invocation_id: id })).toEqual({ invocation_id: id, duplicate: true });
    expect(await rows()).toBe(before + 1);
  });

  it('complete_invocation by session and skill ends the latest open one and measures its duration', async () => {
    const older = await client.trackInvocation({ session_id: 'sess-2', skill_name: 'test-runner' });
    const trackedBy = Date.now();
    await waitFor(() => Date.now() > trackedBy, { what: 'the clock to move on' }); // the newer one starts later
    const newer = await client.trackInvocation({ session_id: 'sess-2', skill_name: 'test-runner' });
    const done = await client.completeInvocation({ session_id: 'sess-2', skill_name: 'test-runner', completed: false, error_type: 'AssertionError' });
    expect(done).toMatchObject({ invocation_id: newer.invocation_id, applied: true, status: 'failed' });
    expect(done.duration_seconds).toBeGreaterThanOrEqual(0);
    expect((await server.app.service.store.getInvocation(older.invocation_id))?.status).toBe('pending');
    expect((await server.app.service.store.getInvocation(newer.invocation_id))?.errorType).toBe('AssertionError');
  });

  it('track_invocations stores a batch, skips and counts duplicates exactly once, completes and abandons', async () => {
    const now = new Date().toISOString();
    const ids = Array.from({ length: 5 }, () => newInvocationId());
    const rec = (id: string, finished = false) => ({
      invocation_id: id,
      session_id: 'batch',
      skill_name: 'bulk',
      invoked_at: now,
      status: finished ? ('completed' as const) : ('pending' as const),
      completed: finished,
      completed_at: finished ? now : null,
      duration_seconds: finished ? 0.25 : null,
    });
    const first = await client.trackInvocations({ invocations: [rec(ids[0]!), rec(ids[1]!), rec(ids[2]!, true)] });
    expect(first).toEqual({ inserted: 3, duplicates: 0, completed: 0, abandoned: 0, already_finished: [], unknown: [] });
    const replay = await client.trackInvocations({
      invocations: [rec(ids[0]!), rec(ids[1]!), rec(ids[3]!), rec(ids[4]!)],
      completions: [{ invocation_id: ids[0]!, completed: true, completed_at: now }, { invocation_id: ids[2]!, completed: true, completed_at: now }],
      abandon: [ids[1]!],
    });
    expect(replay).toEqual({ inserted: 2, duplicates: 2, completed: 1, abandoned: 1, already_finished: [ids[2]], unknown: [] });
    const statuses = await Promise.all(ids.map(async (id) => (await server.app.service.store.getInvocation(id))?.status));
    expect(statuses).toEqual(['completed', 'abandoned', 'completed', 'pending', 'pending']);
  });

  it('recommend_skills and get_recommendations answer what the service answers, in the protocol shape', async () => {
    for (let i = 0; i < 3; i++) {
      const { invocation_id } = await client.trackInvocation({ session_id: 'rec', skill_name: 'sql-expert', user_query: 'optimise this slow SQL query' });
      await client.completeInvocation({ invocation_id, completed: true });
    }
    const recs = await client.recommendSkills({ user_query: 'my SQL query is slow', limit: 3 });
    expect(recs.length).toBeGreaterThan(0);
    expect(Object.keys(recs[0]!).sort()).toEqual(
      ['completed', 'durationSeconds', 'invocationCount', 'reason', 'score', 'similarityScore', 'skillName', 'successRate', 'workflowPhase'].sort(),
    );
    const direct = await server.app.service.recommend({ userQuery: 'my SQL query is slow', limit: 3 });
    expect(recs).toEqual(direct);
    const alias = await client.callTool('get_recommendations', { user_query: 'my SQL query is slow', limit: 3, session_id: 'rec' });
    expect((alias.structuredContent as { recommendations: unknown[] }).recommendations).toHaveLength(recs.length);
  });

  it('skill_stats filters by skill, phase and time', async () => {
    const stats = await client.skillStats({ skill_name: 'sql-expert' });
    expect(stats).toHaveLength(1);
    expect(stats[0]).toMatchObject({ skillName: 'sql-expert', invocations: 3, completed: 3, successRate: 1 });
    expect(await client.skillStats({ since: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
    expect((await client.skillStats({ workflow_phase: 'verification' })).map((s) => s.skillName)).toEqual(['code-reviewer']);
  });

  it('health_check and GET /health say the same', async () => {
    const viaTool = await client.healthCheck();
    expect(viaTool).toMatchObject({ status: 'ok', transport: 'http', database: { path: server.app.service.store.location } });
    expect(viaTool.database.invocations).toBe(await rows());
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    const body = ServerHealthSchema.parse(await response.json());
    expect(body).toMatchObject({ status: 'ok', version: viaTool.version, embedder: expect.stringContaining('lexical') });
    expect(body.uptime_seconds).toBeGreaterThan(0);
    expect((await probeHealth(server.url, 1_000)).ok).toBe(true);
  });
});

describe('bad arguments', () => {
  const cases: [tool: string, args: Record<string, unknown>, message: RegExp][] = [
    ['track_invocation', { skill_name: 'x' }, /session_id is required/],
    ['track_invocation', { session_id: 's', skill_name: '   ' }, /skill_name must not be empty/],
    ['track_invocation', { session_id: 's', skill_name: 'x', selection_rank: 0 }, /selection_rank must be at least 1/],
    ['track_invocation', { session_id: 's', skill_name: 'x', alternatives_considered: 'linter' }, /alternatives_considered must be a list of strings/],
    ['track_invocation', { session_id: 's', skill_name: 'x', user_query: 'q'.repeat(8_001) }, /user_query must be at most 8000 characters/],
    ['track_invocation', { session_id: 's', skill_name: 'x', skil_name: 'typo' }, /Unrecognized key.*skil_name/],
    ['complete_invocation', { completed: true }, /invocation_id is required, unless session_id and skill_name are given/],
    ['complete_invocation', { invocation_id: 'x', completed: 'yes' }, /completed must be true or false/],
    ['complete_invocation', { invocation_id: 'x', completed: true, duration_seconds: -1 }, /duration_seconds must not be negative/],
    ['track_invocations', { invocations: [{ invocation_id: 'a', session_id: 's', skill_name: 'k', invoked_at: 'yesterday', status: 'pending', completed: false }] }, /invoked_at must be an ISO-8601 date-time/],
    ['track_invocations', { invocations: [{ invocation_id: 'a', session_id: 's', skill_name: 'k', invoked_at: new Date().toISOString(), status: 'done', completed: true }] }, /status must be one of/],
    ['recommend_skills', { user_query: '' }, /user_query must not be empty/],
    ['recommend_skills', { user_query: 'x', limit: 1_000 }, /limit must be at most 100/],
    ['skill_stats', { since: 'last week' }, /since must be an ISO-8601 date-time/],
  ];

  it.each(cases)('%s %j is refused, naming the field and the rule; nothing is stored', async (tool, args, message) => {
    const before = await rows();
    const result = await client.callTool(tool, args);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(message);
    expect(textOf(result)).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack trace
    expect(await rows()).toBe(before);
  });

  it('half a bad batch stores nothing', async () => {
    const before = await rows();
    const good = { invocation_id: newInvocationId(), session_id: 's', skill_name: 'k', invoked_at: new Date().toISOString(), status: 'pending', completed: false };
    const result = await client.callTool('track_invocations', { invocations: [good, { ...good, invocation_id: '' }] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/invocation_id must not be empty/);
    expect(await rows()).toBe(before);
  });

  it('an unknown invocation is a clear tool error', async () => {
    const error = await client.completeInvocation({ invocation_id: 'no-such-id', completed: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpToolError);
    expect((error as Error).message).toContain('no invocation "no-such-id" is stored');
    await expect(client.completeInvocation({ session_id: 'nobody', skill_name: 'nothing', completed: true })).rejects.toThrow(
      'no open invocation of skill_name "nothing" in session_id "nobody"',
    );
  });
});

describe('HTTP endpoints', () => {
  it('GET /metrics counts invocations, completions, errors and latency in the Prometheus format', async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('skills_invocations_total')).toBe(await rows());
    expect(value('skills_completions_total')).toBeGreaterThan(0);
    expect(value('skills_invocation_duplicates_total')).toBeGreaterThan(0);
    expect(text).toMatch(/^skills_tool_errors_total\{tool="track_invocation"\} \d+$/m);
    expect(text).toMatch(/^skills_tool_calls_total\{tool="recommend_skills",outcome="ok"\} \d+$/m);
    expect(text).toMatch(/^# TYPE skills_tool_call_duration_seconds histogram$/m);
    expect(text).toMatch(/^skills_tool_call_duration_seconds_bucket\{le="\+Inf",tool="track_invocation"\} \d+$/m);
    expect(text).toMatch(/^skills_http_request_duration_seconds_count\{route="\/mcp"\} \d+$/m);
    expect(text).toMatch(/^skills_sessions 1$/m);
    // Every sample line is `name{labels} value`.
    for (const line of text.trim().split('\n').filter((l) => l !== '')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{.*\})? [-+\d.eInfNa]+)$/);
  });

  it('answers unknown paths with 404, a GET of /mcp with 405, and an unknown session with 404', async () => {
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/mcp`)).status).toBe(405);
    const stale = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': 'gone' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(stale.status).toBe(404);
    const notJson = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
  });

  it('refuses requests from web pages elsewhere (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const url = new URL(`${server.url}/health`);
        request({ host: url.hostname, port: url.port, path: '/health', headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).end();
      });
    expect(await status({ host: 'evil.example:80' })).toBe(403);
    expect(await status({ origin: 'http://evil.example' })).toBe(403);
    expect(await status({ origin: 'http://localhost:3000' })).toBe(200);
  });
});
