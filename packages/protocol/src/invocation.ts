import { z } from 'zod';
import { LIMITS } from './limits.js';

const name = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .trim()
    .min(1, { error: `${what} must not be empty` })
    .max(LIMITS.nameLength, { error: `${what} must be at most ${LIMITS.nameLength} characters` });

/** A skill (agent) name, e.g. `code-reviewer`. */
export const SkillNameSchema = name('skillName');
/** A session id: one run of an agent framework. */
export const SessionIdSchema = name('sessionId');
/** A workflow phase, e.g. `planning`, `implementation`, `verification`. Free-form. */
export const WorkflowPhaseSchema = name('workflowPhase');
/** The class of an error that ended an invocation (never its message). */
export const ErrorTypeSchema = name('errorType');

const nameList = (what: string) =>
  z
    .array(name(`${what} entry`))
    .max(LIMITS.listLength, { error: `${what} must have at most ${LIMITS.listLength} entries` });

/** The text the user asked, as the host saw it. */
export const UserQuerySchema = z
  .string()
  .trim()
  .max(LIMITS.queryLength, { error: `userQuery must be at most ${LIMITS.queryLength} characters` });

/** Rank of the chosen skill among those considered: 1 is the first choice. */
export const SelectionRankSchema = z
  .number()
  .int({ error: 'selectionRank must be a whole number' })
  .min(1, { error: 'selectionRank must be at least 1 (1 = first choice)' })
  .max(LIMITS.maxRank, { error: `selectionRank must be at most ${LIMITS.maxRank}` });

/** What `trackInvocation` accepts. */
export const TrackInvocationInputSchema = z.strictObject({
  skillName: SkillNameSchema,
  userQuery: UserQuerySchema.optional(),
  workflowPhase: WorkflowPhaseSchema.optional(),
  alternativesConsidered: nameList('alternativesConsidered').optional(),
  selectionRank: SelectionRankSchema.optional(),
});
export type TrackInvocationInput = z.input<typeof TrackInvocationInputSchema>;
export type TrackInvocation = z.output<typeof TrackInvocationInputSchema>;

/** What a completer accepts when the skill finishes. `completed` defaults to true. */
export const CompleteInvocationInputSchema = z.strictObject({
  completed: z.boolean({ error: 'completed must be true or false' }).default(true),
  followUpActions: nameList('followUpActions').optional(),
  errorType: ErrorTypeSchema.optional(),
});
export type CompleteInvocationInput = z.input<typeof CompleteInvocationInputSchema>;
export type CompleteInvocation = z.output<typeof CompleteInvocationInputSchema>;

/**
 * Lifecycle of an invocation: `pending` until completed; `completed` or `failed` once;
 * `abandoned` when it was never completed (tracker closed, or too old).
 */
export const InvocationStatusSchema = z.enum(['pending', 'completed', 'failed', 'abandoned']);
export type InvocationStatus = z.infer<typeof InvocationStatusSchema>;

const isoInstant = (what: string) =>
  z.iso.datetime({ offset: true, error: `${what} must be an ISO-8601 date-time with a zone` });

/** The stored record of one invocation. Timestamps are UTC ISO-8601. */
export const InvocationRecordSchema = z.strictObject({
  id: z.string().min(1).max(LIMITS.nameLength),
  skillName: SkillNameSchema,
  sessionId: SessionIdSchema,
  invokedAt: isoInstant('invokedAt'),
  status: InvocationStatusSchema,
  /** True when the skill finished successfully. */
  completed: z.boolean(),
  completedAt: isoInstant('completedAt').nullable(),
  /** Wall time between track and completion, from a monotonic clock. */
  durationSeconds: z.number().finite().nonnegative({ error: 'durationSeconds must not be negative' }).nullable(),
  userQuery: UserQuerySchema.nullable(),
  workflowPhase: WorkflowPhaseSchema.nullable(),
  alternativesConsidered: nameList('alternativesConsidered'),
  selectionRank: SelectionRankSchema.nullable(),
  followUpActions: nameList('followUpActions'),
  errorType: ErrorTypeSchema.nullable(),
});
export type InvocationRecord = z.infer<typeof InvocationRecordSchema>;

/** What `getRecommendations` accepts. */
export const RecommendationQuerySchema = z.strictObject({
  userQuery: UserQuerySchema.pipe(z.string().min(1, { error: 'userQuery must not be empty' })),
  limit: z
    .number()
    .int({ error: 'limit must be a whole number' })
    .min(1, { error: 'limit must be at least 1' })
    .max(LIMITS.maxRecommendations, { error: `limit must be at most ${LIMITS.maxRecommendations}` })
    .optional(),
  workflowPhase: WorkflowPhaseSchema.optional(),
});
export type RecommendationQueryInput = z.input<typeof RecommendationQuerySchema>;
export type RecommendationQuery = z.output<typeof RecommendationQuerySchema>;

/** One recommended skill, best first in a list. */
export const RecommendationSchema = z.strictObject({
  skillName: z.string(),
  /** Overall score used for ordering (higher is better). */
  score: z.number(),
  /** How close past queries of this skill are to the asked one, 0..1. */
  similarityScore: z.number().min(0).max(1),
  /** Smoothed success rate, 0..1. */
  successRate: z.number().min(0).max(1),
  /** True when the smoothed success rate is at least one half. */
  completed: z.boolean(),
  /** Mean duration of completed runs, or null when none completed. */
  durationSeconds: z.number().nullable(),
  /** The phase where this skill is most effective, or null when unknown. */
  workflowPhase: z.string().nullable(),
  invocationCount: z.number().int().nonnegative(),
  /** Why it was recommended, for people. */
  reason: z.string(),
});
export type Recommendation = z.infer<typeof RecommendationSchema>;
