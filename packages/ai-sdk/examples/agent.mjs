// An agent whose tool calls are tracked by @skills/ai-sdk, offline: the model is the AI SDK's own
// mock, scripted to call tools. Three runs build a history (one tool keeps failing); then the
// recommendations for a new, similar request are printed, and a fourth run is steered by them.
// Run it with `pnpm --filter @skills/ai-sdk example`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enableSkillsTracking } from '@skills/ai-sdk';
import { createSkillsTracker } from '@skills/tracker';
import { tool, ToolLoopAgent } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';

const usage = { inputTokens: { total: 1 }, outputTokens: { total: 1 } };
/** A model that answers its Nth call with the Nth reply: tool calls, then a text. */
const scripted = (...calls) =>
  new MockLanguageModelV3({
    doGenerate: [
      {
        content: calls.map(([toolName, input], i) => ({ type: 'tool-call', toolCallId: `call-${i}`, toolName, input: JSON.stringify(input) })),
        finishReason: { unified: 'tool-calls', raw: undefined },
        usage,
        warnings: [],
      },
      { content: [{ type: 'text', text: 'done' }], finishReason: { unified: 'stop', raw: undefined }, usage, warnings: [] },
    ],
  });

const tools = {
  'run-tests': tool({ description: 'Run the tests', inputSchema: z.object({ filter: z.string() }), execute: async ({ filter }) => `${filter}: 2 failures` }),
  'read-docs': tool({ description: 'Read the docs', inputSchema: z.object({ topic: z.string() }), execute: async ({ topic }) => `docs on ${topic}` }),
  'grep-logs': tool({
    description: 'Search the CI logs',
    inputSchema: z.object({ pattern: z.string() }),
    execute: async () => {
      throw new Error('CI logs expired');
    },
  }),
};

const dbPath = join(mkdtempSync(join(tmpdir(), 'skills-ai-sdk-example-')), 'skills.db');
const tracker = await createSkillsTracker({ backend: 'direct', dbPath, embedder: 'lexical' });
const skills = enableSkillsTracking({ tracker, workflowPhase: 'debugging' });

const history = [
  ['the parser unit tests fail on main', [['grep-logs', { pattern: 'parser' }], ['run-tests', { filter: 'parser' }]]],
  ['the parser unit tests fail after the merge', [['grep-logs', { pattern: 'merge' }], ['run-tests', { filter: 'parser' }]]],
  ['why do the parser unit tests fail, says the docs', [['read-docs', { topic: 'parser' }]]],
];
for (const [prompt, calls] of history) {
  await new ToolLoopAgent({ model: scripted(...calls), tools }).generate({ prompt });
}

const query = 'why do the parser unit tests fail?';
console.log(`Recommendations for "${query}":`);
for (const r of await tracker.getRecommendations({ userQuery: query })) {
  console.log(`  ${r.skillName.padEnd(10)} success ${(r.successRate * 100).toFixed(0)}%  similarity ${r.similarityScore.toFixed(2)}  ${r.reason}`);
}

const model = scripted(['run-tests', { filter: 'parser' }]);
await new ToolLoopAgent({ model, tools, prepareStep: skills.prepareStep({ tools }) }).generate({ prompt: query });
console.log('\nSystem prompt of the steered run:');
console.log(`  ${model.doGenerateCalls[0].prompt[0].content}`);

skills.disable();
await tracker.close();
console.log(`\nInvocations are in ${dbPath}`);
