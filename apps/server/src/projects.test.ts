import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SkillsMcpClient } from '@skills/mcp-client';
import { MCP_TOOLS, type Logger, type SkillsStore } from '@skills/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardProjects } from './dashboard/project-list.js';
import { startSkillsServer, type RunningSkillsServer } from './server.js';
import { INITIALIZE_BODY, MCP_HEADERS, rawRequest, tempDir, testSettings } from './test-support/harness.js';
import { readTokenFile } from './token-file.js';

/*
 * Two projects on one server (a real SQLite file), two tokens each scoped to one of them, and an
 * admin token allowed every project. Token A's client is hostile: it names project beta on every
 * tool and dashboard route, completes and abandons beta's invocation ids, reuses them, and sends
 * names that break the rule. Every refusal is checked, and beta's data is compared before/after.
 */

const TOKEN_A = 'alpha-token-0123456789abcdef';
const TOKEN_B = 'beta-token-0123456789abcdef0';
const TOKEN_ADMIN = 'admin-token-0123456789abcdef';
const FORBIDDEN_BETA = 'project "beta" is not allowed for this token';

let server: RunningSkillsServer;
let alpha: SkillsMcpClient;
let beta: SkillsMcpClient;
const logged: string[] = [];
const logger: Logger = { debug: (t) => void logged.push(t), info: (t) => void logged.push(t), warn: (t) => void logged.push(t), error: (t) => void logged.push(t) };

/** Beta's invocations: one still pending (to complete or abandon), one finished. */
const B_PENDING = 'beta-pending-1';
const B_FINISHED = 'beta-finished-1';

const textOf = (result: CallToolResult) => (result.content[0] as { text: string }).text;
const storeOf = (project: string): SkillsStore => server.app.serviceFor(project).store;

/** What beta holds, in full: counts, stats and an export (its timestamp aside). */
async function betaSnapshot(): Promise<unknown> {
  const store = storeOf('beta');
  const { exportedAt: _, ...exported } = await store.exportAll();
  return { count: await store.countInvocations(), stats: await store.skillStats(), exported };
}

function api(path: string, token: string, headers: Record<string, string> = {}) {
  return rawRequest(server.url, { path, headers: { authorization: `Bearer ${token}`, ...headers } });
}

beforeAll(async () => {
  const dir = tempDir();
  const file = join(dir, 'tokens.yaml');
  writeFileSync(
    file,
    `tokens:\n  - name: team-a\n    token: ${TOKEN_A}\n    projects: [alpha]\n  - name: team-b\n    token: ${TOKEN_B}\n    projects: [beta]\n  - name: admin\n    token: ${TOKEN_ADMIN}\n    projects: "*"\n`,
    { mode: 0o600 },
  );
  server = await startSkillsServer({ settings: testSettings(dir), host: '127.0.0.1', port: 0, logger, tokens: readTokenFile(file, '--token-file', []) });
  alpha = await SkillsMcpClient.connect({ url: server.url, token: TOKEN_A, timeoutMs: 10_000 });
  beta = await SkillsMcpClient.connect({ url: server.url, token: TOKEN_B, timeoutMs: 10_000 });
  // Each writes without naming a project: the token's only one.
  await alpha.trackInvocation({ session_id: 'sa', skill_name: 'alpha-linter', user_query: 'lint the source files', invocation_id: 'alpha-1' });
  await alpha.completeInvocation({ invocation_id: 'alpha-1', completed: true });
  await beta.trackInvocation({ session_id: 'sb', skill_name: 'beta-linter', user_query: 'lint the source files', invocation_id: B_FINISHED });
  await beta.completeInvocation({ invocation_id: B_FINISHED, completed: true });
  await beta.trackInvocation({ session_id: 'sb', skill_name: 'beta-deployer', user_query: 'deploy to staging', invocation_id: B_PENDING });
});

afterAll(async () => {
  await alpha?.close();
  await beta?.close();
  await server?.close();
});

