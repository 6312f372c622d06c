import { SkillsMcpClient } from '@skills/mcp-client';
import { openSqliteStore } from '@skills/store-sqlite';
import { APPROXIMATE_PERCENTILE_ERROR, silentLogger, type DashboardOverview, type DashboardRecommendations, type DashboardSkill, type InvocationRecord } from '@skills/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { startSkillsServer, type RunningSkillsServer } from '../server.js';
import { startTestServer, tempDir, testSettings } from '../test-support/harness.js';

let server: RunningSkillsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function record(n: number, skillName: string, completed: boolean): InvocationRecord {
  const invokedAt = new Date(Date.UTC(2026, 10, 20, 8) + n * 7 * 60_000).toISOString();
  return {
    id: `inv-${n}`,
    skillName,
    sessionId: `s-${n % 4}`,
    invokedAt,
    status: completed ? 'completed' : 'failed',
    completed,
    completedAt: invokedAt,
    durationSeconds: 1 + (n % 9),
    userQuery: `${skillName === 'debugger' ? 'debug the crash in' : 'review the diff of'} module ${n % 5}`,
    workflowPhase: n % 3 === 0 ? 'review' : 'implementation',
    alternativesConsidered: n % 2 ? ['planner'] : [],
    selectionRank: 1 + (n % 2),
    followUpActions: [],
    errorType: completed ? null : 'Timeout',
  };
}

const seed = (s: RunningSkillsServer, from: number, count: number) =>
  s.app.service.apply({ inserts: Array.from({ length: count }, (_, i) => record(from + i, (from + i) % 3 ? 'code-reviewer' : 'debugger', (from + i) % 5 !== 0)) });

async function get<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(`${server!.url}${path}`, init);
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

