import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { waitFor } from '@skills/vitest-config/wait-for';
import { openSqliteStore } from '@skills/store-sqlite';
import { invocationIdFor } from './invocation-id.js';
import { postToolUse, preToolUse, skillInput, userPromptSubmit } from './test-support/fixtures.js';
import { drainHookProcess, runHookProcess } from './test-support/run-hook.js';
import { RETRY_AFTER_MS } from './recommender-miss.js';

// The hook's bound (SKILLS_HOOK_TIMEOUT_MS) is hard: the built command against a real SQLite file
// whose work is made slow for real, by another process holding the store's write lock. The hook's
// writes then wait inside SQLite (its busy timeout: 5 s per statement), a synchronous wait that
// no timer in the process doing the work can cut.

const DIRECT = { SKILLS_BACKEND: 'direct' };
const hooksDir = (cwd: string) => join(cwd, '.skills', 'hooks');
const logOf = (cwd: string) => (existsSync(join(hooksDir(cwd), 'hook.log')) ? readFileSync(join(hooksDir(cwd), 'hook.log'), 'utf8') : '');
const claims = (cwd: string) => readdirSync(hooksDir(cwd)).filter((f) => f.endsWith('.claimed'));

async function hook(cwd: string, input: unknown, env: Record<string, string> = {}) {
  const run = await runHookProcess(cwd, input, { ...DIRECT, ...env });
  expect(run).toMatchObject({ status: 0, stderr: '' });
  return run.stdout;
}

/** Another process holding the write lock of the SQLite file at `path` until `release()`. */
async function holdWriteLock(path: string): Promise<{ release(): Promise<void> }> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const script = `const db = new (require(${JSON.stringify(driver)}))(${JSON.stringify(path)}, { timeout: 0 });
db.exec('BEGIN IMMEDIATE'); process.stdout.write('locked');
process.stdin.resume().on('end', () => { db.exec('ROLLBACK'); process.exit(0); });`;
  const holder = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => holder.once('exit', resolve));
  onTestFinished(() => void holder.kill());
  await new Promise((resolve, reject) => {
    holder.stdout.once('data', resolve);
    holder.once('exit', (code) => reject(new Error(`the lock holder exited (${code})`)));
  });
  return {
    async release() {
      holder.stdin.end();
      await exited;
    },
  };
}

async function journalTwoCalls(cwd: string) {
  await hook(cwd, userPromptSubmit('s1', 'convert the report to pdf'));
  for (const [id, ms] of [['toolu_1', 700], ['toolu_2', 300]] as const) {
    await hook(cwd, preToolUse('s1', 'Skill', skillInput('pdf'), id));
    await hook(cwd, postToolUse('s1', 'Skill', skillInput('pdf'), id, { success: true }, ms));
  }
}

it('a prompt whose work outlasts the bound answers nothing at the bound, exits 0 and logs it once', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'skills-claude-code-deadline-'));
  await journalTwoCalls(cwd);
  const lock = await holdWriteLock(join(cwd, '.skills', 'skills.db'));

  const began = Date.now();
  const run = await runHookProcess(cwd, userPromptSubmit('s1', 'convert the next report'), { ...DIRECT, SKILLS_HOOK_TIMEOUT_MS: '200' });
  const took = Date.now() - began;
  expect(run).toEqual({ status: 0, stdout: '', stderr: '' });
  // Generous for two process starts and a kill, and short of one wait inside SQLite (5 s), which
  // the hook sat through (at each of the four journaled writes) when its bound was a timer.
  expect(took).toBeLessThan(4000);
  expect(logOf(cwd).match(/gave up after 200 ms \(UserPromptSubmit\); nothing answered/g)).toHaveLength(1);
  expect(logOf(cwd).trim().split('\n')).toHaveLength(1);
  await lock.release();
});

