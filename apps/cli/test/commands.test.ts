import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_FORMAT_VERSION } from '@skills/protocol';
import { skills, tempDir } from './support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** One demo database shared by the tests below, which run in order. */
const dir = tempDir();
const db = join(dir, 'shared.db');
let liveSession = '';

beforeAll(async () => {
  const demo = await skills(['demo', '--db', db, '--json'], { cwd: dir });
  expect(demo.stderr).not.toMatch(/error/i);
  expect(demo.code).toBe(0);
  const report = JSON.parse(demo.stdout) as { sessionId: string; recommendations: Array<{ recommendations: unknown[] }> };
  liveSession = report.sessionId;
  expect(report.recommendations).toHaveLength(4);
  for (const r of report.recommendations) expect(r.recommendations.length).toBeGreaterThan(0);
});

describe('skills demo', () => {
  it('runs on a fresh folder with the default database, prints recommendation tables, and runs again', async () => {
    const cwd = tempDir();
    const first = await skills(['demo'], { cwd });
    expect(first.code).toBe(0);
    expect(existsSync(join(cwd, '.skills', 'demo.db'))).toBe(true);
    expect(first.stdout.match(/^Recommendations for "/gm)).toHaveLength(4);
    expect(first.stdout).toMatch(/^ *# +skill +similarity +success +mean time +best phase +uses +reason$/m);
    expect(first.stdout).toContain(`The data is in ${join(cwd, '.skills', 'demo.db')}`);
    const second = await skills(['demo'], { cwd });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('already stored by an earlier run');
    const history = await skills(['history', '--db', '.skills/demo.db', '--json', '--limit', '100000'], { cwd });
    const sessions = new Set((JSON.parse(history.stdout) as Array<{ sessionId: string }>).map((r) => r.sessionId));
    expect([...sessions].filter((s) => !s.startsWith('demo-history-'))).toHaveLength(2);
  });
});

describe('reading the store', () => {
  it('recommend prints a table, honours --limit and --phase, and --json gives the data', async () => {
    const table = await skills(['recommend', 'review my pull request for security problems', '--db', db, '--limit', '2']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/skill +similarity +success +mean time +best phase/);
    expect(lines).toHaveLength(4);
    const json = await skills(['recommend', 'review my pull request', '--db', db, '--phase', 'verification', '--json']);
    const recs = JSON.parse(json.stdout) as Array<{ skillName: string; similarityScore: number; reason: string }>;
    expect(recs.length).toBeGreaterThan(0);
    for (const r of recs) {
      expect(r.similarityScore).toBeGreaterThanOrEqual(0);
      expect(r.similarityScore).toBeLessThanOrEqual(1);
      expect(r.reason).not.toBe('');
    }
  });

  it('stats shows per-skill and per-phase tables, filtered by skill, phase and age', async () => {
    const all = await skills(['stats', '--db', db]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^Per skill \(project default: \d+ skills, \d+ invocations\):/m);
    expect(all.stdout).toMatch(/^Per skill and phase:/m);
    expect(all.stdout).toMatch(/^code-reviewer +\d+/m);
    const one = JSON.parse((await skills(['stats', '--db', db, '--skill', 'linter', '--json'])).stdout) as {
      skills: Array<{ skillName: string }>;
      phases: Array<{ skillName: string; workflowPhase: string | null }>;
    };
    expect(one.skills.map((s) => s.skillName)).toEqual(['linter']);
    expect(new Set(one.phases.map((p) => p.skillName))).toEqual(new Set(['linter']));
    const recent = JSON.parse((await skills(['stats', '--db', db, '--since', '1h', '--json'])).stdout) as {
      skills: Array<{ invocations: number }>;
    };
    expect(recent.skills.reduce((n, s) => n + s.invocations, 0)).toBe(30);
    const phase = JSON.parse((await skills(['stats', '--db', db, '--phase', 'planning', '--json'])).stdout) as {
      phases: Array<{ workflowPhase: string }>;
    };
    expect(new Set(phase.phases.map((p) => p.workflowPhase))).toEqual(new Set(['planning']));
  });

  it('history lists newest first, by session and skill, with a limit', async () => {
    const session = await skills(['history', '--db', db, '--session', liveSession, '--limit', '5']);
    expect(session.code).toBe(0);
    expect(session.stdout).toMatch(/^invoked \(UTC\) +skill +phase +status +time +session +query +id$/m);
    expect(session.stdout).toContain('(5 of 30; --limit N shows more)');
    const rows = JSON.parse((await skills(['history', '--db', db, '--skill', 'linter', '--json'])).stdout) as Array<{
      skillName: string;
      invokedAt: string;
    }>;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.skillName === 'linter')).toBe(true);
    expect([...rows].sort((a, b) => b.invokedAt.localeCompare(a.invokedAt))).toEqual(rows);
  });

  it('reading commands refuse a database that does not exist, and create nothing', async () => {
    const cwd = tempDir();
    for (const args of [['stats'], ['history'], ['recommend', 'x'], ['export']]) {
      const r = await skills([...args, '--db', 'missing.db'], { cwd });
      expect(r.code, args[0]).toBe(1);
      expect(r.stderr, args[0]).toMatch(/no database at .*missing\.db/);
    }
    expect(existsSync(join(cwd, 'missing.db'))).toBe(false);
  });
});

describe('skills track and skills complete', () => {
  it('track prints an id of a pending invocation; complete finishes it once', async () => {
    const track = await skills(['track', 'code-reviewer', '--query', 'review the auth change', '--phase', 'verification', '--session', 'hook-1', '--db', db]);
    expect(track.code).toBe(0);
    const id = track.stdout.trim();
    expect(id).toMatch(UUID);
    const pending = JSON.parse((await skills(['history', '--db', db, '--session', 'hook-1', '--json'])).stdout) as Array<{ status: string; source: string }>;
    expect(pending).toMatchObject([{ status: 'pending', source: 'cli' }]);

    const done = await skills(['complete', id, '--follow-up', 'git commit', '--follow-up', 'open PR', '--db', db]);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(new RegExp(`^code-reviewer completed after \\d[^(]* \\(${id}\\)\n$`));
    const [record] = JSON.parse((await skills(['history', '--db', db, '--session', 'hook-1', '--json'])).stdout) as Array<{
      status: string;
      followUpActions: string[];
      durationSeconds: number;
    }>;
    expect(record).toMatchObject({ status: 'completed', followUpActions: ['git commit', 'open PR'] });
    expect(record!.durationSeconds).toBeGreaterThan(0);

    const again = await skills(['complete', id, '--db', db]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`invocation ${id} is already completed`);
  });

  it('complete --error-type records a failure; an unknown id is an error', async () => {
    const id = (await skills(['track', 'e2e-tester', '--db', db, '--json'])).stdout;
    const parsed = JSON.parse(id) as { id: string; sessionId: string };
    expect(parsed.sessionId).toBe('cli');
    const failed = await skills(['complete', parsed.id, '--error-type', 'TimeoutError', '--db', db, '--json']);
    expect(JSON.parse(failed.stdout)).toMatchObject({ status: 'failed', skillName: 'e2e-tester' });
    const unknown = await skills(['complete', 'no-such-id', '--db', db]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no invocation with id "no-such-id"');
  });

  it('track rejects an invalid value with the field named', async () => {
    const r = await skills(['track', 'x'.repeat(300), '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/skillName: skillName must be at most 200 characters/);
  });
});

describe('export and import', () => {
  it('round-trips the whole store through the JSON export, and a second import adds nothing', async () => {
    const out = join(tempDir(), 'export.json');
    const exported = await skills(['export', '--db', db, '--out', out]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(/^Exported \d+ invocations/);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { format: string; version: number; invocations: Array<{ id: string }> };
    expect(doc).toMatchObject({ format: 'skills-export', version: EXPORT_FORMAT_VERSION });

    const copy = join(tempDir(), 'copy.db');
    const imported = await skills(['import', out, '--db', copy, '--json']);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ imported: doc.invocations.length, duplicates: 0, invalid: 0 });
    const again = await skills(['import', out, '--db', copy]);
    expect(again.stdout).toContain(`imported 0, already stored ${doc.invocations.length}, invalid 0`);

    const reexported = await skills(['export', '--db', copy]);
    const byId = (d: { invocations: Array<{ id: string }> }) => [...d.invocations].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(JSON.parse(reexported.stdout))).toEqual(byId(doc));
  });

  it('refuses a document that is not a valid export, naming the field, and imports nothing', async () => {
    const work = tempDir();
    const bad = join(work, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 'skills-export', version: 1, exportedAt: 'yesterday', invocations: [{ id: 'x' }] }));
    const r = await skills(['import', bad, '--db', join(work, 'x.db')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not a valid skills export document, nothing imported');
    expect(r.stderr).toMatch(/exportedAt: /);
    expect(r.stderr).toMatch(/invocations\.0\.skillName/);
    const notJson = join(work, 'broken.json');
    writeFileSync(notJson, '{"format":');
    expect((await skills(['import', notJson, '--db', join(work, 'x.db')])).stderr).toContain('not valid JSON');
  });

  it('imports a CSV, reports a bad row by number and field, and skips it', async () => {
    const work = tempDir();
    const csv = join(work, 'history.csv');
    writeFileSync(
      csv,
      'query,skill,completed,phase,duration\n"run the tests, quickly",test-runner,true,verification,12.5\nplan the sprint,,true,planning,30\nreview the diff,code-reviewer,false,verification,2m\n',
    );
    const target = join(work, 'csv.db');
    const r = await skills(['import', csv, '--db', target]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${csv}: row 2 (line 3): skill: must not be empty; skipped`);
    expect(r.stdout).toContain('Read 3 rows: imported 2, already stored 0, invalid 1.');
    const rows = JSON.parse((await skills(['history', '--db', target, '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ skillName: 'test-runner', userQuery: 'run the tests, quickly', durationSeconds: 12.5, status: 'completed' }),
        expect.objectContaining({ skillName: 'code-reviewer', durationSeconds: 120, status: 'failed', workflowPhase: 'verification' }),
      ]),
    );
    const again = await skills(['import', csv, '--db', target]);
    expect(again.stdout).toContain('imported 0, already stored 2, invalid 1');
  });
});

describe('maintenance', () => {
  it('prune --dry-run counts, prune deletes the same invocations', async () => {
    const work = tempDir();
    const target = join(work, 'p.db');
    expect((await skills(['demo', '--db', target, '--json'])).code).toBe(0);
    const dry = await skills(['prune', '--older-than', '14d', '--dry-run', '--db', target, '--json']);
    const { wouldDelete } = JSON.parse(dry.stdout) as { wouldDelete: number };
    expect(wouldDelete).toBeGreaterThan(0);
    const real = await skills(['prune', '--older-than', '14d', '--db', target]);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(new RegExp(`^Deleted ${wouldDelete} invocations invoked before `));
    const after = await skills(['prune', '--older-than', '14d', '--dry-run', '--db', target]);
    expect(after.stdout).toMatch(/^Would delete 0 invocations/);
  });

  it('sync reports an empty spool', async () => {
    const r = await skills(['sync', '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Nothing to replay: no spooled invocations in \S+spool\.$/m);
  });

  it('reindex recomputes the embeddings', async () => {
    const r = await skills(['reindex', '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Re-embedded \d+ distinct queries with lexical/);
  });

  it('status says where each setting came from and which backend auto picks', async () => {
    const r = await skills(['status', '--db', db], { env: { SKILLS_MIN_SIMILARITY: '0.4' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^minSimilarity +0\.4 +env SKILLS_MIN_SIMILARITY$/m);
    expect(r.stdout).toMatch(/^dbUrl +\S+shared\.db +option$/m); // --db sets dbUrl, which wins over dbPath
    expect(r.stdout).toMatch(/^backend +direct: backend: auto, and the server at http:\/\/127\.0\.0\.1:9 does not answer/m);
    expect(r.stdout).toMatch(/^database +\S+shared\.db \([\d.]+ \w+.*wal journal, \d+ invocations\)/m);
    const json = JSON.parse((await skills(['status', '--db', db, '--json'])).stdout) as {
      settings: Record<string, { source: string }>;
      backend: { kind: string };
      server: { reachable: boolean };
    };
    expect(json.settings['dbUrl']!.source).toBe('option');
    expect(json.backend.kind).toBe('direct');
    expect(json.server.reachable).toBe(false);
  });

  it('doctor passes on a good database with the server down as a warning, and fails on a broken file', async () => {
    const good = await skills(['doctor', '--db', db]);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^\[ok {2}\] database /m);
    expect(good.stdout).toMatch(/^\[ok {2}\] wal mode /m);
    expect(good.stdout).toMatch(/^\[ok {2}\] embedder +lexical/m);
    expect(good.stdout).toMatch(/^\[warn\] server /m);
    const broken = join(tempDir(), 'broken.db');
    writeFileSync(broken, 'this is not a database'.repeat(100));
    const bad = await skills(['doctor', '--db', broken, '--json']);
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as { ok: boolean; checks: Array<{ name: string; status: string }> };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'database')?.status).toBe('fail');
  });
});
