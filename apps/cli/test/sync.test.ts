import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { createSkillsTracker } from '@skills/tracker';
import { serve, skills, stopServers, tempDir } from './support.js';

afterEach(stopServers);

/** A project folder whose spool holds `n` invocations tracked while no server answered. */
async function projectWithSpool(n: number): Promise<string> {
  const cwd = tempDir();
  const tracker = await createSkillsTracker({
    backend: 'mcp',
    mcpServerUrl: 'http://127.0.0.1:9', // nothing listens: the tracker spools
    dbPath: join(cwd, '.skills', 'skills.db'),
    sessionId: 'offline',
    logger: silentLogger,
    env: {},
  });
  for (let i = 0; i < n; i++) tracker.trackInvocation({ skillName: 'offline-skill' })!({ completed: true });
  await tracker.close();
  return cwd;
}

describe('skills sync', () => {
  it('says in --help how to name the server', async () => {
    const help = await skills(['sync', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: skills sync [--url URL]');
    expect(help.stdout).toMatch(/--url URL\s+the skills server to replay to/);
    expect(help.stdout).toContain('skills sync --url http://127.0.0.1:8678');
  });

  it('replays the spool to the server --url names, over the mcpServerUrl setting', async () => {
    const serverDb = join(tempDir(), 'server.db');
    const url = await serve(serverDb);
    const cwd = await projectWithSpool(3);

    // The setting (SKILLS_MCP_URL, an address nothing listens on in these tests) is not the server.
    const unnamed = await skills(['sync'], { cwd });
    expect(unnamed.code).toBe(1);
    expect(unnamed.stderr).toContain('cannot replay 3 spooled invocations: the skills server at http://127.0.0.1:9 is not available');

    const named = await skills(['sync', '--url', url], { cwd });
    expect(named.stderr).toBe('');
    expect(named.code).toBe(0);
    expect(named.stdout).toBe(`Replayed 3 spooled invocations to ${url} (0 the server already had).\n`);
    const store = await openSqliteStore({ path: serverDb, readonly: true });
    try {
      const stored = await store.listInvocations({ sessionId: 'offline' }, { limit: 10 });
      expect(stored.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    } finally {
      await store.close();
    }

    const again = await skills(['sync', '--url', url, '--json'], { cwd });
    expect(JSON.parse(again.stdout)).toMatchObject({ server: url, replayed: 0, remaining: 0 });
  });

  it('rejects a --url that is not an http(s) URL, naming the setting and the rule', async () => {
    const cwd = await projectWithSpool(1);
    const bad = await skills(['sync', '--url', 'not a url'], { cwd });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('mcpServerUrl must be an http(s) URL');
  });
});