it('a drain cut off at the bound is done again by the next event, each invocation stored once, and prompts answer again', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'skills-claude-code-deadline-'));
  await journalTwoCalls(cwd);
  const lock = await holdWriteLock(join(cwd, '.skills', 'skills.db'));

  // Bound long enough for the work to reach the drain: it claims the journal, then waits for the lock.
  const cut = runHookProcess(cwd, userPromptSubmit('s1', 'convert the next report'), { ...DIRECT, SKILLS_HOOK_TIMEOUT_MS: '2000' });
  await waitFor(() => claims(cwd).length === 1, { what: 'the drain to claim the journal' });
  expect(await cut).toEqual({ status: 0, stdout: '', stderr: '' });
  // The claim of the killed process is left: the next drainer takes it over.
  const [claim] = claims(cwd);
  expect(() => process.kill(Number(claim!.split('.')[2]), 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  await lock.release();

  const answer = JSON.parse(await hook(cwd, userPromptSubmit('s1', 'convert the report to pdf'))) as { hookSpecificOutput: { additionalContext: string } };
  expect(answer.hookSpecificOutput.additionalContext).toMatch(/^- pdf: /m);
  expect(claims(cwd)).toEqual([]);
  const store = await openSqliteStore({ path: join(cwd, '.skills', 'skills.db') });
  try {
    const stored = await store.listInvocations({}, { limit: 100 });
    expect(stored.map((r) => [r.id, r.status, r.durationSeconds]).sort()).toEqual([
      [invocationIdFor('s1', 'toolu_1'), 'completed', 0.7],
      [invocationIdFor('s1', 'toolu_2'), 'completed', 0.3],
    ].sort());
  } finally {
    await store.close();
  }
  expect(logOf(cwd).match(/gave up after 2000 ms \(UserPromptSubmit\)/g)).toHaveLength(1);
});

it('after the local recommender missed the bound, prompts skip it for a while (said once), and then try it again', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'skills-claude-code-deadline-'));
  await journalTwoCalls(cwd);
  expect((await drainHookProcess(cwd, DIRECT)).status).toBe(0);
  // Nothing left to replay: what waits for the lock now is the recommender's opening (it marks
  // old pending invocations abandoned, a write).
  const lock = await holdWriteLock(join(cwd, '.skills', 'skills.db'));
  const cut = runHookProcess(cwd, userPromptSubmit('s1', 'convert the report to pdf'), { ...DIRECT, SKILLS_HOOK_TIMEOUT_MS: '2000' });
  await waitFor(() => readdirSync(hooksDir(cwd)).some((f) => f.startsWith('recommending.')), { what: 'the recommender to be opened' });
  expect(await cut).toEqual({ status: 0, stdout: '', stderr: '' });

  // Still locked, and yet the next prompts answer (nothing) within the bound: they skip the recommender.
  expect(await hook(cwd, userPromptSubmit('s1', 'convert the report to pdf'))).toBe('');
  expect(await hook(cwd, userPromptSubmit('s1', 'convert the report to pdf'))).toBe('');
  const log = logOf(cwd).trim().split('\n');
  expect(log).toHaveLength(2);
  expect(log[0]).toMatch(/gave up after 2000 ms \(UserPromptSubmit\)/);
  expect(log[1]).toMatch(/the local recommender did not answer within 2000 ms; prompts go without recommendations for 10 minutes/);
  await lock.release();

  // The time passing (ten minutes) is written into the state, not waited for.
  writeFileSync(join(hooksDir(cwd), 'recommender-missed.json'), JSON.stringify({ at: Date.now() - RETRY_AFTER_MS - 1 }));
  const answer = JSON.parse(await hook(cwd, userPromptSubmit('s1', 'convert the report to pdf'))) as { hookSpecificOutput: { additionalContext: string } };
  expect(answer.hookSpecificOutput.additionalContext).toMatch(/^- pdf: /m);
  expect(readdirSync(hooksDir(cwd)).filter((f) => f.startsWith('recommending'))).toEqual([]);
});
