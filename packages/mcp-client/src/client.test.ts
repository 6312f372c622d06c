import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '@skills/protocol';
import { SkillsMcpClient } from './client.js';
import { McpToolError, McpUnavailableError } from './errors.js';
import { FakeSkillsServer } from './test-support/fake-server.js';

let server: FakeSkillsServer;
const clients: SkillsMcpClient[] = [];

async function connect(url = server.url, timeoutMs = 2_000): Promise<SkillsMcpClient> {
  const client = await SkillsMcpClient.connect({ url, timeoutMs });
  clients.push(client);
  return client;
}

beforeEach(async () => {
  server = await FakeSkillsServer.start();
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await server.stop();
});

describe('SkillsMcpClient', () => {
  it('calls a tool with typed arguments and returns its typed result', async () => {
    const client = await connect();
    const first = await client.trackInvocation({ session_id: 's', skill_name: 'linter', invocation_id: 'id-1' });
    expect(first).toEqual({ invocation_id: 'id-1', duplicate: false });
    expect(await client.trackInvocation({ session_id: 's', skill_name: 'linter', invocation_id: 'id-1' })).toEqual({
      invocation_id: 'id-1',
      duplicate: true,
    });
    expect((await client.healthCheck()).version).toBe('0.0.0-fake');
    expect(await client.listTools()).toContain('track_invocation');
  });

  it('rejects bad arguments locally, naming the field and the rule, and sends nothing', async () => {
    const client = await connect();
    const error = await client.trackInvocation({ session_id: 's', skill_name: '  ', selection_rank: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain('skill_name: skill_name must not be empty');
    expect((error as Error).message).toContain('selection_rank must be at least 1');
    expect(server.tracked).toEqual([]);
  });

  it('turns a tool failure into a McpToolError carrying the server message', async () => {
    const client = await connect();
    const error = await client.skillStats().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpToolError);
    expect((error as Error).message).toBe('skill_stats: the store is on fire');
  });

  it('opens a new session when the server forgot the old one (restart: HTTP 404), and retries the call', async () => {
    const client = await connect();
    const before = client.sessionId;
    server.forgetSessions();
    const result = await client.trackInvocation({ session_id: 's', skill_name: 'x', invocation_id: 'after-restart' });
    expect(result.duplicate).toBe(false);
    expect(client.sessionId).toBeDefined();
    expect(client.sessionId).not.toBe(before);
    expect(server.tracked).toEqual(['after-restart']);
  });

  it("sends its project on every call that names none, and a call's own project over it (issue 15)", async () => {
    const plain = await connect();
    await plain.trackInvocation({ session_id: 's', skill_name: 'linter' });
    await plain.healthCheck({ project: 'beta' });
    const scoped = await SkillsMcpClient.connect({ url: server.url, project: 'alpha' });
    clients.push(scoped);
    await scoped.trackInvocation({ session_id: 's', skill_name: 'linter' });
    await scoped.healthCheck();
    await scoped.trackInvocation({ session_id: 's', skill_name: 'linter', project: 'beta' });
    await scoped.callTool('health_check', {});
    expect(server.projects).toEqual([undefined, 'beta', 'alpha', 'alpha', 'beta', 'alpha']);
  });

  it('refuses a bad project name before connecting, naming project and the rule', async () => {
    const error = await SkillsMcpClient.connect({ url: server.url, project: 'Team A' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain('project must be 1-64 characters');
    expect(server.sessionCount).toBe(0);
  });

  it('fails fast with McpUnavailableError when nothing listens', async () => {
    const url = server.url;
    await server.stop();
    const error = await SkillsMcpClient.connect({ url, timeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpUnavailableError);
    expect((error as Error).message).toContain('connection refused');
    server = await FakeSkillsServer.start(); // for afterEach
  });

  it('times out on a slow server with McpUnavailableError (timedOut)', async () => {
    const client = await connect(server.url, 300);
    server.delayMs = 1_000;
    const error = await client.trackInvocation({ session_id: 's', skill_name: 'slow' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpUnavailableError);
    expect((error as McpUnavailableError).timedOut).toBe(true);
    server.delayMs = 0;
  });

  it('ends its server session on close', async () => {
    const client = await connect();
    expect(server.sessionCount).toBe(1);
    await client.close();
    expect(server.sessionCount).toBe(0);
    await expect(client.healthCheck()).rejects.toThrow('closed');
  });
});
