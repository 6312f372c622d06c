import { z } from 'zod';
import type { InvocationRecord, Recommendation } from './invocation.js';
import { parseDuration } from './duration.js';
import { booleanField, durationField, instantField, nameField, nameListField, queryField, rankField, typed } from './fields.js';
import { LIMITS } from './limits.js';
import { alternativeScoresField, scoresMatchAlternatives } from './invocation.js';
import { projectField } from './projects.js';
import type { BatchResult, Completion, SkillStats } from './store.js';

/**
 * The MCP tools of the skills server: their names, and zod schemas of their snake_case
 * arguments and structured results. The server registers tools with these schemas and the
 * client validates with the same ones, so the two cannot drift apart. Argument names are the
 * ones the original Python client sends (`session_id`, `skill_name`, ...).
 */
export const MCP_TOOLS = Object.freeze({
  trackInvocation: 'track_invocation',
  completeInvocation: 'complete_invocation',
  trackInvocations: 'track_invocations',
  recommendSkills: 'recommend_skills',
  /** Alias of `recommend_skills`, the name the original tool used. */
  getRecommendations: 'get_recommendations',
  skillStats: 'skill_stats',
  healthCheck: 'health_check',
});
export type McpToolName = (typeof MCP_TOOLS)[keyof typeof MCP_TOOLS];

/** The most records, completions or ids one `track_invocations` call may carry (clients chunk). */
export const MCP_BATCH_LIMIT = 1_000;


/** An invocation id: client-supplied ids make replays idempotent. */
export const McpInvocationIdSchema = nameField('invocation_id');

/**
 * An optional argument: absent, or `null` (what Python clients send for `None`), both parse to
 * `undefined`. The advertised JSON Schema reads `anyOf: [<schema>, {type: null}]`, not required.
 */
const optionalArg = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined);

/**
 * The project a call reads or writes (see `ProjectScopes`). Absent: the one project the caller's
 * token allows, else the server's own (`default` unless its settings name another).
 */
const projectArg = optionalArg(projectField('project'));

/** A list that may be absent or `null`: both mean the empty list. */
const listOrEmpty = (field: string) => nameListField(field).nullish().transform((value) => value ?? []);

/** The oldest instant a store keeps (year 0000, UTC): a `since` further back is refused, not wrapped. */
const EARLIEST_SINCE = Date.parse('0000-01-01T00:00:00.000Z');

/**
 * A moment to count from: an ISO-8601 date-time with a zone, or a duration back from now as the
 * command's `--since` takes it (`7d`, `24h`, `30m`, `1w`, `1d12h`). Parses to ISO text.
 */
const sinceField = (field: string) =>
  z
    .string(typed(field, 'a string'))
    .describe('An ISO-8601 date-time with a zone, or a duration back from now: 7d, 24h, 30m, 1w, 1d12h.')
    .transform((text, ctx) => {
      const seconds = parseDuration(text);
      if (seconds === null) {
        const instant = instantField(field).safeParse(text);
        if (instant.success) return instant.data;
        ctx.addIssue({
          code: 'custom',
          message: `${field} must be an ISO-8601 date-time with a zone (e.g. 2025-01-31T12:00:00Z) or a duration back from now like 7d, 24h, 30m or 1w`,
        });
        return z.NEVER;
      }
      const at = Date.now() - seconds * 1000;
      if (!(at >= EARLIEST_SINCE)) {
        ctx.addIssue({ code: 'custom', message: `${field} must not reach back before the year 0000 (got ${text.slice(0, 40)})` });
        return z.NEVER;
      }
      return new Date(at).toISOString();
    });

// ---------------------------------------------------------------------------------------------
// track_invocation

