import { expect, it } from 'vitest';
import { DEFAULT_HOOK_TIMEOUT_MS, DEFAULT_TOOL_PATTERN, hookSettingsQuery, readHookSettings, withHookSettingsQuery } from './hook-settings.js';

it('reads the hook settings from the environment, with defaults', () => {
  const { settings, problems } = readHookSettings({});
  expect(settings).toEqual({ recommend: true, tools: new RegExp(DEFAULT_TOOL_PATTERN), phase: undefined, timeoutMs: DEFAULT_HOOK_TIMEOUT_MS });
  expect(problems).toEqual([]);

  const set = readHookSettings({ SKILLS_HOOK_RECOMMEND: 'off', SKILLS_HOOK_TOOLS: '^Skill$', SKILLS_HOOK_PHASE: ' review ', SKILLS_HOOK_TIMEOUT_MS: '1500' });
  expect(set.settings).toEqual({ recommend: false, tools: /^Skill$/, phase: 'review', timeoutMs: 1500 });
});

it('a bad value falls back to its default and says why, naming the variable', () => {
  const { settings, problems } = readHookSettings({ SKILLS_HOOK_RECOMMEND: 'maybe', SKILLS_HOOK_TOOLS: '(', SKILLS_HOOK_TIMEOUT_MS: '5' });
  expect(settings.recommend).toBe(true);
  expect(settings.tools.source).toBe(DEFAULT_TOOL_PATTERN);
  expect(settings.timeoutMs).toBe(DEFAULT_HOOK_TIMEOUT_MS);
  expect(problems).toEqual([
    expect.stringMatching(/^SKILLS_HOOK_RECOMMEND must be on\/off/),
    expect.stringMatching(/^SKILLS_HOOK_TOOLS is not a valid regular expression/),
    expect.stringMatching(/^SKILLS_HOOK_TIMEOUT_MS must be a whole number/),
  ]);
});

it('hook settings travel in a query and lay over the receiving side\'s environment', () => {
  const query = hookSettingsQuery({ SKILLS_HOOK_RECOMMEND: 'off', SKILLS_HOOK_PHASE: 'review', SKILLS_HOOK_TIMEOUT_MS: '900', SKILLS_DB_PATH: '/x' });
  expect(query.toString()).toBe('recommend=off&phase=review');
  const env = withHookSettingsQuery({ SKILLS_HOOK_RECOMMEND: 'on', SKILLS_HOOK_TOOLS: '^Skill$' }, query);
  expect(readHookSettings(env).settings).toMatchObject({ recommend: false, phase: 'review', tools: /^Skill$/ });
  expect(hookSettingsQuery({}).size).toBe(0);
});
