import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type InvocationRecord } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { createSkillsTracker, syncSpool } from '@skills/tracker';
import { serve, stopServers, tempDir } from './support.js';

afterEach(stopServers);

/** Every invocation the server stored, read from its database file. */
async function storedOn(serverDb: string): Promise<InvocationRecord[]> {
  const store = await openSqliteStore({ path: serverDb, readonly: true });
  try {
    return await store.listInvocations(undefined, { limit: 1000 });
  } finally {
    await store.close();
  }
}

/** An MCP tracker of `project` (none: the settings name none) with its own local folder. */
function mcpTracker(mcpServerUrl: string, project?: string) {
  const dir = tempDir();
  return createSkillsTracker({
    backend: 'mcp',
    mcpServerUrl,
    mcpTimeoutMs: 5_000,
    dbPath: join(dir, 'local.db'),
    embedder: 'lexical',
    env: {},
    logger: silentLogger,
    ...(project ? { project } : {}),
  }).then((tracker) => ({ tracker, dir }));
}

describe("the MCP tracker against the real server (skills serve on 127.0.0.1), with the settings' project", () => {
  it('writes into its project and is recommended from that project alone; scores of the alternatives go along', async () => {
    const serverDb = join(tempDir(), 'server.db');
    const url = await serve(serverDb, { SKILLS_MIN_SIMILARITY: '0' });
    const { tracker: alpha } = await mcpTracker(url, 'alpha');
    const { tracker: beta } = await mcpTracker(url, 'beta');
    try {
      expect(alpha.getBackend().kind).toBe('mcp');
      alpha.trackInvocation({ skillName: 'code-reviewer', userQuery: 'ship the pull request', alternativesConsidered: ['linter'], alternativeScores: [0.4] })!({
        completed: true,
      });
      beta.trackInvocation({ skillName: 'deployer', userQuery: 'ship the pull request' })!({ completed: true });
      await Promise.all([alpha.flush(), beta.flush()]);
      expect((await alpha.getRecommendations({ userQuery: 'ship the pull request' })).map((r) => r.skillName)).toEqual(['code-reviewer']);
      expect((await beta.getRecommendations({ userQuery: 'ship the pull request' })).map((r) => r.skillName)).toEqual(['deployer']);
      expect(alpha.health().failures + beta.health().failures).toBe(0);
    } finally {
      await Promise.all([alpha.close(), beta.close()]);
    }
    const stored = await storedOn(serverDb);
    expect(stored.map((r) => [r.project, r.skillName, r.alternativeScores]).sort()).toEqual([
      ['alpha', 'code-reviewer', [0.4]],
      ['beta', 'deployer', undefined],
    ]);
  });

  it("replays a spool into the project it was written for, whoever replays it; a tracker naming no project gets the server's", async () => {
    const serverDb = join(tempDir(), 'server.db');
    const url = await serve(serverDb, {}, ['--project', 'main']);
    // Nothing listens on port 9: both trackers spool.
    const away = 'http://127.0.0.1:9';
    const named = await mcpTracker(away, 'alpha');
    const unnamed = await mcpTracker(away);
    named.tracker.trackInvocation({ skillName: 'code-reviewer', userQuery: 'review it' })!({ completed: true });
    unnamed.tracker.trackInvocation({ skillName: 'linter', userQuery: 'lint it' })!({ completed: false, errorType: 'LintError' });
    await Promise.all([named.tracker.close(), unnamed.tracker.close()]);
    expect(named.tracker.getBackend().kind).toBe('direct'); // fell back: spooled

    // Replayed by processes whose own settings name another project, or none.
    for (const { dir } of [named, unnamed]) {
      const result = await syncSpool({ mcpServerUrl: url, spoolDir: join(dir, 'spool'), project: 'beta', cwd: dir, env: {}, logger: silentLogger });
      expect(result).toEqual({ replayed: 1, duplicates: 0, remaining: 0 });
    }
    const stored = await storedOn(serverDb);
    expect(stored.map((r) => [r.project, r.skillName, r.status]).sort()).toEqual([
      ['alpha', 'code-reviewer', 'completed'],
      ['main', 'linter', 'failed'],
    ]);
  });
});
