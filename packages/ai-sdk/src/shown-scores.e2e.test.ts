import { tool, ToolLoopAgent } from 'ai';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { enableSkillsTracking } from './enable.js';
import { scriptedModel, type Turn } from './test-support/model.js';
import { openTracker, storedInvocations } from './test-support/store.js';

const tools = {
  'run-tests': tool({ description: 'Run the test suite', inputSchema: z.object({ filter: z.string() }), execute: async ({ filter }) => `${filter}: 2 failures` }),
  'read-docs': tool({ description: 'Read the docs', inputSchema: z.object({ topic: z.string() }), execute: async ({ topic }) => `docs on ${topic}` }),
};

const run = (turns: readonly Turn[], prepareStep?: ConstructorParameters<typeof ToolLoopAgent<never, typeof tools>>[0]['prepareStep']) =>
  new ToolLoopAgent({ model: scriptedModel(turns), tools, ...(prepareStep ? { prepareStep } : {}) });

it('a tool chosen among the steered ones is recorded with the scores the recommendations showed', async () => {
  const { tracker, dbPath } = await openTracker();
  const skills = enableSkillsTracking({ tracker });
  const history: Array<[string, Turn[]]> = [
    ['the parser unit tests fail on main', [{ calls: [{ toolName: 'run-tests', input: { filter: 'parser' } }] }, { text: 'two failures' }]],
    ['the parser unit tests fail after the merge', [{ calls: [{ toolName: 'run-tests', input: { filter: 'parser' } }] }, { text: 'found it' }]],
    ['the parser docs: why do the unit tests fail', [{ calls: [{ toolName: 'read-docs', input: { topic: 'parser' } }] }, { text: 'read' }]],
  ];
  for (const [prompt, turns] of history) await run(turns).generate({ prompt });
  await tracker.flush();

  // What the step is steered with: the same question prepareStep asks.
  const nextQuery = 'why do the parser unit tests fail?';
  const shown = await tracker.getRecommendations({ userQuery: nextQuery });
  expect(shown.map((r) => r.skillName)).toEqual(['run-tests', 'read-docs']);

  // The model passes over the first recommendation and reads the docs.
  await run([{ calls: [{ toolName: 'read-docs', input: { topic: 'parser' } }] }, { text: 'done' }], skills.prepareStep({ tools })).generate({ prompt: nextQuery });
  skills.disable();
  await tracker.close();
  const latest = (await storedInvocations(dbPath)).find((r) => r.userQuery === nextQuery);
  expect(latest).toMatchObject({
    skillName: 'read-docs',
    status: 'completed',
    selectionRank: 2,
    alternativesConsidered: ['run-tests'],
    alternativeScores: [shown[0]!.score],
  });
});
