import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { openStore, type EngineStore, type InvocationRecord } from '@skills/protocol';
import { completion, finishedRecord, pendingRecord, recount } from '@skills/store-contract';
import { describePostgres, useDatabases } from '@skills/store-contract/postgres';
import { waitFor } from '@skills/vitest-config/wait-for';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../src/cli/engines.js';
import { main } from '../src/main.js';
import { BIN, skills, tempDir } from './support.js';

const databases = useDatabases();
const PASSWORD = 'PASSWORD-c0py';

/** `n` varied records: every status, several skills, phases, sources, lists and error types. */
function sample(n: number, from = 0): InvocationRecord[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const extra = {
      skillName: `skill-${i % 5}`,
      sessionId: `session-${i % 7}`,
      workflowPhase: i % 3 === 0 ? null : `phase-${i % 3}`,
      source: i % 4 === 0 ? null : 'claude-code',
      userQuery: i % 6 === 0 ? null : `query ${i % 11}`,
      alternativesConsidered: i % 2 === 0 ? [] : ['other-skill'],
      selectionRank: i % 2 === 0 ? null : 2,
    };
    switch (i % 4) {
      case 0:
        return pendingRecord(i, extra);
      case 1:
        return finishedRecord(i, 'completed', 1.25 + (i % 3), { ...extra, followUpActions: ['git commit'] });
      case 2:
        return finishedRecord(i, 'failed', 0.5, { ...extra, errorType: 'TimeoutError' });
      default:
        return finishedRecord(i, 'abandoned', null, extra);
    }
  });
}

async function sqliteStore(path: string, records: readonly InvocationRecord[] = []): Promise<EngineStore> {
  const store = await openStore(path, ENGINES);
  for (let i = 0; i < records.length; i += 5000) await store.applyBatch({ inserts: records.slice(i, i + 5000) });
  return store;
}

