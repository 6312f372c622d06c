import { existsSync, mkdirSync, mkdtempSync, readdirSync as readdir, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '@skills/store-sqlite';
import type { InvocationRecord } from '@skills/protocol';
import { invocationIdFor } from './invocation-id.js';
import {
  agentInput,
  agentResponse,
  bashPreToolUse,
  inSubagent,
  postToolUse,
  postToolUseFailure,
  preToolUse,
  sessionEnd,
  skillInput,
  stop,
  stopFailure,
  userPromptSubmit,
} from './test-support/fixtures.js';
import { drainHookProcess, runHookProcess } from './test-support/run-hook.js';

// Every test drives the built command as Claude Code does (a process per event, JSON on stdin)
// against a real SQLite file in a fresh project folder, then reads that file. Tool events after
// the first full run wait in the hook journal (see journal.test.ts): `stored` writes them first.

const DIRECT = { SKILLS_BACKEND: 'direct' };

function project(): string {
  return mkdtempSync(join(tmpdir(), 'skills-claude-code-'));
}

async function hook(cwd: string, input: unknown, env: Record<string, string> = {}) {
  const run = await runHookProcess(cwd, input, { ...DIRECT, ...env });
  expect(run.status).toBe(0);
  return run;
}

async function stored(cwd: string): Promise<InvocationRecord[]> {
  expect((await drainHookProcess(cwd, DIRECT)).status).toBe(0);
  const path = join(cwd, '.skills', 'skills.db');
  if (!existsSync(path)) return [];
  const store = await openSqliteStore({ path });
  try {
    return await store.listInvocations({}, { limit: 1000 });
  } finally {
    await store.close();
  }
}

function logOf(cwd: string): string {
  const path = join(cwd, '.skills', 'hooks', 'hook.log');
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

describe('PreToolUse then PostToolUse', () => {
  it('records a completed invocation with the query, the phase and the documented duration', async () => {
    const cwd = project();
    await hook(cwd, userPromptSubmit('s1', 'run the unit tests'));
    const pre = await hook(cwd, { ...preToolUse('s1', 'Skill', skillInput('/test-runner', '--watch'), 'toolu_1'), permission_mode: 'plan' });
    expect(pre.stdout).toBe('');

    const [pending] = await stored(cwd);
    expect(pending).toMatchObject({
      id: invocationIdFor('s1', 'toolu_1'),
      skillName: 'test-runner',
      sessionId: 's1',
      status: 'pending',
      userQuery: 'run the unit tests',
      workflowPhase: 'plan',
    });

    const post = await hook(cwd, postToolUse('s1', 'Skill', skillInput('/test-runner', '--watch'), 'toolu_1', { success: true, commandName: 'test-runner' }, 1250));
    expect(post.stdout).toBe('');
    const [done] = await stored(cwd);
    expect(done).toMatchObject({ id: pending!.id, status: 'completed', completed: true, durationSeconds: 1.25, invokedAt: pending!.invokedAt });
    expect(logOf(cwd)).toBe('');
  });

  it('records a failure with its error class, never its text', async () => {
    const cwd = project();
    const input = { server: 'ci' };
    await hook(cwd, preToolUse('s1', 'mcp__ci__run_tests', input, 'toolu_1'));
    await hook(cwd, postToolUseFailure('s1', 'mcp__ci__run_tests', input, 'toolu_1'));
    await hook(cwd, preToolUse('s1', 'mcp__ci__run_tests', input, 'toolu_2'));
    await hook(cwd, postToolUseFailure('s1', 'mcp__ci__run_tests', input, 'toolu_2', 'The user doesn\'t want to proceed', true, 30));
    const byId = new Map((await stored(cwd)).map((r) => [r.id, r]));
    expect(byId.get(invocationIdFor('s1', 'toolu_1'))).toMatchObject({ skillName: 'mcp__ci__run_tests', status: 'failed', errorType: 'exit_code', durationSeconds: 4.187 });
    expect(byId.get(invocationIdFor('s1', 'toolu_2'))).toMatchObject({ status: 'failed', errorType: 'interrupted', durationSeconds: 0.03 });
  });

  it('a PostToolUse before its PreToolUse records the finished invocation, and the late PreToolUse changes nothing', async () => {
    const cwd = project();
    await hook(cwd, postToolUse('s1', 'Agent', agentInput('Explore'), 'toolu_9', agentResponse, 48211));
    const [first] = await stored(cwd);
    expect(first).toMatchObject({ skillName: 'Explore', status: 'completed', durationSeconds: 48.211 });
    await hook(cwd, preToolUse('s1', 'Agent', agentInput('Explore'), 'toolu_9'));
    expect(await stored(cwd)).toEqual([first]);
  });

  it('a duplicated PostToolUse is a no-op', async () => {
    const cwd = project();
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('pdf'), 'toolu_1'));
    await hook(cwd, postToolUse('s1', 'Skill', skillInput('pdf'), 'toolu_1'));
    const once = await stored(cwd);
    await hook(cwd, postToolUse('s1', 'Skill', skillInput('pdf'), 'toolu_1', { success: true }, 999));
    await hook(cwd, postToolUseFailure('s1', 'Skill', skillInput('pdf'), 'toolu_1'));
    expect(await stored(cwd)).toEqual(once);
    expect(once).toHaveLength(1);
  });

  it('without duration_ms (Claude Code before 2.1.119) the duration is the time from PreToolUse to PostToolUse', async () => {
    const cwd = project();
    await hook(cwd, preToolUse('s1', 'Task', agentInput(), 'toolu_1'));
    const { duration_ms: _none, ...withoutDuration } = postToolUse('s1', 'Task', agentInput(), 'toolu_1', agentResponse);
    await hook(cwd, withoutDuration);
    const [record] = await stored(cwd);
    expect(record).toMatchObject({ skillName: 'general-purpose', status: 'completed' });
    expect(record!.durationSeconds).toBeGreaterThan(0);
    expect(record!.durationSeconds).toBeLessThan(60);
  });
});

