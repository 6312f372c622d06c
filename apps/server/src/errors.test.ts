import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SkillsMcpClient } from '@skills/mcp-client';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '@skills/protocol';
import { startSkillsServer, type RunningSkillsServer } from './server.js';
import { INITIALIZE_BODY, MCP_HEADERS, rawRequest, tempDir, testSettings } from './test-support/harness.js';

/*
 * What a client sees when something fails inside the server: a message with no stack trace, no
 * file path and no internals. The detail goes to the server's log.
 */

let dir: string;
let server: RunningSkillsServer;
let client: SkillsMcpClient;
const logged: string[] = [];
const logger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (m: string) => void logged.push(m),
  error: (m: string) => void logged.push(m),
};

beforeAll(async () => {
  dir = tempDir();
  server = await startSkillsServer({ settings: testSettings(dir), host: '127.0.0.1', port: 0, logger });
  client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 5_000 });
});

afterAll(async () => {
  await client?.close();
  await server?.close();
});

const textOf = (r: CallToolResult) => r.content.map((c) => ('text' in c ? c.text : '')).join('');

/** No stack frame, no file of ours or of a dependency, no folder of the machine. */
function expectNothingInternal(text: string): void {
  expect(text).not.toMatch(/\n\s+at \S|\.(ts|js|mjs|cjs):\d+/); // no stack frame, no source file // a stack frame: at fn (file:line:column)
  expect(text).not.toMatch(/\.(ts|js|mjs|cjs):\d+/);
  expect(text).not.toContain('node_modules');
  expect(text).not.toContain(dir);
  expect(text).not.toMatch(/(\/[\w.-]+){2,}/); // any absolute path
}

describe('errors reach clients without stack traces or paths', () => {
  it('malformed requests get short protocol errors', async () => {
    const init = await rawRequest(server.url, { method: 'POST', path: '/mcp', headers: MCP_HEADERS, body: INITIALIZE_BODY });
    const session = { ...MCP_HEADERS, 'mcp-session-id': init.headers['mcp-session-id'] as string, 'mcp-protocol-version': '2025-06-18' };
    const bodies = [
      '{',
      '[]',
      'null',
      '"text"',
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'no/such/method' }),
      JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'no_such_tool', arguments: {} } }),
      JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'track_invocation', arguments: 'not an object' } }),
      JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'track_invocation', arguments: { session_id: { $gt: '' }, skill_name: ['x'] } } }),
      JSON.stringify({ jsonrpc: '1.0', id: 5, method: 'tools/list' }),
      JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'track_invocations', arguments: { invocations: [[[[[[[[[[]]]]]]]]]] } } }),
    ];
    for (const body of bodies) {
      const res = await rawRequest(server.url, { method: 'POST', path: '/mcp', headers: session, body });
      expect(res.status, body).toBeLessThan(500);
      expectNothingInternal(res.body);
    }
    expect((await rawRequest(server.url, { path: '/health' })).status).toBe(200);
  });

  it('a tool whose store fails underneath answers "<tool> failed on the server (StoreError)"; the detail goes to the log', async () => {
    const { invocation_id } = await client.trackInvocation({ session_id: 'err', skill_name: 'before' });
    // A real failure: the database is closed under the running server.
    await server.app.service.allProjects.close(); // the store itself: closing a project view does nothing

    const calls: [string, Record<string, unknown>][] = [
      ['track_invocation', { session_id: 'err', skill_name: 'after' }],
      ['complete_invocation', { invocation_id, completed: true }],
      ['complete_invocation', { session_id: 'err', skill_name: 'before', completed: false }],
      ['track_invocations', { invocations: [{ invocation_id: 'e-1', session_id: 'err', skill_name: 'k', invoked_at: new Date().toISOString(), status: 'pending', completed: false }] }],
      ['skill_stats', {}],
      ['recommend_skills', { user_query: 'something never asked before' }],
    ];
    for (const [tool, args] of calls) {
      const result = await client.callTool(tool, args);
      expect(result.isError, tool).toBe(true);
      expect(textOf(result)).toBe(`${tool} failed on the server (StoreError); see the server log`);
      expectNothingInternal(JSON.stringify(result));
    }
    // The server's log has what the client was not told.
    expect(logged.some((line) => line.startsWith('track_invocation failed: StoreError: store is closed') && line.includes(dir) && /\n\s+at /.test(line))).toBe(true);

    // /health says the database cannot be read, and the server is still up.
    const health = await rawRequest(server.url, { path: '/health' });
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'degraded', database: { invocations: null } });
    expect(health.body).not.toMatch(/\n\s+at /);
    const viaTool = await client.callTool('health_check', {});
    expect(JSON.stringify(viaTool)).not.toMatch(/\\n\s+at \S/);
    expect((await rawRequest(server.url, { path: '/metrics' })).body).toMatch(/^skills_tool_errors_total\{tool="skill_stats"\} 1$/m);
  });
});
