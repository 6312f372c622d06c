// An agent run tracked offline: a scripted model (no API key, no network), real tools, a real
// store in a temp folder. Run it with `pnpm --filter @skills/langchain example`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AIMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { tool } from '@langchain/core/tools';
import { adviseSkills } from '@skills/langchain';
import { skillsMiddleware } from '@skills/langchain/middleware';
import { createSkillsTracker } from '@skills/tracker';
import { createAgent } from 'langchain';
import { z } from 'zod';

const dbPath = join(mkdtempSync(join(tmpdir(), 'skills-langchain-example-')), 'skills.db');
const tracker = await createSkillsTracker({ backend: 'direct', dbPath, embedder: 'lexical' });

class GrepTimeoutError extends Error {}
const tools = [
  tool(async ({ topic }) => `docs/${topic}.md`, {
    name: 'search_docs',
    description: 'Searches the documentation.',
    schema: z.object({ topic: z.string() }),
  }),
  tool(
    async () => {
      throw new GrepTimeoutError('grep took too long');
    },
    { name: 'grep_code', description: 'Greps the code.', schema: z.object({ pattern: z.string() }) },
  ),
];
const middleware = [skillsMiddleware({ tracker, workflowPhase: 'research', onToolError: 'message' })];

// A scripted model: it calls one tool per request, then answers.
const scripted = (...toolNames) =>
  fakeModel()
    .respondWithTools(toolNames.map((name, i) => ({ name, args: { topic: 'config', pattern: 'config' }, id: `call-${i}` })))
    .respond(new AIMessage('See docs/config.md.'));

const runs = [
  ['where is the config file format documented?', scripted('search_docs', 'grep_code')],
  ['how do I configure the parser?', scripted('grep_code')],
  ['which options does the config file take?', scripted('search_docs')],
];
for (const [question, model] of runs) {
  await createAgent({ model, tools, middleware }).invoke({ messages: [{ role: 'user', content: question }] });
  console.log(`ran: ${question}`);
}

const next = 'where is the config format documented';
console.log(`\nrecommended for "${next}":`);
for (const r of await adviseSkills(tracker, next, { tools, workflowPhase: 'research' })) {
  console.log(`  ${r.skillName}: ${Math.round(r.successRate * 100)}% success over ${r.invocationCount} runs (${r.reason})`);
}
await tracker.close();
console.log(`\nstore: ${dbPath}`);