describe('what is not recorded', () => {
  it('a tool that is no skill leaves nothing, not even a database', async () => {
    const cwd = project();
    const run = await hook(cwd, bashPreToolUse('s1', 'toolu_1'));
    expect(run.stdout).toBe('');
    expect(existsSync(join(cwd, '.skills', 'skills.db'))).toBe(false);
  });

  it('malformed JSON: exit 0, nothing on stdout, the reason in the log', async () => {
    const cwd = project();
    const run = await hook(cwd, '{"session_id": "s1", "hook_event_name": ');
    expect(run.stdout).toBe('');
    expect(logOf(cwd)).toMatch(/ignored: the hook input is not JSON/);
  });

  it('an unknown event: exit 0, nothing on stdout, the reason in the log', async () => {
    const cwd = project();
    const run = await hook(cwd, { session_id: 's1', hook_event_name: 'TeammateIdle', cwd: '/x' });
    expect(run.stdout).toBe('');
    expect(logOf(cwd)).toMatch(/ignored: event "TeammateIdle" is not one this hook acts on/);
  });

  it('a payload missing a field names the event and the field', async () => {
    const cwd = project();
    const { tool_use_id: _gone, ...withoutId } = preToolUse('s1', 'Skill', skillInput('pdf'), 'x');
    await hook(cwd, withoutId);
    await hook(cwd, preToolUse('s1', 'Skill', { args: 'no skill field' }, 'toolu_2'));
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('x'.repeat(300)), 'toolu_3'));
    expect(await stored(cwd)).toEqual([]);
    const log = logOf(cwd);
    expect(log).toMatch(/ignored: PreToolUse: tool_use_id is required/);
    expect(log).toMatch(/PreToolUse: not recorded: Skill call without a tool_input.skill string/);
    expect(log).toMatch(/PreToolUse: not recorded: tool_input.skill is longer than 200 characters/);
  });

  it('a settings file in the project takes effect, and nothing is logged', async () => {
    // The full path reads settings/skills.yaml with the YAML reader: it must load from the built command.
    const cwd = project();
    mkdirSync(join(cwd, 'settings'));
    writeFileSync(join(cwd, 'settings', 'skills.yaml'), 'skills:\n  db_path: data/team.db\n');
    await hook(cwd, userPromptSubmit('s1', 'make a pdf'));
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('pdf'), 'toolu_1'));
    expect((await drainHookProcess(cwd, DIRECT)).status).toBe(0);
    expect(existsSync(join(cwd, '.skills', 'skills.db'))).toBe(false);
    expect(logOf(cwd)).toBe('');
    expect(existsSync(join(cwd, 'data', 'hooks', 'hook.log'))).toBe(false);
    const store = await openSqliteStore({ path: join(cwd, 'data', 'team.db') });
    try {
      expect(await store.listInvocations({}, { limit: 10 })).toMatchObject([{ skillName: 'pdf', userQuery: 'make a pdf' }]);
    } finally {
      await store.close();
    }
  });

  it('tracking switched off (SKILLS_ENABLED=false) does nothing at all', async () => {
    const cwd = project();
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('pdf'), 'toolu_1'), { SKILLS_ENABLED: 'false' });
    expect(existsSync(join(cwd, '.skills'))).toBe(false);
  });

  it('a secret pasted into the prompt is redacted before it is stored', async () => {
    const cwd = project();
    await hook(cwd, userPromptSubmit('s1', 'deploy with token sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789'));
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('deploy'), 'toolu_1'));
    const [record] = await stored(cwd);
    expect(record!.userQuery).toBe('deploy with token [REDACTED:api-key]');
    // Nor does the session's state on disk keep it.
    const sessions = join(cwd, '.skills', 'hooks', 'sessions');
    expect(readFileSync(join(sessions, readdir(sessions)[0]!, 'prompt.json'), 'utf8')).not.toContain('sk-ant-');
  });

  it('a prompt too long for the store is kept as its start', async () => {
    const cwd = project();
    await hook(cwd, userPromptSubmit('s1', `fix the build ${'x'.repeat(20_000)}`));
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('pdf'), 'toolu_1'));
    const [record] = await stored(cwd);
    expect(record!.userQuery!.startsWith('fix the build')).toBe(true);
    expect(record!.userQuery!.length).toBe(8_000);
  });
});

