import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import {
  CompleteInvocationArgsSchema,
  CompleteInvocationResultSchema,
  completionOf,
  fromMcpCompletion,
  fromMcpRecord,
  HealthCheckArgsSchema,
  MCP_TOOLS,
  newInvocationId,
  NotAvailableError,
  pendingRecord,
  ProjectAccessError,
  RecommendSkillsArgsSchema,
  RecommendSkillsResultSchema,
  ServerHealthSchema,
  SkillsError,
  SkillStatsArgsSchema,
  ValidationError,
  SkillStatsResultSchema,
  toMcpBatchResult,
  toMcpRecommendation,
  toMcpSkillStats,
  TrackInvocationArgsSchema,
  TrackInvocationResultSchema,
  TrackInvocationsArgsSchema,
  TrackInvocationsResultSchema,
  type BatchResult,
  type CompleteInvocationResult,
  type RecommendSkillsResult,
  type SkillStatsResult,
  type TrackInvocationResult,
  type TrackInvocationsResult,
  type WriteBatch,
} from '@skills/protocol';
import type { SkillsService } from '@skills/tracker';
import type { z } from 'zod';
import type { ProjectHealth } from './app.js';
import type { FailureLog } from './failure-log.js';
import type { ServerMetrics } from './metrics.js';
import { grantOfCall } from './mcp-auth.js';
import type { ProjectGrant } from './project-grant.js';

/** What the tools act through: the services, the metrics, the failure log, and the health document. */
export interface ToolContext {
  /** The server's service: its project is the one a call gets when neither it nor its token names one. */
  readonly service: SkillsService;
  /** The service of a project (see `SkillsService.forProject`). */
  serviceFor(project: string): SkillsService;
  readonly metrics: ServerMetrics;
  readonly failures: FailureLog;
  readonly version: string;
  health(project: string): Promise<ProjectHealth>;
  /** The grant of a call that carries none (see {@link grantOfCall}). */
  readonly ungranted: ProjectGrant;
}

/** A call's extra information from the SDK: its `authInfo` carries the caller's grant. */
type CallExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** A tool's failure that is the caller's to fix; its message goes back as is. */
class ToolError extends SkillsError {
  constructor(message: string) {
    super('TOOL', message);
  }
}

const INSTRUCTIONS =
  'Records every invocation of an AI agent ("skill") and recommends which skill should handle a request. ' +
  'Call track_invocation when a skill starts and complete_invocation when it ends; ask recommend_skills before choosing one.';

/** The source of a `track_invocation` call whose client does not name itself: a plain MCP client. */
const PLAIN_MCP_SOURCE = 'mcp';

const EMPTY_BATCH: BatchResult = { inserted: 0, duplicates: 0, completed: 0, alreadyFinished: [], unknown: [] };

/**
 * The skills tools, defined once: the HTTP and stdio transports both serve an {@link McpServer}
 * built here, and nothing in a tool knows which transport carried the call. Arguments are
 * validated by the SDK against the shared snake_case schemas of `@skills/protocol` before a tool
 * runs, so bad arguments never reach the store; every write goes through `SkillsService`.
 */
