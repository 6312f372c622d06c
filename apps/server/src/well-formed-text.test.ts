import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SkillsMcpClient } from '@skills/mcp-client';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startTestServer, tempDir } from './test-support/harness.js';
import type { RunningSkillsServer } from './server.js';

// JSON carries lone surrogates (`"\ud800"`), SQLite's UTF-8 cannot: stored as U+FFFD they would
// never match again. The server's tools must refuse them, naming the argument and the rule.
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

const text = (result: CallToolResult) => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
const RULE = 'must be well-formed Unicode (it holds a lone surrogate, which cannot be stored)';

describe('MCP tools and lone surrogates', () => {
  it('refuse them in every kind of text argument, and store nothing', async () => {
    const now = new Date().toISOString();
    const calls: Array<[string, Record<string, unknown>, string]> = [
      ['track_invocation', { session_id: 's-1', skill_name: 'reviewer\uD800' }, 'skill_name'],
      ['track_invocation', { session_id: 's-1', skill_name: 'reviewer', user_query: 'fix \uDC00 it' }, 'user_query'],
      ['complete_invocation', { invocation_id: 'inv\uD800', completed: true }, 'invocation_id'],
      [
        'track_invocations',
        {
          invocations: ['x\uD800', 'x\uD801'].map((id) => ({
            invocation_id: id, session_id: 's-1', skill_name: 'reviewer', invoked_at: now, status: 'pending', completed: false,
          })),
        },
        'invocation_id',
      ],
    ];
    for (const [tool, args, field] of calls) {
      const result = (await client.callTool(tool, args)) as CallToolResult;
      expect(result.isError, tool).toBe(true);
      expect(text(result), tool).toContain(`${field} ${RULE}`);
    }
    expect(await client.skillStats()).toEqual([]);
  });
});
