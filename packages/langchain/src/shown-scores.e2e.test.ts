import { AIMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { tool } from '@langchain/core/tools';
import { createAgent } from 'langchain';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { skillsMiddleware } from './middleware.js';
import { adviseSkills } from './recommend.js';
import { openTestTracker, storedInvocations } from './test-support/store.js';

const searchDocs = tool(async ({ topic }: { topic: string }) => `docs/${topic}.md`, {
  name: 'search_docs',
  description: 'Searches the documentation.',
  schema: z.object({ topic: z.string() }),
});
const grepCode = tool(async ({ pattern }: { pattern: string }) => `src/${pattern}.ts`, {
  name: 'grep_code',
  description: 'Greps the code.',
  schema: z.object({ pattern: z.string() }),
});
const tools = [searchDocs, grepCode];

it('createAgent + skillsMiddleware: a tool chosen among the recommended ones is recorded with the scores they were shown with', async () => {
  const { tracker, dbPath } = await openTestTracker();
  const middleware = skillsMiddleware({ tracker, workflowPhase: 'research' });
  const first = fakeModel()
    .respondWithTools([
      { name: 'search_docs', args: { topic: 'config' }, id: 'a-1' },
      { name: 'grep_code', args: { pattern: 'config' }, id: 'a-2' },
    ])
    .respond(new AIMessage('See docs/config.md.'));
  await createAgent({ model: first, tools, middleware: [middleware] }).invoke({ messages: [{ role: 'user', content: 'where is the config file format documented?' }] });

  const next = 'where is the config format documented';
  // What the middleware shows for the next prompt (the same question it asks).
  const shown = await adviseSkills(tracker, next, { tools, workflowPhase: 'research' });
  expect(shown.map((r) => r.skillName).sort()).toEqual(['grep_code', 'search_docs']);

  // The model passes over the first recommendation.
  const second = shown[1]!.skillName;
  const model = fakeModel()
    .respondWithTools([{ name: second, args: second === 'grep_code' ? { pattern: 'config' } : { topic: 'config' }, id: 'b-1' }])
    .respond(new AIMessage('found it'));
  await createAgent({ model, tools, middleware: [middleware] }).invoke({ messages: [{ role: 'user', content: next }] });
  await tracker.close();

  expect((await storedInvocations(dbPath)).filter((r) => r.userQuery === next)).toMatchObject([
    { skillName: second, status: 'completed', selectionRank: 2, alternativesConsidered: [shown[0]!.skillName], alternativeScores: [shown[0]!.score] },
  ]);
});
