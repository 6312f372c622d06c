import { generateText, stepCountIs, streamText, tool, ToolLoopAgent, type OnToolCallFinishEvent, type ToolSet, type TypedToolCall } from 'ai';
import { LIMITS } from '@skills/protocol';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SkillsTelemetry } from './telemetry.js';
import { scriptedModel } from './test-support/model.js';
import { memoryLogger, openTracker, storedInvocations } from './test-support/store.js';

class QuotaError extends Error {}

/** A promise and the function that resolves it: lets one tool wait for another without sleeping. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const searchTool = tool({
  description: 'Search the docs',
  inputSchema: z.object({ q: z.string() }),
  execute: async ({ q }) => `results for ${q}`,
});

describe('SkillsTelemetry (per call)', () => {
  it('records a tool execution: skill, last user message, phase, the SDK-measured duration, success, its source', async () => {
    const { tracker, dbPath } = await openTracker();
    const skills = new SkillsTelemetry({ tracker });
    const sdkDurations: number[] = [];
    const tools = {
      search: tool({
        inputSchema: z.object({ q: z.string() }),
        // The tool's own work: a timer, so the duration is clearly above zero.
        execute: async ({ q }) => new Promise<string>((resolve) => setTimeout(() => resolve(`found ${q}`), 30)),
      }),
    };
    await generateText({
      model: scriptedModel([{ calls: [{ toolName: 'search', input: { q: 'flaky' } }] }, { text: 'done' }]),
      tools,
      stopWhen: stepCountIs(3),
      messages: [
        { role: 'user', content: 'an older question' },
        { role: 'assistant', content: 'an older answer' },
        { role: 'user', content: [{ type: 'text', text: 'why is the parser test' }, { type: 'text', text: 'flaky?' }] },
      ],
      experimental_onToolCallFinish: (event) => void sdkDurations.push(event.durationMs),
      experimental_telemetry: { integrations: [skills], metadata: { phase: 'debugging' } },
    });
    await tracker.close();

    const [record, ...rest] = await storedInvocations(dbPath);
    expect(rest).toEqual([]);
    expect(record).toMatchObject({
      skillName: 'search',
      userQuery: 'why is the parser test flaky?', // parts joined; the store folds whitespace
      workflowPhase: 'debugging',
      status: 'completed',
      completed: true,
      errorType: null,
      source: 'ai-sdk',
    });
    // The SDK's own timing of the tool, not the tracker's from the start event to the finish event.
    expect(sdkDurations[0]!).toBeGreaterThanOrEqual(25);
    expect(record!.durationSeconds).toBe(sdkDurations[0]! / 1000);
    expect(skills.pending).toBe(0);
  });

  it('records a failing tool as failed with the error class, and the run goes on', async () => {
    const { tracker, dbPath } = await openTracker();
    const skills = new SkillsTelemetry({ tracker, workflowPhase: 'default-phase' });
    const result = await generateText({
      model: scriptedModel([{ calls: [{ toolName: 'deploy' }] }, { text: 'deploy failed, sorry' }]),
      tools: {
        deploy: tool({
          inputSchema: z.object({}),
          execute: async (): Promise<string> => {
            throw new QuotaError('quota exceeded for token sk-secret');
          },
        }),
      },
      stopWhen: stepCountIs(3),
      prompt: 'deploy the site',
      experimental_telemetry: { integrations: [skills], functionId: 'release' },
    });
    await tracker.close();

    expect(result.text).toBe('deploy failed, sorry');
    const records = await storedInvocations(dbPath);
    expect(records).toEqual([
      expect.objectContaining({ skillName: 'deploy', userQuery: 'deploy the site', workflowPhase: 'release', status: 'failed', completed: false, errorType: 'QuotaError' }),
    ]);
  });

  it('pairs parallel calls of one tool exactly, even when they finish out of order', async () => {
    const { tracker, dbPath } = await openTracker();
    const skills = new SkillsTelemetry({ tracker, workflowPhase: 'triage' });
    const firstFailed = gate();
    const tools = {
      search: tool({
        inputSchema: z.object({ q: z.string() }),
        execute: async ({ q }) => {
          if (q === 'bad') throw new RangeError('bad query');
          await firstFailed.opened; // the successful call ends after the failing one
          return 'ok';
        },
      }),
      fetch: tool({ inputSchema: z.object({ url: z.string() }), execute: async ({ url }) => url }),
    };
    const finished: Array<OnToolCallFinishEvent<ToolSet>> = [];
    await generateText({
      model: scriptedModel([
        {
          calls: [
            { toolName: 'search', input: { q: 'good' } },
            { toolName: 'search', input: { q: 'bad' } },
            { toolName: 'fetch', input: { url: 'https://example.com' } },
          ],
        },
        { text: 'done' },
      ]),
      tools,
      stopWhen: stepCountIs(3),
      prompt: 'look it up three ways',
      experimental_onToolCallFinish: (event) => {
        finished.push(event);
        if (!event.success) firstFailed.open();
      },
      experimental_telemetry: { integrations: [skills] },
    });
    await tracker.close();

    expect(finished.map((e) => e.toolCall.input)).toEqual([{ q: 'bad' }, { url: 'https://example.com' }, { q: 'good' }]);
    const records = await storedInvocations(dbPath);
    expect(records).toHaveLength(3);
    const searches = records.filter((r) => r.skillName === 'search');
    const failed = searches.find((r) => r.status === 'failed')!;
    const completed = searches.find((r) => r.status === 'completed')!;
    expect(failed.errorType).toBe('RangeError');
    // Paired by name or by order, the durations would swap: the failure ended first.
    expect(failed.durationSeconds!).toBeLessThanOrEqual(completed.durationSeconds!);
    expect(records.find((r) => r.skillName === 'fetch')).toMatchObject({ status: 'completed', workflowPhase: 'triage' });
  });

  it('keeps concurrent runs apart when they reuse tool call ids', async () => {
    const { tracker, dbPath } = await openTracker();
    const skills = new SkillsTelemetry({ tracker });
    const strictInside = gate();
    const looseDone = gate();
    const tools = {
      lint: tool({
        inputSchema: z.object({ strict: z.boolean() }),
        execute: async ({ strict }) => {
          if (!strict) return 'clean';
          strictInside.open();
          await looseDone.opened; // started first, ends last: the oldest call with this id is not the one ending
          throw new SyntaxError('lint failed');
        },
      }),
    };
    const run = (prompt: string, strict: boolean) =>
      generateText({
        // Both scripts use the same id, `call-0-0`, as mock providers do.
        model: scriptedModel([{ calls: [{ toolName: 'lint', input: { strict } }] }, { text: 'ok' }]),
        tools,
        stopWhen: stepCountIs(2),
        prompt,
        experimental_telemetry: { integrations: [skills] },
      });
    const strictRun = run('lint strictly', true);
    await strictInside.opened;
    await run('lint loosely', false);
    looseDone.open();
    await strictRun;
    await tracker.close();

    const records = await storedInvocations(dbPath);
    expect(records).toHaveLength(2);
    expect(records.find((r) => r.userQuery === 'lint strictly')).toMatchObject({ status: 'failed', errorType: 'SyntaxError' });
    expect(records.find((r) => r.userQuery === 'lint loosely')).toMatchObject({ status: 'completed' });
  });

  it('records every step of a multi-step run (stopWhen)', async () => {
    const { tracker, dbPath } = await openTracker();
    const skills = new SkillsTelemetry({ tracker });
    const tools = {
      search: searchTool,
      summarise: tool({ inputSchema: z.object({ text: z.string() }), execute: async ({ text }) => text.slice(0, 10) }),
    };
    const result = await generateText({
      model: scriptedModel([
        { calls: [{ toolName: 'search', input: { q: 'release notes' } }] },
        { calls: [{ toolName: 'summarise', input: { text: 'a long text' } }] },
        { text: 'summary ready' },
      ]),
      tools,
      stopWhen: stepCountIs(5),
      prompt: 'summarise the release notes',
      experimental_telemetry: { integrations: [skills] },
    });
    await tracker.close();

    expect(result.steps).toHaveLength(3);
    const records = await storedInvocations(dbPath);
    expect(records.map((r) => [r.skillName, r.userQuery, r.status]).sort()).toEqual([
      ['search', 'summarise the release notes', 'completed'],
      ['summarise', 'summarise the release notes', 'completed'],
    ]);
  });

  it('records streamText and ToolLoopAgent runs the same way', async () => {
    const { tracker, dbPath } = await openTracker();
    const skills = new SkillsTelemetry({ tracker });
    const stream = streamText({
      model: scriptedModel([{ calls: [{ toolName: 'search', input: { q: 'streams' } }] }, { text: 'streamed' }]),
      tools: { search: searchTool },
      stopWhen: stepCountIs(3),
      prompt: 'search while streaming',
      experimental_telemetry: { integrations: [skills], functionId: 'stream-phase' },
    });
    expect(await stream.text).toBe('streamed');

    const agent = new ToolLoopAgent({
      model: scriptedModel([{ calls: [{ toolName: 'search', input: { q: 'agents' } }] }, { text: 'agent done' }]),
      tools: { search: searchTool },
      experimental_telemetry: { integrations: [skills], functionId: 'agent-phase' },
    });
    expect((await agent.generate({ prompt: 'search as an agent' })).text).toBe('agent done');
    await tracker.close();

    const records = await storedInvocations(dbPath);
    expect(records.map((r) => [r.userQuery, r.workflowPhase, r.status]).sort()).toEqual([
      ['search as an agent', 'agent-phase', 'completed'],
      ['search while streaming', 'stream-phase', 'completed'],
    ]);
  });

  it('records a tool once when the same integration is attached twice', async () => {
    const { tracker, dbPath } = await openTracker();
    const skills = new SkillsTelemetry({ tracker });
    await generateText({
      model: scriptedModel([{ calls: [{ toolName: 'search', input: { q: 'x' } }] }, { text: 'ok' }]),
      tools: { search: searchTool },
      stopWhen: stepCountIs(2),
      prompt: 'search once',
      experimental_telemetry: { integrations: [skills, skills] },
    });
    await tracker.close();
    expect(await storedInvocations(dbPath)).toHaveLength(1);
  });
});

describe('SkillsTelemetry with input the store would reject', () => {
  it('cleans names, queries and phases, skips unusable names with a logged reason, and never breaks the run', async () => {
    const logger = memoryLogger();
    const { tracker, dbPath } = await openTracker(undefined, logger);
    const skills = new SkillsTelemetry({ tracker, logger });
    const longName = `t${'x'.repeat(299)}`;
    const blank = '   ';
    const tools = { [longName]: searchTool, [blank]: searchTool, search: searchTool };
    const longPrompt = `  lone \uD800 surrogate ${'word '.repeat(4000)}`;
    const result = await generateText({
      model: scriptedModel([
        {
          calls: [
            { toolName: longName, input: { q: 'a' } },
            { toolName: blank, input: { q: 'b' } },
            { toolName: 'search', input: { q: 'c' } },
          ],
        },
        { text: 'survived' },
      ]),
      tools,
      stopWhen: stepCountIs(2),
      prompt: longPrompt,
      // A phase that is not text, and a functionId of only spaces: neither is usable.
      experimental_telemetry: { integrations: [skills], metadata: { phase: 42 }, functionId: '  ' },
    });
    await tracker.close();

    expect(result.text).toBe('survived');
    const records = await storedInvocations(dbPath);
    expect(records.map((r) => r.skillName).sort()).toEqual(['search', longName.slice(0, 200)]);
    for (const record of records) {
      expect(record.userQuery!.startsWith('lone \uFFFD surrogate word')).toBe(true);
      expect(record.userQuery!.length).toBeLessThanOrEqual(8000);
      expect(record.workflowPhase).toBeNull();
    }
    expect(logger.lines).toContain('warn: ai-sdk: not tracked: a tool call whose name is empty or not text');
  });

  it('pairs a finish event whose toolCall object was copied by its toolCallId', async () => {
    const { tracker, dbPath } = await openTracker();
    const skills = new SkillsTelemetry({ tracker });
    // The SDK always passes the same object; a wrapper that copies events is the only way to
    // get a copy, so the listeners are called directly here with SDK-shaped events.
    const toolCall = { type: 'tool-call', toolCallId: 'id-1', toolName: 'search', input: {} } as const;
    const base = {
      stepNumber: 0,
      model: undefined,
      messages: [{ role: 'user' as const, content: 'copied events' }],
      abortSignal: undefined,
      functionId: undefined,
      metadata: undefined,
      experimental_context: undefined,
    };
    skills.onToolCallStart({ ...base, toolCall });
    skills.onToolCallFinish({ ...base, toolCall: { ...toolCall }, durationMs: 1, success: false, error: new TypeError('x') });
    expect(skills.pending).toBe(0);
    await tracker.close();
    expect(await storedInvocations(dbPath)).toEqual([
      expect.objectContaining({ skillName: 'search', status: 'failed', errorType: 'TypeError', durationSeconds: 0.001, source: 'ai-sdk' }),
    ]);
  });

  it('times a call itself when the SDK reports no usable duration, and keeps a huge one within the bound', async () => {
    const { tracker, dbPath } = await openTracker();
    const skills = new SkillsTelemetry({ tracker });
    // Only a faulty wrapper could report such durations: the listeners are called directly.
    const base = { stepNumber: 0, model: undefined, messages: [], abortSignal: undefined, functionId: undefined, metadata: undefined, experimental_context: undefined };
    const durations = [Number.NaN, -5, undefined, 1e15];
    durations.forEach((durationMs, i) => {
      const toolCall = { type: 'tool-call', toolCallId: `id-${i}`, toolName: 'search', input: {} } as const;
      skills.onToolCallStart({ ...base, toolCall });
      skills.onToolCallFinish({ ...base, toolCall, durationMs: durationMs as number, success: true, output: 1 });
    });
    await tracker.close();
    const stored = await storedInvocations(dbPath);
    expect(stored.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    const seconds = stored.map((r) => r.durationSeconds!).sort((a, b) => a - b);
    expect(seconds.slice(0, 3).every((s) => s >= 0 && s < 5)).toBe(true);
    expect(seconds[3]).toBe(LIMITS.maxDurationSeconds);
  });

  it('skips events without a usable tool call, with a logged reason', async () => {
    const logger = memoryLogger();
    const { tracker, dbPath } = await openTracker(undefined, logger);
    const skills = new SkillsTelemetry({ tracker, logger });
    // The SDK always sends a toolCall with an id; only a faulty wrapper or provider could not,
    // so these events are handed to the listeners directly.
    const base = { stepNumber: 0, model: undefined, messages: [], abortSignal: undefined, functionId: undefined, metadata: undefined, experimental_context: undefined };
    const noId = { type: 'tool-call', toolName: 'search', input: {} } as unknown as TypedToolCall<ToolSet>;
    expect(() => skills.onToolCallStart({ ...base, toolCall: noId })).not.toThrow();
    expect(() => skills.onToolCallStart({ ...base, toolCall: undefined as unknown as TypedToolCall<ToolSet> })).not.toThrow();
    expect(() => skills.onToolCallFinish({ ...base, toolCall: noId, durationMs: 1, success: true, output: 1 })).not.toThrow();
    expect(() => skills.onToolCallFinish({ ...base, toolCall: null as unknown as TypedToolCall<ToolSet>, durationMs: 1, success: true, output: 1 })).not.toThrow();
    await tracker.close();
    expect(await storedInvocations(dbPath)).toEqual([]);
    expect(logger.lines.filter((line) => line === 'warn: ai-sdk: not tracked: a tool call without a toolCallId')).toHaveLength(2);
  });

  it('does not throw into the run when the tracker is closed', async () => {
    const logger = memoryLogger();
    const { tracker } = await openTracker(undefined, logger);
    const skills = new SkillsTelemetry({ tracker, logger });
    await tracker.close();
    const result = await generateText({
      model: scriptedModel([{ calls: [{ toolName: 'search', input: { q: 'x' } }] }, { text: 'still fine' }]),
      tools: { search: searchTool },
      stopWhen: stepCountIs(2),
      prompt: 'search after close',
      prepareStep: skills.prepareStep({ tools: { search: searchTool } }),
      experimental_telemetry: { integrations: [skills] },
    });
    expect(result.text).toBe('still fine');
    expect(skills.pending).toBe(0);
    expect(logger.lines.some((line) => line.includes('this step runs without recommendations'))).toBe(true);
  });
});
