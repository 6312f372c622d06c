import { consoleLogger, LIMITS, type Logger, type Recommendation, type SkillsTracker, type TrackInvocationInput } from '@skills/protocol';
import { choiceInvocation, errorTypeOf } from '@skills/tracker';
import type {
  OnToolCallFinishEvent,
  OnToolCallStartEvent,
  PrepareStepFunction,
  TelemetryIntegration,
  ToolSet,
} from 'ai';
import { cleanDurationSeconds, cleanName } from './clean.js';
import { lastUserQuery } from './messages.js';
import { PendingCalls } from './pending-calls.js';
import { SOURCE } from './source.js';
import { steerStep, type SteerOptions } from './steer.js';

/** Options of {@link SkillsTelemetry}. */
export interface SkillsTelemetryOptions {
  /** Where invocations go and recommendations come from (`createSkillsTracker()` from `@skills/tracker`). */
  readonly tracker: SkillsTracker;
  /** The phase recorded when the call names none (`metadata.phase`, then `functionId`, come first). */
  readonly workflowPhase?: string;
  /** Where skipped tool calls are reported; default the tracker's console logger. */
  readonly logger?: Logger;
}

/** Options of {@link SkillsTelemetry.prepareStep}: the call's tools, and how to steer. */
export interface SkillsPrepareStepOptions<TOOLS extends ToolSet> extends SteerOptions {
  /** The same tool set the call has: only tools in it are recommended. */
  readonly tools: TOOLS;
  /** The phase to ask recommendations for. */
  readonly workflowPhase?: string;
}

/**
 * An AI SDK telemetry integration that records every tool execution as a skill invocation:
 * the tool name as the skill, the last user message as the query, `metadata.phase` or
 * `functionId` as the phase, success or the error's class name as the outcome, the SDK's own
 * `durationMs` as the duration, and `ai-sdk` as the source. Pass it per call
 * (`experimental_telemetry: { integrations: [skills] }`, for `generateText`, `streamText` and
 * `ToolLoopAgent`), or register it for every call with {@link enableSkillsTracking}.
 *
 * Its listeners are own properties bound to the instance (the SDK calls them detached), return
 * at once (a tracked call is a buffer push), and never throw: input the store would reject is
 * cleaned, or skipped with a logged reason.
 *
 * @example
 * const skills = new SkillsTelemetry({ tracker });
 * await generateText({ model, tools, prompt, experimental_telemetry: { integrations: [skills] } });
 */
export class SkillsTelemetry implements TelemetryIntegration {
  readonly #tracker: SkillsTracker;
  readonly #phase: string | undefined;
  readonly #logger: Logger;
  readonly #pending = new PendingCalls();
  /**
   * The tools a step was steered toward and their recommendation scores, keyed by the step's
   * messages array (the SDK passes the same array to `prepareStep` and to that step's tool events).
   */
  readonly #steered = new WeakMap<object, { readonly names: readonly string[]; readonly scores: readonly number[] }>();
  #enabled = true;

  constructor(options: SkillsTelemetryOptions) {
    this.#tracker = options.tracker;
    this.#phase = cleanName(options.workflowPhase);
    this.#logger = options.logger ?? consoleLogger;
  }

  /** False after {@link disable}. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Tool executions started and not finished yet. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Stops recording new tool executions; those already running are still completed. */
  disable(): void {
    this.#enabled = false;
  }

  /** Starts an invocation for a tool execution. */
  readonly onToolCallStart = (event: OnToolCallStartEvent<ToolSet>): void => {
    try {
      if (!this.#enabled) return;
      const call: unknown = event.toolCall;
      if (typeof call !== 'object' || call === null || typeof (call as { toolCallId?: unknown }).toolCallId !== 'string') {
        return this.#skip('a tool call without a toolCallId');
      }
      const toolCall = event.toolCall;
      // Registered globally and passed per call too: the first one records it.
      if (this.#pending.has(toolCall)) return;
      const skillName = cleanName(toolCall.toolName);
      if (!skillName) return this.#skip('a tool call whose name is empty or not text');
      const complete = this.#tracker.trackInvocation(this.#invocation(skillName, event));
      if (complete) this.#pending.add(toolCall, complete);
    } catch (error) {
      this.#skip(`a tool call: ${(error as Error).message}`);
    }
  };

  /** Completes the invocation its start event began: success, or the error's class name, and the SDK's own duration. */
  readonly onToolCallFinish = (event: OnToolCallFinishEvent<ToolSet>): void => {
    try {
      const call: unknown = event.toolCall;
      if (typeof call !== 'object' || call === null) return;
      const complete = this.#pending.take(event.toolCall);
      if (!complete) return;
      const durationSeconds = cleanDurationSeconds(event.durationMs);
      complete({
        ...(event.success ? { completed: true } : { completed: false, errorType: errorTypeOf(event.error) }),
        ...(durationSeconds === undefined ? {} : { durationSeconds }),
      });
    } catch (error) {
      this.#skip(`the end of a tool call: ${(error as Error).message}`);
    }
  };

  /**
   * A `prepareStep` function that asks the tracker for recommendations for the last user message
   * before each step, and steers the step toward the tools that worked ({@link steerStep}). The
   * tools it steered toward are recorded with the step's invocations as `alternativesConsidered`
   * (with their scores as `alternativeScores`), with the chosen tool's place as `selectionRank`. Costs one recommendation query per step;
   * when it fails the step runs as configured.
   *
   * @example
   * await generateText({ model, tools, prompt, stopWhen: stepCountIs(5),
   *   prepareStep: skills.prepareStep({ tools }), experimental_telemetry: { integrations: [skills] } });
   */
  prepareStep<TOOLS extends ToolSet>(options: SkillsPrepareStepOptions<TOOLS>): PrepareStepFunction<TOOLS> {
    const { tools, workflowPhase, ...steer } = options;
    const phase = cleanName(workflowPhase);
    return async ({ messages, stepNumber }) => {
      const userQuery = lastUserQuery(messages);
      if (!this.#enabled || !userQuery) return undefined;
      let recommendations: Recommendation[];
      try {
        recommendations = await this.#tracker.getRecommendations({ userQuery, ...(phase ? { workflowPhase: phase } : {}) });
      } catch (error) {
        this.#logger.warn(`ai-sdk: this step runs without recommendations: ${(error as Error).message}`);
        return undefined;
      }
      const { preferred, ...step } = steerStep({ recommendations, tools, stepNumber }, steer);
      if (Object.keys(step).length > 0) {
        const names = preferred.slice(0, LIMITS.listLength);
        const scoreOf = new Map(recommendations.map((r) => [r.skillName, r.score]));
        this.#steered.set(messages, { names, scores: names.map((name) => scoreOf.get(name)!) });
      }
      return step;
    };
  }

  #invocation(skillName: string, event: OnToolCallStartEvent<ToolSet>): TrackInvocationInput {
    const userQuery = lastUserQuery(event.messages);
    const workflowPhase = cleanName(event.metadata?.['phase']) ?? cleanName(event.functionId) ?? this.#phase;
    const steered = this.#steered.get(event.messages);
    if (steered) {
      return { ...choiceInvocation({ chosen: skillName, considered: steered.names, scores: steered.scores, userQuery, workflowPhase }), source: SOURCE };
    }
    return { skillName, ...(userQuery ? { userQuery } : {}), ...(workflowPhase ? { workflowPhase } : {}), source: SOURCE };
  }

  #skip(what: string): void {
    this.#logger.warn(`ai-sdk: not tracked: ${what}`);
  }
}
