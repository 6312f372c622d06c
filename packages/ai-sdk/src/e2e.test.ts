import { tool, ToolLoopAgent, type PrepareStepFunction } from 'ai';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { enableSkillsTracking } from './enable.js';
import { scriptedModel, type Turn } from './test-support/model.js';
import { openTracker, storedInvocations } from './test-support/store.js';

class LogsUnavailableError extends Error {}

const INSTRUCTIONS = 'You help with failing builds.';

const tools = {
  'run-tests': tool({ description: 'Run the test suite', inputSchema: z.object({ filter: z.string() }), execute: async ({ filter }) => `${filter}: 2 failures` }),
  'read-docs': tool({ description: 'Read the docs', inputSchema: z.object({ topic: z.string() }), execute: async ({ topic }) => `docs on ${topic}` }),
  'grep-logs': tool({
    description: 'Search the CI logs',
    inputSchema: z.object({ pattern: z.string() }),
    execute: async (): Promise<string> => {
      throw new LogsUnavailableError('CI logs expired');
    },
  }),
};

/** An agent as an application would build it: tools, a phase, and the skills `prepareStep`. */
function agent(turns: readonly Turn[], prepareStep?: PrepareStepFunction<typeof tools>) {
  const model = scriptedModel(turns);
  return {
    model,
    agent: new ToolLoopAgent({ model, tools, instructions: INSTRUCTIONS, experimental_telemetry: { functionId: 'debugging' }, ...(prepareStep ? { prepareStep } : {}) }),
  };
}

it('an agent run leaves its invocations in the store, and the next similar query is steered to the tool that worked', async () => {
  const { tracker, dbPath } = await openTracker();
  const skills = enableSkillsTracking({ tracker });

  // History: the log search keeps failing, the test run and the docs work.
  const history: Array<[string, Turn[]]> = [
    ['the parser unit tests fail on main, find out why', [{ calls: [{ toolName: 'grep-logs', input: { pattern: 'parser' } }, { toolName: 'run-tests', input: { filter: 'parser' } }] }, { text: 'two failures' }]],
    ['the parser unit tests fail after the merge', [{ calls: [{ toolName: 'grep-logs', input: { pattern: 'merge' } }] }, { calls: [{ toolName: 'run-tests', input: { filter: 'parser' } }] }, { text: 'found it' }]],
    ['the parser docs: why do the unit tests fail', [{ calls: [{ toolName: 'read-docs', input: { topic: 'parser' } }] }, { text: 'read' }]],
  ];
  for (const [prompt, turns] of history) await agent(turns).agent.generate({ prompt });

  await tracker.flush();
  const recorded = await storedInvocations(dbPath);
  expect(recorded.map((r) => [r.skillName, r.userQuery, r.workflowPhase, r.status, r.errorType]).sort()).toEqual([
    ['grep-logs', 'the parser unit tests fail after the merge', 'debugging', 'failed', 'LogsUnavailableError'],
    ['grep-logs', 'the parser unit tests fail on main, find out why', 'debugging', 'failed', 'LogsUnavailableError'],
    ['read-docs', 'the parser docs: why do the unit tests fail', 'debugging', 'completed', null],
    ['run-tests', 'the parser unit tests fail after the merge', 'debugging', 'completed', null],
    ['run-tests', 'the parser unit tests fail on main, find out why', 'debugging', 'completed', null],
  ]);
  for (const record of recorded) expect(record.durationSeconds).toBeGreaterThanOrEqual(0);
  expect(new Set(recorded.map((r) => r.source))).toEqual(new Set(['ai-sdk']));

  // The next similar query: the tool that succeeded ranks first, the failing one is not suggested.
  const nextQuery = 'why do the parser unit tests fail?';
  const [best] = await tracker.getRecommendations({ userQuery: nextQuery });
  expect(best?.skillName).toBe('run-tests');

  const next = agent([{ calls: [{ toolName: 'run-tests', input: { filter: 'parser' } }] }, { text: 'fixed' }], skills.prepareStep({ tools, system: INSTRUCTIONS }));
  await next.agent.generate({ prompt: nextQuery });
  const system = next.model.doGenerateCalls[0]!.prompt[0]!;
  expect(system.role).toBe('system');
  expect(system.content).toMatch(/^You help with failing builds\.\n\nFor similar requests these tools worked, best first: run-tests \(2 runs, [^)]*\); read-docs \(1 run/);
  expect(system.content).not.toContain('grep-logs');

  skills.disable();
  await tracker.close();
  const latest = (await storedInvocations(dbPath)).find((r) => r.userQuery === nextQuery);
  expect(latest).toMatchObject({ skillName: 'run-tests', status: 'completed', selectionRank: 1, alternativesConsidered: ['read-docs'] });
});