/** Arguments of `track_invocation`. `invocation_id` is optional: give one to make a retry idempotent. */
export const TrackInvocationArgsSchema = z
  .strictObject({
    session_id: nameField('session_id'),
    skill_name: nameField('skill_name'),
    user_query: optionalArg(queryField('user_query')),
    alternatives_considered: optionalArg(nameListField('alternatives_considered')),
    /** The shown recommendations' scores of `alternatives_considered`, in its order. */
    alternative_scores: optionalArg(alternativeScoresField('alternative_scores')),
    selection_rank: optionalArg(rankField('selection_rank')),
    workflow_phase: optionalArg(nameField('workflow_phase')),
    invocation_id: optionalArg(McpInvocationIdSchema),
    /** The integration calling: `claude-code`, `ai-sdk`, `langchain`, `mcp`, `cli`, ... */
    source: optionalArg(nameField('source')),
    project: projectArg,
  })
  .superRefine((args, ctx) =>
    scoresMatchAlternatives('alternative_scores', 'alternatives_considered')(
      { alternativeScores: args.alternative_scores, alternativesConsidered: args.alternatives_considered },
      ctx,
    ),
  );
export type TrackInvocationArgs = z.input<typeof TrackInvocationArgsSchema>;

/** Result of `track_invocation`. `duplicate` is true when that id was already stored (nothing changed). */
export const TrackInvocationResultSchema = z.object({
  invocation_id: z.string(),
  duplicate: z.boolean(),
});
export type TrackInvocationResult = z.output<typeof TrackInvocationResultSchema>;

// ---------------------------------------------------------------------------------------------
// complete_invocation

/**
 * Arguments of `complete_invocation`: the invocation by `invocation_id`, or by `session_id` +
 * `skill_name` (the latest invocation of that skill in that session still open). Without
 * `duration_seconds` the server uses the time from `invoked_at` to now.
 */
export const CompleteInvocationArgsSchema = z
  .strictObject({
    invocation_id: optionalArg(McpInvocationIdSchema),
    session_id: optionalArg(nameField('session_id')),
    skill_name: optionalArg(nameField('skill_name')),
    completed: booleanField('completed'),
    follow_up_actions: optionalArg(nameListField('follow_up_actions')),
    error_type: optionalArg(nameField('error_type')),
    duration_seconds: optionalArg(durationField('duration_seconds')),
    project: projectArg,
  })
  .superRefine((args, ctx) => {
    if (args.invocation_id === undefined && (args.session_id === undefined || args.skill_name === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['invocation_id'],
        message: 'invocation_id is required, unless session_id and skill_name are given (to complete the latest open invocation)',
      });
    }
  });
export type CompleteInvocationArgs = z.input<typeof CompleteInvocationArgsSchema>;

/** Result of `complete_invocation`. `applied` is false when it had already finished (nothing changed). */
export const CompleteInvocationResultSchema = z.object({
  invocation_id: z.string(),
  applied: z.boolean(),
  status: z.enum(['pending', 'completed', 'failed', 'abandoned']),
  duration_seconds: z.number().nullable(),
});
export type CompleteInvocationResult = z.output<typeof CompleteInvocationResultSchema>;

// ---------------------------------------------------------------------------------------------
// track_invocations

const STATUS = z.enum(['pending', 'completed', 'failed', 'abandoned'], {
  error: 'status must be one of pending, completed, failed, abandoned',
});

/** One invocation record, snake_case: what `track_invocations` carries. */
export const McpInvocationRecordSchema = z
  .strictObject({
    invocation_id: McpInvocationIdSchema,
    session_id: nameField('session_id'),
    skill_name: nameField('skill_name'),
    invoked_at: instantField('invoked_at'),
    status: STATUS,
    completed: booleanField('completed'),
    completed_at: instantField('completed_at').nullable().default(null),
    duration_seconds: durationField('duration_seconds').nullable().default(null),
    user_query: queryField('user_query').nullable().default(null),
    workflow_phase: nameField('workflow_phase').nullable().default(null),
    alternatives_considered: listOrEmpty('alternatives_considered'),
    /** Absent or null: not kept. */
    alternative_scores: optionalArg(alternativeScoresField('alternative_scores')),
    selection_rank: rankField('selection_rank').nullable().default(null),
    follow_up_actions: listOrEmpty('follow_up_actions'),
    error_type: nameField('error_type').nullable().default(null),
    source: nameField('source').nullable().default(null),
  })
  .superRefine((r, ctx) => {
    scoresMatchAlternatives('alternative_scores', 'alternatives_considered')(
      { alternativeScores: r.alternative_scores, alternativesConsidered: r.alternatives_considered },
      ctx,
    );
    if (r.status === 'pending' && r.completed_at !== null) {
      ctx.addIssue({ code: 'custom', path: ['completed_at'], message: 'completed_at must be null while status is pending' });
    }
    if (r.completed !== (r.status === 'completed')) {
      ctx.addIssue({ code: 'custom', path: ['completed'], message: 'completed must be true exactly when status is completed' });
    }
    if (r.completed_at !== null && Date.parse(r.completed_at) < Date.parse(r.invoked_at)) {
      ctx.addIssue({ code: 'custom', path: ['completed_at'], message: `completed_at must not be earlier than invoked_at (${r.invoked_at})` });
    }
  });
