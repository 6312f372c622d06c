import { z } from 'zod';
import { LIMITS } from './limits.js';
import { booleanField, durationField, idField, instantField, nameField, nameListField, queryField, rankField, typed } from './fields.js';
import { projectField } from './projects.js';

/** A skill (agent) name, e.g. `code-reviewer`. */
export const SkillNameSchema = nameField('skillName');
/** A session id: one run of an agent framework. */
export const SessionIdSchema = nameField('sessionId');
/** A workflow phase, e.g. `planning`, `implementation`, `verification`. Free-form. */
export const WorkflowPhaseSchema = nameField('workflowPhase');
/** The class of an error that ended an invocation (never its message). */
export const ErrorTypeSchema = nameField('errorType');

/**
 * Which integration recorded an invocation: `claude-code`, `ai-sdk`, `langchain`, `mcp` (a plain
 * MCP client), `cli`, or another short name a host picks.
 */
export const SourceSchema = nameField('source');

/** The text the user asked, as the host saw it. */
export const UserQuerySchema = queryField('userQuery');

/** Rank of the chosen skill among those considered: 1 is the first choice. */
export const SelectionRankSchema = rankField('selectionRank');

/**
 * The scores the recommendations shown gave each of `alternativesConsidered`, in the same order:
 * finite numbers (a recommendation's `score`). Kept so that the ranker can be judged offline on a
 * team's own history (`skills eval`).
 */
export const alternativeScoresField = (field: string) =>
  z
    .array(z.number(typed(`${field} entry`, 'a number')).finite({ error: `${field} entry must be a finite number` }), typed(field, 'a list of numbers'))
    .max(LIMITS.listLength, { error: `${field} must have at most ${LIMITS.listLength} entries` });

/** Refines an object holding both lists: scores, when given, pair one to one with the alternatives. */
export function scoresMatchAlternatives(scoresField: string, alternativesField: string) {
  return (value: { alternativeScores?: readonly number[] | undefined; alternativesConsidered?: readonly string[] | undefined }, ctx: z.RefinementCtx) => {
    const scores = value.alternativeScores ?? [];
    const alternatives = value.alternativesConsidered ?? [];
    if (scores.length > 0 && scores.length !== alternatives.length) {
      ctx.addIssue({
        code: 'custom',
        path: [scoresField],
        message: `${scoresField} must have one score per entry of ${alternativesField} (${alternatives.length}), got ${scores.length}`,
      });
    }
  };
}

/** What `trackInvocation` accepts. */
export const TrackInvocationInputSchema = z
  .strictObject({
    skillName: SkillNameSchema,
    userQuery: UserQuerySchema.optional(),
    workflowPhase: WorkflowPhaseSchema.optional(),
    alternativesConsidered: nameListField('alternativesConsidered').optional(),
    /** The shown recommendations' scores of `alternativesConsidered`, in its order. */
    alternativeScores: alternativeScoresField('alternativeScores').optional(),
    selectionRank: SelectionRankSchema.optional(),
    source: SourceSchema.optional(),
  })
  .superRefine(scoresMatchAlternatives('alternativeScores', 'alternativesConsidered'));
export type TrackInvocationInput = z.input<typeof TrackInvocationInputSchema>;
export type TrackInvocation = z.output<typeof TrackInvocationInputSchema>;

/**
 * What a completer accepts when the skill finishes. `completed` defaults to true. `durationSeconds`
 * is for hosts that measure the run themselves (the AI SDK, Claude Code): it replaces the
 * tracker's own measurement from track to completion.
 */
export const CompleteInvocationInputSchema = z.strictObject({
  completed: booleanField('completed').default(true),
  followUpActions: nameListField('followUpActions').optional(),
  errorType: ErrorTypeSchema.optional(),
  durationSeconds: durationField('durationSeconds').optional(),
});
export type CompleteInvocationInput = z.input<typeof CompleteInvocationInputSchema>;
export type CompleteInvocation = z.output<typeof CompleteInvocationInputSchema>;

/**
 * Lifecycle of an invocation: `pending` until completed; `completed` or `failed` once;
 * `abandoned` when it was never completed (tracker closed, or too old).
 */
export const InvocationStatusSchema = z.enum(['pending', 'completed', 'failed', 'abandoned']);
export type InvocationStatus = z.infer<typeof InvocationStatusSchema>;

/**
 * The fields of {@link InvocationRecordSchema} without its rule across fields, for schemas built
 * from some of them (zod cannot pick from a refined object).
 */
export const InvocationRecordFieldsSchema = z
  .strictObject({
    id: idField('id'),
    skillName: SkillNameSchema,
    sessionId: SessionIdSchema,
    invokedAt: instantField('invokedAt'),
    status: InvocationStatusSchema,
    /** True when the skill finished successfully. */
    completed: z.boolean(),
    completedAt: instantField('completedAt').nullable(),
    /** Wall time between track and completion, from a monotonic clock, or as the host measured it. */
    durationSeconds: durationField('durationSeconds').nullable(),
    userQuery: UserQuerySchema.nullable(),
    workflowPhase: WorkflowPhaseSchema.nullable(),
    alternativesConsidered: nameListField('alternativesConsidered'),
    /** Scores of `alternativesConsidered` as shown (see {@link alternativeScoresField}); absent when not kept. */
    alternativeScores: alternativeScoresField('alternativeScores').optional(),
    selectionRank: SelectionRankSchema.nullable(),
    followUpActions: nameListField('followUpActions'),
    errorType: ErrorTypeSchema.nullable(),
    /**
     * The integration that recorded it (see {@link SourceSchema}); null or absent when unknown
     * (records written before sources were kept). Stores read it back as null when unknown.
     */
    source: SourceSchema.nullish(),
    /**
     * The project it belongs to (see `ProjectScopes`). Absent when written: the view's project, or
     * `default`. Stores always read it back.
     */
    project: projectField('project').optional(),
  });

/** The stored record of one invocation. Timestamps are UTC ISO-8601. */
export const InvocationRecordSchema = InvocationRecordFieldsSchema.superRefine(
  scoresMatchAlternatives('alternativeScores', 'alternativesConsidered'),
);
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
  /** The learned ranker's score, 0..1, when it ranked this skill (absent with the similarity ranker or too little history). */
  learnedScore: z.number().min(0).max(1).optional(),
});
export type Recommendation = z.infer<typeof RecommendationSchema>;
