import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { McpToolError, SkillsMcpClient } from '@skills/mcp-client';
import type { ServerHealth } from '@skills/protocol';
import { recount } from '@skills/store-contract';
import { describePostgres, describePostgresRestarts, restartPostgres, useDatabases } from '@skills/store-contract/postgres';
import { openPostgresStore } from '@skills/store-postgres';
import { waitFor } from '@skills/vitest-config/wait-for';
import { expect, it } from 'vitest';
import type { ServerProcess } from './test-support/harness.js';
import { useServedProcesses } from './test-support/served.js';

// Faults of a real PostgreSQL under servers that write to it (issue 15): a restart, a connection
// killed mid-batch, a database that refuses writes, and many writers at once.

const run = promisify(execFile);
const databases = useDatabases();
const { serve, cleanup } = useServedProcesses({ clientTimeoutMs: 15_000 });

/** An invocation as `track_invocations` takes it, with a client id. */
const record = (id: string, skill = 'deployer') => ({
  invocation_id: id,
  session_id: 'faults',
  skill_name: skill,
  invoked_at: '2024-05-01T12:00:00.000Z',
  status: 'pending' as const,
  completed: false,
  user_query: `deploy ${skill}`,
});

async function health(server: ServerProcess): Promise<{ status: number; body: ServerHealth }> {
  const res = await fetch(new URL('/health', server.url));
  return { status: res.status, body: (await res.json()) as ServerHealth };
}

/** The aggregates of the database equal a recount of its rows; how many invocations it holds. */
async function expectExact(db: string): Promise<number> {
  const store = await openPostgresStore({ url: db });
  try {
    const { stored, recounted } = await recount(store);
    expect(stored).toEqual(recounted);
    return stored.invocations;
  } finally {
    await store.close();
  }
}

