import { convertArrayToReadableStream, MockLanguageModelV3 } from 'ai/test';

type GenerateResult = Extract<NonNullable<ConstructorParameters<typeof MockLanguageModelV3>[0]>['doGenerate'], { content: unknown }>;
type StreamPart = Awaited<ReturnType<MockLanguageModelV3['doStream']>>['stream'] extends ReadableStream<infer P> ? P : never;

/** One tool call the scripted model makes. `id` defaults to `call-<turn>-<index>`. */
export interface ScriptedCall {
  readonly toolName: string;
  readonly input?: unknown;
  readonly id?: string;
}

/** One model response: tool calls (all in one step, executed in parallel) or a final text. */
export type Turn = { readonly calls: readonly ScriptedCall[] } | { readonly text: string };

const USAGE = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};

function toolCalls(turn: { readonly calls: readonly ScriptedCall[] }, index: number) {
  return turn.calls.map((call, i) => ({
    type: 'tool-call' as const,
    toolCallId: call.id ?? `call-${index}-${i}`,
    toolName: call.toolName,
    input: JSON.stringify(call.input ?? {}),
  }));
}

function generateResult(turn: Turn, index: number): GenerateResult {
  if ('text' in turn) {
    return { content: [{ type: 'text', text: turn.text }], finishReason: { unified: 'stop', raw: 'stop' }, usage: USAGE, warnings: [] };
  }
  return { content: toolCalls(turn, index), finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage: USAGE, warnings: [] };
}

function streamResult(turn: Turn, index: number): { stream: ReadableStream<StreamPart> } {
  const parts: StreamPart[] = [{ type: 'stream-start', warnings: [] }];
  if ('text' in turn) {
    parts.push({ type: 'text-start', id: 't' }, { type: 'text-delta', id: 't', delta: turn.text }, { type: 'text-end', id: 't' });
  } else {
    parts.push(...toolCalls(turn, index));
  }
  const finishReason = 'text' in turn ? { unified: 'stop' as const, raw: 'stop' } : { unified: 'tool-calls' as const, raw: 'tool_calls' };
  parts.push({ type: 'finish', finishReason, usage: USAGE });
  return { stream: convertArrayToReadableStream(parts) };
}

/**
 * The AI SDK's own mock model, scripted: its Nth call (generate or stream) answers with turn N.
 * One model per run, since the turns are counted per model.
 */
export function scriptedModel(turns: readonly Turn[]): MockLanguageModelV3 {
  return new MockLanguageModelV3({ doGenerate: turns.map(generateResult), doStream: turns.map(streamResult) });
}
