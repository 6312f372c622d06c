import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@skills/vitest-config/wait-for';
import { openSqliteStore } from '@skills/store-sqlite';
import type { InvocationRecord } from '@skills/protocol';
import { invocationIdFor } from './invocation-id.js';
import { JOURNAL_DRAIN_BYTES } from './fast-path.js';
import type { JournalEntry } from './journal.js';
import { postToolUse, postToolUseFailure, preToolUse, sessionEnd, skillInput, stop, userPromptSubmit } from './test-support/fixtures.js';
import { drainHookProcess, runHookProcess } from './test-support/run-hook.js';

// The tool events' fast path, through the built command as Claude Code runs it (a process per
// event) against a real SQLite file: PreToolUse / PostToolUse wait in the hook journal, with the
// time each arrived, and the next full run (UserPromptSubmit, Stop, SessionEnd) writes them.

const DIRECT = { SKILLS_BACKEND: 'direct' };

function project(): string {
  return mkdtempSync(join(tmpdir(), 'skills-claude-code-fast-'));
}

async function hook(cwd: string, input: unknown, env: Record<string, string> = {}) {
  const run = await runHookProcess(cwd, input, { ...DIRECT, ...env });
  expect(run.status).toBe(0);
  expect(run.stderr).toBe('');
  return run.stdout;
}

const hooksDir = (cwd: string) => join(cwd, '.skills', 'hooks');
const journalPath = (cwd: string) => join(hooksDir(cwd), 'journal.jsonl');

/** The journal's entries, in order (none when there is no journal). */
function journal(cwd: string): Array<JournalEntry & { event: Record<string, unknown> }> {
  if (!existsSync(journalPath(cwd))) return [];
  return readFileSync(journalPath(cwd), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as JournalEntry & { event: Record<string, unknown> });
}

const journaledIds = (cwd: string) => journal(cwd).map((e) => e.event['tool_use_id']);

