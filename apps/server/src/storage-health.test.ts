import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SkillsMcpClient, McpToolError } from '@skills/mcp-client';
import type { Logger } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { startSkillsServer, type RunningSkillsServer } from './server.js';
import { tempDir, testSettings } from './test-support/harness.js';

// A database the server cannot write (opened read-only: a real SQLite refusal, not a fake) must
// show in /health, so whoever runs the server sees it without reading the log.

let server: RunningSkillsServer;
let client: SkillsMcpClient;
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

beforeAll(async () => {
  const dir = tempDir();
  const path = join(dir, 'server.db');
  await (await openSqliteStore({ path })).close();
  const store = await openSqliteStore({ path, readonly: true });
  server = await startSkillsServer({ settings: testSettings(dir), store, host: '127.0.0.1', port: 0, logger: quiet });
  client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 5_000 });
});

afterAll(async () => {
  await client?.close();
  await server?.close();
});

it('a write the storage refuses turns /health degraded, naming the cause', async () => {
  const healthy = await fetch(new URL('/health', server.url));
  expect(healthy.status).toBe(200);

  await expect(client.trackInvocation({ session_id: 's', skill_name: 'linter' })).rejects.toBeInstanceOf(McpToolError);

  const degraded = await fetch(new URL('/health', server.url));
  expect(degraded.status).toBe(503);
  const body = (await degraded.json()) as { status: string; database: { error?: string } };
  expect(body.status).toBe('degraded');
  expect(body.database.error).toMatch(/last write failed at .*read-only/);
});
