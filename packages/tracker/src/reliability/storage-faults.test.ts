import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '@skills/store-sqlite';
import { checkStoreHere, fixture, lastJson, removeTempDirs, run, runFixture, tempDir, type RunResult } from './harness.mjs';

afterAll(removeTempDirs);

interface Phase {
  name: string;
  health: { tracked: number; completed: number; failures: number; lastError: string | null };
  threw: string[];
}
interface FaultReport {
  created: boolean;
  createError: { name: string; message: string } | null;
  phases: Phase[];
  log: string[];
  expected: Record<string, string>;
}

/**
 * Runs `script` as root of a private user + mount namespace (`unshare -Urm`): mounts made there
 * are seen by nothing else and vanish with it. Resolves null when namespaces are not allowed here.
 */
async function inPrivateMounts(script: string, env: Record<string, string>): Promise<RunResult | null> {
  const probe = await run('unshare', ['-Urm', 'true']).catch(() => null);
  if (!probe || probe.code !== 0) return null;
  return run('unshare', ['-Urm', 'sh', '-ec', script], { env: { ...env, NODE: process.execPath } });
}

function reportOf(result: RunResult): FaultReport {
  expect(result.stderr, `exit ${result.code}`).toBe('');
  expect(result.code).toBe(0);
  return lastJson<FaultReport>(result.stdout);
}

/**
 * The contract under a full disk: the host never sees a throw; the failure is logged once (while
 * it lasts) with the cause, counted in health(); the batch is kept and written once space returns;
 * afterwards tracking works again. Then the file holds every invocation, none twice.
 */
async function expectFullDiskHandled(report: FaultReport, dbFile: string) {
  expect(report.createError).toBeNull();
  const phase = Object.fromEntries(report.phases.map((p) => [p.name, p])) as Record<string, Phase>;
  for (const p of report.phases) expect(p.threw, `phase ${p.name}`).toEqual([]);
  expect(phase.before!.health.failures).toBe(0);
  expect(phase.failing!.health.failures).toBeGreaterThanOrEqual(1);
  expect(phase.failing!.health.lastError).toMatch(/database or disk is full/);
  expect(phase['still-failing']!.health.failures).toBeGreaterThan(phase.failing!.health.failures); // retried
  expect(phase.recovered!.health.failures).toBe(phase['still-failing']!.health.failures);
  expect(phase.after!.health.failures).toBe(phase['still-failing']!.health.failures);
  expect(report.log.filter((l) => l.startsWith('error:'))).toEqual([
    expect.stringMatching(/could not write tracked invocations \(kept for retry\): .*database or disk is full/),
  ]);
  expect(report.log).toContain('info: storage recovered; tracking writes again');

  // close() ran: what was never completed is abandoned.
  const finished = Object.fromEntries(Object.entries(report.expected).map(([id, s]) => [id, s === 'pending' ? 'abandoned' : s]));
  expect(Object.keys(finished)).toHaveLength(260);
  const check = await checkStoreHere(dbFile, { inserted: Object.keys(finished), finished });
  expect(check).toMatchObject({ integrity: ['ok'], missing: [], wrongStatus: [], problems: [], count: 260 });
}

/** The contract with a store it cannot write: the host never sees a throw, and is told why. */
function expectReadOnlyHandled(report: FaultReport) {
  expect(
    report.createError,
    'createSkillsTracker must not reject over storage: it should log, count and return a tracker',
  ).toBeNull();
  for (const p of report.phases) expect(p.threw, `phase ${p.name}`).toEqual([]);
  const last = report.phases.at(-1)!;
  expect(last.health.failures).toBeGreaterThanOrEqual(1);
  expect(last.health.lastError).toMatch(/read-?only/i);
  expect(report.log.filter((l) => l.startsWith('error:'))).toHaveLength(1);
}

describe('disk full', () => {
  it('for real (ENOSPC on a 1 MiB tmpfs): logged once, counted, kept, written when space returns', async (ctx) => {
    const dir = tempDir();
    const small = join(dir, 'small');
    const out = join(dir, 'out');
    mkdirSync(small);
    mkdirSync(out);
    const result = await inPrivateMounts(
      'mount -t tmpfs -o size=1m tmpfs "$SMALL"; exec "$NODE" "$FIXTURE" disk-full "$SMALL" "$OUT"',
      { SMALL: small, OUT: out, FIXTURE: fixture('storage-faults.mjs') },
    );
    if (!result) return ctx.skip('user and mount namespaces are not available here (unshare -Urm)');
    await expectFullDiskHandled(reportOf(result), join(out, 'skills.db'));
  });

  it("through SQLite's max_page_count on the store's own connection: the same, on any file system", async () => {
    const dir = tempDir();
    const report = reportOf(await runFixture('storage-faults.mjs', ['page-limit', dir], { cwd: dir }));
    await expectFullDiskHandled(report, join(dir, 'skills.db'));
  });
});

describe('read-only database', () => {
  it('a store opened read-only: the host is unaffected and told why', async () => {
    const dir = tempDir();
    await (await openSqliteStore({ path: join(dir, 'skills.db') })).close();
    expectReadOnlyHandled(reportOf(await runFixture('storage-faults.mjs', ['read-only-store', dir], { cwd: dir })));
  });

  it('a file on a read-only file system: the host is unaffected and told why', async (ctx) => {
    const dir = tempDir();
    const store = await openSqliteStore({ path: join(dir, 'skills.db') });
    await store.close();
    const result = await inPrivateMounts(
      'mount --bind "$DIR" "$DIR"; mount -o remount,bind,ro "$DIR"; exec "$NODE" "$FIXTURE" read-only-fs "$DIR"',
      { DIR: dir, FIXTURE: fixture('storage-faults.mjs') },
    );
    if (!result) return ctx.skip('user and mount namespaces are not available here (unshare -Urm)');
    expectReadOnlyHandled(reportOf(result));
  });
});
