import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import type { Serialized } from '@langchain/core/load/serializable';
import { AIMessage, ToolMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { tool } from '@langchain/core/tools';
import { GraphInterrupt, MessagesAnnotation, StateGraph } from '@langchain/langgraph';
import { ToolNode, toolsCondition } from '@langchain/langgraph/prebuilt';
import { LIMITS } from '@skills/protocol';
import { createAgent } from 'langchain';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SkillsCallbackHandler } from './handler.js';
import { only, openTestTracker, storedInvocations } from './test-support/store.js';
import { broken, LookupTool, search } from './test-support/tools.js';

const QUERY = 'where is the config parser documented?';

describe('SkillsCallbackHandler', () => {
  it('records every tool call of a createAgent run: skill, query, phase, duration, outcome', async () => {
    const { tracker, dbPath } = await openTestTracker();
    const model = fakeModel()
      .respondWithTools([
        { name: 'search', args: { q: 'config parser' }, id: 'call-1' },
        { name: 'broken', args: {}, id: 'call-2' },
        { name: 'lookup', args: { symbol: 'parseConfig' }, id: 'call-3' },
      ])
      .respond(new AIMessage('It is in docs/config.md.'));
    const agent = createAgent({ model, tools: [search, broken, new LookupTool()] });
    const handler = new SkillsCallbackHandler({ tracker });

    const result = await agent.invoke(
      { messages: [{ role: 'user', content: QUERY }] },
      { callbacks: [handler], metadata: { workflowPhase: 'research' } },
    );
    // The handler runs inline: everything is recorded when invoke returns, no awaitAllCallbacks needed.
    await tracker.close();

    expect(result.messages.at(-1)?.content).toBe('It is in docs/config.md.');
    const records = await storedInvocations(dbPath);
    expect(records.map((r) => r.skillName).sort()).toEqual(['broken', 'lookup', 'search']);
    for (const r of records) {
      expect(r).toMatchObject({ userQuery: QUERY, workflowPhase: 'research' });
      expect(r.durationSeconds).toBeGreaterThanOrEqual(0);
    }
    expect(only(records, 'search')).toMatchObject({ status: 'completed', completed: true, errorType: null });
    // The agent turned the error into a message for the model; the invocation still failed.
    expect(only(records, 'broken')).toMatchObject({ status: 'failed', completed: false, errorType: 'BrokenToolError' });
    // A class-based tool is recorded under its tool name, not its class name (LookupTool).
    expect(only(records, 'lookup')).toMatchObject({ status: 'completed' });
  });

  it('has recorded every call when invoke returns, even while a slow handler holds up the background queue', async () => {
    const { tracker, dbPath } = await openTestTracker();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // A tracer that uploads on every event, in LangChain's shared background queue (one at a time).
    const slowTracer = BaseCallbackHandler.fromMethods({ handleToolStart: () => held });
    await search.invoke({ q: 'x' }, { callbacks: [slowTracer, new SkillsCallbackHandler({ tracker })] });
    await tracker.close();
    release();
    await awaitAllCallbacks();

    expect(await storedInvocations(dbPath)).toMatchObject([{ skillName: 'search', status: 'completed' }]);
  });

  it('records tool calls of a LangGraph graph with a ToolNode, bound once with withConfig', async () => {
    const { tracker, dbPath } = await openTestTracker();
    const model = fakeModel()
      .respondWithTools([{ name: 'lookup', args: { symbol: 'parseConfig' }, id: 'g-1' }])
      .respond(new AIMessage('done'));
    const tools = [search, new LookupTool()];
    const graph = new StateGraph(MessagesAnnotation)
      .addNode('agent', async (state) => ({ messages: [await model.bindTools(tools).invoke(state.messages)] }))
      .addNode('tools', new ToolNode(tools))
      .addEdge('__start__', 'agent')
      .addConditionalEdges('agent', toolsCondition)
      .addEdge('tools', 'agent')
      .compile();
    const handler = new SkillsCallbackHandler({ tracker, workflowPhase: 'implementation' });

    // Bound once to the compiled graph: every later invoke is tracked.
    const tracked = graph.withConfig({ callbacks: [handler] });
    await tracked.invoke({ messages: [{ role: 'user', content: 'where is parseConfig defined?' }] });
    await tracker.close();

    const records = await storedInvocations(dbPath);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      skillName: 'lookup',
      userQuery: 'where is parseConfig defined?',
      workflowPhase: 'implementation',
      status: 'completed',
    });
  });

  it('gives the tools of an agent used as a tool the query of the user, not the task the outer agent wrote', async () => {
    const { tracker, dbPath } = await openTestTracker();
    const innerModel = fakeModel()
      .respondWithTools([{ name: 'search', args: { q: 'parser' }, id: 'in-1' }])
      .respond(new AIMessage('found it'));
    const inner = createAgent({ model: innerModel, tools: [search] });
    const delegate = tool(
      async ({ task }: { task: string }, config) => {
        const { messages } = await inner.invoke({ messages: [{ role: 'user', content: task }] }, config);
        return String(messages.at(-1)?.content);
      },
      { name: 'delegate', description: 'Hands a task to a helper agent.', schema: z.object({ task: z.string() }) },
    );
    const outerModel = fakeModel()
      .respondWithTools([{ name: 'delegate', args: { task: 'search for parser docs' }, id: 'out-1' }])
      .respond(new AIMessage('done'));
    await createAgent({ model: outerModel, tools: [delegate] }).invoke(
      { messages: [{ role: 'user', content: QUERY }] },
      { callbacks: [new SkillsCallbackHandler({ tracker })] },
    );
    await tracker.close();

    const records = await storedInvocations(dbPath);
    expect(records.map((r) => [r.skillName, r.userQuery, r.status]).sort()).toEqual([
      ['delegate', QUERY, 'completed'],
      ['search', QUERY, 'completed'],
    ]);
  });

  it('records nothing for arguments that fail the tool schema: LangChain reports no tool run for them', async () => {
    const { tracker, dbPath } = await openTestTracker();
    const model = fakeModel()
      .respondWithTools([{ name: 'search', args: { q: 42 }, id: 'c-1' }])
      .respond(new AIMessage('done'));
    await createAgent({ model, tools: [search] }).invoke(
      { messages: [{ role: 'user', content: QUERY }] },
      { callbacks: [new SkillsCallbackHandler({ tracker })] },
    );
    await tracker.close();

    expect(await storedInvocations(dbPath)).toEqual([]);
  });

  it('measures the time from start to end', async () => {
    const { tracker, dbPath } = await openTestTracker();
    // The wait is the tool's work being measured, not a synchronisation.
    const slow = tool(async () => new Promise<string>((resolve) => setTimeout(() => resolve('done'), 60)), {
      name: 'slow',
      description: 'Takes a while.',
      schema: z.object({}),
    });
    await slow.invoke({}, { callbacks: [new SkillsCallbackHandler({ tracker })] });
    await tracker.close();

    const [record] = await storedInvocations(dbPath);
    expect(record!.durationSeconds).toBeGreaterThanOrEqual(0.05);
    expect(record!.durationSeconds).toBeLessThan(30);
  });

  it('takes the query from metadata.userQuery before the messages, and bare tools have none', async () => {
    const { tracker, dbPath } = await openTestTracker();
    const handler = new SkillsCallbackHandler({ tracker });
    await search.invoke({ q: 'x' }, { callbacks: [handler] });
    await search.invoke({ q: 'y' }, { callbacks: [handler], metadata: { userQuery: '  find the docs  ', workflowPhase: 42 } });
    await tracker.close();

    const records = await storedInvocations(dbPath);
    // Both start within the same millisecond at times: compare without order.
    expect(records.map((r) => [r.userQuery, r.workflowPhase])).toEqual(
      expect.arrayContaining([
        [null, null],
        ['find the docs', null],
      ]),
    );
    expect(records).toHaveLength(2);
  });

  it('records a tool that answers with an error ToolMessage as a failure', async () => {
    const { tracker, dbPath } = await openTestTracker();
    const refusing = tool(
      async (_input, config) =>
        new ToolMessage({ content: 'no access', tool_call_id: config.toolCall?.id ?? 'x', status: 'error' }),
      { name: 'refusing', description: 'Refuses.', schema: z.object({}) },
    );
    await refusing.invoke({ name: 'refusing', args: {}, id: 'r-1', type: 'tool_call' }, { callbacks: [new SkillsCallbackHandler({ tracker })] });
    await tracker.close();

    expect(await storedInvocations(dbPath)).toMatchObject([{ skillName: 'refusing', status: 'failed', errorType: 'ToolErrorMessage' }]);
  });

  it('cleans names and queries the store would reject instead of throwing into the agent', async () => {
    const { tracker, dbPath, logger } = await openTestTracker();
    const longName = `t${'o'.repeat(LIMITS.nameLength + 100)}l`;
    const odd = tool(async () => 'ok', { name: longName, description: 'A tool with a very long name.', schema: z.object({}) });
    const model = fakeModel()
      .respondWithTools([{ name: longName, args: {}, id: 'c-1' }])
      .respond(new AIMessage('ok'));
    const agent = createAgent({ model, tools: [odd] });
    const hugeQuery = `  ${'why '.repeat(LIMITS.queryLength)}\uD800`;

    await agent.invoke({ messages: [{ role: 'user', content: hugeQuery }] }, { callbacks: [new SkillsCallbackHandler({ tracker, logger })] });
    await tracker.close();

    const [record] = await storedInvocations(dbPath);
    expect(record!.skillName).toBe(longName.slice(0, LIMITS.nameLength));
    expect(record!.userQuery).toHaveLength(LIMITS.queryLength - 1); // cut, then the trailing space trimmed
    expect(record!.status).toBe('completed');
    expect(logger.lines.filter((l) => l.startsWith('warn'))).toEqual([]);
  });

  it('skips, with a logged reason, what the framework gives without a name or a known run', async () => {
    const { tracker, dbPath, logger } = await openTestTracker();
    const handler = new SkillsCallbackHandler({ tracker, logger });
    // Framework faults a real agent does not produce on demand: called directly.
    handler.handleToolStart({ lc: 1, type: 'not_implemented', id: [] }, '{}', 'run-no-name');
    handler.handleToolStart({ lc: 1, type: 'not_implemented', id: ['  '] }, '{}', 'run-blank-name');
    handler.handleToolEnd('ok', 'run-no-name');
    handler.handleToolEnd('ok', 'never-started');
    handler.handleToolError(new Error('x'), 'never-started');
    handler.handleChainEnd({}, 'never-started');
    handler.handleChainStart({ lc: 1, type: 'not_implemented', id: [] }, undefined as never, 'chain-without-inputs');
    await tracker.close();

    expect(await storedInvocations(dbPath)).toEqual([]);
    expect(logger.lines).toEqual([
      'warn: a tool call was not tracked: its tool name is missing',
      'warn: a tool call was not tracked: its tool name is empty',
    ]);
  });

  it('completes once when the end comes twice, and leaves an interrupted call open, not failed', async () => {
    const { tracker, dbPath } = await openTestTracker();
    const handler = new SkillsCallbackHandler({ tracker });
    const serialized: Serialized = { lc: 1, type: 'not_implemented', id: ['x'] };
    handler.handleToolStart(serialized, '{}', 'run-1', undefined, [], {}, 'twice');
    handler.handleToolEnd('ok', 'run-1');
    handler.handleToolError(new Error('late'), 'run-1');
    handler.handleToolStart(serialized, '{}', 'run-2', undefined, [], {}, 'asks_a_human');
    handler.handleToolError(new GraphInterrupt([]), 'run-2');
    await tracker.close();

    const records = await storedInvocations(dbPath);
    expect(only(records, 'twice')).toMatchObject({ status: 'completed' });
    expect(only(records, 'asks_a_human')).toMatchObject({ status: 'abandoned', errorType: null });
  });
});
