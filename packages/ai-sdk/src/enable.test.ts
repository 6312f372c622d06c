import { generateText, stepCountIs, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { enableSkillsTracking } from './enable.js';
import { scriptedModel } from './test-support/model.js';
import { openTracker, storedInvocations } from './test-support/store.js';

const tools = { search: tool({ inputSchema: z.object({ q: z.string() }), execute: async ({ q }) => `found ${q}` }) };

/** A run with no telemetry option at all: only a global integration can see it. */
function plainRun(prompt: string, execute?: () => Promise<string>) {
  return generateText({
    model: scriptedModel([{ calls: [{ toolName: 'search', input: { q: prompt } }] }, { text: 'ok' }]),
    tools: execute ? { search: tool({ inputSchema: z.object({ q: z.string() }), execute }) } : tools,
    stopWhen: stepCountIs(2),
    prompt,
  });
}

describe('enableSkillsTracking', () => {
  it('records runs that carry no telemetry option, until disabled', async () => {
    const { tracker, dbPath } = await openTracker();
    const skills = enableSkillsTracking({ tracker, workflowPhase: 'global' });
    await plainRun('tracked everywhere');
    skills.disable();
    await plainRun('not tracked any more');
    await tracker.close();
    expect(await storedInvocations(dbPath)).toEqual([
      expect.objectContaining({ skillName: 'search', userQuery: 'tracked everywhere', workflowPhase: 'global', status: 'completed' }),
    ]);
  });

  it('replaces the previous tracking when called again, so nothing is recorded twice', async () => {
    const first = await openTracker();
    const second = await openTracker();
    enableSkillsTracking({ tracker: first.tracker });
    const skills = enableSkillsTracking({ tracker: second.tracker });
    await plainRun('only the second one');
    skills.disable();
    await first.tracker.close();
    await second.tracker.close();
    expect(await storedInvocations(first.dbPath)).toEqual([]);
    expect(await storedInvocations(second.dbPath)).toEqual([expect.objectContaining({ userQuery: 'only the second one' })]);
  });

  it.each(['disabled', 'replaced'])('completes a tool execution that was running when tracking was %s', async (how) => {
    const { tracker, dbPath } = await openTracker();
    const other = await openTracker();
    const skills = enableSkillsTracking({ tracker });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const run = plainRun('stopped mid-call', async () => {
      entered();
      await released;
      return 'late';
    });
    await inside;
    if (how === 'disabled') skills.disable();
    else enableSkillsTracking({ tracker: other.tracker });
    expect(skills.enabled).toBe(false);
    expect(skills.pending).toBe(1);
    release();
    await run;
    expect(skills.pending).toBe(0);
    await tracker.close();
    await other.tracker.close();
    expect(await storedInvocations(dbPath)).toEqual([expect.objectContaining({ userQuery: 'stopped mid-call', status: 'completed' })]);
  });
});
