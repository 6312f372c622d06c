import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type InvocationRecord, type SkillStats } from '@skills/protocol';
import { createSkillsTracker } from '@skills/tracker';
import { skills, tempDir } from './support.js';

/**
 * Two projects in one real SQLite file: alpha's reviewer and beta's deployer answer the same
 * query, so any leak from one project into another shows in every listing below.
 */
async function twoProjects(): Promise<string> {
  const db = join(tempDir(), 'skills.db');
  for (const [project, skillName, runs] of [
    ['alpha', 'code-reviewer', 2],
    ['beta', 'deployer', 3],
  ] as const) {
    const tracker = await createSkillsTracker({ backend: 'direct', dbPath: db, project, env: {}, logger: silentLogger, sessionId: `s-${project}` });
    for (let i = 0; i < runs; i++) tracker.trackInvocation({ skillName, userQuery: 'ship the pull request' })!({ completed: true });
    await tracker.close();
  }
  return db;
}

const json = <T>(stdout: string) => JSON.parse(stdout) as T;

let db: string;
beforeAll(async () => {
  db = await twoProjects();
});

describe('--project and --all-projects', () => {
  it('reads one project at a time: recommendations, stats, history and export never show another', async () => {
    const recommend = await skills(['recommend', 'ship the pull request', '--db', db, '--project', 'alpha', '--json'], { env: { SKILLS_MIN_SIMILARITY: '0' } });
    expect(recommend.code).toBe(0);
    expect(json<{ skillName: string }[]>(recommend.stdout).map((r) => r.skillName)).toEqual(['code-reviewer']);

    // --project overrides SKILLS_PROJECT.
    const stats = await skills(['stats', '--db', db, '--project', 'beta', '--json'], { env: { SKILLS_PROJECT: 'alpha' } });
    const beta = json<{ project: string; skills: SkillStats[] }>(stats.stdout);
    expect(beta.project).toBe('beta');
    expect(beta.skills.map((s) => [s.skillName, s.invocations])).toEqual([['deployer', 3]]);

    const history = await skills(['history', '--db', db, '--json'], { env: { SKILLS_PROJECT: 'alpha' } });
    expect(json<InvocationRecord[]>(history.stdout).map((r) => [r.skillName, r.project])).toEqual([
      ['code-reviewer', 'alpha'],
      ['code-reviewer', 'alpha'],
    ]);

    const exported = await skills(['export', '--db', db, '--project', 'beta']);
    const records = json<{ invocations: InvocationRecord[] }>(exported.stdout).invocations;
    expect(new Set(records.map((r) => `${r.project}/${r.skillName}`))).toEqual(new Set(['beta/deployer']));

    // The default project holds nothing here.
    expect((await skills(['history', '--db', db])).stdout).toBe('No invocations match.\n');
  });

  it('reads every project with --all-projects: export carries each record\'s project, history shows it', async () => {
    const stats = json<{ project: null; skills: SkillStats[] }>((await skills(['stats', '--db', db, '--all-projects', '--json'])).stdout);
    expect(stats.project).toBeNull();
    expect(stats.skills.map((s) => [s.skillName, s.invocations]).sort()).toEqual([
      ['code-reviewer', 2],
      ['deployer', 3],
    ]);
    const exported = json<{ invocations: InvocationRecord[] }>((await skills(['export', '--db', db, '--all-projects'])).stdout);
    expect(exported.invocations.map((r) => r.project).sort()).toEqual(['alpha', 'alpha', 'beta', 'beta', 'beta']);
    const table = (await skills(['history', '--db', db, '--all-projects'])).stdout;
    expect(table.split('\n')[0]).toMatch(/\bproject\b/);
    expect(table).toMatch(/deployer .* beta /);
  });

  it('lists the projects with their invocations in status, and the project in force in doctor', async () => {
    const status = json<{ settings: { project: { value: string; source: string } }; projects: { project: string; list: unknown[] } }>(
      (await skills(['status', '--db', db, '--project', 'beta', '--json'])).stdout,
    );
    expect(status.settings.project).toEqual({ value: 'beta', source: 'option' });
    expect(status.projects).toEqual({
      project: 'beta',
      list: [
        { project: 'alpha', invocations: 2 },
        { project: 'beta', invocations: 3 },
      ],
    });
    const text = (await skills(['status', '--db', db], { env: { SKILLS_PROJECT: 'gamma' } })).stdout;
    expect(text).toMatch(/^projects +alpha: 2, beta: 3, gamma \(in force\): 0$/m);
    const doctor = await skills(['doctor', '--db', db, '--project', 'alpha']);
    expect(doctor.stdout).toMatch(/\[ok  \] project +"alpha": 2 invocations \(projects holding data: alpha, beta\)/);
  });

  it("completes only the project's own invocations", async () => {
    const dbCopy = await twoProjects();
    const tracked = await skills(['track', 'linter', '--db', dbCopy, '--project', 'alpha']);
    const id = tracked.stdout.trim();
    const wrong = await skills(['complete', id, '--db', dbCopy, '--project', 'beta']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`no invocation with id "${id}"`);
    expect((await skills(['complete', id, '--db', dbCopy, '--project', 'alpha'])).code).toBe(0);
  });

  it('keeps each record\'s project through export --all-projects, import and copy; records naming none go to the project in force', async () => {
    const dir = tempDir();
    const file = join(dir, 'all.json');
    expect((await skills(['export', '--db', db, '--all-projects', '--out', file])).code).toBe(0);
    const imported = join(dir, 'imported.db');
    // The project in force (gamma) takes only records that name none: these all name theirs.
    const result = await skills(['import', file, '--db', imported, '--project', 'gamma', '--json']);
    expect(result.code).toBe(0);
    expect(json<{ imported: number; project: string }>(result.stdout)).toMatchObject({ imported: 5, project: 'gamma' });
    const csv = join(dir, 'rows.csv');
    writeFileSync(csv, 'query,skill\nlint the code,linter\n');
    expect((await skills(['import', csv, '--db', imported, '--project', 'gamma'])).code).toBe(0);

    const copied = join(dir, 'copied.db');
    const copy = await skills(['copy', '--from', imported, '--to', copied, '--json']);
    expect(copy.code).toBe(0);
    expect(json<{ verified: boolean }>(copy.stdout).verified).toBe(true);
    const status = json<{ projects: { list: unknown[] } }>((await skills(['status', '--db', copied, '--json'])).stdout);
    expect(status.projects.list).toEqual([
      { project: 'alpha', invocations: 2 },
      { project: 'beta', invocations: 3 },
      { project: 'gamma', invocations: 1 },
    ]);
  });

  it('refuses a bad project name with exit 2, naming --project and the rule, and changes nothing', async () => {
    const bad = await skills(['track', 'linter', '--db', db, '--project', 'Team A']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `skills: --project must be 1-64 characters: lowercase letters, digits, '.', '_' or '-', starting with a letter or a digit, got "Team A". See 'skills track --help'.\n`,
    );
    const both = await skills(['stats', '--db', db, '--project', 'alpha', '--all-projects']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--project and --all-projects cannot be used together');
    // Not on commands that do not read one project's data.
    expect((await skills(['copy', '--from', db, '--to', join(tempDir(), 'x.db'), '--project', 'alpha'])).code).toBe(2);
    const env = await skills(['history', '--db', db], { env: { SKILLS_PROJECT: 'Team A' } });
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('Invalid setting "project" from env SKILLS_PROJECT: project must be 1-64 characters');
    const after = await skills(['status', '--db', db, '--json']);
    expect(after.stderr).toBe('');
    expect(json<{ projects: { list: unknown[] } }>(after.stdout).projects.list).toHaveLength(2);
  });

  it('explains projects in --help', async () => {
    const main = (await skills(['--help'])).stdout;
    expect(main).toContain("A command acts on one: --project NAME, else the project setting (SKILLS_PROJECT),\nelse 'default'.");
    const stats = (await skills(['stats', '--help'])).stdout;
    expect(stats).toMatch(/--project NAME +the project to read and write \(overrides the project setting and SKILLS_PROJECT; default 'default'\)/);
    expect(stats).toMatch(/--all-projects +every project instead of the one in force/);
    expect((await skills(['track', '--help'])).stdout).not.toContain('--all-projects');
  });
});