describe('Stop and SessionEnd', () => {
  it('parallel PreToolUse hooks all count, and Stop abandons the main agent\'s open ones but not a subagent\'s', async () => {
    const cwd = project();
    await hook(cwd, userPromptSubmit('s1', 'review the API'));
    // Claude Code runs the hooks of parallel tool calls at the same time.
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => hook(cwd, preToolUse('s1', `mcp__api__tool${i}`, {}, `toolu_${i}`))),
    );
    await hook(cwd, { ...preToolUse('s1', 'Skill', skillInput('pdf'), 'toolu_sub'), ...inSubagent });
    await hook(cwd, postToolUse('s1', 'mcp__api__tool0', {}, 'toolu_0'));

    await hook(cwd, stop('s1'));
    const byId = new Map((await stored(cwd)).map((r) => [r.id, r]));
    expect(byId.size).toBe(7);
    expect(byId.get(invocationIdFor('s1', 'toolu_0'))!.status).toBe('completed');
    for (let i = 1; i < 6; i++) expect(byId.get(invocationIdFor('s1', `toolu_${i}`))!.status).toBe('abandoned');
    expect(byId.get(invocationIdFor('s1', 'toolu_sub'))!.status).toBe('pending');

    await hook(cwd, sessionEnd('s1', 'prompt_input_exit'));
    expect((await stored(cwd)).find((r) => r.id === invocationIdFor('s1', 'toolu_sub'))!.status).toBe('abandoned');
    // The session's state is gone with it.
    expect(existsSync(join(cwd, '.skills', 'hooks', 'sessions'))).toBe(true);
    expect(readdir(join(cwd, '.skills', 'hooks', 'sessions'))).toEqual([]);
  });

  it('StopFailure (an API error ended the turn) abandons like Stop; another session is left alone', async () => {
    const cwd = project();
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('pdf'), 'toolu_1'));
    await hook(cwd, preToolUse('s2', 'Skill', skillInput('pdf'), 'toolu_1'));
    await hook(cwd, stopFailure('s1'));
    const byId = new Map((await stored(cwd)).map((r) => [r.id, r]));
    expect(byId.get(invocationIdFor('s1', 'toolu_1'))!.status).toBe('abandoned');
    expect(byId.get(invocationIdFor('s2', 'toolu_1'))!.status).toBe('pending');
  });

  it('keeps its state private: folders 0700, files 0600', async () => {
    const cwd = project();
    await hook(cwd, userPromptSubmit('s1', 'review the API'));
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('pdf'), 'toolu_1'));
    await hook(cwd, '{oops');
    const hooksDir = join(cwd, '.skills', 'hooks');
    // The tool event waits in the journal, beside the settings the tool hooks read.
    for (const file of ['journal.jsonl', 'settings-cache.json']) expect(statSync(join(hooksDir, file)).mode & 0o777).toBe(0o600);
    await stored(cwd);
    const [session] = readdir(join(hooksDir, 'sessions'));
    const sessionDir = join(hooksDir, 'sessions', session!);
    for (const dir of [hooksDir, sessionDir, join(sessionDir, 'open')]) expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = [join(sessionDir, 'prompt.json'), join(hooksDir, 'hook.log'), ...readdir(join(sessionDir, 'open')).map((f) => join(sessionDir, 'open', f))];
    for (const file of files) expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('a full disk', () => {
  // A real refusal: the kernel's file-size limit (RLIMIT_FSIZE) at 1 KiB makes every write past it
  // fail with EFBIG, as a full disk fails with ENOSPC. SIGXFSZ is ignored so that the write fails
  // instead of the signal killing the process (a disposition exec keeps).
  const FULL_DISK = "trap '' XFSZ; ulimit -f 2;";

  it('a journaled event the store refuses: exit 0, nothing on stdout, the failure logged, the store unchanged', async () => {
    const cwd = project();
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('pdf'), 'toolu_1'));
    const before = await stored(cwd);
    await hook(cwd, postToolUse('s1', 'Skill', skillInput('pdf'), 'toolu_1'));
    // The Stop replays the journaled PostToolUse into a store that cannot grow.
    const full = await runHookProcess(cwd, stop('s1'), DIRECT, FULL_DISK);
    expect(full.status).toBe(0);
    expect(full.stdout).toBe('');
    expect(await stored(cwd)).toEqual(before);
    expect(logOf(cwd)).toMatch(/PostToolUse failed: .*(disk|full|I\/O|large)/i);
    // The Stop then abandons what is still open, which the disk refuses too.
    expect(logOf(cwd)).toMatch(/Stop failed: .*(disk|full|I\/O|large)/i);
    expect(logOf(cwd).trim().split('\n')).toHaveLength(2);

    // Once there is room again, the same event goes in.
    await hook(cwd, postToolUse('s1', 'Skill', skillInput('pdf'), 'toolu_1'));
    expect((await stored(cwd))[0]!.status).toBe('completed');
  });

  it('a journal the disk refuses: the command goes the full way, which skips the line cut short with a reason', async () => {
    const cwd = project();
    await hook(cwd, userPromptSubmit('s1', 'convert the report'));
    // Grow the journal to just under the limit with PreToolUse events of a bulky tool input.
    const input = { text: 'x'.repeat(500) };
    await hook(cwd, preToolUse('s1', 'mcp__docs__convert', input, 'toolu_1'));
    const journal = join(cwd, '.skills', 'hooks', 'journal.jsonl');
    expect(statSync(journal).size).toBeLessThan(1024);
    // Its PostToolUse does not fit: part of it is written, then the write is refused. The command
    // goes the full way, which replays the journal and writes to the store: refused as well.
    const full = await runHookProcess(cwd, postToolUse('s1', 'mcp__docs__convert', input, 'toolu_1'), DIRECT, FULL_DISK);
    expect(full.status).toBe(0);
    expect(full.stdout).toBe('');
    expect(logOf(cwd)).toMatch(/journal: line \d+ is not a journal entry \(\d+ characters\); skipped/);
    expect(logOf(cwd)).toMatch(/(PreToolUse|PostToolUse) failed: .*(disk|full|I\/O|large)/i);

    // With room again: the journal's next entry is whole, whatever the refused write left.
    await hook(cwd, preToolUse('s1', 'mcp__docs__convert', input, 'toolu_2'));
    await hook(cwd, postToolUse('s1', 'mcp__docs__convert', input, 'toolu_2'));
    const byId = new Map((await stored(cwd)).map((r) => [r.id, r]));
    expect(byId.get(invocationIdFor('s1', 'toolu_2'))).toMatchObject({ status: 'completed', userQuery: 'convert the report' });
  });
});
