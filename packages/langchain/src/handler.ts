import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { ChainValues } from '@langchain/core/utils/types';
import { consoleLogger, type InvocationCompleter, type Logger, type SkillsTracker } from '@skills/protocol';
import { idAndName, lastHumanText, lastToolCalls } from './messages.js';
import { failureOf, isControlFlow, outcomeOf, Recorder } from './recorder.js';
import type { Shortlist } from './shortlist.js';

/** Options of {@link SkillsCallbackHandler} and {@link skillsMiddleware}. */
export interface SkillsTrackingOptions {
  /** Where the invocations go: `createSkillsTracker()` from `@skills/tracker`. */
  readonly tracker: SkillsTracker;
  /** The workflow phase recorded when the run names none. */
  readonly workflowPhase?: string;
  /** Recommendations given per query: a tool among them is recorded with its rank and the alternatives. */
  readonly shortlist?: Shortlist;
  /** Where skipped calls and tracker failures are reported; default stderr. */
  readonly logger?: Logger;
}

/** Metadata keys a caller can set in `invoke(input, { metadata })` to name the query and the phase. */
export const METADATA_KEYS = Object.freeze({ userQuery: 'userQuery', workflowPhase: 'workflowPhase' });

/** Bound on the runs remembered at once, in case a framework never reports the end of some. */
const MAX_RUNS = 10_000;

/** A root run (one `invoke` of an agent, graph or chain) and what its tool calls share. */
interface RootRun {
  readonly query: string | undefined;
  /** Tool call id -> the tool name the model asked for. */
  readonly toolNames: Map<string, string>;
}

/**
 * Records every tool a LangChain agent, LangGraph graph or chain runs as a skill invocation:
 * the tool's name as the skill, the user's last message of the run as the query (or
 * `metadata.userQuery`), `metadata.workflowPhase` (or the `workflowPhase` option) as the phase,
 * the time from start to end, and the outcome (a thrown error is a failure with the error's class
 * as its type). Pass it in the run's callbacks so that it reaches every child run. It never
 * changes the run: nothing it does throws into the agent.
 *
 * It runs inline (not in LangChain's background callback queue): its work is a few map operations
 * and a buffered write, and this way durations are exact and every call is recorded by the time
 * `invoke` returns, so `await tracker.close()` right after loses nothing.
 *
 * @example
 * const tracker = await createSkillsTracker();
 * const handler = new SkillsCallbackHandler({ tracker, workflowPhase: 'triage' });
 * await agent.invoke({ messages: [{ role: 'user', content: 'why is CI red?' }] }, { callbacks: [handler] });
 * await tracker.close();
 */
export class SkillsCallbackHandler extends BaseCallbackHandler {
  name = 'skills';
  readonly #recorder: Recorder;
  readonly #workflowPhase: string | undefined;
  /** Chain and tool run id -> id of its root run. */
  readonly #rootOf = new Map<string, string>();
  readonly #roots = new Map<string, RootRun>();
  /** Tool run id -> completer of its invocation. */
  readonly #open = new Map<string, InvocationCompleter>();

  constructor(options: SkillsTrackingOptions) {
    // Tool callbacks are skipped by LangChain when ignoreAgent is set: it stays false.
    super({ ignoreLLM: true, ignoreRetriever: true, ignoreCustomEvent: true, _awaitHandler: true });
    this.#recorder = new Recorder(options.tracker, options.logger ?? consoleLogger, options.shortlist);
    this.#workflowPhase = options.workflowPhase;
  }

  /**
   * LangChain's CallbackManager passes the parent run id 4th (and tags, metadata, run type after
   * it), although the method's declaration names that place `runType`.
   */
  override handleChainStart(_chain: Serialized, inputs: ChainValues, runId: string, parentRunId?: string): void {
    const knownRoot = parentRunId === undefined ? undefined : this.#rootOf.get(parentRunId);
    const rootId = knownRoot ?? runId;
    remember(this.#rootOf, runId, rootId);
    if (knownRoot === undefined) {
      const query = lastHumanText(inputs?.messages) ?? (typeof inputs?.input === 'string' ? inputs.input : undefined);
      remember(this.#roots, runId, { query, toolNames: new Map() });
    }
    const root = this.#roots.get(rootId);
    if (root === undefined) return;
    // Agents pass the calls a tool node runs in its input: the messages, or one call (`lg_tool_call`).
    for (const [id, name] of [...lastToolCalls(inputs?.messages), ...idAndName(inputs?.lg_tool_call)]) {
      remember(root.toolNames, id, name);
    }
  }

  override handleChainEnd(_outputs: ChainValues, runId: string): void {
    this.#forget(runId);
  }

  override handleChainError(_error: unknown, runId: string): void {
    this.#forget(runId);
  }

  override handleToolStart(
    tool: Serialized,
    _input: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
    toolCallId?: string,
  ): void {
    const rootId = parentRunId === undefined ? undefined : this.#rootOf.get(parentRunId);
    const root = rootId === undefined ? undefined : this.#roots.get(rootId);
    // Chains run inside the tool (an agent used as a tool) belong to the same root run.
    if (rootId !== undefined) remember(this.#rootOf, runId, rootId);
    const complete = this.#recorder.start({
      // The model's name for the call first: a class-based tool has no run name, and its
      // serialized id ends with the class name, not the tool's name.
      skill: (toolCallId === undefined ? undefined : root?.toolNames.get(toolCallId)) ?? runName ?? tool?.name ?? tool?.id?.at(-1),
      query: textOr(metadata?.[METADATA_KEYS.userQuery]) ?? root?.query,
      phase: textOr(metadata?.[METADATA_KEYS.workflowPhase]) ?? this.#workflowPhase,
    });
    if (complete) remember(this.#open, runId, complete);
  }

  override handleToolEnd(output: unknown, runId: string): void {
    this.#take(runId)?.(outcomeOf(output));
  }

  override handleToolError(error: unknown, runId: string): void {
    const complete = this.#take(runId);
    // An interrupt pauses the run; the resumed run calls the tool again. This call stays open and
    // is marked abandoned when the tracker closes.
    if (!isControlFlow(error)) complete?.(failureOf(error));
  }

  #take(runId: string): InvocationCompleter | undefined {
    const complete = this.#open.get(runId);
    this.#open.delete(runId);
    this.#rootOf.delete(runId);
    return complete;
  }

  #forget(runId: string): void {
    this.#rootOf.delete(runId);
    this.#roots.delete(runId);
  }
}

/** `value` when it is a string, else undefined (metadata is whatever callers put there). */
const textOr = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** `map.set(key, value)`, dropping the oldest entry beyond {@link MAX_RUNS}. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.set(key, value);
  if (map.size > MAX_RUNS) map.delete(map.keys().next().value!);
}