describePostgresRestarts('PostgreSQL restarted under two writing servers', () => {
  it('loses nothing acknowledged; the servers reconnect, and every id is stored once', async () => {
    const db = await databases.create();
    const servers = [await serve(db), await serve(db)];
    const acknowledged = new Set<string>();
    let failed = 0;
    let afterRestart = 0;
    let restarted = false;
    let stop = false;
    // A writer as a tracker with a spool behaves: an id it got no answer for is sent again, until
    // acknowledged. The pause after a failure only paces the retries while the database is down.
    const writer = async (client: SkillsMcpClient, name: string) => {
      for (let n = 0; !stop; n++) {
        const id = `${name}-${n}`;
        for (;;) {
          try {
            await client.trackInvocations({ invocations: [record(id, name)] });
            break;
          } catch {
            failed++;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
        acknowledged.add(id);
        if (restarted) afterRestart++;
      }
    };
    // The second server's recommender is open before the restart: what it learns after comes from
    // following the database again.
    const query = 'roll back the failed canary release';
    expect(await servers[1]!.client.recommendSkills({ user_query: query })).toEqual([]);
    const writers = servers.flatMap(({ client }, s) => [writer(client, `s${s}-a`), writer(client, `s${s}-b`)]);
    await waitFor(() => acknowledged.size >= 40, { what: 'writes before the restart' });
    await restartPostgres();
    restarted = true;
    await waitFor(() => afterRestart >= 40, { timeoutMs: 30_000, what: 'writes after the restart' });
    stop = true;
    await Promise.all(writers);
    await servers[0]!.client.trackInvocations({ invocations: [{ ...record('after-restart', 'canary-rollback'), user_query: query }] });
    acknowledged.add('after-restart');
    await waitFor(async () => (await servers[1]!.client.recommendSkills({ user_query: query })).some((r) => r.skillName === 'canary-rollback'), {
      what: 'the second server to recommend what the first tracked after the restart',
    });

    expect(failed).toBeGreaterThan(0);
    const stored = await databases.sql<{ id: string }>('SELECT id FROM invocations', [], db);
    expect(stored.map((r) => r.id).sort()).toEqual([...acknowledged].sort());
    expect(await expectExact(db)).toBe(acknowledged.size);
    for (const { server } of servers) {
      await waitFor(async () => (await health(server)).status === 200, { what: `${server.url}/health to be ok again` });
      expect(server.stderr()).not.toContain(new URL(db).password);
    }
  });
});

describePostgres('PostgreSQL faults under a server', () => {
  it('a connection killed mid-batch writes nothing; the replayed batch writes everything once', async () => {
    const db = await databases.create();
    const { server, client } = await serve(db);
    await client.trackInvocations({ invocations: [record('held')] });
    const batch = {
      invocations: [record('k1'), record('k2'), record('k3')],
      completions: [{ invocation_id: 'held', completed: true, completed_at: '2024-05-01T12:01:00.000Z', duration_seconds: 60 }],
    };
    const blocker = await databases.session(db);
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM invocations WHERE id = 'held' FOR UPDATE`);
      const killed = client.trackInvocations(batch).then(
        () => null,
        (error: unknown) => error,
      );
      // The batch has inserted its rows and waits to complete 'held': its connection dies there.
      const pid = await waitFor(
        async () => (await blocker.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`))[0]?.pid,
        { what: "the server's transaction to wait for the held row" },
      );
      await blocker.query('SELECT pg_terminate_backend($1)', [pid]);
      expect(await killed).toBeInstanceOf(McpToolError);
      await blocker.query('COMMIT');
    } finally {
      await blocker.close();
    }
    expect(await expectExact(db)).toBe(1);
    // A lost connection is no fault the write probe can see: /health stays degraded until a write succeeds.
    expect((await health(server)).status).toBe(503);

    expect(await client.trackInvocations(batch)).toMatchObject({ inserted: 3, duplicates: 0, completed: 1 });
    expect(await client.trackInvocations(batch)).toMatchObject({ inserted: 0, duplicates: 3, completed: 0, already_finished: ['held'] });
    expect(await expectExact(db)).toBe(4);
    expect((await health(server)).status).toBe(200);
  });

  it('a database that refuses writes degrades /health, which recovers once it accepts them again, before any write', async () => {
    const db = await databases.create();
    const { server, client } = await serve(db);
    await client.trackInvocations({ invocations: [record('before')] });
    expect((await health(server)).status).toBe(200);

    await databases.setReadOnly(db, true);
    try {
      await expect(client.trackInvocations({ invocations: [record('refused')] })).rejects.toBeInstanceOf(McpToolError);
      const degraded = await health(server);
      expect(degraded.status).toBe(503);
      expect(degraded.body.status).toBe('degraded');
      expect(degraded.body.database.error).toMatch(/the last write failed at .*read-only transaction/);
      expect(degraded.body.database.invocations).toBe(1);
    } finally {
      await databases.setReadOnly(db, false);
    }
    await waitFor(async () => (await health(server)).status === 200, { what: '/health to recover with no write in between' });
    expect(await client.trackInvocations({ invocations: [record('refused')] })).toMatchObject({ inserted: 1 });
    expect(await expectExact(db)).toBe(2);
  });

  it("one project's refused write stops degrading /health once another project's write succeeds", async () => {
    const db = await databases.create();
    const { server } = await serve(db);
    const connect = async (project: string) => {
      const client = await SkillsMcpClient.connect({ url: server.url, project, timeoutMs: 15_000 });
      cleanup(() => client.close());
      return client;
    };
    const [alpha, beta] = [await connect('alpha'), await connect('beta')];
    await databases.setReadOnly(db, true);
    try {
      await expect(alpha.trackInvocations({ invocations: [record('refused')] })).rejects.toBeInstanceOf(McpToolError);
    } finally {
      await databases.setReadOnly(db, false);
    }
    // No /health in between: its write probe would see the fault over by itself (see the test above).
    expect(await beta.trackInvocations({ invocations: [record('accepted')] })).toMatchObject({ inserted: 1 });
    const after = await health(server);
    expect(after.body.database.error).toBeUndefined();
    expect(after.status).toBe(200);
  });

  it('four writer processes through two servers at once: every insert and completion counted exactly once', async () => {
    const db = await databases.create();
    const servers = [await serve(db), await serve(db)];
    const [batches, size] = [10, 40];
    const script = join(import.meta.dirname, 'test-support/pg-writer.mjs');
    const outputs = await Promise.all(
      [0, 1, 2, 3].map((worker) => run(process.execPath, [script, servers[worker % 2]!.server.url, String(worker), String(batches), String(size)])),
    );
    const totals = outputs.map((o) => JSON.parse(o.stdout) as Record<string, number>);
    const sum = (key: string) => totals.reduce((n, t) => n + t[key]!, 0);
    // Own ids: every one stored; shared ids: stored once, three replays each.
    expect(sum('inserted')).toBe(5 * batches * size);
    expect(sum('duplicates')).toBe(3 * batches * size);
    expect(sum('completed') + sum('alreadyFinished') + sum('unknown')).toBe(4 * (batches - 1) * size);
    expect(await expectExact(db)).toBe(5 * batches * size);
    const finished = await databases.sql<{ n: string }>('SELECT count(*) AS n FROM invocations WHERE status IN (1, 2)', [], db);
    expect(Number(finished[0]!.n)).toBe(sum('completed'));
    for (const { server } of servers) expect((await health(server)).status).toBe(200);
  });
});
