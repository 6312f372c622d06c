import { existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '@skills/store-sqlite';
import { skills, snapshot, tempDir } from './support.js';

const original = {
  invocations: [
    { skill_name: 'crackerjack-run', invoked_at: '2026-02-01T10:00:00.123456', workflow_path: 'comprehensive', completed: true, duration_seconds: 42.5, follow_up_actions: ['git commit'], error_type: null },
    { skill_name: 'crackerjack-run', invoked_at: '2026-02-01T11:00:00.000001', workflow_path: 'quick', completed: false, duration_seconds: 3.2, follow_up_actions: [], error_type: 'TimeoutError' },
    { skill_name: 'code-reviewer', invoked_at: '2026-02-02T09:30:00.5', workflow_path: 'comprehensive', completed: true, duration_seconds: 80, follow_up_actions: [], error_type: null },
    { skill_name: 'code-reviewer', invoked_at: 'not a date', workflow_path: 'comprehensive', completed: true, duration_seconds: 80, follow_up_actions: [], error_type: null },
    { skill_name: '', invoked_at: '2026-02-02T09:31:00', completed: true, duration_seconds: 1, follow_up_actions: [], error_type: null },
  ],
  skills: {
    'crackerjack-run': { total_invocations: 2, completed_invocations: 1, total_duration_seconds: 45.7 },
    'code-reviewer': { total_invocations: 2, completed_invocations: 2 },
  },
  last_updated: '2026-02-02T09:31:00',
};

const extended = {
  invocations: [
    { skill_name: 'code-reviewer', invoked_at: '2026-03-01T08:00:00.250000', session_id: 's-1', user_query: 'review my pull request', alternatives_considered: ['linter'], selection_rank: 1, workflow_phase: 'verification', workflow_path: 'comprehensive', completed: true, duration_seconds: 61.25, follow_up_actions: ['git commit'], error_type: null },
    { skill_name: 'planner', invoked_at: '2026-03-01T08:05:00', session_id: 's-1', user_query: 'plan the release', alternatives_considered: [], selection_rank: 1, workflow_phase: 'planning', completed: false, duration_seconds: 5, follow_up_actions: [], error_type: 'AmbiguityError' },
    { skill_name: 'planner', invoked_at: '2026-03-01T08:06:00', session_id: 's-1', user_query: 'plan the release', selection_rank: 0, workflow_phase: 'planning', completed: true, duration_seconds: 5, follow_up_actions: [], error_type: null },
  ],
  skills: { 'code-reviewer': { total_invocations: 1, completed_invocations: 1 }, planner: { total_invocations: 2, completed_invocations: 1 } },
  last_updated: '2026-03-01T08:06:00',
};

/** A project folder with the legacy file where the old tool kept it. */
function project(doc: unknown, where = '.crackerjack'): string {
  const cwd = tempDir('skills-migrate-');
  mkdirSync(join(cwd, where));
  writeFileSync(join(cwd, where, 'skill_metrics.json'), JSON.stringify(doc, null, 2));
  return cwd;
}

describe('skills migrate', () => {
  it('--dry-run validates and reports, and writes nothing at all', async () => {
    const cwd = project(original);
    const before = snapshot(cwd);
    const r = await skills(['migrate', '--dry-run'], { cwd });
    expect(r.code).toBe(1); // two invalid records
    expect(r.stdout).toContain('Dry run (nothing written): .crackerjack/skill_metrics.json -> .skills/skills.db');
    expect(r.stdout).toContain('Read 5 records: would import 3, duplicates 0 (0 repeated in the file, 0 already stored), invalid 2.');
    expect(r.stderr).toContain(`${join(cwd, '.crackerjack/skill_metrics.json')}: invocations[3].invoked_at: "not a date" is not a date-time`);
    expect(r.stderr).toContain('invocations[4].skill_name: must not be empty; skipped');
    expect(r.stdout).toMatch(/code-reviewer +total_invocations is 2, the records hold 1/);
    expect(snapshot(cwd)).toEqual(before);
    expect(existsSync(join(cwd, '.skills'))).toBe(false);
  });

  it('migrates the original variant: session "migrated", local time to UTC, backup, and a second run imports nothing', async () => {
    const cwd = project(original);
    const first = await skills(['migrate', '--json'], { cwd, env: { TZ: 'Europe/Paris' } });
    expect(first.code).toBe(1);
    const summary = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ variant: 'original', read: 5, imported: 3, duplicates: 0, invalid: 2 });
    expect(summary['backup']).toMatchObject({ existed: false });

    const rows = JSON.parse((await skills(['history', '--json'], { cwd })).stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(3);
    expect(rows).toContainEqual(
      expect.objectContaining({
        skillName: 'crackerjack-run',
        sessionId: 'migrated',
        invokedAt: '2026-02-01T09:00:00.123Z',
        workflowPhase: 'comprehensive',
        status: 'completed',
        durationSeconds: 42.5,
        followUpActions: ['git commit'],
      }),
    );
    expect(rows).toContainEqual(expect.objectContaining({ status: 'failed', errorType: 'TimeoutError' }));

    // A dry run against an existing database finds the duplicates and still touches nothing.
    const beforeDry = snapshot(cwd);
    const dry = await skills(['migrate', '--dry-run'], { cwd, env: { TZ: 'Europe/Paris' } });
    expect(dry.stdout).toContain('would import 0, duplicates 3 (0 repeated in the file, 3 already stored)');
    expect(snapshot(cwd)).toEqual(beforeDry);

    // A run that imports nothing changes nothing: no second backup, so --rollback still undoes the first run.
    const beforeSecond = snapshot(cwd);
    const second = await skills(['migrate'], { cwd, env: { TZ: 'Europe/Paris' } });
    expect(second.stdout).toContain('Read 5 records: imported 0, duplicates 3 (0 repeated in the file, 3 already stored), invalid 2.');
    expect(second.stdout).toContain('Nothing new to import: the database was not changed and no backup was made.');
    expect(second.stdout).not.toContain('backup:');
    expect(snapshot(cwd)).toEqual(beforeSecond);
    expect(readdirSync(join(cwd, '.skills', 'backups')).filter((n) => n.startsWith('skills.db-'))).toHaveLength(1);

    const validate = await skills(['migrate', '--validate'], { cwd });
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain('OK: all 3 valid records of 2 skills are in the database.');
  });

  it('migrates the extended variant from .session-buddy with --timezone, and validates', async () => {
    const cwd = project(extended, '.session-buddy');
    const r = await skills(['migrate', '--timezone', 'America/New_York'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('format:     extended (with sessions and queries)');
    expect(r.stdout).toContain('timestamps: naive, read as America/New_York, stored as UTC');
    expect(r.stderr).toContain('invocations[2].selection_rank: must be at least 1');
    const rows = JSON.parse((await skills(['history', '--session', 's-1', '--json'], { cwd })).stdout) as Array<Record<string, unknown>>;
    expect(rows).toContainEqual(
      expect.objectContaining({
        skillName: 'code-reviewer',
        invokedAt: '2026-03-01T13:00:00.250Z',
        userQuery: 'review my pull request',
        alternativesConsidered: ['linter'],
        selectionRank: 1,
        workflowPhase: 'verification',
      }),
    );
    const validate = await skills(['migrate', '--validate', '--json'], { cwd });
    expect(validate.code).toBe(0);
    expect(JSON.parse(validate.stdout)).toMatchObject({ ok: true });
  });

  it('--validate exits 1 when the database lacks records of the file', async () => {
    const cwd = project(extended, '.session-buddy');
    await skills(['migrate'], { cwd });
    const grown = { ...extended, invocations: [...extended.invocations, { ...extended.invocations[0], invoked_at: '2026-03-02T08:00:00' }] };
    writeFileSync(join(cwd, 'grown.json'), JSON.stringify(grown));
    const r = await skills(['migrate', '--validate', 'grown.json'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^code-reviewer +2 +1 +MISMATCH: 1 records missing$/m);
  });

  it('--rollback restores the database byte for byte; it refuses without --force when stdin is not a terminal', async () => {
    const cwd = project(extended);
    const db = join(cwd, 'data', 'x.db');
    // A database with data before the migration.
    expect((await skills(['track', 'linter', '--db', db], { cwd })).code).toBe(0);
    const before = snapshot(join(cwd, 'data'));

    const migrated = await skills(['migrate', '--db', db], { cwd });
    expect(migrated.stdout).toMatch(/backup: +data\/backups\/x\.db-\S+ \(x\.db\)/);
    expect(JSON.parse((await skills(['history', '--db', db, '--json'], { cwd })).stdout)).toHaveLength(3);

    const refused = await skills(['migrate', '--rollback', '--db', db], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing to roll back without --force, as stdin is not a terminal to confirm on \(it would restore .*x\.db from /);

    const restored = await skills(['migrate', '--rollback', '--force', '--db', db], { cwd });
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/^Restored data\/x\.db from data\/backups\/x\.db-\S+ \(x\.db; checksums verified\)\./);
    const after = snapshot(join(cwd, 'data'));
    for (const name of ['x.db', 'x.db-wal', 'x.db-shm']) expect(after[name], name).toBe(before[name]);
    expect(JSON.parse((await skills(['history', '--db', db, '--json'], { cwd })).stdout)).toHaveLength(1);
  });

  it('names the file when it is missing or not a legacy file', async () => {
    const cwd = tempDir();
    const none = await skills(['migrate'], { cwd });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no legacy file found');
    writeFileSync(join(cwd, 'other.json'), '{"hello": 1}');
    const wrong = await skills(['migrate', 'other.json'], { cwd });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`${join(cwd, 'other.json')}: no "invocations" field`);
    expect(existsSync(join(cwd, '.skills'))).toBe(false);
  });

  it('--rollback after a run that imported nothing restores the state before the real import', async () => {
    const cwd = project(extended);
    const db = join(cwd, 'x.db');
    expect((await skills(['track', 'linter', '--db', db], { cwd })).code).toBe(0);
    await skills(['migrate', '--db', db], { cwd });
    await skills(['migrate', '--db', db], { cwd }); // imports nothing
    expect((await skills(['migrate', '--rollback', '--force', '--db', db], { cwd })).code).toBe(0);
    expect(JSON.parse((await skills(['history', '--db', db, '--json'], { cwd })).stdout)).toHaveLength(1);
  });

  it('--rollback --list names the backups newest first; --to restores the one named', async () => {
    const cwd = project(extended);
    const db = join(cwd, 'x.db');
    const none = await skills(['migrate', '--rollback', '--list', '--db', db], { cwd });
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No backup of x.db in backups.');

    await skills(['migrate', '--db', db], { cwd }); // backup 1: no database yet
    const grown = { ...extended, invocations: [...extended.invocations, { ...extended.invocations[0], invoked_at: '2026-03-02T08:00:00' }] };
    writeFileSync(join(cwd, 'grown.json'), JSON.stringify(grown));
    await skills(['migrate', 'grown.json', '--db', db], { cwd }); // backup 2: the two valid records of the first run
    const listed = await skills(['migrate', '--rollback', '--list', '--db', db, '--json'], { cwd });
    expect(listed.code).toBe(0);
    const { backups } = JSON.parse(listed.stdout) as { backups: Array<{ name: string; existed: boolean; reason: string }> };
    expect(backups.map((b) => b.existed)).toEqual([true, false]);
    const text = await skills(['migrate', '--rollback', '--list', '--db', db], { cwd });
    expect(text.stdout).toMatch(/^name +taken \(UTC\) +holds +reason$/m);
    expect(text.stdout.indexOf(backups[0]!.name)).toBeLessThan(text.stdout.indexOf(backups[1]!.name));
    expect(text.stdout).toContain('no database (restoring removes it)');

    const restored = await skills(['migrate', '--rollback', '--to', backups[0]!.name, '--force', '--db', db, '--json'], { cwd });
    expect(restored.code).toBe(0);
    expect(JSON.parse((await skills(['history', '--db', db, '--json'], { cwd })).stdout)).toHaveLength(2);
    const removed = await skills(['migrate', '--rollback', '--to', join('backups', backups[1]!.name), '--force', '--db', db], { cwd });
    expect(removed.stdout).toContain('Removed x.db: there was no database before the migration.');
    expect(existsSync(db)).toBe(false);

    const unknown = await skills(['migrate', '--rollback', '--to', 'x.db-nope', '--force', '--db', db], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`--to "x.db-nope" is not a backup of ${db} (there are 2; 'skills migrate --rollback --list' names them)`);
    for (const args of [['--list'], ['--to', 'x'], ['--rollback', '--list', '--force']]) {
      const r = await skills(['migrate', ...args, '--db', db], { cwd });
      expect(r.code, args.join(' ')).toBe(2);
    }
  });

  it('through a symbolic link: backs up and restores the real database with its -wal, and keeps every invocation', async () => {
    const cwd = realpathSync(project(extended));
    mkdirSync(join(cwd, 'real'));
    const target = join(cwd, 'real', 'skills.db');
    const db = join(cwd, 'linked.db');
    symlinkSync(target, db); // dangling: the database is still to be created, behind the link
    for (let i = 0; i < 3; i++) expect((await skills(['track', 'linter', '--db', db], { cwd })).code).toBe(0);
    expect(statSync(target).mode & 0o777).toBe(0o600);

    // A long-lived writer (a server) holds the database open: its last 100 invocations are in the
    // -wal file, which SQLite keeps beside the target, not beside the link.
    const server = await openSqliteStore({ path: db });
    const now = Date.now();
    await server.applyBatch({
      inserts: Array.from({ length: 100 }, (_, i) => ({
        id: `live-${i}`, skillName: 'planner', sessionId: 'server', invokedAt: new Date(now - i * 1000).toISOString(), status: 'pending' as const,
        completed: false, completedAt: null, durationSeconds: null, userQuery: null, workflowPhase: null, alternativesConsidered: [],
        selectionRank: null, followUpActions: [], errorType: null,
      })),
    });
    expect(existsSync(`${target}-wal`)).toBe(true);
    const migrated = await skills(['migrate', '--db', db], { cwd });
    await server.close();
    expect(migrated.stdout).toMatch(/backup: +real\/backups\/skills\.db-\S+/);
    const count = async () => (JSON.parse((await skills(['history', '--db', db, '--json', '--limit', '1000'], { cwd })).stdout) as unknown[]).length;
    expect(await count()).toBe(105);

    const restored = await skills(['migrate', '--rollback', '--force', '--db', db], { cwd });
    expect(restored.code).toBe(0);
    expect(lstatSync(db).isSymbolicLink()).toBe(true);
    expect(await count()).toBe(103);
  });

  it('skips a record whose numbers are out of range (duration_seconds: 1e308), dry run included, and imports the rest', async () => {
    const huge = { ...extended, invocations: [...extended.invocations.slice(0, 2), { ...extended.invocations[0], invoked_at: '2026-03-03T08:00:00', duration_seconds: 1e308 }] };
    const cwd = project(huge);
    for (const args of [['--dry-run'], []]) {
      const r = await skills(['migrate', ...args, '--json'], { cwd });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain('invocations[2].duration_seconds: must be a number of seconds from 0 to 2592000 (30 days) or null, got 1e+308; skipped');
      expect(JSON.parse(r.stdout)).toMatchObject({ read: 3, imported: 2, invalid: 1 });
    }
  });
});
