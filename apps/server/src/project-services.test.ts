import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SkillsMcpClient } from '@skills/mcp-client';
import { silentLogger } from '@skills/protocol';
import { DEFAULT_MAX_PROJECT_SERVICES } from '@skills/tracker';
import { describePostgres, useDatabases } from '@skills/store-contract/postgres';
import { openPostgresStore } from '@skills/store-postgres';
import { afterEach, expect, it } from 'vitest';
import { startSkillsServer, type RunningSkillsServer } from './server.js';
import { tempDir, testSettings } from './test-support/harness.js';
import { readTokenFile } from './token-file.js';

// A token allowed every project ("*") names whatever project it likes: a hostile client inventing
// names must not make the server keep a service (and a recommender) per name, nor store projects
// it only read. On PostgreSQL, whose projects table the test can count directly.

const TOKEN = 'any-project-token-0123456789ab';
const databases = useDatabases();
const running: { server: RunningSkillsServer; client: SkillsMcpClient }[] = [];
afterEach(async () => {
  for (const { server, client } of running.splice(0)) {
    await client.close();
    await server.close();
  }
});

/** The gauge of the project services the server holds open, scraped from /metrics. */
async function openServices(server: RunningSkillsServer): Promise<number> {
  const res = await fetch(new URL('/metrics', server.url), { headers: { authorization: `Bearer ${TOKEN}` } });
  const match = /^skills_project_services (\d+)$/m.exec(await res.text());
  if (!match) throw new Error('/metrics has no skills_project_services');
  return Number(match[1]);
}

describePostgres('project services under a client inventing project names', () => {
  it('1,000 invented projects read: the open services stay capped and no project is stored', async () => {
    const db = await databases.create();
    const dir = tempDir();
    const file = join(dir, 'tokens.yaml');
    writeFileSync(file, `tokens:\n  - name: anything\n    token: ${TOKEN}\n    projects: "*"\n`, { mode: 0o600 });
    const store = await openPostgresStore({ url: db });
    const server = await startSkillsServer({ settings: testSettings(dir), store, host: '127.0.0.1', port: 0, logger: silentLogger, tokens: readTokenFile(file, '--token-file', []) });
    const client = await SkillsMcpClient.connect({ url: server.url, token: TOKEN, timeoutMs: 15_000 });
    running.push({ server, client });
    const [projectsBefore] = await databases.sql<{ n: string }>('SELECT count(*) AS n FROM projects', [], db);

    for (let i = 0; i < 1000; i++) {
      const project = `invented-${i}`;
      // Statistics read the store; a recommendation and the dashboard's figures read more.
      expect(await client.skillStats({ project })).toEqual([]);
      if (i % 10 === 0) {
        expect(await client.recommendSkills({ user_query: 'deploy the service', project })).toEqual([]);
        const overview = await fetch(new URL(`/api/overview?project=${project}`, server.url), { headers: { authorization: `Bearer ${TOKEN}` } });
        expect(overview.status).toBe(200);
        await overview.body?.cancel();
      }
    }

    // The server's own project and at most the cap of others.
    expect(await openServices(server)).toBeLessThanOrEqual(DEFAULT_MAX_PROJECT_SERVICES + 1);
    const [projectsAfter] = await databases.sql<{ n: string }>('SELECT count(*) AS n FROM projects', [], db);
    expect(projectsAfter!.n).toBe(projectsBefore!.n);
    // A project whose service was closed to make room is served again on its next call.
    await client.trackInvocation({ session_id: 's', skill_name: 'deployer', user_query: 'deploy the service', project: 'invented-0' });
    expect((await client.recommendSkills({ user_query: 'deploy the service', project: 'invented-0' })).map((r) => r.skillName)).toEqual(['deployer']);
  });
});
