import { afterAll, beforeAll, expect, it } from 'vitest';
import { SkillsMcpClient } from '@skills/mcp-client';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startTestServer, tempDir } from './test-support/harness.js';
import type { RunningSkillsServer } from './server.js';

/* Rules of the tools' arguments beyond each field's own, over the real server. */

let server: RunningSkillsServer;
let client: SkillsMcpClient;
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();

beforeAll(async () => {
  server = await startTestServer(tempDir());
  client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 10_000 });
  const record = (id: string, invokedAt: string) => ({
    invocation_id: id,
    session_id: 's',
    skill_name: 'since-skill',
    invoked_at: invokedAt,
    status: 'completed' as const,
    completed: true,
    completed_at: invokedAt,
  });
  await client.trackInvocations({ invocations: [record('old', daysAgo(10)), record('week', daysAgo(5)), record('recent', daysAgo(0.5))] });
});

afterAll(async () => {
  await client?.close();
  await server?.close();
});

const textOf = (r: CallToolResult) => r.content.map((c) => ('text' in c ? c.text : '')).join('');

const invocationsSince = async (since: string) => (await client.callTool('skill_stats', { skill_name: 'since-skill', since })).structuredContent;

it('skill_stats takes `since` as the command does: an instant, or a duration back from now (7d, 24h, 1w, 1d12h)', async () => {
  const count = async (since: string) => ((await invocationsSince(since)) as { skills: { invocations: number }[] }).skills[0]?.invocations ?? 0;
  expect(await count('7d')).toBe(2);
  expect(await count('1w')).toBe(2);
  expect(await count('24h')).toBe(1);
  expect(await count('1d12h')).toBe(1);
  expect(await count('30d')).toBe(3);
  expect(await count(daysAgo(7))).toBe(2);
});

it('skill_stats refuses a `since` that is neither, or reaches back before the year 0000, naming the field', async () => {
  // Sent unvalidated (callTool): the server's own check, not the client's.
  const refusal = async (since: string) => {
    const result = await client.callTool('skill_stats', { since });
    expect(result.isError, since).toBe(true);
    return textOf(result);
  };
  for (const since of ['-5d', '7 days', 'yesterday', '2025-01-31']) {
    expect(await refusal(since)).toMatch(/since must be an ISO-8601 date-time with a zone .* or a duration back from now like 7d/);
  }
  expect(await refusal('99999999999w')).toMatch(/since must not reach back before the year 0000/);
});

it('track_invocations refuses a record that completed before it was invoked, naming completed_at, and stores nothing', async () => {
  const before = await server.app.service.store.countInvocations();
  const invokedAt = daysAgo(1);
  const result = await client.callTool('track_invocations', {
    invocations: [
      { invocation_id: 'fine', session_id: 's', skill_name: 'k', invoked_at: invokedAt, status: 'pending', completed: false },
      { invocation_id: 'backwards', session_id: 's', skill_name: 'k', invoked_at: invokedAt, status: 'failed', completed: false, completed_at: daysAgo(2) },
    ],
  });
  expect(result.isError).toBe(true);
  const text = textOf(result);
  expect(text).toContain('invocations[1].completed_at');
  expect(text).toContain(`completed_at must not be earlier than invoked_at (${invokedAt})`);
  expect(await server.app.service.store.countInvocations()).toBe(before);
  // The same instant is fine: a run may take no measurable time.
  await expect(
    client.trackInvocations({
      invocations: [{ invocation_id: 'instant', session_id: 's', skill_name: 'k', invoked_at: invokedAt, status: 'completed', completed: true, completed_at: invokedAt }],
    }),
  ).resolves.toMatchObject({ inserted: 1 });
});
