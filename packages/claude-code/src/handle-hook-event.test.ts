import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Recommendation } from '@skills/protocol';
import { handleHookEvent, type HookDeps, type HookWrites } from './handle-hook-event.js';
import { readHookSettings } from './hook-settings.js';
import { FileSessionStates } from './session-state.js';
import { postToolUse, preToolUse, skillInput, userPromptSubmit } from './test-support/fixtures.js';

// The core on its own, with real session files and a recording writer: what it answers, what
// it writes and what it logs, including when the recommender or the store fails.

function recommendation(skillName: string, score: number): Recommendation {
  return { skillName, score, similarityScore: 0.8, successRate: 0.9, completed: true, durationSeconds: 3, workflowPhase: null, invocationCount: 4, reason: '4 similar past queries (best 0.80), 4/4 runs succeeded' };
}

function deps(overrides: Partial<HookDeps> = {}, env: Record<string, string> = {}) {
  const writes: HookWrites[] = [];
  const logged: string[] = [];
  const d: HookDeps = {
    settings: readHookSettings(env).settings,
    sessions: new FileSessionStates(mkdtempSync(join(tmpdir(), 'skills-hook-core-'))),
    write: async (w) => void writes.push(w),
    recommend: async () => [recommendation('pdf', 0.9), recommendation('mcp__docs__search', 0.5)],
    log: (m) => void logged.push(m),
    now: () => Date.parse('2026-12-06T10:00:00.000Z'),
    ...overrides,
  };
  return { d, writes, logged };
}

describe('UserPromptSubmit', () => {
  it('answers the recommendations as context, and a later choice records them with its rank', async () => {
    const { d, writes } = deps();
    const out = await handleHookEvent(userPromptSubmit('s', 'make a pdf report', 'p1'), d);
    expect(out).toEqual({
      hookSpecificOutput: {
        hookEventName: 'UserPromptSubmit',
        additionalContext:
          'Skills that served similar requests in this project, best match first (from recorded outcomes):\n' +
          '- pdf: 4 similar past queries (best 0.80), 4/4 runs succeeded; typically 3.0 s\n' +
          '- mcp__docs__search: 4 similar past queries (best 0.80), 4/4 runs succeeded; typically 3.0 s',
      },
    });
    await handleHookEvent(preToolUse('s', 'mcp__docs__search', {}, 't1', 'p1'), d);
    expect(writes[0]!.inserts![0]).toMatchObject({ skillName: 'mcp__docs__search', userQuery: 'make a pdf report', alternativesConsidered: ['pdf', 'mcp__docs__search'], selectionRank: 2 });
  });

  it('no history, recommendations off, or a failing recommender: no answer, and the prompt is still the query', async () => {
    const cases: { overrides: Partial<HookDeps>; env: Record<string, string>; log: string[] }[] = [
      { overrides: { recommend: async () => [] }, env: {}, log: [] },
      { overrides: { recommend: async () => Promise.reject(new Error('should not be asked')) }, env: { SKILLS_HOOK_RECOMMEND: '0' }, log: [] },
      { overrides: { recommend: async () => Promise.reject(new Error('model missing')) }, env: {}, log: ['UserPromptSubmit: no recommendations: model missing'] },
    ];
    for (const { overrides, env, log } of cases) {
      const { d, writes, logged } = deps(overrides, env);
      expect(await handleHookEvent(userPromptSubmit('s', 'make a pdf report', 'p1'), d)).toBeNull();
      await handleHookEvent(preToolUse('s', 'Skill', skillInput('pdf'), 't1', 'p1'), d);
      expect(writes[0]!.inserts![0]).toMatchObject({ userQuery: 'make a pdf report', alternativesConsidered: [], selectionRank: null });
      expect(logged).toEqual(log);
    }
  });

  it('a tool call of another prompt (its prompt_id differs) takes neither the query nor the recommendations', async () => {
    const { d, writes } = deps();
    await handleHookEvent(userPromptSubmit('s', 'make a pdf report', 'p1'), d);
    await handleHookEvent(preToolUse('s', 'Skill', skillInput('pdf'), 't1', 'p0'), d);
    expect(writes[0]!.inserts![0]).toMatchObject({ skillName: 'pdf', userQuery: null, alternativesConsidered: [], selectionRank: null });
  });
});

it('a failing store is logged with the event, never thrown', async () => {
  const { d, logged } = deps({ write: async () => Promise.reject(new Error('database or disk is full')) });
  await expect(handleHookEvent(preToolUse('s', 'Skill', skillInput('pdf'), 't1'), d)).resolves.toBeNull();
  await expect(handleHookEvent(postToolUse('s', 'Skill', skillInput('pdf'), 't1'), d)).resolves.toBeNull();
  expect(logged).toEqual(['PreToolUse failed: database or disk is full', 'PostToolUse failed: database or disk is full']);
  // The invocation stays open, so that Stop can still abandon what may have been stored.
  expect(d.sessions.listOpen('s')).toHaveLength(1);
});
