import { AIMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { tool } from '@langchain/core/tools';
import { createAgent, toolErrorMiddleware, toolRetryMiddleware } from 'langchain';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { skillsMiddleware, UNKNOWN_TOOL_ERROR_TYPE } from './middleware.js';
import { BrokenToolError, broken, search } from './test-support/tools.js';
import { only, openTestTracker, storedInvocations } from './test-support/store.js';

const ask = (content: string) => ({ messages: [{ role: 'user', content }] });

/** A model that calls `search` and `broken` in parallel, then answers. */
const parallelCalls = () =>
  fakeModel()
    .respondWithTools([
      { name: 'search', args: { q: 'parser' }, id: 'c-1' },
      { name: 'broken', args: {}, id: 'c-2' },
    ])
    .respond(new AIMessage('done'));

describe('skillsMiddleware', () => {
  it('records each tool call with the last user message, the phase from the context, the duration and the outcome', async () => {
    const { tracker, dbPath } = await openTestTracker();
    const agent = createAgent({
      model: parallelCalls(),
      tools: [search, broken],
      middleware: [skillsMiddleware({ tracker, recommend: false, onToolError: 'message' })],
    });

    await agent.invoke(ask('search the parser docs'), { context: { workflowPhase: 'research' } });
    await tracker.close();

    const records = await storedInvocations(dbPath);
    expect(records).toHaveLength(2);
    for (const r of records) {
      expect(r).toMatchObject({ userQuery: 'search the parser docs', workflowPhase: 'research' });
      expect(r.durationSeconds).toBeGreaterThanOrEqual(0);
    }
    expect(only(records, 'search')).toMatchObject({ status: 'completed' });
    expect(only(records, 'broken')).toMatchObject({ status: 'failed', errorType: 'BrokenToolError' });
  });

  it('re-throws a tool error by default: recorded, and the agent run fails as with any wrapToolCall middleware', async () => {
    const { tracker, dbPath } = await openTestTracker();
    const agent = createAgent({
      model: parallelCalls(),
      tools: [search, broken],
      middleware: [skillsMiddleware({ tracker, recommend: false, workflowPhase: 'triage' })],
    });

    await expect(agent.invoke(ask('search the parser docs'))).rejects.toBeInstanceOf(BrokenToolError);
    await tracker.close();

    expect(only(await storedInvocations(dbPath), 'broken')).toMatchObject({
      status: 'failed',
      errorType: 'BrokenToolError',
      workflowPhase: 'triage',
    });
  });

  it('re-throws to outer middleware, so a retry middleware outside it sees (and records) every attempt', async () => {
    const { tracker, dbPath } = await openTestTracker();
    const agent = createAgent({
      model: parallelCalls(),
      tools: [search, broken],
      middleware: [
        toolRetryMiddleware({ maxRetries: 2, initialDelayMs: 0, onFailure: 'continue' }),
        skillsMiddleware({ tracker, recommend: false }),
      ],
    });

    await agent.invoke(ask('search the parser docs'));
    await tracker.close();

    const failures = (await storedInvocations(dbPath)).filter((r) => r.skillName === 'broken');
    expect(failures.map((r) => r.errorType)).toEqual(['BrokenToolError', 'BrokenToolError', 'BrokenToolError']);
  });

  it('lets a toolErrorMiddleware placed before it turn the re-thrown error into a message', async () => {
    const { tracker, dbPath } = await openTestTracker();
    const agent = createAgent({
      model: parallelCalls(),
      tools: [search, broken],
      middleware: [
        toolErrorMiddleware({ onError: (error) => `failed: ${(error as Error).message}` }),
        skillsMiddleware({ tracker, recommend: false }),
      ],
    });

    const { messages } = await agent.invoke(ask('search the parser docs'));
    await tracker.close();

    expect(messages.filter(ToolMessage.isInstance).map((m) => m.content)).toContain('failed: the index is gone');
    expect(only(await storedInvocations(dbPath), 'broken')).toMatchObject({ status: 'failed', errorType: 'BrokenToolError' });
  });

  it('records arguments that fail the tool schema as a failure, and the agent goes on as without middleware', async () => {
    const { tracker, dbPath } = await openTestTracker();
    const model = fakeModel()
      .respondWithTools([{ name: 'search', args: { q: 42 }, id: 'c-1' }])
      .respond(new AIMessage('done'));
    const agent = createAgent({ model, tools: [search], middleware: [skillsMiddleware({ tracker, recommend: false })] });

    const { messages } = await agent.invoke(ask('search the parser docs'));
    await tracker.close();

    expect(messages.filter(ToolMessage.isInstance).map((m) => m.status)).toEqual(['error']);
    expect(await storedInvocations(dbPath)).toMatchObject([{ skillName: 'search', status: 'failed', errorType: 'ToolInvocationError' }]);
  });

  it("with onToolError 'message', the model gets the same error message as from an agent without middleware", async () => {
    const plain = createAgent({ model: parallelCalls(), tools: [search, broken] });
    const { tracker } = await openTestTracker();
    const tracked = createAgent({
      model: parallelCalls(),
      tools: [search, broken],
      middleware: [skillsMiddleware({ tracker, recommend: false, onToolError: 'message' })],
    });

    const toolMessages = (messages: BaseMessage[]) =>
      messages.filter(ToolMessage.isInstance).map((m) => ({ content: m.content, status: m.status, name: m.name }));
    const withMiddleware = await tracked.invoke(ask('search the parser docs'));
    const without = await plain.invoke(ask('search the parser docs'));
    expect(toolMessages(withMiddleware.messages)).toEqual(toolMessages(without.messages));
    expect(toolMessages(without.messages).map((m) => m.status)).toEqual(['success', 'error']);
    await tracker.close();
  });

  it('records a call of a tool the agent does not have as an unknown-tool failure', async () => {
    const { tracker, dbPath } = await openTestTracker();
    const model = fakeModel()
      .respondWithTools([{ name: 'made_up_tool', args: {}, id: 'c-1' }])
      .respond(new AIMessage('sorry'));
    const agent = createAgent({ model, tools: [search], middleware: [skillsMiddleware({ tracker, recommend: false })] });

    await agent.invoke(ask('search the parser docs'));
    await tracker.close();

    expect(await storedInvocations(dbPath)).toMatchObject([
      { skillName: 'made_up_tool', status: 'failed', errorType: UNKNOWN_TOOL_ERROR_TYPE },
    ]);
  });

  it('tells the model which tools worked for similar requests and records the chosen one with its rank', async () => {
    const { tracker, dbPath } = await openTestTracker();
    // History: run_tests worked for test requests, lint failed at them.
    for (const query of ['run the unit tests for the parser', 'run the parser unit tests again', 'run unit tests']) {
      tracker.trackInvocation({ skillName: 'run_tests', userQuery: query })?.({ completed: true });
      tracker.trackInvocation({ skillName: 'lint', userQuery: query })?.({ completed: false, errorType: 'LintError' });
    }
    const runTests = tool(async () => 'all green', { name: 'run_tests', description: 'Runs tests.', schema: z.object({}) });
    const lint = tool(async () => 'clean', { name: 'lint', description: 'Lints.', schema: z.object({}) });
    const model = fakeModel()
      .respondWithTools([{ name: 'lint', args: {}, id: 'c-1' }])
      .respond(new AIMessage('done'));
    const agent = createAgent({
      model,
      tools: [runTests, lint, search],
      systemPrompt: 'You are a build assistant.',
      middleware: [skillsMiddleware({ tracker })],
    });

    await agent.invoke(ask('run the unit tests of the parser'));
    await tracker.close();

    const system = model.calls.map((call) => call.messages[0]);
    expect(system).toHaveLength(2);
    for (const message of system) {
      expect(SystemMessage.isInstance(message)).toBe(true);
      expect(message!.text).toMatch(/^You are a build assistant\.\n\nTools that worked for similar requests before, best first: run_tests \(\d+% success over 3 runs.*\), lint /);
    }
    const chosen = (await storedInvocations(dbPath)).filter((r) => r.userQuery === 'run the unit tests of the parser');
    // The model picked the second recommendation: the record says so, with what it was chosen over.
    expect(chosen).toMatchObject([{ skillName: 'lint', selectionRank: 2, alternativesConsidered: ['run_tests'], status: 'completed' }]);
  });

  it('asks again at each run, so a query asked before is told what was learnt since', async () => {
    const { tracker } = await openTestTracker();
    const middleware = skillsMiddleware({ tracker });
    const run = async () => {
      const model = fakeModel()
        .respondWithTools([{ name: 'search', args: { q: 'parser' }, id: 'c-1' }])
        .respond(new AIMessage('done'));
      await createAgent({ model, tools: [search], middleware: [middleware] }).invoke(ask('search the parser docs'));
      return model.calls[0]!.messages[0]!;
    };

    expect(SystemMessage.isInstance(await run())).toBe(false); // no history yet
    expect((await run()).text).toMatch(/^Tools that worked for similar requests before, best first: search /);
    await tracker.close();
  });
});
