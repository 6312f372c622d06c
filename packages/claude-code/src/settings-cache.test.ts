import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadSettings } from '@skills/tracker';
import { readSettingsCache, settingsCachePath, settingsFingerprint, writeSettingsCache, type CachedHookSettings } from './settings-cache.js';

const SETTINGS: CachedHookSettings = { hooksDir: '/x/hooks', hookUrl: null, serverRequired: false, serverTimeoutMs: 3000, tools: '^Skill$' };

function project(): string {
  return mkdtempSync(join(tmpdir(), 'skills-settings-cache-'));
}

it('the fingerprint follows every input loadSettings reads, and nothing else', () => {
  const cwd = project();
  const env = { PATH: '/bin', SKILLS_BACKEND: 'direct' };
  const base = settingsFingerprint(cwd, env);
  expect(settingsFingerprint(cwd, { ...env })).toBe(base);
  expect(settingsFingerprint(cwd, { ...env, PATH: '/usr/bin', HOME: '/root' })).toBe(base);

  // Each of these is read by loadSettings (the expectations on it say so) and changes the fingerprint.
  const changes: Array<[string, Record<string, string>, (s: ReturnType<typeof loadSettings>['settings']) => unknown, unknown]> = [
    ['SKILLS_ variable', { SKILLS_BACKEND: 'mcp' }, (s) => s.backend, 'mcp'],
    ['CRACKERJACK_SKILLS_ alias', { CRACKERJACK_SKILLS_ENABLED: 'false' }, (s) => s.enabled, false],
    ['MCP_URL alias', { SKILLS_MCP_URL: 'http://127.0.0.1:9/mcp' }, (s) => s.mcpServerUrl, 'http://127.0.0.1:9/mcp'],
  ];
  for (const [what, extra, read, value] of changes) {
    expect(read(loadSettings({ cwd, env: { ...env, ...extra } }).settings), what).toEqual(value);
    expect(settingsFingerprint(cwd, { ...env, ...extra }), what).not.toBe(base);
  }
  expect(settingsFingerprint(cwd, { ...env, SKILLS_HOOK_TOOLS: 'x' })).not.toBe(base);
  expect(settingsFingerprint(project(), env)).not.toBe(base);

  mkdirSync(join(cwd, 'settings'));
  for (const file of ['skills.yaml', 'local.yaml']) {
    const path = join(cwd, 'settings', file);
    const before = settingsFingerprint(cwd, env);
    writeFileSync(path, 'skills:\n  enabled: true\n');
    expect(loadSettings({ cwd, env: {} }).sources.enabled).toBe(path);
    const written = settingsFingerprint(cwd, env);
    expect(written).not.toBe(before);
    // Same size, other content, written later.
    writeFileSync(path, 'skills:\n  enabled: TRUE\n');
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    expect(settingsFingerprint(cwd, env)).not.toBe(written);
  }
});

it('the cache is read back only for the fingerprint it was written with', () => {
  const cwd = project();
  expect(readSettingsCache(cwd, 'a')).toBeNull();
  writeSettingsCache(cwd, 'a', SETTINGS);
  expect(readSettingsCache(cwd, 'a')).toEqual(SETTINGS);
  expect(readSettingsCache(cwd, 'b')).toBeNull();
  writeFileSync(settingsCachePath(cwd), '{"version":1,"fingerprint":"a","settings":{"hooksDir":1}}');
  expect(readSettingsCache(cwd, 'a')).toBeNull();
  writeFileSync(settingsCachePath(cwd), '{"version":1,');
  expect(readSettingsCache(cwd, 'a')).toBeNull();
});