export type McpInvocationRecordInput = z.input<typeof McpInvocationRecordSchema>;
export type McpInvocationRecord = z.output<typeof McpInvocationRecordSchema>;

/** The end of an invocation already sent, snake_case. Applied at most once. */
export const McpCompletionSchema = z.strictObject({
  invocation_id: McpInvocationIdSchema,
  completed: booleanField('completed'),
  completed_at: instantField('completed_at'),
  duration_seconds: durationField('duration_seconds').nullable().default(null),
  follow_up_actions: listOrEmpty('follow_up_actions'),
  error_type: nameField('error_type').nullable().default(null),
});
export type McpCompletionInput = z.input<typeof McpCompletionSchema>;
export type McpCompletion = z.output<typeof McpCompletionSchema>;

const batchList = <T extends z.ZodType>(item: T, field: string) =>
  z.array(item, typed(field, 'a list')).max(MCP_BATCH_LIMIT, {
    error: `${field} must have at most ${MCP_BATCH_LIMIT} entries (send several calls)`,
  });

/**
 * Arguments of `track_invocations`: records with client ids (pending or finished), for
 * throughput and spool replay. Records whose id is stored already are skipped and counted;
 * `completions` end invocations sent before (at most once); `abandon` marks pending ones abandoned.
 */
export const TrackInvocationsArgsSchema = z.strictObject({
  invocations: batchList(McpInvocationRecordSchema, 'invocations'),
  completions: optionalArg(batchList(McpCompletionSchema, 'completions')),
  abandon: optionalArg(batchList(McpInvocationIdSchema, 'abandon')),
  /** The project of every record, completion and abandon of the call. */
  project: projectArg,
});
export type TrackInvocationsArgs = z.input<typeof TrackInvocationsArgsSchema>;

/** Result of `track_invocations`: the store's batch result, snake_case, plus how many were abandoned. */
export const TrackInvocationsResultSchema = z.object({
  inserted: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  completed: z.number().int().nonnegative(),
  abandoned: z.number().int().nonnegative(),
  already_finished: z.array(z.string()),
  unknown: z.array(z.string()),
});
export type TrackInvocationsResult = z.output<typeof TrackInvocationsResultSchema>;

// ---------------------------------------------------------------------------------------------
// recommend_skills / get_recommendations

/** Arguments of `recommend_skills`. `session_id` is accepted for the original client and not used. */
export const RecommendSkillsArgsSchema = z.strictObject({
  user_query: queryField('user_query').pipe(z.string().min(1, { error: 'user_query must not be empty' })),
  limit: optionalArg(
    z
      .number(typed('limit', 'a number'))
      .int({ error: 'limit must be a whole number' })
      .min(1, { error: 'limit must be at least 1' })
      .max(LIMITS.maxRecommendations, { error: `limit must be at most ${LIMITS.maxRecommendations}` }),
  ),
  workflow_phase: optionalArg(nameField('workflow_phase')),
  session_id: optionalArg(nameField('session_id')),
  project: projectArg,
});
export type RecommendSkillsArgs = z.input<typeof RecommendSkillsArgsSchema>;

