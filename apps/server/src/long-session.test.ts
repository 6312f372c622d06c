import { afterAll, beforeAll, expect, it } from 'vitest';
import { SkillsMcpClient } from '@skills/mcp-client';
import { startTestServer, tempDir } from './test-support/harness.js';
import type { RunningSkillsServer } from './server.js';

/*
 * One MCP session kept open for many calls must not grow the server's memory with each call.
 * The SDK's JSON-response mode keeps one entry per request in its transport until the session
 * ends (typescript-sdk issue 2559): `skills_mcp_held_streams` shows those entries. The heavier
 * heap soak of the same session is in soak/long-session.soak.test.ts (`pnpm test:soak`).
 */

const CALLS = 600;

let server: RunningSkillsServer;
let client: SkillsMcpClient;

beforeAll(async () => {
  server = await startTestServer(tempDir());
  client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 10_000 });
});

afterAll(async () => {
  await client?.close();
  await server?.close();
});

const heldStreams = async () => Number(/^skills_mcp_held_streams (\S+)$/m.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1]);

it(`holds nothing per call after ${CALLS} calls on one session, sequential and concurrent`, async () => {
  for (let i = 0; i < CALLS / 2; i++) await client.healthCheck();
  for (let i = 0; i < CALLS / 20; i++) await Promise.all(Array.from({ length: 10 }, () => client.skillStats({})));
  expect(server.http.sessions).toBe(1);
  // Every answer was sent: no entry is left (NaN would mean the SDK changed and the workaround is blind).
  expect(await heldStreams()).toBe(0);
});
