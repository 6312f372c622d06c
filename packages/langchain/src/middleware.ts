import { ToolMessage } from '@langchain/core/messages';
import { consoleLogger } from '@skills/protocol';
import { createMiddleware, ToolInvocationError } from 'langchain';
import type { SkillsTrackingOptions } from './handler.js';
import { lastHumanText } from './messages.js';
import { adviseSkills, recommendationHint } from './recommend.js';
import { failureOf, isControlFlow, outcomeOf, Recorder } from './recorder.js';
import { Shortlist } from './shortlist.js';

/** The error type recorded when the model called a tool the agent does not have. */
export const UNKNOWN_TOOL_ERROR_TYPE = 'UnknownTool';

/** Options of {@link skillsMiddleware}. */
export interface SkillsMiddlewareOptions extends SkillsTrackingOptions {
  /**
   * What happens when a tool throws, after the failure is recorded:
   * - `'rethrow'` (default): the error goes on to the middleware outside this one (retries, your
   *   `toolErrorMiddleware`); if nothing handles it, the agent run fails. That is LangChain's rule
   *   for any agent with a `wrapToolCall` middleware.
   * - `'message'`: it becomes the error `ToolMessage` an agent without middleware sends the model
   *   (`"<error>\n Please fix your mistakes."`), so the agent goes on as it would without this middleware.
   */
  readonly onToolError?: 'rethrow' | 'message';
  /**
   * Adds the skills that worked for similar requests to the system prompt (one recommendation
   * lookup per agent run). Default true.
   */
  readonly recommend?: boolean;
}

/**
 * Middleware for `createAgent` (langchain 1.x) that records every tool call as a skill
 * invocation (the tool's name, the last user message as the query, the `workflowPhase` of the
 * run's context or the option as the phase, the duration, the outcome) and, unless
 * `recommend: false`, tells the model which tools worked for similar requests, recording the
 * chosen tool's rank among them.
 *
 * Put it first in `middleware` to measure everything inside it (retries included), last to
 * measure the tool alone. See `onToolError` for what happens when a tool throws.
 *
 * @example
 * const agent = createAgent({ model, tools, middleware: [skillsMiddleware({ tracker })] });
 */
export function skillsMiddleware(options: SkillsMiddlewareOptions) {
  const { tracker, onToolError = 'rethrow', recommend = true } = options;
  const logger = options.logger ?? consoleLogger;
  const shortlist = options.shortlist ?? new Shortlist();
  const recorder = new Recorder(tracker, logger, shortlist);
  const phaseOf = (context: unknown): string | undefined => {
    const phase = (context as { workflowPhase?: unknown } | undefined)?.workflowPhase;
    return typeof phase === 'string' ? phase : options.workflowPhase;
  };

  return createMiddleware({
    name: 'skills',
    // Each run asks once: the first model call of the run fills the shortlist, later ones reuse it.
    beforeAgent: (state) => {
      const query = lastHumanText(state.messages);
      if (recommend && query !== undefined) shortlist.forget(query);
    },
    wrapModelCall: async (request, handler) => {
      const query = recommend ? lastHumanText(request.state.messages) : undefined;
      if (query === undefined) return handler(request);
      const recommendations =
        shortlist.get(query) ??
        (await adviseSkills(tracker, query, {
          tools: request.tools.flatMap((tool) => (typeof tool.name === 'string' ? [tool.name] : [])),
          workflowPhase: phaseOf(request.runtime.context),
          shortlist,
          logger,
        }));
      const hint = recommendationHint(recommendations);
      if (hint === '') return handler(request);
      return handler({ ...request, systemPrompt: request.systemPrompt ? `${request.systemPrompt}\n\n${hint}` : hint });
    },
    wrapToolCall: async (request, handler) => {
      const complete = recorder.start({
        skill: request.toolCall.name,
        query: lastHumanText(request.state.messages),
        phase: phaseOf(request.runtime.context),
      });
      try {
        const result = await handler(request);
        // Without the tool, the agent answers "<name> is not a valid tool" as an error message.
        complete?.(outcomeOf(result, request.tool === undefined ? UNKNOWN_TOOL_ERROR_TYPE : undefined));
        return result;
      } catch (error) {
        if (isControlFlow(error)) throw error; // an interrupt is not a failure; left open (abandoned at close)
        complete?.(failureOf(error));
        if (onToolError === 'rethrow') throw error;
        return errorMessage(error, request.toolCall);
      }
    },
  });
}

/** The message LangChain's ToolNode makes of a tool error when no middleware wraps tool calls. */
function errorMessage(error: unknown, call: { readonly id?: string; readonly name: string }): ToolMessage {
  return new ToolMessage({
    content: ToolInvocationError.isInstance(error) ? error.message : `${String(error)}\n Please fix your mistakes.`,
    tool_call_id: call.id ?? '',
    name: call.name,
    status: 'error',
  });
}
