import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { claudeHooks } from './settings-snippet.js';
import { HOOK_BIN } from './test-support/run-hook.js';

const packageDir = join(import.meta.dirname, '..');
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');

it('the README example runs as written', () => {
  const example = /## Example[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeTruthy();
  // `skills-hook` is on the PATH once installed; here it is the built command.
  const script = example!.replace("execFileSync('skills-hook', {", `execFileSync(process.execPath, [${JSON.stringify(HOOK_BIN)}], {`);
  expect(script).not.toBe(example);
  const child = spawnSync(process.execPath, ['--input-type=module', '-'], {
    cwd: mkdtempSync(join(tmpdir(), 'skills-claude-code-readme-')),
    input: script,
    encoding: 'utf8',
    env: { ...process.env, SKILLS_BACKEND: 'direct', SKILLS_EMBEDDER: 'lexical' },
  });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  const answer = JSON.parse(child.stdout) as { hookSpecificOutput: { additionalContext: string } };
  expect(answer.hookSpecificOutput.additionalContext).toMatch(/\n- test-runner: .*1\/1 runs succeeded; typically 2\.1 s/);
});

it('the README settings, the plugin hooks and --print-settings are the same hooks', () => {
  const block = /```json\n(\{\n {2}"hooks"[\s\S]*?)```/.exec(readme)?.[1];
  expect(JSON.parse(block!)).toEqual({ hooks: claudeHooks() });
  const plugin = JSON.parse(readFileSync(join(packageDir, 'plugin', 'hooks', 'hooks.json'), 'utf8')) as { hooks: unknown };
  expect(plugin.hooks).toEqual(claudeHooks());
  const manifest = JSON.parse(readFileSync(join(packageDir, 'plugin', '.claude-plugin', 'plugin.json'), 'utf8')) as { name: string };
  expect(manifest.name).toMatch(/^[a-z][a-z0-9-]*$/);
  const printed = spawnSync(process.execPath, [HOOK_BIN, '--print-settings'], { encoding: 'utf8' });
  expect(printed.status).toBe(0);
  expect(JSON.parse(printed.stdout)).toEqual({ hooks: claudeHooks() });

  const httpBlock = /HTTP hooks, with the server running[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
  const http = spawnSync(process.execPath, [HOOK_BIN, '--print-settings', '--http'], {
    encoding: 'utf8',
    cwd: mkdtempSync(join(tmpdir(), 'skills-claude-code-readme-')),
    env: { ...process.env, SKILLS_MCP_URL: 'http://127.0.0.1:8678' },
  });
  const printedHttp = JSON.parse(http.stdout) as { hooks: ReturnType<typeof claudeHooks> };
  expect(printedHttp).toEqual({ hooks: claudeHooks('http://127.0.0.1:8678') });
  expect(JSON.parse(httpBlock!)).toEqual({ hooks: { PreToolUse: printedHttp.hooks['PreToolUse'] } });
});