describe('projects on one server', () => {
  it('keeps each token in its project: counts, stats and health per project', async () => {
    expect(await storeOf('alpha').countInvocations()).toBe(1);
    expect(await storeOf('beta').countInvocations()).toBe(2);
    expect((await alpha.skillStats()).map((s) => s.skillName)).toEqual(['alpha-linter']);
    expect((await beta.skillStats()).map((s) => s.skillName).sort()).toEqual(['beta-deployer', 'beta-linter']);
    const health = (await alpha.callTool(MCP_TOOLS.healthCheck, {})).structuredContent;
    expect(health).toMatchObject({ status: 'ok', project: 'alpha', database: { invocations: 1 } });
    expect((await beta.callTool(MCP_TOOLS.healthCheck, { project: 'beta' })).structuredContent).toMatchObject({ project: 'beta', database: { invocations: 2 } });
  });

  it('recommends in a project only what that project tracked', async () => {
    const a = await alpha.recommendSkills({ user_query: 'lint the source files' });
    const b = await beta.recommendSkills({ user_query: 'lint the source files' });
    expect(a.map((r) => r.skillName)).toEqual(['alpha-linter']);
    expect(b.map((r) => r.skillName)).not.toContain('alpha-linter');
    expect(b[0]?.skillName).toBe('beta-linter');
    const admin = await SkillsMcpClient.connect({ url: server.url, token: TOKEN_ADMIN, timeoutMs: 10_000 });
    try {
      // The admin token names the project; without one it gets the server's own (default: empty).
      expect((await admin.recommendSkills({ user_query: 'lint the source files', project: 'alpha' })).map((r) => r.skillName)).toEqual(['alpha-linter']);
      expect(await admin.recommendSkills({ user_query: 'lint the source files' })).toEqual([]);
    } finally {
      await admin.close();
    }
    const page = await api('/api/recommend?query=lint%20the%20source%20files', TOKEN_A);
    expect((JSON.parse(page.body) as { recommendations: { skillName: string }[] }).recommendations.map((r) => r.skillName)).toEqual(['alpha-linter']);
  });

  it('keeps the shown scores of the alternatives on the stored record', async () => {
    await alpha.trackInvocation({
      session_id: 'sa',
      skill_name: 'alpha-linter',
      invocation_id: 'alpha-scored',
      alternatives_considered: ['alpha-fixer', 'alpha-formatter'],
      alternative_scores: [0.82, 0.4],
      selection_rank: 1,
    });
    expect(await storeOf('alpha').getInvocation('alpha-scored')).toMatchObject({ project: 'alpha', alternativeScores: [0.82, 0.4] });
  });

  it('refuses token A on every tool naming project beta, and beta stays unchanged', async () => {
    const before = await betaSnapshot();
    const calls: [string, Record<string, unknown>][] = [
      [MCP_TOOLS.trackInvocation, { session_id: 'x', skill_name: 'planted', invocation_id: 'planted-1' }],
      [MCP_TOOLS.completeInvocation, { invocation_id: B_PENDING, completed: false }],
      [MCP_TOOLS.completeInvocation, { session_id: 'sb', skill_name: 'beta-deployer', completed: false }],
      [
        MCP_TOOLS.trackInvocations,
        {
          invocations: [
            { invocation_id: 'planted-2', session_id: 'x', skill_name: 'planted', invoked_at: '2026-01-01T00:00:00Z', status: 'completed', completed: true, completed_at: '2026-01-01T00:00:01Z' },
          ],
          completions: [{ invocation_id: B_PENDING, completed: false, completed_at: '2026-01-01T00:00:01Z' }],
          abandon: [B_PENDING],
        },
      ],
      [MCP_TOOLS.recommendSkills, { user_query: 'deploy to staging' }],
      [MCP_TOOLS.getRecommendations, { user_query: 'deploy to staging' }],
      [MCP_TOOLS.skillStats, {}],
      [MCP_TOOLS.healthCheck, {}],
    ];
    for (const [tool, args] of calls) {
      const result = await alpha.callTool(tool, { ...args, project: 'beta' });
      expect({ tool, isError: result.isError, text: textOf(result) }).toEqual({ tool, isError: true, text: FORBIDDEN_BETA });
    }
    expect(await betaSnapshot()).toEqual(before);
  });

  it("treats beta's invocation ids as unknown through token A: nothing completed, abandoned or overwritten", async () => {
    const before = await betaSnapshot();
    const alphaBefore = await storeOf('alpha').countInvocations();
    const complete = await alpha.callTool(MCP_TOOLS.completeInvocation, { invocation_id: B_PENDING, completed: false });
    expect(complete).toMatchObject({ isError: true });
    expect(textOf(complete)).toBe(`invocation_id: no invocation "${B_PENDING}" is stored`);
    const bySession = await alpha.callTool(MCP_TOOLS.completeInvocation, { session_id: 'sb', skill_name: 'beta-deployer', completed: true });
    expect(textOf(bySession)).toBe('no open invocation of skill_name "beta-deployer" in session_id "sb"');
    const batch = await alpha.trackInvocations({
      invocations: [
        // Beta's ids reused: counted as duplicates, nothing of beta's changes.
        { invocation_id: B_FINISHED, session_id: 'x', skill_name: 'planted', invoked_at: '2026-01-01T00:00:00Z', status: 'failed', completed: false, completed_at: '2026-01-01T00:00:01Z' },
        { invocation_id: B_PENDING, session_id: 'x', skill_name: 'planted', invoked_at: '2026-01-01T00:00:00Z', status: 'pending', completed: false },
      ],
      completions: [{ invocation_id: B_PENDING, completed: false, completed_at: '2026-01-01T00:00:01Z' }],
      abandon: [B_PENDING, B_FINISHED],
    });
    expect(batch).toEqual({ inserted: 0, duplicates: 2, completed: 0, abandoned: 0, already_finished: [], unknown: [B_PENDING] });
    expect(await betaSnapshot()).toEqual(before);
    expect(await storeOf('alpha').countInvocations()).toBe(alphaBefore);
    expect(await storeOf('alpha').getInvocation(B_PENDING)).toBeNull();
  });

  it('refuses missing-looking and garbled project names with the rule, and a token naming none gets its own', async () => {
    const before = await betaSnapshot();
    for (const project of ['Beta', 'BETA', ' beta', 'beta/..', '../beta', '*', '', 'beta\u0000', 'x'.repeat(65), 7, ['beta'], { name: 'beta' }]) {
      for (const [tool, args] of [
        [MCP_TOOLS.skillStats, {}],
        [MCP_TOOLS.trackInvocation, { session_id: 'x', skill_name: 'planted' }],
      ] as const) {
        const result = await alpha.callTool(tool, { ...args, project });
        expect(result.isError, `${tool} ${JSON.stringify(project)}`).toBe(true);
        expect(textOf(result)).toMatch(/project/);
      }
    }
    // null is "not given" (what Python clients send for None): the token's only project.
    expect((await alpha.callTool(MCP_TOOLS.healthCheck, { project: null })).structuredContent).toMatchObject({ project: 'alpha' });
    expect(await betaSnapshot()).toEqual(before);
  });

  it('checks every request of a session with its own token: a session opened by B does not lend beta to A', async () => {
    const init = await rawRequest(server.url, { method: 'POST', path: '/mcp', headers: { ...MCP_HEADERS, authorization: `Bearer ${TOKEN_B}` }, body: INITIALIZE_BODY });
    const session = { ...MCP_HEADERS, 'mcp-session-id': init.headers['mcp-session-id'] as string, 'mcp-protocol-version': '2025-06-18' };
    const call = (token: string) =>
      rawRequest(server.url, {
        method: 'POST',
        path: '/mcp',
        headers: { ...session, authorization: `Bearer ${token}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: MCP_TOOLS.skillStats, arguments: {} } }),
      });
    const asB = JSON.parse((await call(TOKEN_B)).body) as { result: { structuredContent: { skills: { skill_name: string }[] } } };
    expect(asB.result.structuredContent.skills.map((s) => s.skill_name).sort()).toEqual(['beta-deployer', 'beta-linter']);
    const asA = JSON.parse((await call(TOKEN_A)).body) as { result: { structuredContent: { skills: { skill_name: string }[] } } };
    expect(asA.result.structuredContent.skills.map((s) => s.skill_name)).not.toContain('beta-linter');
  });

  it('refuses token A on every dashboard route naming beta (header or cookie), and lists only its project', async () => {
    const before = await betaSnapshot();
    const routes = ['/api/overview', '/api/overview?bucket=hour', '/api/skills/beta-linter', '/api/recommend?query=deploy', '/api/events', '/api/projects'];
    const exchange = await rawRequest(server.url, { path: `/?token=${TOKEN_A}` });
    const cookie = (exchange.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
    expect(cookie).toMatch(/^skills_dashboard=[0-9a-f]{64}$/);
    for (const route of routes) {
      const withProject = (p: string) => `${route}${route.includes('?') ? '&' : '?'}project=${p}`;
      for (const answer of [await api(withProject('beta'), TOKEN_A), await rawRequest(server.url, { path: withProject('beta'), headers: { cookie } })]) {
        expect({ route, status: answer.status, body: JSON.parse(answer.body) as unknown }).toEqual({
          route,
          status: 403,
          body: { error: FORBIDDEN_BETA, code: 'PROJECT_FORBIDDEN' },
        });
      }
      const all = await api(withProject('*'), TOKEN_A);
      expect(all.status).toBe(403);
      expect(JSON.parse(all.body)).toEqual({ error: 'project "*" is not allowed for this token', code: 'PROJECT_FORBIDDEN' });
      const garbled = await api(withProject('Be%2Fta'), TOKEN_A);
      expect(garbled.status).toBe(400);
      expect(JSON.parse(garbled.body).error).toMatch(/^Invalid project: project must be 1-64 characters/);
    }
    const hook = await rawRequest(server.url, {
      method: 'POST',
      path: '/hooks/claude-code?project=beta',
      headers: { authorization: `Bearer ${TOKEN_A}`, 'content-type': 'application/json' },
      body: JSON.stringify({ hook_event_name: 'UserPromptSubmit', session_id: 'x', prompt: 'deploy' }),
    });
    expect(hook.status).toBe(403);
    expect(JSON.parse(hook.body)).toEqual({ error: FORBIDDEN_BETA, code: 'PROJECT_FORBIDDEN' });

    const projects = JSON.parse((await api('/api/projects', TOKEN_A)).body) as DashboardProjects;
    expect(projects).toEqual({ projects: ['alpha'], project: 'alpha', allProjects: false });
    const overview = JSON.parse((await api('/api/overview', TOKEN_A)).body) as { skills: { skillName: string }[] };
    expect(overview.skills.map((s) => s.skillName)).toEqual(['alpha-linter']);
    expect((await api('/api/skills/beta-linter', TOKEN_A)).status).toBe(404);
    expect(await betaSnapshot()).toEqual(before);
  });

  it('gives a token allowed every project the picker of all projects and the all-projects view', async () => {
    const projects = JSON.parse((await api('/api/projects', TOKEN_ADMIN)).body) as DashboardProjects;
    expect(projects).toEqual({ projects: ['alpha', 'beta', 'default'], project: 'default', allProjects: true });
    const all = JSON.parse((await api('/api/overview?project=*', TOKEN_ADMIN)).body) as { totals: { invocations: number }; skills: { skillName: string }[] };
    const total = (await storeOf('alpha').countInvocations()) + (await storeOf('beta').countInvocations());
    expect(all.totals.invocations).toBe(total);
    expect(all.skills.map((s) => s.skillName).sort()).toEqual(['alpha-linter', 'beta-deployer', 'beta-linter']);
    const betaView = JSON.parse((await api('/api/overview?project=beta', TOKEN_ADMIN)).body) as { skills: { skillName: string }[] };
    expect(betaView.skills.map((s) => s.skillName).sort()).toEqual(['beta-deployer', 'beta-linter']);
    const recommend = await api('/api/recommend?query=deploy&project=*', TOKEN_ADMIN);
    expect(recommend.status).toBe(400);
    expect(JSON.parse(recommend.body).error).toMatch(/choose a project/);
  });

  it('never lets a token reach the logs, errors, /health or /metrics', async () => {
    const health = await api('/health', TOKEN_A);
    const metrics = await api('/metrics', TOKEN_ADMIN);
    const refused = await api('/api/overview', 'wrong-token-0123456789abcdef');
    expect(refused.status).toBe(401);
    for (const text of [health.body, metrics.body, refused.body, ...logged]) {
      for (const token of [TOKEN_A, TOKEN_B, TOKEN_ADMIN]) expect(text).not.toContain(token);
    }
  });
});