describe('dashboard JSON endpoints', () => {
  it("answer the store's own figures", async () => {
    server = await startTestServer(tempDir());
    await seed(server, 0, 60);
    const { status, body } = await get<DashboardOverview>('/api/overview?bucket=hour');
    expect(status).toBe(200);
    const stats = await server.app.service.store.skillStats(undefined, { approximatePercentiles: true });
    expect(body.skills.map(({ successInterval, ...s }) => s)).toEqual(stats);
    // Its percentiles come from the duration histogram: within the stated error of the exact ones.
    const exact = await server.app.service.store.skillStats();
    const { relative, absoluteSeconds } = APPROXIMATE_PERCENTILE_ERROR;
    for (const [i, s] of stats.entries()) {
      for (const p of ['p50DurationSeconds', 'p95DurationSeconds'] as const) {
        const want = exact[i]![p]!;
        expect(Math.abs(s[p]! - want), `${s.skillName} ${p}`).toBeLessThanOrEqual(want * relative + absoluteSeconds);
      }
    }
    expect(body.totals.invocations).toBe(60);
    expect(body.activity.bucket).toBe('hour');
    expect(body.activity.points.reduce((n, p) => n + p.invocations, 0)).toBe(60);

    const skill = await get<DashboardSkill>('/api/skills/debugger');
    expect(skill.body.skill.invocations).toBe(stats.find((s) => s.skillName === 'debugger')!.invocations);
    expect(skill.body.profile.errorTypes[0]).toEqual({ value: 'Timeout', count: expect.any(Number) });

    const rec = await get<DashboardRecommendations>('/api/recommend?query=debug%20the%20crash&phase=review&limit=2');
    expect(rec.body.recommendations).toEqual(await server.app.service.recommend({ userQuery: 'debug the crash', workflowPhase: 'review', limit: 2 }));
    expect(rec.body.recommendations[0]?.skillName).toBe('debugger');
  });

  it("count the integrations that recorded a skill's invocations, through each MCP tool", async () => {
    server = await startTestServer(tempDir());
    const client = await SkillsMcpClient.connect({ url: `${server.url}/mcp` });
    try {
      await client.trackInvocation({ session_id: 's', skill_name: 'linter', source: 'claude-code' });
      await client.trackInvocation({ session_id: 's', skill_name: 'linter', source: null }); // a plain MCP client
      const base = { session_id: 's', skill_name: 'linter', invoked_at: new Date().toISOString(), status: 'pending', completed: false } as const;
      await client.trackInvocations({ invocations: [{ ...base, invocation_id: 'lc-1', source: 'langchain' }, { ...base, invocation_id: 'old-1' }] });
    } finally {
      await client.close();
    }
    const { body } = await get<DashboardSkill>('/api/skills/linter');
    expect(body.profile.sources).toEqual([
      { source: 'claude-code', count: 1 },
      { source: 'langchain', count: 1 },
      { source: 'mcp', count: 1 },
      { source: null, count: 1 },
    ]);
    expect((await server.app.service.store.getInvocation('lc-1'))?.source).toBe('langchain');
  });

  it('name the bad parameter, and 404 an unknown skill or endpoint', async () => {
    server = await startTestServer(tempDir());
    const bad = await get<{ error: string }>('/api/overview?bucket=week');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/bucket/);
    const limit = await get<{ error: string }>('/api/recommend?query=x&limit=0');
    expect(limit.status).toBe(400);
    expect(limit.body.error).toMatch(/limit must be at least 1/);
    const empty = await get<{ error: string }>('/api/recommend?query=');
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatch(/userQuery/);
    expect((await get('/api/skills/nobody')).status).toBe(404);
    expect((await get('/api/skills/%E0%A4%A')).status).toBe(400);
    expect((await get('/api/nothing')).status).toBe(404);
    expect((await fetch(`${server.url}/api/overview`, { method: 'POST' })).status).toBe(405);
  });

  it('serve the page with a policy that allows nothing from elsewhere', async () => {
    server = await startTestServer(tempDir());
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'; script-src 'self'/);
    const html = await res.text();
    expect(html).toMatch(/app\.js/);
    expect(html).not.toMatch(/https?:\/\//);
    const again = await fetch(`${server.url}/`, { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });
});

describe('dashboard events', () => {
  it('tell an open page about writes through the server and by another process on the same file', async () => {
    const dir = tempDir();
    server = await startTestServer(dir);
    const res = await fetch(`${server.url}/api/events`);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const events: string[] = [];
    const nextChange = async () => {
      for (;;) {
        const { value } = await reader.read();
        events.push(...(value ?? '').split('\n').filter((l) => l.startsWith('data:')));
        if (events.length > 0) return JSON.parse(events.shift()!.slice(5)) as { revision: string };
      }
    };
    const first = await nextChange();
    await seed(server, 0, 3);
    const second = await nextChange();
    expect(second.revision).not.toBe(first.revision);
    // Another connection (a direct tracker in another process would be one).
    const other = await openSqliteStore({ path: testSettings(dir).dbPath! });
    await other.applyBatch({ inserts: [record(99, 'debugger', true)] });
    await other.close();
    const third = await nextChange();
    expect(third.revision).not.toBe(second.revision);
    await reader.cancel();
  });
});

describe('dashboard with a token', () => {
  const token = 'a-token-of-sufficient-length-1234';

  it('explains how to open it, trades ?token= for a cookie, and the cookie opens the dashboard but not /mcp', async () => {
    const dir = tempDir();
    server = await startSkillsServer({ settings: testSettings(dir), host: '127.0.0.1', port: 0, token, logger: silentLogger });
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(401);
    expect(await page.text()).toMatch(/\?token=YOUR_TOKEN/);
    expect((await fetch(`${server.url}/api/overview`)).status).toBe(401);

    const wrong = await fetch(`${server.url}/?token=not-the-token-at-all-000`, { redirect: 'manual' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const traded = await fetch(`${server.url}/?token=${token}`, { redirect: 'manual' });
    expect(traded.status).toBe(303);
    expect(traded.headers.get('location')).toBe('/');
    const cookie = traded.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    expect(cookie).not.toContain(token);
    const jar = { cookie: cookie.split(';')[0]! };
    expect((await fetch(`${server.url}/`, { headers: jar })).status).toBe(200);
    expect((await fetch(`${server.url}/api/overview`, { headers: jar })).status).toBe(200);
    const mcp = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { ...jar, 'content-type': 'application/json' }, body: '{}' });
    expect(mcp.status).toBe(401);
    expect((await fetch(`${server.url}/api/overview`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});
