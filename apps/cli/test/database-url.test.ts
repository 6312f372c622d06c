import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { skills, tempDir } from './support.js';

const PASSWORD = 'PASSWORD-3f9c';
const URL_WITH_PASSWORD = `mysql://skills:${PASSWORD}@127.0.0.1:3306/skills`;
const SHOWN = 'mysql://skills:***@127.0.0.1:3306/skills';
const ENGINES = 'engines available: sqlite (plain paths, sqlite:); postgres (postgres:, postgresql:)';

describe('the database as a URL', () => {
  it('a scheme the command has no engine for is refused by every command, naming the engines, never the password, creating nothing', async () => {
    const cwd = tempDir();
    const doc = join(tempDir(), 'export.json');
    writeFileSync(doc, JSON.stringify({ format: 'skills-export', version: 2, exportedAt: new Date().toISOString(), invocations: [], catalog: [] }));
    const runs = await Promise.all([
      skills(['stats', '--db', URL_WITH_PASSWORD], { cwd }),
      skills(['track', 'code-reviewer', '--db', URL_WITH_PASSWORD], { cwd }),
      skills(['recommend', 'review my change', '--db', URL_WITH_PASSWORD, '--json'], { cwd }),
      skills(['import', '--db', URL_WITH_PASSWORD, doc], { cwd }),
      skills(['demo', '--db', URL_WITH_PASSWORD], { cwd }),
      skills(['migrate', '--rollback', '--list', '--db', URL_WITH_PASSWORD], { cwd }),
      skills(['stats'], { cwd, env: { SKILLS_DB_URL: URL_WITH_PASSWORD, SKILLS_DB_PATH: join(cwd, 'other.db') } }),
    ]);
    for (const r of runs) {
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`no store engine opens mysql: URLs (${SHOWN}); ${ENGINES}`);
      expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    }
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('status and doctor report the refusal without the password', async () => {
    const cwd = tempDir();
    const env = { SKILLS_DB_URL: URL_WITH_PASSWORD };
    const [text, json, doctor, doctorJson] = await Promise.all([
      skills(['status'], { cwd, env }),
      skills(['status', '--json'], { cwd, env }),
      skills(['doctor'], { cwd, env }),
      skills(['doctor', '--json'], { cwd, env }),
    ]);
    for (const r of [text, json, doctor, doctorJson]) expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${SHOWN} (cannot open: no store engine opens mysql: URLs`);
    const report = JSON.parse(json.stdout) as { settings: { dbUrl: { value: string; source: string } }; database: { path: string; engine: null } };
    expect(report.settings.dbUrl).toEqual({ value: SHOWN, source: 'env SKILLS_DB_URL' });
    expect(report.database).toMatchObject({ path: SHOWN, engine: null });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/\[FAIL\] database +no store engine opens mysql: URLs/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a PostgreSQL URL goes to the PostgreSQL engine: an unreachable server fails without the password, creating nothing', async () => {
    const cwd = tempDir();
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const url = `postgres://skills:${PASSWORD}@127.0.0.1:1/skills`;
    const runs = await Promise.all([skills(['stats', '--db', url], { cwd }), skills(['track', 'code-reviewer'], { cwd, env: { SKILLS_DB_URL: url } })]);
    for (const r of runs) {
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/ECONNREFUSED|connect/);
      expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    }
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a sqlite: URL and a path with a colon both open SQLite files', async () => {
    const cwd = tempDir();
    expect((await skills(['track', 'code-reviewer', '--db', 'sqlite:data/url.db'], { cwd })).code).toBe(0);
    expect((await skills(['track', 'code-reviewer', '--db', 'at:12.db'], { cwd })).code).toBe(0);
    const status = JSON.parse((await skills(['status', '--json', '--db', 'sqlite:data/url.db'], { cwd })).stdout) as { database: unknown };
    expect(status.database).toMatchObject({ path: join(cwd, 'data', 'url.db'), engine: 'sqlite', exists: true, invocations: 1 });
    expect(readdirSync(cwd).sort()).toEqual(['at:12.db', 'data']);
  });
});