/** One recommendation, snake_case (the protocol's `Recommendation`). */
export const McpRecommendationSchema = z.object({
  skill_name: z.string(),
  score: z.number(),
  similarity_score: z.number(),
  success_rate: z.number(),
  completed: z.boolean(),
  duration_seconds: z.number().nullable(),
  workflow_phase: z.string().nullable(),
  invocation_count: z.number().int().nonnegative(),
  reason: z.string(),
});
export type McpRecommendation = z.output<typeof McpRecommendationSchema>;

/** Result of `recommend_skills`: best first. */
export const RecommendSkillsResultSchema = z.object({ recommendations: z.array(McpRecommendationSchema) });
export type RecommendSkillsResult = z.output<typeof RecommendSkillsResultSchema>;

// ---------------------------------------------------------------------------------------------
// skill_stats

/** Arguments of `skill_stats`: all optional filters. `since` takes an instant or a duration back from now (`7d`). */
export const SkillStatsArgsSchema = z.strictObject({
  skill_name: optionalArg(nameField('skill_name')),
  workflow_phase: optionalArg(nameField('workflow_phase')),
  since: optionalArg(sinceField('since')),
  project: projectArg,
});
export type SkillStatsArgs = z.input<typeof SkillStatsArgsSchema>;

/** Statistics of one skill, snake_case (the protocol's `SkillStats`). */
export const McpSkillStatsSchema = z.object({
  skill_name: z.string(),
  workflow_phase: z.string().nullable().optional(),
  invocations: z.number().int().nonnegative(),
  completed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  abandoned: z.number().int().nonnegative(),
  pending: z.number().int().nonnegative(),
  success_rate: z.number().nullable(),
  mean_duration_seconds: z.number().nullable(),
  p50_duration_seconds: z.number().nullable(),
  p95_duration_seconds: z.number().nullable(),
  last_used: z.string().nullable(),
});
export type McpSkillStats = z.output<typeof McpSkillStatsSchema>;

/** Result of `skill_stats`: most used first. */
export const SkillStatsResultSchema = z.object({ skills: z.array(McpSkillStatsSchema) });
export type SkillStatsResult = z.output<typeof SkillStatsResultSchema>;

// ---------------------------------------------------------------------------------------------
// health_check and GET /health

/** Arguments of `health_check`: the project whose invocations it counts, optional. */
export const HealthCheckArgsSchema = z.strictObject({ project: projectArg });
export type HealthCheckArgs = z.input<typeof HealthCheckArgsSchema>;

/** What `health_check` and `GET /health` answer. */
export const ServerHealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptime_seconds: z.number().nonnegative(),
  database: z.object({
    path: z.string(),
    invocations: z.number().int().nonnegative().nullable(),
    /** Set when the database could not be read. */
    error: z.string().optional(),
  }),
  /** The project whose invocations `database.invocations` counts. */
  project: z.string().optional(),
  /** The embedder's id, or null until it is loaded. */
  embedder: z.string().nullable(),
  transport: z.enum(['http', 'stdio']),
});
export type ServerHealth = z.output<typeof ServerHealthSchema>;

// ---------------------------------------------------------------------------------------------
// Mapping between the protocol's camelCase shapes and the tools' snake_case shapes.

/** A stored record as `track_invocations` carries it. */
export function toMcpRecord(r: InvocationRecord): McpInvocationRecord {
  return {
    invocation_id: r.id,
    session_id: r.sessionId,
    skill_name: r.skillName,
    invoked_at: r.invokedAt,
    status: r.status,
    completed: r.completed,
    completed_at: r.completedAt,
    duration_seconds: r.durationSeconds,
    user_query: r.userQuery,
    workflow_phase: r.workflowPhase,
    alternatives_considered: [...r.alternativesConsidered],
    alternative_scores: r.alternativeScores?.length ? [...r.alternativeScores] : undefined,
    selection_rank: r.selectionRank,
    follow_up_actions: [...r.followUpActions],
    error_type: r.errorType,
    source: r.source ?? null,
  };
}