export function createSkillsMcpServer(context: ToolContext): McpServer {
  const mcp = new McpServer({ name: 'skills', version: context.version }, { instructions: INSTRUCTIONS });
  const tools = new SkillsTools(context);

  // Every tool takes `project`: the SDK hands over arguments parsed by `A`.
  const register = <A extends z.ZodType<{ project?: string | undefined }>, R extends z.ZodType>(
    name: string,
    description: string,
    inputSchema: A,
    outputSchema: R,
    run: (args: z.output<A>, service: SkillsService) => Promise<z.output<R>>,
    annotations: { readOnlyHint?: boolean; idempotentHint?: boolean } = {},
  ) => {
    mcp.registerTool(
      name,
      { description, inputSchema, outputSchema, annotations },
      // The SDK validated the arguments against inputSchema before calling this.
      ((args: z.output<A>, extra: CallExtra) =>
        guard(name, context.failures, () => run(args, serviceOfCall(context, args.project, extra)))) as never,
    );
  };

  register(
    MCP_TOOLS.trackInvocation,
    'Record the start of a skill invocation. Returns its invocation_id for complete_invocation. ' +
      'Give your own invocation_id to make retries idempotent, and source to name your integration (default "mcp").',
    TrackInvocationArgsSchema,
    TrackInvocationResultSchema,
    (args, service) => tools.trackInvocation(args, service),
  );
  register(
    MCP_TOOLS.completeInvocation,
    'Record the end of an invocation: by invocation_id, or the latest open one of skill_name in session_id. ' +
      'Without duration_seconds the time since it was tracked is used. Completing twice changes nothing.',
    CompleteInvocationArgsSchema,
    CompleteInvocationResultSchema,
    (args, service) => tools.completeInvocation(args, service),
    { idempotentHint: true },
  );
  register(
    MCP_TOOLS.trackInvocations,
    'Store a batch of invocation records with client ids (pending or finished), completions of earlier ones, ' +
      'and ids to mark abandoned. Ids already stored are skipped and counted, so a batch can be replayed safely.',
    TrackInvocationsArgsSchema,
    TrackInvocationsResultSchema,
    (args, service) => tools.trackInvocations(args, service),
    { idempotentHint: true },
  );
  for (const name of [MCP_TOOLS.recommendSkills, MCP_TOOLS.getRecommendations]) {
    register(
      name,
      'Skills ranked for a request, best first: how close their past requests are to this one, how often they ' +
        'succeeded, and (with workflow_phase) how well they do in that phase.' +
        (name === MCP_TOOLS.getRecommendations ? ' Same as recommend_skills.' : ''),
      RecommendSkillsArgsSchema,
      RecommendSkillsResultSchema,
      (args, service) => tools.recommendSkills(args, service),
      { readOnlyHint: true },
    );
  }
  register(
    MCP_TOOLS.skillStats,
    'Per-skill counts (completed, failed, abandoned, pending), success rate and durations, most used first; ' +
      'optionally for one skill, one workflow phase, or since an ISO date-time or a duration back from now (7d, 24h).',
    SkillStatsArgsSchema,
    SkillStatsResultSchema,
    (args, service) => tools.skillStats(args, service),
    { readOnlyHint: true },
  );
  register(
    MCP_TOOLS.healthCheck,
    'Server status, version, uptime, database path, the embedder in use, and the project counted with its invocations.',
    HealthCheckArgsSchema,
    ServerHealthSchema,
    (_args, service) => context.health(service.project),
    { readOnlyHint: true },
  );
  return mcp;
}

/** Runs a tool: its result as structured content (and as text), or a stack-free error message. */
async function guard(tool: string, failures: FailureLog, run: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    const result = await run();
    failures.succeeded(tool);
    return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result as Record<string, unknown> };
  } catch (error) {
    // The caller's to fix (bad arguments, an unknown id): the message says what, and holds nothing of the server's.
    if (error instanceof ToolError || error instanceof ValidationError || error instanceof ProjectAccessError) return { content: [{ type: 'text', text: error.message }], isError: true };
    // Anything else (storage, settings, a bug): its message may name files or internals, so the
    // detail (and stack) goes to the server's log, once per condition, and the caller gets the class only.
    failures.failed(tool, tool, error);
    const kind = error instanceof Error ? error.constructor.name : typeof error;
    return { content: [{ type: 'text', text: `${tool} failed on the server (${kind}); see the server log` }], isError: true };
  }
}

/**
 * The service a call acts through: its project is the one it names, else its token's only
 * project, else the server's; a project the token does not reach is refused before anything is read.
 *
 * @throws {ProjectAccessError} for a project the caller's token does not allow.
 * @throws {ToolError} for a project the store cannot keep apart (an engine without projects).
 */
function serviceOfCall(context: ToolContext, requested: string | undefined, extra: CallExtra): SkillsService {
  const project = grantOfCall(extra.authInfo, context.ungranted).projectOf(requested, context.service.project);
  try {
    return context.serviceFor(project);
  } catch (error) {
    if (error instanceof NotAvailableError) throw new ToolError(`project: ${error.message}`);
    throw error;
  }
}

/** The tools' behaviour, in terms of a project's service: thin mappings from snake_case arguments. */
class SkillsTools {
  readonly #context: ToolContext;

  constructor(context: ToolContext) {
    this.#context = context;
  }

  async trackInvocation(args: z.output<typeof TrackInvocationArgsSchema>, service: SkillsService): Promise<TrackInvocationResult> {
    const record = pendingRecord(
      {
        skillName: args.skill_name,
        userQuery: args.user_query,
        workflowPhase: args.workflow_phase,
        alternativesConsidered: args.alternatives_considered,
        alternativeScores: args.alternative_scores,
        selectionRank: args.selection_rank,
        source: args.source ?? PLAIN_MCP_SOURCE,
      },
      { id: args.invocation_id ?? newInvocationId(), sessionId: args.session_id, invokedAt: new Date().toISOString() },
    );
    const result = await this.#apply(service, { inserts: [record] });
    return { invocation_id: record.id, duplicate: result.duplicates > 0 };
  }

