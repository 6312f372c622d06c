import { join } from 'node:path';
import { openStore } from '@skills/protocol';
import { pendingRecord } from '@skills/store-contract';
import { describePostgres, useDatabases } from '@skills/store-contract/postgres';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../src/cli/engines.js';
import { skills, tempDir } from './support.js';

const databases = useDatabases();

interface Check {
  name: string;
  status: string;
  detail: string;
}
const checksOf = (out: string) => (JSON.parse(out) as { ok: boolean; checks: Check[] }).checks;
const statuses = (checks: Check[]) => Object.fromEntries(checks.map((c) => [c.name, c.status]));

async function filled(target: string): Promise<void> {
  const store = await openStore(target, ENGINES);
  await store.applyBatch({ inserts: [pendingRecord(1), pendingRecord(2, { skillName: 'test-runner' })] });
  await store.close();
}

describePostgres('skills doctor on a PostgreSQL store', () => {
  it("runs PostgreSQL's own checks in place of the SQLite file checks; the password never shown", async () => {
    const url = await databases.create();
    await filled(url);
    const env = { SKILLS_DB_URL: url };
    const [json, text] = await Promise.all([skills(['doctor', '--json'], { env }), skills(['doctor'], { env })]);
    expect(json.code).toBe(0);
    const checks = checksOf(json.stdout);
    expect(statuses(checks)).toMatchObject({
      database: 'ok',
      reachable: 'ok',
      'server version': 'ok',
      migrations: 'ok',
      'accepts writes': 'ok',
      aggregates: 'ok',
      references: 'ok',
    });
    expect(checks.map((c) => c.name)).not.toContain('integrity');
    expect(checks.map((c) => c.name)).not.toContain('wal mode');
    expect(checks.find((c) => c.name === 'aggregates')!.detail).toBe('equal a recount of the 2 invocations');
    expect(text.stdout).toMatch(/\[ok  \] server version +PostgreSQL \d+/);
    expect(text.stdout).not.toContain('not for the postgres engine');
    for (const r of [json, text]) expect(r.stdout + r.stderr).not.toContain(new URL(url).password);
  });

  it('a database that refuses writes, or aggregates that differ from the rows, fail the run', async () => {
    const url = await databases.create();
    await filled(url);
    await databases.sql('UPDATE skill_phase_stats SET pending = pending + 5', [], url);
    await databases.setReadOnly(url, true);
    const run = await skills(['doctor', '--json'], { env: { SKILLS_DB_URL: url } });
    await databases.setReadOnly(url, false);
    expect(run.code).toBe(1);
    const checks = checksOf(run.stdout);
    expect(checks.find((c) => c.name === 'accepts writes')).toMatchObject({ status: 'fail', detail: 'default_transaction_read_only is on: every write is refused' });
    expect(checks.find((c) => c.name === 'aggregates')).toMatchObject({ status: 'fail', detail: '2 (skill, phase) and 0 (query, skill) counts differ from a recount of the 2 invocations' });
  });
});

describe('skills doctor on a PostgreSQL server that cannot be reached', () => {
  it('fails the database check with the cause and nothing about SQLite files', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const url = 'postgres://skills:PASSWORD-d0c@127.0.0.1:1/skills';
    const run = await skills(['doctor', '--json'], { env: { SKILLS_DB_URL: url } });
    expect(run.code).toBe(1);
    const checks = checksOf(run.stdout);
    expect(checks.find((c) => c.name === 'database')).toMatchObject({ status: 'fail' });
    expect(checks.find((c) => c.name === 'database')!.detail).toMatch(/does not open: .*ECONNREFUSED/);
    expect(checks.map((c) => c.name)).not.toContain('wal mode');
    expect(checks.map((c) => c.name)).not.toContain('integrity');
    expect(run.stdout + run.stderr).not.toContain('PASSWORD-d0c');
  });
});

describe('skills doctor on a SQLite store', () => {
  it('keeps the file checks: integrity and WAL mode', async () => {
    const cwd = tempDir();
    const db = join(cwd, 'skills.db');
    await filled(db);
    const run = await skills(['doctor', '--json', '--db', db], { cwd });
    expect(run.code).toBe(0);
    expect(statuses(checksOf(run.stdout))).toMatchObject({ database: 'ok', integrity: 'ok', 'wal mode': 'ok' });
    expect(checksOf(run.stdout).map((c) => c.name)).not.toContain('accepts writes');
  });
});