/** What the store holds now, without writing the journal first. */
async function records(cwd: string): Promise<Map<string, InvocationRecord>> {
  const path = join(cwd, '.skills', 'skills.db');
  if (!existsSync(path)) return new Map();
  const store = await openSqliteStore({ path });
  try {
    return new Map((await store.listInvocations({}, { limit: 1000 })).map((r) => [r.id, r]));
  } finally {
    await store.close();
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const logOf = (cwd: string) => (existsSync(join(hooksDir(cwd), 'hook.log')) ? readFileSync(join(hooksDir(cwd), 'hook.log'), 'utf8') : '');

describe('the journal', () => {
  it.each([
    ['Stop', stop('s1')],
    ['UserPromptSubmit', userPromptSubmit('s1', 'and now the linter')],
    ['SessionEnd', sessionEnd('s1')],
  ])('PreToolUse and PostToolUse wait in it and reach the store at the next %s, with the times they arrived', async (_name, drainer) => {
    const cwd = project();
    await hook(cwd, userPromptSubmit('s1', 'run the unit tests'));
    const tests = skillInput('test-runner');
    await hook(cwd, preToolUse('s1', 'Skill', tests, 'toolu_1'));
    // No duration_ms (Claude Code before 2.1.119): the time between the two arrivals.
    const { duration_ms: _none, ...withoutDuration } = postToolUse('s1', 'Skill', tests, 'toolu_1', { success: true });
    await hook(cwd, withoutDuration);
    await hook(cwd, preToolUse('s1', 'mcp__ci__run', {}, 'toolu_2'));
    await hook(cwd, postToolUseFailure('s1', 'mcp__ci__run', {}, 'toolu_2', 'Exit code 1', false, 1250));
    const waiting = journal(cwd);
    expect(waiting.map((e) => [e.event['hook_event_name'], e.event['tool_use_id']])).toEqual([
      ['PreToolUse', 'toolu_1'],
      ['PostToolUse', 'toolu_1'],
      ['PreToolUse', 'toolu_2'],
      ['PostToolUseFailure', 'toolu_2'],
    ]);
    // The response is not kept; the rest of the event is as Claude Code sent it.
    expect(waiting[1]!.event).toEqual({ ...withoutDuration, tool_response: null });
    expect((await records(cwd)).size).toBe(0);

    await hook(cwd, drainer);
    expect(readdirSync(hooksDir(cwd)).filter((f) => f.startsWith('journal'))).toEqual([]);
    const byId = await records(cwd);
    const [pre1, post1, pre2, post2] = waiting.map((e) => e.at);
    const first = byId.get(invocationIdFor('s1', 'toolu_1'))!;
    expect(first).toMatchObject({ skillName: 'test-runner', userQuery: 'run the unit tests', status: 'completed', invokedAt: iso(pre1!), completedAt: iso(post1!) });
    expect(first.durationSeconds).toBeCloseTo((post1! - pre1!) / 1000, 3);
    expect(byId.get(invocationIdFor('s1', 'toolu_2'))).toMatchObject({
      skillName: 'mcp__ci__run',
      status: 'failed',
      errorType: 'exit_code',
      durationSeconds: 1.25,
      invokedAt: iso(pre2!),
      completedAt: iso(post2!),
    });
    expect(byId.size).toBe(2);
    expect(logOf(cwd)).toBe('');
  });

  it('the next prompt drains it first: its recommendation ranks the skill that succeeded in the turn before', async () => {
    const cwd = project();
    await hook(cwd, userPromptSubmit('s1', 'run the unit tests and fix them', 'p1'));
    for (const [i, skill, ok] of [[1, 'test-runner', true], [2, 'flaky-runner', false], [3, 'test-runner', true]] as const) {
      await hook(cwd, preToolUse('s1', 'Skill', skillInput(skill), `toolu_${i}`, 'p1'));
      await hook(cwd, ok ? postToolUse('s1', 'Skill', skillInput(skill), `toolu_${i}`, { success: true }, 900, 'p1') : postToolUseFailure('s1', 'Skill', skillInput(skill), `toolu_${i}`));
    }
    expect(journal(cwd)).toHaveLength(6);
    // No Stop in between (an interrupted turn): the prompt itself writes the journal before recommending.
    const answer = JSON.parse(await hook(cwd, userPromptSubmit('s1', 'run the unit tests', 'p2'))) as { hookSpecificOutput: { additionalContext: string } };
    const lines = answer.hookSpecificOutput.additionalContext.split('\n').filter((l) => l.startsWith('- '));
    expect(lines[0]).toMatch(/^- test-runner: .*2\/2 runs succeeded/);
    expect(journal(cwd)).toEqual([]);
  });

  it('a drain that died half-way is finished by the next one, and what it had written is not written twice', async () => {
    const cwd = project();
    await hook(cwd, userPromptSubmit('s1', 'convert the report'));
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('pdf'), 'toolu_1'));
    await hook(cwd, postToolUse('s1', 'Skill', skillInput('pdf'), 'toolu_1', { success: true }, 700));
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('pdf'), 'toolu_2'));
    await hook(cwd, postToolUse('s1', 'Skill', skillInput('pdf'), 'toolu_2', { success: true }, 300));
    // A drainer claimed these (renamed the journal), wrote part of them, and died.
    const text = readFileSync(journalPath(cwd), 'utf8');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const claimed = join(hooksDir(cwd), `journal.${String(Date.now() * 1000).padStart(16, '0')}.${dead}.claimed`);
    renameSync(journalPath(cwd), claimed);
    await hook(cwd, postToolUse('s1', 'Skill', skillInput('pdf'), 'toolu_1', { success: true }, 5)); // a replayed Post, journaled again
    writeFileSync(journalPath(cwd), text, { flag: 'a' }); // and the same events once more
    await drainHookProcess(cwd, DIRECT).then((run) => expect(run.status).toBe(0));
    expect(existsSync(claimed)).toBe(false);
    const byId = await records(cwd);
    expect(byId.get(invocationIdFor('s1', 'toolu_1'))).toMatchObject({ status: 'completed', durationSeconds: 0.7 });
    expect(byId.get(invocationIdFor('s1', 'toolu_2'))).toMatchObject({ status: 'completed', durationSeconds: 0.3 });
    expect(byId.size).toBe(2);
    await hook(cwd, stop('s1'));
    expect([...(await records(cwd)).values()].map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(logOf(cwd)).toBe('');
  });

  it('drainers at once write each invocation once', async () => {
    const cwd = project();
    await hook(cwd, userPromptSubmit('s1', 'check everything'));
    for (let i = 0; i < 6; i++) {
      await hook(cwd, preToolUse('s1', `mcp__check__t${i}`, {}, `toolu_${i}`));
      await hook(cwd, postToolUse('s1', `mcp__check__t${i}`, {}, `toolu_${i}`, {}, 100 + i));
    }
    await Promise.all([hook(cwd, stop('s1')), hook(cwd, userPromptSubmit('s2', 'something else')), drainHookProcess(cwd, DIRECT)]);
    const byId = await records(cwd);
    expect(byId.size).toBe(6);
    for (let i = 0; i < 6; i++) expect(byId.get(invocationIdFor('s1', `toolu_${i}`))).toMatchObject({ status: 'completed', durationSeconds: (100 + i) / 1000 });
    expect(readdirSync(hooksDir(cwd)).filter((f) => f.startsWith('journal'))).toEqual([]);
  });

  it('a Stop waits for a drain still at work on its calls, and takes it over when that process dies, so it abandons none of them', async () => {
    const cwd = project();
    await hook(cwd, userPromptSubmit('s1', 'check everything'));
    for (let i = 0; i < 3; i++) await hook(cwd, preToolUse('s1', `mcp__check__t${i}`, {}, `toolu_${i}`));
    await drainHookProcess(cwd, DIRECT); // the calls are open
    for (let i = 0; i < 3; i++) await hook(cwd, postToolUse('s1', `mcp__check__t${i}`, {}, `toolu_${i}`, {}, 100 + i));
    // Their PostToolUse events are claimed by a drainer still at work: a live process.
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    const held = `journal.${String(Date.now() * 1000).padStart(16, '0')}.${holder.pid}.claimed`;
    renameSync(journalPath(cwd), join(hooksDir(cwd), held));
    await hook(cwd, preToolUse('s1', 'mcp__check__denied', {}, 'toolu_denied')); // never completed

    const stopped = hook(cwd, stop('s1'), { SKILLS_HOOK_TIMEOUT_MS: '20000' });
    // The Stop has claimed the journal (so it reached the wait); then the other drainer dies.
    await waitFor(() => readdirSync(hooksDir(cwd)).some((f) => f.endsWith('.claimed') && f !== held), { what: "the Stop's claim" });
    holder.kill();
    await exited;
    await stopped;
    const byId = await records(cwd);
    for (let i = 0; i < 3; i++) expect(byId.get(invocationIdFor('s1', `toolu_${i}`))).toMatchObject({ status: 'completed', durationSeconds: (100 + i) / 1000 });
    expect(byId.get(invocationIdFor('s1', 'toolu_denied'))!.status).toBe('abandoned');
    expect(logOf(cwd)).toBe('');
  });

  it('20 parallel PreToolUse hooks all land, whole', async () => {
    const cwd = project();
    await hook(cwd, userPromptSubmit('s1', 'review the API'));
    const ids = Array.from({ length: 20 }, (_, i) => `toolu_${i}`);
    await Promise.all(ids.map((id) => hook(cwd, preToolUse('s1', 'Skill', skillInput('reviewer', 'x'.repeat(2000)), id))));
    expect(new Set(journaledIds(cwd))).toEqual(new Set(ids));
    await Promise.all(ids.map((id) => hook(cwd, postToolUse('s1', 'Skill', skillInput('reviewer'), id, { success: true }, 10))));
    await hook(cwd, stop('s1'));
    const byId = await records(cwd);
    expect([...byId.values()].filter((r) => r.status === 'completed')).toHaveLength(20);
  });

  it('a journal past its bound is written by the tool hook that grew it', async () => {
    const cwd = project();
    await hook(cwd, userPromptSubmit('s1', 'summarise'));
    const bulky = { text: 'x'.repeat(Math.ceil(JOURNAL_DRAIN_BYTES / 3)) };
    for (let i = 0; i < 4 && (await records(cwd)).size === 0; i++) await hook(cwd, preToolUse('s1', 'mcp__docs__read', bulky, `toolu_${i}`));
    // With no UserPromptSubmit, Stop or SessionEnd hooked, the journal still does not grow past its bound.
    expect((await records(cwd)).size).toBeGreaterThan(0);
    expect(journal(cwd)).toEqual([]);
  });
});

