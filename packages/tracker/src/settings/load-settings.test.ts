import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SettingsError } from '@skills/protocol';
import { databaseTarget, loadSettings, localDataDir, resolveDbPath } from './load-settings.js';

function project(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'skills-settings-'));
  mkdirSync(join(dir, 'settings'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'settings', name), text);
  return dir;
}

function errorOf(fn: () => unknown): SettingsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return error as SettingsError;
  }
  throw new Error('expected a SettingsError');
}

describe('loadSettings', () => {
  it('gives the documented defaults with no files, environment or options', () => {
    const { settings, sources } = loadSettings({ cwd: project(), env: {} });
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(settings).toMatchObject({
      enabled: true,
      backend: 'auto',
      dbPath: null,
      mcpServerUrl: 'http://127.0.0.1:8678',
      minSimilarity: null,
      maxRecommendations: 5,
      enablePhaseAware: true,
      phaseWeight: 0.3,
    });
    expect(new Set(Object.values(sources))).toEqual(new Set(['default']));
  });

  it('layers defaults < skills.yaml < local.yaml < environment < options, and says where each came from', () => {
    const cwd = project({
      'skills.yaml': 'skills:\n  backend: mcp\n  min_similarity: 0.5\n  max_recommendations: 7\n  phase_weight: 0.1\n',
      'local.yaml': 'skills:\n  minSimilarity: 0.6\n  maxRecommendations: 8\n',
    });
    const { settings, sources } = loadSettings({
      cwd,
      env: { SKILLS_MAX_RECOMMENDATIONS: '9', SKILLS_BACKEND: 'direct' },
      overrides: { backend: 'auto', enabled: undefined },
    });
    expect(settings.phaseWeight).toBe(0.1);
    expect(sources.phaseWeight).toBe(join(cwd, 'settings/skills.yaml'));
    expect(settings.minSimilarity).toBe(0.6);
    expect(sources.minSimilarity).toBe(join(cwd, 'settings/local.yaml'));
    expect(settings.maxRecommendations).toBe(9);
    expect(sources.maxRecommendations).toBe('env SKILLS_MAX_RECOMMENDATIONS');
    expect(settings.backend).toBe('auto');
    expect(sources.backend).toBe('option');
    expect(sources.enabled).toBe('default');
  });

  it('reads the short environment names and the CRACKERJACK_SKILLS_* aliases, SKILLS_* winning', () => {
    const { settings, sources } = loadSettings({
      cwd: project(),
      env: {
        SKILLS_ENABLED: 'false',
        SKILLS_DB_PATH: 'data/x.db',
        CRACKERJACK_SKILLS_MCP_URL: 'http://127.0.0.1:9999',
        CRACKERJACK_SKILLS_BACKEND: 'mcp',
        SKILLS_BACKEND: 'direct',
      },
    });
    expect(settings.enabled).toBe(false);
    expect(settings.mcpServerUrl).toBe('http://127.0.0.1:9999');
    expect(sources.mcpServerUrl).toBe('env CRACKERJACK_SKILLS_MCP_URL');
    expect(settings.backend).toBe('direct');
    expect(sources.backend).toBe('env SKILLS_BACKEND');
    expect(settings.dbPath).toMatch(/data[/\\]x\.db$/);
  });

  it('reads environment text as the type each setting takes, nullable ones included', () => {
    const env = { SKILLS_MIN_SIMILARITY: '0.4', SKILLS_MODEL_PATH: 'none', SKILLS_EMBEDDING_MODEL: '1', SKILLS_PHASE_WEIGHT: '0' };
    const { settings } = loadSettings({ cwd: project(), env });
    expect(settings).toMatchObject({ minSimilarity: 0.4, modelPath: null, embeddingModel: '1', phaseWeight: 0 });
    expect(loadSettings({ cwd: project(), env: { SKILLS_MIN_SIMILARITY: 'null' } }).settings.minSimilarity).toBeNull();
  });

  it('resolves a relative dbPath against cwd, and the default under .skills/', () => {
    const cwd = project();
    expect(loadSettings({ cwd, env: {}, overrides: { dbPath: 'a/b.db' } }).settings.dbPath).toBe(join(cwd, 'a/b.db'));
    expect(resolveDbPath({ dbPath: null }, cwd)).toBe(join(cwd, '.skills', 'skills.db'));
  });

  it('takes dbUrl over dbPath from any source, and resolves a plain-path dbUrl against cwd', () => {
    const cwd = project({ 'skills.yaml': 'skills:\n  db_url: postgres://skills:pw@db/skills\n' });
    const url = loadSettings({ cwd, env: { SKILLS_DB_PATH: 'env.db' } });
    expect(url.settings.dbUrl).toBe('postgres://skills:pw@db/skills');
    expect(databaseTarget(url.settings, cwd)).toBe('postgres://skills:pw@db/skills');
    expect(localDataDir(url.settings, cwd)).toBe(join(cwd, '.skills'));

    const path = loadSettings({ cwd: project(), env: { SKILLS_DB_URL: ' data/x.db ', SKILLS_DB_PATH: 'other.db' } });
    expect(path.sources.dbUrl).toBe('env SKILLS_DB_URL');
    expect(path.settings.dbUrl).toMatch(/data[/\\]x\.db$/);
    expect(databaseTarget(path.settings)).toBe(path.settings.dbUrl);
    expect(localDataDir({ dbUrl: 'C:\\data:1\\x.db', dbPath: null }, '/w')).toBe(join('/w', 'C:\\data:1\\x.db', '..'));

    const plain = { dbPath: null, dbUrl: null };
    expect(databaseTarget(plain, '/w')).toBe(join('/w', '.skills', 'skills.db'));
    expect(databaseTarget({ dbPath: 'a.db', dbUrl: 'sqlite:b.db' }, '/w')).toBe('sqlite:b.db');
    expect(errorOf(() => loadSettings({ cwd: project(), env: { SKILLS_DB_URL: '   ' } })).message).toBe(
      'Invalid setting "dbUrl" from env SKILLS_DB_URL: dbUrl must not be empty',
    );
    expect(errorOf(() => loadSettings({ cwd: project(), env: {}, overrides: { dbUrl: ' ' } })).message).toBe(
      'Invalid setting "dbUrl" from option: dbUrl must not be empty',
    );
  });

  describe('bad values name the source, the key and the rule', () => {
    it('with the same message from the environment as from a file', () => {
      const cwd = project({ 'skills.yaml': 'skills:\n  min_similarity: 1.5\n' });
      const fromFile = errorOf(() => loadSettings({ cwd, env: {} }));
      const fromEnv = errorOf(() => loadSettings({ cwd: project(), env: { SKILLS_MIN_SIMILARITY: '1.5' } }));
      expect(fromEnv.key).toBe('minSimilarity');
      expect(fromEnv.message).toContain('minSimilarity must be between 0 and 1');
      expect(fromEnv.message.replace(fromEnv.source, '')).toBe(fromFile.message.replace(fromFile.source, ''));
      expect(errorOf(() => loadSettings({ cwd: project(), env: { SKILLS_PHASE_WEIGHT: '-0.5' } })).message).toContain(
        'phaseWeight must be between 0 and 1',
      );
      expect(errorOf(() => loadSettings({ cwd: project(), env: { SKILLS_MIN_SIMILARITY: 'high' } })).message).toContain(
        'minSimilarity must be a number',
      );
    });

    it('in a settings file', () => {
      const cwd = project({ 'skills.yaml': 'skills:\n  min_similarity: 2\n' });
      const error = errorOf(() => loadSettings({ cwd, env: {} }));
      expect(error.source).toBe(join(cwd, 'settings/skills.yaml'));
      expect(error.key).toBe('minSimilarity');
      expect(error.message).toContain('between 0 and 1');
    });
    it('an unknown key in a file', () => {
      const cwd = project({ 'local.yaml': 'skills:\n  colour: blue\n' });
      const error = errorOf(() => loadSettings({ cwd, env: {} }));
      expect(error.key).toBe('skills.colour');
      expect(error.message).toContain('unknown setting');
    });
    it('a file that is not YAML, or not a mapping', () => {
      expect(errorOf(() => loadSettings({ cwd: project({ 'skills.yaml': 'skills: [\n' }), env: {} })).message).toContain(
        'not valid YAML',
      );
      expect(errorOf(() => loadSettings({ cwd: project({ 'skills.yaml': '- 1\n' }), env: {} })).message).toContain(
        'top-level "skills:"',
      );
      expect(errorOf(() => loadSettings({ cwd: project({ 'skills.yaml': 'skills: 3\n' }), env: {} })).key).toBe('skills');
    });
    it('in the environment', () => {
      const error = errorOf(() => loadSettings({ cwd: project(), env: { SKILLS_BACKEND: 'carrier-pigeon' } }));
      expect(error.source).toBe('env SKILLS_BACKEND');
      expect(error.key).toBe('backend');
      expect(error.message).toMatch(/direct|mcp|auto/);
      expect(errorOf(() => loadSettings({ cwd: project(), env: { SKILLS_ENABLED: 'maybe' } })).key).toBe('enabled');
      expect(errorOf(() => loadSettings({ cwd: project(), env: { SKILLS_MCP_URL: 'not a url' } })).message).toContain(
        'mcpServerUrl',
      );
      expect(errorOf(() => loadSettings({ cwd: project(), env: { SKILLS_MCP_TIMEOUT_MS: 'soon' } })).key).toBe(
        'mcpTimeoutMs',
      );
    });
    it('for the ranker: learned by default, similarity on request, nothing else', () => {
      expect(loadSettings({ cwd: project(), env: {} }).settings.ranker).toBe('learned');
      expect(loadSettings({ cwd: project(), env: { SKILLS_RANKER: 'similarity' } }).settings.ranker).toBe('similarity');
      const error = errorOf(() => loadSettings({ cwd: project(), env: { SKILLS_RANKER: 'neural' } }));
      expect(error.key).toBe('ranker');
      expect(error.message).toBe('Invalid setting "ranker" from env SKILLS_RANKER: ranker must be learned or similarity');
    });

    it("for the project: default unless set, from files or SKILLS_PROJECT, and only a valid name (issue 15)", () => {
      expect(loadSettings({ cwd: project(), env: {} }).settings.project).toBe('default');
      const cwd = project({ 'skills.yaml': 'skills:\n  project: team-a\n' });
      expect(loadSettings({ cwd, env: {} }).settings.project).toBe('team-a');
      const fromEnv = loadSettings({ cwd, env: { SKILLS_PROJECT: 'team-b' } });
      expect(fromEnv.settings.project).toBe('team-b');
      expect(fromEnv.sources.project).toBe('env SKILLS_PROJECT');
      const error = errorOf(() => loadSettings({ cwd: project(), env: { SKILLS_PROJECT: 'Team A' } }));
      expect(error.key).toBe('project');
      expect(error.message).toBe(
        `Invalid setting "project" from env SKILLS_PROJECT: project must be 1-64 characters: lowercase letters, digits, '.', '_' or '-', starting with a letter or a digit`,
      );
      expect(errorOf(() => loadSettings({ cwd: project({ 'local.yaml': 'skills:\n  project: 12\n' }), env: {} })).key).toBe('project');
    });

    it('in explicit options', () => {
      const error = errorOf(() => loadSettings({ cwd: project(), env: {}, overrides: { phaseWeight: -1 } }));
      expect(error.source).toBe('option');
      expect(error.key).toBe('phaseWeight');
      expect(errorOf(() => loadSettings({ cwd: project(), env: {}, overrides: { bogus: 1 } as never })).key).toBe('bogus');
    });
  });
});
