import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { skills, tempDir } from './support.js';

const HOOK = fileURLToPath(new URL('../../../packages/claude-code/bin/skills-hook.mjs', import.meta.url));

describe('skills doctor and the Claude Code hook', () => {
  it('shows no hook failure on a fresh folder, then the one a hook logged (still exit 0: a warning)', async () => {
    const cwd = tempDir();
    const db = join(cwd, '.skills', 'skills.db');
    const env = { SKILLS_DB_PATH: db, SKILLS_BACKEND: 'direct' };
    const before = await skills(['doctor', '--json'], { cwd, env });
    const checksOf = (out: string) => (JSON.parse(out) as { checks: Array<{ name: string; status: string; detail: string }> }).checks;
    expect(checksOf(before.stdout).find((c) => c.name === 'claude-code hooks')).toMatchObject({ status: 'ok', detail: 'no hook failures logged' });

    // The real hook command, given what no hook event is: it exits 0, prints nothing, and logs why.
    const hook = spawnSync(process.execPath, [HOOK], { cwd, input: '{not json', env: { ...process.env, ...env, CLAUDE_PROJECT_DIR: cwd }, encoding: 'utf8' });
    expect(hook.status).toBe(0);
    expect(hook.stdout).toBe('');

    const after = await skills(['doctor', '--json'], { cwd, env });
    expect(after.code).toBe(0);
    const check = checksOf(after.stdout).find((c) => c.name === 'claude-code hooks');
    expect(check?.status).toBe('warn');
    expect(check?.detail).toMatch(/hook\.log, the latest: .*not JSON/);
  });

  it('counts the tool events the hooks journaled until a prompt, a Stop or --drain stores them', async () => {
    const cwd = tempDir();
    const env = { ...process.env, SKILLS_DB_PATH: join(cwd, '.skills', 'skills.db'), SKILLS_BACKEND: 'direct', CLAUDE_PROJECT_DIR: cwd };
    const hook = (event: object, args: string[] = []) => spawnSync(process.execPath, [HOOK, ...args], { cwd, input: JSON.stringify(event), env, encoding: 'utf8' });
    const base = { session_id: 's1', transcript_path: join(cwd, 't.jsonl'), cwd, permission_mode: 'default' };
    // The prompt takes the full path, which leaves the settings the tool hooks' fast path reads.
    expect(hook({ ...base, hook_event_name: 'UserPromptSubmit', prompt: 'make a pdf' }).status).toBe(0);
    for (const id of ['toolu_1', 'toolu_2']) {
      expect(hook({ ...base, hook_event_name: 'PreToolUse', tool_name: 'Skill', tool_input: { skill: 'pdf' }, tool_use_id: id }).status).toBe(0);
    }
    const detail = async () => {
      const out = await skills(['doctor', '--json'], { cwd, env: { SKILLS_DB_PATH: env.SKILLS_DB_PATH, SKILLS_BACKEND: 'direct' } });
      return (JSON.parse(out.stdout) as { checks: Array<{ name: string; detail: string }> }).checks.find((c) => c.name === 'claude-code hooks')?.detail;
    };
    expect(await detail()).toMatch(/; 2 tool events journaled, stored at the next prompt or Stop/);
    expect(hook({}, ['--drain']).status).toBe(0);
    expect(await detail()).toBe('no hook failures logged');
  });
});
