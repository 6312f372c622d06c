import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SkillsMcpClient } from '@skills/mcp-client';
import { silentLogger } from '@skills/protocol';
import { describePostgres, useDatabases } from '@skills/store-contract/postgres';
import { createSkillsTracker } from '@skills/tracker';
import { changeStream } from './test-support/change-events.js';
import { eventually, tempDir } from './test-support/harness.js';
import { useServedProcesses } from './test-support/served.js';

const databases = useDatabases();
const { serve, cleanup } = useServedProcesses({ clientTimeoutMs: 5_000 });
const QUERY = 'migrate the billing schema to the new column layout';

/** Tracks one invocation of `skill` for {@link QUERY} through `client`, and completes it. */
async function trackAndComplete(client: SkillsMcpClient, skill: string): Promise<void> {
  const { invocation_id } = await client.trackInvocation({ session_id: 'team-a', skill_name: skill, user_query: QUERY });
  expect(await client.completeInvocation({ invocation_id, completed: true, duration_seconds: 2 })).toMatchObject({ applied: true });
}

describePostgres('two servers on one PostgreSQL database (issue 15)', () => {
  it('what one server tracked, the other recommends, counts and announces on its dashboard', async () => {
    const db = await databases.create();
    const a = await serve(db);
    const b = await serve(db);
    const res = await fetch(new URL('/api/events', b.server.url));
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const changes = changeStream(res);
    cleanup(() => changes.cancel());
    const before = await changes.next();
    // B's recommender is open (and knows nothing) before A writes: only A's notice can tell it.
    expect(await b.client.recommendSkills({ user_query: QUERY })).toEqual([]);

    await trackAndComplete(a.client, 'schema-migrator');

    await eventually(
      async () => (await b.client.recommendSkills({ user_query: QUERY })).some((r) => r.skillName === 'schema-migrator'),
      10_000,
      "server B to recommend what server A tracked",
    );
    expect(await b.client.skillStats()).toEqual([expect.objectContaining({ skillName: 'schema-migrator', invocations: 1, completed: 1 })]);
    expect(await changes.next()).not.toBe(before);
    for (const server of [a.server, b.server]) expect(server.stderr()).not.toContain(new URL(db).password);
  });
});

it('a direct tracker in this process recommends what another process wrote to its SQLite file', async () => {
  const db = join(tempDir(), 'shared.db');
  const tracker = await createSkillsTracker({ backend: 'direct', dbPath: db, env: {}, embedder: 'lexical', minSimilarity: 0, logger: silentLogger });
  cleanup(() => tracker.close());
  // Its recommender is open (and knows nothing) before the other process writes.
  expect(await tracker.getRecommendations({ userQuery: QUERY })).toEqual([]);

  const other = await serve(db);
  await trackAndComplete(other.client, 'schema-migrator');

  await eventually(
    async () => (await tracker.getRecommendations({ userQuery: QUERY })).some((r) => r.skillName === 'schema-migrator'),
    10_000,
    'the direct tracker to recommend what the other process tracked',
  );
});