/** A parsed `track_invocations` record as the store takes it. Empty `user_query` becomes null. */
export function fromMcpRecord(r: McpInvocationRecord): InvocationRecord {
  return {
    id: r.invocation_id,
    sessionId: r.session_id,
    skillName: r.skill_name,
    invokedAt: r.invoked_at,
    status: r.status,
    completed: r.completed,
    completedAt: r.completed_at,
    durationSeconds: r.duration_seconds,
    userQuery: r.user_query || null,
    workflowPhase: r.workflow_phase,
    alternativesConsidered: r.alternatives_considered,
    ...(r.alternative_scores?.length ? { alternativeScores: r.alternative_scores } : {}),
    selectionRank: r.selection_rank,
    followUpActions: r.follow_up_actions,
    errorType: r.error_type,
    source: r.source,
  };
}

/** A completion as `track_invocations` carries it. */
export function toMcpCompletion(c: Completion): McpCompletion {
  return {
    invocation_id: c.id,
    completed: c.completed,
    completed_at: c.completedAt,
    duration_seconds: c.durationSeconds,
    follow_up_actions: [...(c.followUpActions ?? [])],
    error_type: c.errorType ?? null,
  };
}

/** A parsed completion as the store takes it. */
export function fromMcpCompletion(c: McpCompletion): Completion {
  return {
    id: c.invocation_id,
    completed: c.completed,
    completedAt: c.completed_at,
    durationSeconds: c.duration_seconds,
    followUpActions: c.follow_up_actions,
    errorType: c.error_type,
  };
}

/** A batch result as `track_invocations` answers it. */
export function toMcpBatchResult(r: BatchResult, abandoned = 0): TrackInvocationsResult {
  return {
    inserted: r.inserted,
    duplicates: r.duplicates,
    completed: r.completed,
    abandoned,
    already_finished: [...r.alreadyFinished],
    unknown: [...r.unknown],
  };
}

export function toMcpRecommendation(r: Recommendation): McpRecommendation {
  return {
    skill_name: r.skillName,
    score: r.score,
    similarity_score: r.similarityScore,
    success_rate: r.successRate,
    completed: r.completed,
    duration_seconds: r.durationSeconds,
    workflow_phase: r.workflowPhase,
    invocation_count: r.invocationCount,
    reason: r.reason,
  };
}

export function fromMcpRecommendation(r: McpRecommendation): Recommendation {
  return {
    skillName: r.skill_name,
    score: r.score,
    similarityScore: r.similarity_score,
    successRate: r.success_rate,
    completed: r.completed,
    durationSeconds: r.duration_seconds,
    workflowPhase: r.workflow_phase,
    invocationCount: r.invocation_count,
    reason: r.reason,
  };
}

export function toMcpSkillStats(s: SkillStats): McpSkillStats {
  return {
    skill_name: s.skillName,
    ...(s.workflowPhase !== undefined ? { workflow_phase: s.workflowPhase } : {}),
    invocations: s.invocations,
    completed: s.completed,
    failed: s.failed,
    abandoned: s.abandoned,
    pending: s.pending,
    success_rate: s.successRate,
    mean_duration_seconds: s.meanDurationSeconds,
    p50_duration_seconds: s.p50DurationSeconds,
    p95_duration_seconds: s.p95DurationSeconds,
    last_used: s.lastUsed,
  };
}

export function fromMcpSkillStats(s: McpSkillStats): SkillStats {
  return {
    skillName: s.skill_name,
    ...(s.workflow_phase !== undefined ? { workflowPhase: s.workflow_phase } : {}),
    invocations: s.invocations,
    completed: s.completed,
    failed: s.failed,
    abandoned: s.abandoned,
    pending: s.pending,
    successRate: s.success_rate,
    meanDurationSeconds: s.mean_duration_seconds,
    p50DurationSeconds: s.p50_duration_seconds,
    p95DurationSeconds: s.p95_duration_seconds,
    lastUsed: s.last_used,
  };
}
