import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '@skills/store-sqlite';
import type { Recommendation } from '@skills/protocol';
import { describe, expect, it } from 'vitest';
import { handleHookEvent, type HookDeps, type HookWrites } from './handle-hook-event.js';
import { readHookSettings } from './hook-settings.js';
import { invocationIdFor } from './invocation-id.js';
import { FileSessionStates } from './session-state.js';
import { postToolUse, preToolUse, skillInput, stop, userPromptSubmit } from './test-support/fixtures.js';
import { runHookProcess } from './test-support/run-hook.js';

// The loop from recommendation to choice: what the prompt was shown (names, scores, order) is
// what the choice records, no more.

function recommendation(skillName: string, score: number, reason = '4 similar past queries (best 0.80), 4/4 runs succeeded'): Recommendation {
  return { skillName, score, similarityScore: 0.8, successRate: 0.9, completed: true, durationSeconds: 3, workflowPhase: null, invocationCount: 4, reason };
}

function core(recommendations: Recommendation[]) {
  const writes: HookWrites[] = [];
  const d: HookDeps = {
    settings: readHookSettings({}).settings,
    sessions: new FileSessionStates(mkdtempSync(join(tmpdir(), 'skills-hook-scores-'))),
    write: async (w) => void writes.push(w),
    recommend: async () => recommendations,
    log: () => {},
    now: () => Date.parse('2026-12-06T10:00:00.000Z'),
  };
  return { d, writes };
}

describe('the choice records what was shown', () => {
  it('with the scores the recommendations were shown with, in their order', async () => {
    const { d, writes } = core([recommendation('pdf', 0.9), recommendation('mcp__docs__search', 0.5)]);
    await handleHookEvent(userPromptSubmit('s', 'make a pdf report', 'p1'), d);
    await handleHookEvent(preToolUse('s', 'mcp__docs__search', {}, 't1', 'p1'), d);
    expect(writes[0]!.inserts![0]).toMatchObject({
      skillName: 'mcp__docs__search',
      alternativesConsidered: ['pdf', 'mcp__docs__search'],
      alternativeScores: [0.9, 0.5],
      selectionRank: 2,
    });
  });

  it('only the recommendations the context had room for: a skill left out of it was not chosen from it', async () => {
    // Each line takes about 420 characters: three fit in the context's 1,500, the fourth does not.
    const long = 'x'.repeat(400);
    const { d, writes } = core([recommendation('a', 0.9, long), recommendation('b', 0.8, long), recommendation('c', 0.7, long), recommendation('d', 0.6, long)]);
    const out = await handleHookEvent(userPromptSubmit('s', 'make a pdf report', 'p1'), d);
    expect(out!.hookSpecificOutput.additionalContext).not.toContain('- d:');
    await handleHookEvent(preToolUse('s', 'Skill', skillInput('d'), 't1', 'p1'), d);
    await handleHookEvent(preToolUse('s', 'Skill', skillInput('b'), 't2', 'p1'), d);
    expect(writes[0]!.inserts![0]).toMatchObject({ skillName: 'd', alternativesConsidered: [], selectionRank: null });
    expect(writes[0]!.inserts![0]!.alternativeScores ?? []).toEqual([]);
    expect(writes[1]!.inserts![0]).toMatchObject({ skillName: 'b', alternativesConsidered: ['a', 'b', 'c'], alternativeScores: [0.9, 0.8, 0.7], selectionRank: 2 });
  });
});

it('the real hook command stores the shown scores with the choice', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'skills-claude-code-scores-'));
  const send = async (event: unknown) => {
    const run = await runHookProcess(cwd, event, { SKILLS_BACKEND: 'direct' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    return run.stdout;
  };
  const S = 'session-scores';
  const P1 = '11111111-1111-4111-8111-111111111111';
  const P2 = '22222222-2222-4222-8222-222222222222';
  // History: two skills that served the same kind of request.
  await send(userPromptSubmit(S, 'run the unit tests and fix the failures', P1));
  for (const [skill, id] of [['test-runner', 'toolu_a'], ['linter', 'toolu_b']] as const) {
    await send(preToolUse(S, 'Skill', skillInput(skill), id, P1));
    await send(postToolUse(S, 'Skill', skillInput(skill), id, { success: true }, 1000, P1));
  }
  // A similar prompt: both are shown; Claude picks the second.
  const answer = JSON.parse(await send(userPromptSubmit(S, 'run the unit tests', P2))) as { hookSpecificOutput: { additionalContext: string } };
  const shown = answer.hookSpecificOutput.additionalContext
    .split('\n')
    .filter((l) => l.startsWith('- '))
    .map((l) => l.slice(2, l.indexOf(':')));
  expect(shown).toHaveLength(2);
  await send(preToolUse(S, 'Skill', skillInput(shown[1]!), 'toolu_c', P2));
  await send(postToolUse(S, 'Skill', skillInput(shown[1]!), 'toolu_c', { success: true }, 1000, P2));
  await send(stop(S));

  const store = await openSqliteStore({ path: join(cwd, '.skills', 'skills.db') });
  try {
    const chosen = (await store.listInvocations({}, { limit: 10 })).find((r) => r.id === invocationIdFor(S, 'toolu_c'));
    expect(chosen).toMatchObject({ skillName: shown[1], status: 'completed', alternativesConsidered: shown, selectionRank: 2 });
    // One score per skill shown, best first, as the recommender ranked them.
    const scores = chosen!.alternativeScores!;
    expect(scores).toHaveLength(2);
    expect(scores[0]).toBeGreaterThanOrEqual(scores[1]!);
    expect(scores[1]).toBeGreaterThan(0);
  } finally {
    await store.close();
  }
});