async function withStore<T>(target: string, fn: (store: EngineStore) => Promise<T>): Promise<T> {
  const store = await openStore(target, ENGINES);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The whole of both stores agrees: every record with all its fields, the catalog, and the target's aggregates. */
async function expectSameContents(from: string, to: string): Promise<void> {
  const [a, b] = [await withStore(from, (s) => s.exportAll()), await withStore(to, (s) => s.exportAll())];
  expect(b.invocations).toEqual(a.invocations);
  expect(b.catalog).toEqual(a.catalog);
  const { stored, recounted } = await withStore(to, recount);
  expect(stored).toEqual(recounted);
}

interface CopyReport {
  from: string;
  to: string;
  read: number;
  inserted: number;
  alreadyPresent: number;
  finished: number;
  catalog: number;
  verified: boolean;
  differences: { what: string; source: number; target: number }[];
  counts: Record<string, number>;
}

/** A PostgreSQL database URL with the test password shown as the cluster's real one. */
function shownUrl(url: string): string {
  const shown = new URL(url);
  shown.password = '';
  return shown.href;
}

describePostgres('skills copy into PostgreSQL', () => {
  it('copies every invocation with all its fields and the catalog; counts checked; the password never shown', async () => {
    const dir = tempDir();
    const from = join(dir, 'skills.db');
    const source = await sqliteStore(from, sample(803));
    await source.upsertCatalog([
      { skillName: 'skill-0', description: 'reviews code' },
      { skillName: 'never-used', description: 'found by meaning only' },
    ]);
    await source.close();
    const to = await databases.create();

    const run = await skills(['copy', '--from', from, '--to', to, '--batch-size', '100', '--json'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as CopyReport;
    expect(report).toMatchObject({ from, to: shownUrl(to), read: 803, inserted: 803, alreadyPresent: 0, finished: 0, catalog: 2, verified: true, differences: [] });
    expect(report.counts).toEqual({ pending: 201, completed: 201, failed: 201, abandoned: 200 });
    expect(run.stdout).not.toContain(new URL(to).password);
    await expectSameContents(from, to);

    const text = await skills(['copy', '--from', from, '--to', to], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Copied 803 invocations from ${from} to ${shownUrl(to)}: 0 written, 803 already there; 2 catalog entries.`);
    expect(text.stdout).toContain('Counts checked: 803 invocations in both (201 pending, 201 completed, 201 failed, 200 abandoned), 5 skills.');

    // And back, from PostgreSQL into a new SQLite file: the same records again.
    const back = join(dir, 'back.db');
    expect((await skills(['copy', '--from', to, '--to', back], { cwd: dir })).code).toBe(0);
    await expectSameContents(from, back);
  });

  it('a copy killed mid-way and run again resumes: every invocation written once, exact counts', async () => {
    const dir = tempDir();
    const from = join(dir, 'skills.db');
    const total = 20_000;
    await (await sqliteStore(from, sample(total))).close();
    const to = await databases.create();
    await withStore(to, async () => undefined); // migrated: the count below can be read at any moment
    const count = async () => Number((await databases.sql<{ n: string }>('SELECT count(*) AS n FROM invocations', [], to))[0]!.n);
    const child = spawn(process.execPath, [BIN, 'copy', '--from', from, '--to', to, '--batch-size', '100'], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await waitFor(async () => (await count()) > 0, { what: 'the first batches in the target' });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // Its sessions end (a transaction in flight rolls back or commits) before the target is counted.
    const others = `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`;
    await waitFor(async () => Number((await databases.sql<{ n: string }>(others, [new URL(to).pathname.slice(1)]))[0]!.n) === 0, {
      what: "the killed copy's sessions to end",
    });
    const written = await count();
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(total);

    const again = await skills(['copy', '--from', from, '--to', to, '--json'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ read: total, inserted: total - written, alreadyPresent: written, verified: true });
    expect(await count()).toBe(total);
    await expectSameContents(from, to);
  });

  it('refuses the same database on both sides, and an unreachable target, without the password and creating nothing', async () => {
    const dir = tempDir();
    const from = join(dir, 'skills.db');
    await (await sqliteStore(from, sample(3))).close();
    const to = await databases.create();
    const otherLogin = new URL(to);
    otherLogin.password = PASSWORD;
    otherLogin.protocol = 'postgresql:';
    const same = await skills(['copy', '--from', to, '--to', otherLogin.href], { cwd: dir });
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('--from and --to name the same store (postgresql://');
    expect(same.stderr).not.toContain(PASSWORD);
    expect(same.stderr).not.toContain(new URL(to).password);

    const unreachable = await skills(['copy', '--from', from, '--to', `postgres://skills:${PASSWORD}@127.0.0.1:1/skills`], { cwd: dir });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/--to: cannot open postgres:\/\/skills(:\*\*\*)?@127\.0\.0\.1:1\/skills: .*ECONNREFUSED/);
    expect(unreachable.stdout + unreachable.stderr).not.toContain(PASSWORD);
    expect(readdirSync(dir)).toEqual(['skills.db']);
  });
});

describe('skills copy between SQLite files', () => {
  it('copies, then a second run brings finished invocations up to date and writes nothing twice', async () => {
    const dir = tempDir();
    const [from, to] = [join(dir, 'from.db'), join(dir, 'sub', 'to.db')];
    const source = await sqliteStore(from, sample(40));
    const first = await skills(['copy', '--from', from, '--to', `sqlite:${to}`, '--json'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ read: 40, inserted: 40, verified: true });

    // The source lives on: one pending invocation completes, another is abandoned, a new one arrives.
    await source.applyBatch({ inserts: sample(1, 40), completions: [completion('inv-000000', true, 3)] });
    await source.markAbandoned({ ids: ['inv-000004'] });
    await source.close();
    const second = await skills(['copy', '--from', from, '--to', to, '--json'], { cwd: dir });
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ read: 41, inserted: 1, alreadyPresent: 40, finished: 2, verified: true });
    await expectSameContents(from, to);
  });

  it('draws a progress bar on stderr when it is a terminal', async () => {
    const dir = tempDir();
    await (await sqliteStore(join(dir, 'from.db'), sample(30))).close();
    // A stream that says it is a terminal: a child process's stderr never is one.
    const stream = () => Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    const [stdout, stderr] = [stream(), stream()];
    let drawn = '';
    stderr.setEncoding('utf8').on('data', (d: string) => (drawn += d));
    stdout.resume();
    const code = await main({ argv: ['copy', '--from', 'from.db', '--to', 'to.db', '--batch-size', '10'], io: { stdout, stderr, stdin: new PassThrough() }, env: {}, cwd: dir });
    expect(code).toBe(0);
    expect(drawn).toMatch(/\rcopying \[#+\] 100% 30\/30\n$/);
  });

  it('counts that differ after the copy exit 1, naming each difference', async () => {
    const dir = tempDir();
    const [from, to] = [join(dir, 'from.db'), join(dir, 'to.db')];
    await (await sqliteStore(from, sample(8))).close();
    await (await sqliteStore(to, [pendingRecord(999, { skillName: 'only-in-target' })])).close();
    const run = await skills(['copy', '--from', from, '--to', to], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'skills copy: the counts differ after the copy: invocations: 8 in the source, 9 in the target; project default: 8 in the source, 9 in the target; pending: 2 in the source, 3 in the target; skill only-in-target, pending: 0 in the source, 1 in the target',
    );
  });

  it('refuses bad command lines precisely, creating nothing', async () => {
    const dir = tempDir();
    const from = join(dir, 'from.db');
    await (await sqliteStore(from, sample(2))).close();
    const runs = await Promise.all([
      skills(['copy', '--to', join(dir, 'to.db')], { cwd: dir }),
      skills(['copy', '--from', from, '--to', `mysql://skills:${PASSWORD}@127.0.0.1/skills`], { cwd: dir }),
      skills(['copy', '--from', from, '--to', 'sqlite:./from.db'], { cwd: dir }),
      skills(['copy', '--from', join(dir, 'missing.db'), '--to', join(dir, 'to.db')], { cwd: dir }),
      skills(['copy', '--from', from, '--to', join(dir, 'to.db'), '--batch-size', '0'], { cwd: dir }),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 1, 2]);
    expect(runs[0]!.stderr).toContain('--from is required: a SQLite file or a store URL');
    expect(runs[1]!.stderr).toContain('--to: no store engine opens mysql: URLs (mysql://skills:***@127.0.0.1/skills); engines available: sqlite');
    expect(runs[1]!.stderr).not.toContain(PASSWORD);
    expect(runs[2]!.stderr).toContain(`--from and --to name the same store (${from})`);
    expect(runs[3]!.stderr).toContain(`--from: no database at ${join(dir, 'missing.db')}`);
    expect(runs[4]!.stderr).toContain('--batch-size must be a whole number from 1 to 100000, got "0"');
    expect(readdirSync(dir)).toEqual(['from.db']);
  });
});

describePostgres('the README', () => {
  it('`skills copy --from .skills/skills.db --to postgres://...` runs as documented', async () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const documented = /### `skills copy[\s\S]*?```sh\n(skills copy [^\n]*)\n/.exec(readme)?.[1];
    expect(documented).toBe('skills copy --from .skills/skills.db --to postgres://skills:PASSWORD@127.0.0.1:5432/skills');
    const dir = tempDir();
    await (await sqliteStore(join(dir, '.skills', 'skills.db'), sample(12))).close();
    const to = await databases.create();
    const line = documented!.replace('postgres://skills:PASSWORD@127.0.0.1:5432/skills', to).replace(/^skills /, '');
    const run = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" ${line}`], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Counts checked: 12 invocations in both');
    expect(existsSync(join(dir, '.skills', 'skills.db'))).toBe(true);
    await expectSameContents(join(dir, '.skills', 'skills.db'), to);
  });
});
