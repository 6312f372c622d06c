import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadSettings, SkillsService } from '@skills/tracker';
import { hooksDir } from './hook-log.js';
import { createHookEndpoint } from './http-endpoint.js';
import { invocationIdFor } from './invocation-id.js';
import { postToolUse, preToolUse, skillInput, stop, userPromptSubmit } from './test-support/fixtures.js';

// The endpoint's core on a real service over a real SQLite file, as a server would hold it.

it('a session through the endpoint records the invocations and answers recommendations from the same service', async () => {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'skills-hook-endpoint-')), 'skills.db');
  const { settings } = loadSettings({ env: { SKILLS_EMBEDDER: 'lexical' }, overrides: { dbPath } });
  const service = await SkillsService.open({ settings });
  const logged: string[] = [];
  const answer = createHookEndpoint({ service, stateDir: hooksDir(settings, process.cwd()), env: {}, log: (m) => void logged.push(m) });
  try {
    expect(await answer(userPromptSubmit('s', 'lint the changed files', 'p1'))).toBeNull();
    await Promise.all([answer(preToolUse('s', 'Skill', skillInput('linter'), 't1', 'p1')), answer(preToolUse('s', 'mcp__fmt__check', {}, 't2', 'p1'))]);
    await answer(postToolUse('s', 'Skill', skillInput('linter'), 't1', { success: true }, 700, 'p1'));
    await answer(stop('s'));
    expect(await service.store.getInvocation(invocationIdFor('s', 't1'))).toMatchObject({ skillName: 'linter', status: 'completed', durationSeconds: 0.7, userQuery: 'lint the changed files' });
    expect(await service.store.getInvocation(invocationIdFor('s', 't2'))).toMatchObject({ skillName: 'mcp__fmt__check', status: 'abandoned' });

    const output = await answer(userPromptSubmit('s', 'lint the files', 'p2'));
    expect(output?.hookSpecificOutput.additionalContext).toMatch(/\n- linter: .*1\/1 runs succeeded/);
    // The request's query may switch recommendations off, or name the phase.
    expect(await answer(userPromptSubmit('s', 'lint the files', 'p3'), new URLSearchParams('recommend=off'))).toBeNull();
    await answer(preToolUse('s', 'Skill', skillInput('linter'), 't3', 'p3'), new URLSearchParams('phase=review'));
    expect(await service.store.getInvocation(invocationIdFor('s', 't3'))).toMatchObject({ workflowPhase: 'review', selectionRank: null });
    expect(await answer({ hook_event_name: 'Nope', session_id: 's' })).toBeNull();
    expect(logged).toEqual(['ignored: event "Nope" is not one this hook acts on']);
  } finally {
    await service.close();
  }
});
