import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SkillsMcpClient } from '@skills/mcp-client';
import { startTestServer, tempDir } from './test-support/harness.js';
import type { RunningSkillsServer } from './server.js';

/*
 * The server under load: 50 MCP clients at once on loopback, each with its own session, each
 * tracking and completing 40 invocations. Bounded in count; the timeouts are generous because
 * the machine may be shared. Nothing may fail and nothing may be lost.
 */

const CLIENTS = 50;
const CALLS_PER_CLIENT = 40;
const QUERIES = ['optimise the slow SQL query', 'review my pull request', 'run the unit tests', 'plan the release', 'fix the flaky test'];
const SKILLS = ['sql-expert', 'code-reviewer', 'test-runner', 'planner'];

let server: RunningSkillsServer;

beforeAll(async () => {
  server = await startTestServer(tempDir());
});

afterAll(async () => {
  await server?.close();
});

const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

describe(`${CLIENTS} concurrent MCP clients`, () => {
  it(`each tracks and completes ${CALLS_PER_CLIENT} invocations: no error, no invocation lost or doubled`, async () => {
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => SkillsMcpClient.connect({ url: server.url, timeoutMs: 30_000 })));
    const started = performance.now();
    try {
      expect(server.http.sessions).toBe(CLIENTS);
      const results = await Promise.allSettled(
        clients.map(async (client, c) => {
          const ids: string[] = [];
          for (let i = 0; i < CALLS_PER_CLIENT; i++) {
            const { invocation_id, duplicate } = await client.trackInvocation({
              session_id: `load-${c}`,
              skill_name: SKILLS[(c + i) % SKILLS.length]!,
              user_query: QUERIES[i % QUERIES.length]!,
            });
            expect(duplicate).toBe(false);
            const done = await client.completeInvocation({ invocation_id, completed: i % 5 !== 0, duration_seconds: 0.5 });
            expect(done).toMatchObject({ invocation_id, applied: true });
            ids.push(invocation_id);
          }
          return ids;
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(failures.map((f) => String(f.reason))).toEqual([]);

      const ids = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
      const total = CLIENTS * CALLS_PER_CLIENT;
      expect(new Set(ids).size).toBe(total);
      const store = server.app.service.store;
      expect(await store.countInvocations()).toBe(total);
      expect(await store.countInvocations({ status: 'completed' })).toBe(total * 0.8);
      expect(await store.countInvocations({ status: 'failed' })).toBe(total * 0.2);
      expect(await store.countInvocations({ status: 'pending' })).toBe(0);
      const stats = await store.skillStats();
      expect(stats.reduce((n, s) => n + s.invocations, 0)).toBe(total);

      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metric(metrics, 'skills_invocations_total')).toBe(total);
      expect(metric(metrics, 'skills_completions_total')).toBe(total);
      expect(metric(metrics, 'skills_sessions')).toBe(CLIENTS);
      // For the record: calls (track + complete) per second through the whole stack.
      console.log(`${CLIENTS} clients x ${CALLS_PER_CLIENT} track+complete: ${(2 * total) / seconds | 0} calls/s (${seconds.toFixed(2)} s)`);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
    expect(server.http.sessions).toBe(0);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
