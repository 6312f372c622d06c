import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redactUrl, UnknownEngineError, type StoreEngine } from '@skills/protocol';
import { openSqliteStore, sqliteEngine } from '@skills/store-sqlite';
import { createSkillsTracker } from './create-tracker.js';
import { SkillsService } from './service.js';
import { loadSettings } from './settings/index.js';
import { memoryLogger, tempDir } from './test-support/temp.js';

const PG_URL = 'postgres://skills:PASSWORD@127.0.0.1:5432/skills';
/** Nothing listens on port 1: the `auto` backend tracks directly. */
const AWAY = 'http://127.0.0.1:1';

/**
 * An engine for `scratch://USER:PASSWORD@HOST/NAME` URLs, storing in a real SQLite file NAME.db
 * of `dir`: a second engine, with a password in its URLs, to check what the tracker shows.
 */
function scratchEngine(dir: string): StoreEngine {
  const file = (target: string) => join(dir, `${new URL(target).pathname.slice(1)}.db`);
  return {
    name: 'scratch',
    schemes: ['scratch:'],
    open: (target) => openSqliteStore({ path: file(target) }),
    describe: redactUrl,
  };
}

describe('the store in force is opened by the engine for its URL', () => {
  it.each(['dbPath', 'dbUrl'] as const)('refuses a postgres URL in %s with no engine for it, creating nothing (issue 15)', async (key) => {
    const cwd = tempDir();
    for (const backend of ['direct', 'auto'] as const) {
      const logger = memoryLogger();
      const error = await createSkillsTracker({ backend, [key]: PG_URL, mcpServerUrl: AWAY, cwd, env: {}, logger }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownEngineError);
      expect((error as Error).message).toBe(
        'no store engine opens postgres: URLs (postgres://skills:***@127.0.0.1:5432/skills); engines available: sqlite (plain paths, sqlite:)',
      );
      expect(logger.lines.join('\n')).not.toContain('PASSWORD');
    }
    // Before: a SQLite file at ./postgres:/skills:PASSWORD@127.0.0.1:5432/skills.
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('takes SKILLS_DB_URL over SKILLS_DB_PATH, sqlite: URLs included', async () => {
    const cwd = tempDir();
    const tracker = await createSkillsTracker({ backend: 'direct', cwd, env: { SKILLS_DB_URL: 'sqlite:url.db', SKILLS_DB_PATH: 'path.db' }, logger: memoryLogger() });
    tracker.trackInvocation({ skillName: 'code-reviewer' });
    await tracker.close();
    expect(readdirSync(cwd).filter((f) => f.endsWith('.db'))).toEqual(['url.db']);
  });

  it('opens through the engines given, shows the URL without its password, and refuses what none of them opens', async () => {
    const cwd = tempDir();
    const engines = [scratchEngine(cwd)];
    const url = 'scratch://team:S3CRET@db.example/main';
    const logger = memoryLogger();
    const tracker = await createSkillsTracker({ backend: 'auto', dbUrl: url, mcpServerUrl: AWAY, engines, cwd, env: {}, logger });
    tracker.trackInvocation({ skillName: 'test-runner', userQuery: 'run the tests' })?.({ completed: true });
    await tracker.close();
    expect(logger.lines.join('\n')).toContain('tracking directly into scratch://team:***@db.example/main');
    expect(logger.lines.join('\n')).not.toContain('S3CRET');
    const stored = await openSqliteStore({ path: join(cwd, 'main.db') });
    expect(await stored.countInvocations()).toBe(1);
    await stored.close();

    const service = await SkillsService.open({ settings: loadSettings({ cwd, env: {}, overrides: { dbUrl: url } }).settings, cwd, engines });
    expect(service.location).toBe('scratch://team:***@db.example/main');
    await service.close();

    await expect(createSkillsTracker({ backend: 'direct', engines, cwd, env: {}, logger })).rejects.toThrow(
      'no store engine opens plain paths',
    );
  });

  it('shows the real file of a path through a link, as SQLite opens it', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'storage'));
    symlinkSync(join(cwd, 'storage'), join(cwd, '.skills'));
    const service = await SkillsService.open({ settings: loadSettings({ cwd, env: {} }).settings, cwd, engines: [sqliteEngine] });
    expect(service.location).toBe(join(cwd, 'storage', 'skills.db'));
    expect(service.store.location).toBe(service.location);
    await service.close();
  });
});
