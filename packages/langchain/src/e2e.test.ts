import { AIMessage, SystemMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { tool } from '@langchain/core/tools';
import { createAgent } from 'langchain';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SkillsCallbackHandler } from './handler.js';
import { skillsMiddleware } from './middleware.js';
import { adviseSkills, rankTools, recommendationHint } from './recommend.js';
import { Shortlist } from './shortlist.js';
import { only, openTestTracker, storedInvocations } from './test-support/store.js';

class GrepTimeoutError extends Error {}

const searchDocs = tool(async ({ topic }: { topic: string }) => `docs/${topic}.md`, {
  name: 'search_docs',
  description: 'Searches the documentation.',
  schema: z.object({ topic: z.string() }),
});
const grepCode = tool(
  async (): Promise<string> => {
    throw new GrepTimeoutError('grep took too long');
  },
  { name: 'grep_code', description: 'Greps the code.', schema: z.object({ pattern: z.string() }) },
);
const tools = [searchDocs, grepCode];

const FIRST = 'where is the config file format documented?';
const NEXT = 'where is the config format documented';

/** The model's first turn: both tools at once; then an answer. */
const bothTools = () =>
  fakeModel()
    .respondWithTools([
      { name: 'search_docs', args: { topic: 'config' }, id: 'a-1' },
      { name: 'grep_code', args: { pattern: 'config' }, id: 'a-2' },
    ])
    .respond(new AIMessage('See docs/config.md.'));

describe('a LangChain agent, end to end against a real store', () => {
  it('createAgent + skillsMiddleware: records the run, and the next similar prompt is told the tool that worked, first', async () => {
    const { tracker, dbPath } = await openTestTracker();
    const middleware = skillsMiddleware({ tracker, workflowPhase: 'research', onToolError: 'message' });

    const firstModel = bothTools();
    await createAgent({ model: firstModel, tools, middleware: [middleware] }).invoke({ messages: [{ role: 'user', content: FIRST }] });
    // No history yet: nothing to recommend, the system prompt is left alone.
    expect(firstModel.calls[0]!.messages.some((m) => SystemMessage.isInstance(m))).toBe(false);

    const nextModel = fakeModel()
      .respondWithTools([{ name: 'search_docs', args: { topic: 'config' }, id: 'b-1' }])
      .respond(new AIMessage('See docs/config.md.'));
    await createAgent({ model: nextModel, tools, middleware: [middleware] }).invoke({ messages: [{ role: 'user', content: NEXT }] });
    await tracker.close();

    const hint = nextModel.calls[0]!.messages[0]!;
    expect(SystemMessage.isInstance(hint)).toBe(true);
    expect(hint.text).toMatch(/^Tools that worked for similar requests before, best first: search_docs \(.*\), grep_code \(/);

    const records = await storedInvocations(dbPath);
    const first = records.filter((r) => r.userQuery === FIRST);
    expect(only(first, 'search_docs')).toMatchObject({ workflowPhase: 'research', status: 'completed', errorType: null, source: 'langchain' });
    expect(only(first, 'grep_code')).toMatchObject({ workflowPhase: 'research', status: 'failed', errorType: 'GrepTimeoutError' });
    for (const r of first) {
      expect(r.durationSeconds).toBeGreaterThanOrEqual(0);
      expect(r).toMatchObject({ selectionRank: null, alternativesConsidered: [] });
    }
    expect(records.filter((r) => r.userQuery === NEXT)).toMatchObject([
      { skillName: 'search_docs', status: 'completed', selectionRank: 1, alternativesConsidered: ['grep_code'] },
    ]);
  });

  it('callback handler + adviseSkills: the same loop for any agent or graph', async () => {
    const { tracker, dbPath } = await openTestTracker();
    const shortlist = new Shortlist();
    const handler = new SkillsCallbackHandler({ tracker, shortlist, workflowPhase: 'research' });

    await createAgent({ model: bothTools(), tools }).invoke({ messages: [{ role: 'user', content: FIRST }] }, { callbacks: [handler] });

    const recommendations = await adviseSkills(tracker, NEXT, { tools, shortlist, workflowPhase: 'research' });
    expect(recommendations.map((r) => r.skillName)).toEqual(['search_docs', 'grep_code']);
    expect(rankTools([grepCode, searchDocs], recommendations).map((t) => t.name)).toEqual(['search_docs', 'grep_code']);

    const nextModel = fakeModel()
      .respondWithTools([{ name: 'search_docs', args: { topic: 'config' }, id: 'b-1' }])
      .respond(new AIMessage('See docs/config.md.'));
    await createAgent({ model: nextModel, tools, systemPrompt: recommendationHint(recommendations) }).invoke(
      { messages: [{ role: 'user', content: NEXT }] },
      { callbacks: [handler] },
    );
    await tracker.close();

    const records = await storedInvocations(dbPath);
    expect(only(records.filter((r) => r.userQuery === FIRST), 'grep_code')).toMatchObject({ status: 'failed', errorType: 'GrepTimeoutError' });
    expect(records.filter((r) => r.userQuery === NEXT)).toMatchObject([
      { skillName: 'search_docs', workflowPhase: 'research', selectionRank: 1, alternativesConsidered: ['grep_code'] },
    ]);
  });
});
