import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { ServerHealthSchema, TrackInvocationResultSchema } from '@skills/protocol';
import { BIN, tempDir } from './test-support/harness.js';

describe('skills-server --stdio (the built bin, as an MCP host spawns it)', () => {
  it('serves the same tools over stdin/stdout and keeps logs on stderr', async () => {
    const dir = tempDir();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, '--stdio', '--db', join(dir, 'stdio.db')],
      env: { ...(process.env as Record<string, string>), SKILLS_EMBEDDER: 'lexical' },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const client = new Client({ name: 'stdio-test', version: '0.0.0' });
    await client.connect(transport);
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).toContain('track_invocation');

      const tracked = await client.callTool({ name: 'track_invocation', arguments: { session_id: 'stdio', skill_name: 'planner', user_query: 'plan the release' } });
      const { invocation_id } = TrackInvocationResultSchema.parse(tracked.structuredContent);
      const done = await client.callTool({ name: 'complete_invocation', arguments: { invocation_id, completed: true } });
      expect(done.structuredContent).toMatchObject({ applied: true, status: 'completed' });

      const bad = await client.callTool({ name: 'track_invocation', arguments: { session_id: 'stdio' } });
      expect(bad.isError).toBe(true);
      expect(JSON.stringify(bad.content)).toContain('skill_name is required');

      // The host that spawned the server owns it: every project, each apart.
      await client.callTool({ name: 'track_invocation', arguments: { session_id: 'stdio', skill_name: 'deployer', project: 'ops' } });
      const ops = await client.callTool({ name: 'skill_stats', arguments: { project: 'ops' } });
      expect((ops.structuredContent as { skills: { skill_name: string }[] }).skills.map((x) => x.skill_name)).toEqual(['deployer']);

      const health = ServerHealthSchema.parse((await client.callTool({ name: 'health_check', arguments: {} })).structuredContent);
      expect(health).toMatchObject({ status: 'ok', transport: 'stdio', database: { path: join(dir, 'stdio.db'), invocations: 1 } });

      expect((await client.callTool({ name: 'health_check', arguments: { project: 'ops' } })).structuredContent).toMatchObject({ project: 'ops', database: { invocations: 1 } });
    } finally {
      await client.close();
    }
    // Every line on stdout was an MCP message (the client would have failed otherwise); logs went to stderr.
    expect(stderr).toContain('serving MCP over stdio');
  });
});