  async completeInvocation(args: z.output<typeof CompleteInvocationArgsSchema>, service: SkillsService): Promise<CompleteInvocationResult> {
    // The project's view: another project's invocation reads as unknown.
    const store = service.store;
    const record =
      args.invocation_id !== undefined
        ? await store.getInvocation(args.invocation_id)
        : ((await store.listInvocations({ sessionId: args.session_id, skillName: args.skill_name, status: 'pending' }, { limit: 1 }))[0] ??
          null);
    if (!record) {
      throw new ToolError(
        args.invocation_id !== undefined
          ? `invocation_id: no invocation "${args.invocation_id}" is stored`
          : `no open invocation of skill_name "${args.skill_name}" in session_id "${args.session_id}"`,
      );
    }
    if (record.status !== 'pending') {
      return { invocation_id: record.id, applied: false, status: record.status, duration_seconds: record.durationSeconds };
    }
    const now = new Date();
    const completion = completionOf(
      record.id,
      { completed: args.completed, followUpActions: args.follow_up_actions, errorType: args.error_type, durationSeconds: args.duration_seconds },
      now.toISOString(),
      (now.getTime() - Date.parse(record.invokedAt)) / 1000,
    );
    const result = await this.#apply(service, { completions: [completion] });
    if (result.completed === 1) {
      return { invocation_id: record.id, applied: true, status: args.completed ? 'completed' : 'failed', duration_seconds: completion.durationSeconds };
    }
    // Another call finished it between our read and our write.
    const now2 = await store.getInvocation(record.id);
    return { invocation_id: record.id, applied: false, status: now2?.status ?? 'pending', duration_seconds: now2?.durationSeconds ?? null };
  }

  async trackInvocations(args: z.output<typeof TrackInvocationsArgsSchema>, service: SkillsService): Promise<TrackInvocationsResult> {
    const records = args.invocations.map(fromMcpRecord);
    const finished = records.filter((r) => r.status !== 'pending');
    const pending = records.filter((r) => r.status === 'pending');
    const completions = (args.completions ?? []).map(fromMcpCompletion);
    // Finished records go in their own transaction so that the metrics can tell how many of
    // them were new; inserts precede completions within each, as the store guarantees.
    const first = finished.length > 0 && (pending.length > 0 || completions.length > 0) ? await this.#apply(service, { inserts: finished }, true) : EMPTY_BATCH;
    const rest =
      first === EMPTY_BATCH
        ? await this.#apply(service, { inserts: records, completions }, pending.length === 0)
        : await this.#apply(service, { inserts: pending, completions });
    let abandoned = 0;
    if (args.abandon && args.abandon.length > 0) {
      abandoned = await service.store.markAbandoned({ ids: args.abandon });
      service.invalidate();
      this.#context.metrics.abandoned.inc({}, abandoned);
    }
    return toMcpBatchResult(
      {
        inserted: first.inserted + rest.inserted,
        duplicates: first.duplicates + rest.duplicates,
        completed: first.completed + rest.completed,
        alreadyFinished: [...first.alreadyFinished, ...rest.alreadyFinished],
        unknown: [...first.unknown, ...rest.unknown],
      },
      abandoned,
    );
  }

  async recommendSkills(args: z.output<typeof RecommendSkillsArgsSchema>, service: SkillsService): Promise<RecommendSkillsResult> {
    const recommendations = await service.recommend({
      userQuery: args.user_query,
      ...(args.limit !== undefined ? { limit: args.limit } : {}),
      ...(args.workflow_phase !== undefined ? { workflowPhase: args.workflow_phase } : {}),
    });
    return { recommendations: recommendations.map(toMcpRecommendation) };
  }

  async skillStats(args: z.output<typeof SkillStatsArgsSchema>, service: SkillsService): Promise<SkillStatsResult> {
    const stats = await service.store.skillStats({
      ...(args.skill_name !== undefined ? { skillName: args.skill_name } : {}),
      ...(args.workflow_phase !== undefined ? { workflowPhase: args.workflow_phase } : {}),
      ...(args.since !== undefined ? { since: args.since } : {}),
    });
    return { skills: stats.map(toMcpSkillStats) };
  }

  /** Writes through the project's service and counts what happened. `allFinished`: every insert is a finished record. */
  async #apply(service: SkillsService, batch: WriteBatch, allFinished = false): Promise<BatchResult> {
    const result = await service.apply(batch);
    const { metrics } = this.#context;
    metrics.invocations.inc({}, result.inserted);
    metrics.duplicates.inc({}, result.duplicates);
    metrics.completions.inc({}, result.completed + (allFinished ? result.inserted : 0));
    return result;
  }
}