describe('the settings the tool hooks use', () => {
  const cache = (cwd: string) => JSON.parse(readFileSync(join(hooksDir(cwd), 'settings-cache.json'), 'utf8')) as { fingerprint: string; settings: { tools: string } };

  it('a settings file edited or a variable changed sends the next tool event the full way, which resolves them again', async () => {
    const cwd = project();
    await hook(cwd, userPromptSubmit('s1', 'lint the code'));
    const resolved = cache(cwd);
    expect(JSON.stringify(resolved)).not.toContain('lint'); // settings, not events
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('lint'), 'toolu_1'));
    expect(journaledIds(cwd)).toEqual(['toolu_1']);

    // A settings file switches tracking off: the tool hook notices, and does nothing at all.
    mkdirSync(join(cwd, 'settings'));
    writeFileSync(join(cwd, 'settings', 'local.yaml'), 'skills:\n  enabled: false\n');
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('lint'), 'toolu_2'));
    expect(journaledIds(cwd)).toEqual(['toolu_1']);
    expect((await records(cwd)).size).toBe(0);

    // Edited back on: the next tool event goes the full way (journal written, event stored at once).
    writeFileSync(join(cwd, 'settings', 'local.yaml'), 'skills:\n  enabled: true\n');
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('lint'), 'toolu_3'));
    expect(journal(cwd)).toEqual([]);
    expect([...(await records(cwd)).keys()].sort()).toEqual([invocationIdFor('s1', 'toolu_1'), invocationIdFor('s1', 'toolu_3')].sort());
    expect(cache(cwd).fingerprint).not.toBe(resolved.fingerprint);
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('lint'), 'toolu_4'));
    expect(journaledIds(cwd)).toEqual(['toolu_4']);

    // A variable changed: only Skill calls count now.
    const onlySkills = { SKILLS_HOOK_TOOLS: '^Skill$' };
    await hook(cwd, preToolUse('s1', 'mcp__lint__run', {}, 'toolu_5'), onlySkills);
    expect(cache(cwd).settings.tools).toBe('^Skill$');
    expect(journal(cwd)).toEqual([]);
    await hook(cwd, preToolUse('s1', 'mcp__lint__run', {}, 'toolu_6'), onlySkills);
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('lint'), 'toolu_7'), onlySkills);
    expect(journaledIds(cwd)).toEqual(['toolu_7']);
    expect((await records(cwd)).size).toBe(3);
    expect(logOf(cwd)).toBe('');
  });

  it('tracking switched off after the settings were resolved writes nothing, nor drains', async () => {
    const cwd = project();
    await hook(cwd, userPromptSubmit('s1', 'lint the code'));
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('lint'), 'toolu_1'));
    const off = { SKILLS_ENABLED: 'false' };
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('lint'), 'toolu_2'), off);
    await hook(cwd, stop('s1'), off);
    expect(journaledIds(cwd)).toEqual(['toolu_1']);
    expect((await records(cwd)).size).toBe(0);
  });

  it('the server token is not kept with the settings', async () => {
    const cwd = project();
    await hook(cwd, userPromptSubmit('s1', 'x'), { SKILLS_SERVER_TOKEN: 'secret-token-0123456789', SKILLS_DB_URL: 'postgres://u:hunter2@127.0.0.1:1/db' });
    const text = readFileSync(join(hooksDir(cwd), 'settings-cache.json'), 'utf8');
    expect(text).not.toContain('secret-token');
    expect(text).not.toContain('hunter2');
  });
});
