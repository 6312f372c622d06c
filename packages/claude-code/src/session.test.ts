import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openSqliteStore } from '@skills/store-sqlite';
import type { InvocationRecord } from '@skills/protocol';
import { invocationIdFor } from './invocation-id.js';
import {
  agentInput,
  agentResponse,
  postToolUse,
  postToolUseFailure,
  preToolUse,
  sessionEnd,
  skillInput,
  stop,
  userPromptSubmit,
} from './test-support/fixtures.js';
import { runHookProcess } from './test-support/run-hook.js';

// A whole Claude Code session, event by event, as the real command sees it: a prompt (no
// history yet, so no recommendation), a skill that works, an MCP tool that fails, a subagent, a
// skill call that never finishes (denied), the end of the turn; then a similar prompt, answered
// with a recommendation that ranks the skill that worked first, which Claude then uses.

it('a session transcript leaves the expected invocations, and the next prompt recommends the skill that succeeded', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'skills-claude-code-session-'));
  const env = { SKILLS_BACKEND: 'direct' };
  const send = async (event: unknown) => {
    const run = await runHookProcess(cwd, event, env);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    return run.stdout;
  };
  const S = 'session-1';
  const P1 = '11111111-1111-4111-8111-111111111111';
  const P2 = '22222222-2222-4222-8222-222222222222';

  // Turn 1.
  expect(await send(userPromptSubmit(S, 'run the unit tests and fix the failures', P1))).toBe('');
  const tests = skillInput('test-runner');
  await send(preToolUse(S, 'Skill', tests, 'toolu_a', P1));
  await send(postToolUse(S, 'Skill', tests, 'toolu_a', { success: true, commandName: 'test-runner' }, 2100, P1));
  await send(preToolUse(S, 'mcp__ci__run_tests', { suite: 'unit' }, 'toolu_b', P1));
  await send(postToolUseFailure(S, 'mcp__ci__run_tests', { suite: 'unit' }, 'toolu_b', 'Exit code 2\nno such suite'));
  await send(preToolUse(S, 'Agent', agentInput('debugger'), 'toolu_c', P1));
  await send(postToolUse(S, 'Agent', agentInput('debugger'), 'toolu_c', agentResponse, 48211, P1));
  await send(preToolUse(S, 'Skill', tests, 'toolu_d', P1));
  await send(postToolUse(S, 'Skill', tests, 'toolu_d', { success: true, commandName: 'test-runner' }, 1900, P1));
  await send(preToolUse(S, 'Skill', skillInput('linter'), 'toolu_e', P1)); // denied: no PostToolUse
  expect(await send(stop(S))).toBe('');

  const turn1 = await read(cwd);
  const at = (toolUseId: string) => turn1.get(invocationIdFor(S, toolUseId));
  const query = 'run the unit tests and fix the failures';
  expect(at('toolu_a')).toMatchObject({ skillName: 'test-runner', userQuery: query, status: 'completed', durationSeconds: 2.1, alternativesConsidered: [], selectionRank: null, source: 'claude-code' });
  expect(at('toolu_b')).toMatchObject({ skillName: 'mcp__ci__run_tests', userQuery: query, status: 'failed', errorType: 'exit_code', durationSeconds: 4.187 });
  expect(at('toolu_c')).toMatchObject({ skillName: 'debugger', userQuery: query, status: 'completed', durationSeconds: 48.211 });
  expect(at('toolu_d')).toMatchObject({ skillName: 'test-runner', status: 'completed' });
  expect(at('toolu_e')).toMatchObject({ skillName: 'linter', status: 'abandoned' });
  expect(turn1.size).toBe(5);

  // Turn 2: a similar request.
  const answer = JSON.parse(await send(userPromptSubmit(S, 'run the unit tests', P2))) as {
    hookSpecificOutput: { hookEventName: string; additionalContext: string };
  };
  expect(answer.hookSpecificOutput.hookEventName).toBe('UserPromptSubmit');
  const lines = answer.hookSpecificOutput.additionalContext.split('\n').filter((l) => l.startsWith('- '));
  expect(lines[0]).toMatch(/^- test-runner: .*2\/2 runs succeeded/);
  expect(lines.map((l) => l.slice(2, l.indexOf(':')))).toContain('mcp__ci__run_tests');
  const shown = lines.map((l) => l.slice(2, l.indexOf(':')));

  // Claude picks the first recommendation: the choice records what was offered and its place.
  await send(preToolUse(S, 'Skill', tests, 'toolu_f', P2));
  await send(postToolUse(S, 'Skill', tests, 'toolu_f', { success: true }, 1800, P2));
  await send(stop(S));
  expect((await read(cwd)).get(invocationIdFor(S, 'toolu_f'))).toMatchObject({
    skillName: 'test-runner',
    userQuery: 'run the unit tests',
    status: 'completed',
    alternativesConsidered: shown,
    selectionRank: 1,
  });

  await send(sessionEnd(S, 'prompt_input_exit'));
  expect(readdirSync(join(cwd, '.skills', 'hooks', 'sessions'))).toEqual([]);
  expect(existsSync(join(cwd, '.skills', 'hooks', 'hook.log'))).toBe(false);
});

async function read(cwd: string): Promise<Map<string, InvocationRecord>> {
  const store = await openSqliteStore({ path: join(cwd, '.skills', 'skills.db') });
  try {
    return new Map((await store.listInvocations({}, { limit: 100 })).map((r) => [r.id, r]));
  } finally {
    await store.close();
  }
}
