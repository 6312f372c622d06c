import { z } from 'zod';
import { LIMITS } from '@skills/protocol';

/*
 * The Claude Code hook events this package acts on, as the hooks reference documents their input
 * (https://code.claude.com/docs/en/hooks, "Hook input"). Only the fields used here are required;
 * every other documented field is optional, and fields Claude Code adds later pass through
 * (loose objects), so a newer Claude Code never makes an event "malformed".
 */

const text = (field: string) => z.string({ error: (i) => (i.input === undefined ? `${field} is required` : `${field} must be a string`) });
const optionalText = (field: string) => text(field).optional();

/** Ids Claude Code gives: non-empty, and short enough to be stored as a name. */
const idText = (field: string) =>
  text(field)
    .min(1, { error: `${field} must not be empty` })
    .max(LIMITS.nameLength, { error: `${field} must be at most ${LIMITS.nameLength} characters` });

/** Fields every event carries (`permission_mode`, `prompt_id`, `agent_*` only on some). */
const common = {
  session_id: idText('session_id'),
  transcript_path: optionalText('transcript_path'),
  cwd: optionalText('cwd'),
  /** The current user prompt's id (Claude Code 2.1.196+). */
  prompt_id: optionalText('prompt_id'),
  permission_mode: optionalText('permission_mode'),
  effort: z.looseObject({ level: z.string().optional() }).optional(),
  /** Set only inside a subagent. */
  agent_id: optionalText('agent_id'),
  agent_type: optionalText('agent_type'),
};

const toolInput = z.record(z.string(), z.unknown(), { error: 'tool_input must be an object' });
const durationMs = z
  .number({ error: 'duration_ms must be a number' })
  .finite({ error: 'duration_ms must be a finite number' })
  .nonnegative({ error: 'duration_ms must not be negative' })
  .optional();

const tool = {
  tool_name: text('tool_name').min(1, { error: 'tool_name must not be empty' }),
  tool_input: toolInput,
  tool_use_id: idText('tool_use_id'),
};

export const UserPromptSubmitSchema = z.looseObject({
  ...common,
  hook_event_name: z.literal('UserPromptSubmit'),
  prompt: text('prompt'),
});

export const PreToolUseSchema = z.looseObject({ ...common, hook_event_name: z.literal('PreToolUse'), ...tool });

export const PostToolUseSchema = z.looseObject({
  ...common,
  hook_event_name: z.literal('PostToolUse'),
  ...tool,
  tool_response: z.unknown(),
  /** Execution time, without permission prompts and PreToolUse hooks (Claude Code 2.1.119+). */
  duration_ms: durationMs,
});

export const PostToolUseFailureSchema = z.looseObject({
  ...common,
  hook_event_name: z.literal('PostToolUseFailure'),
  ...tool,
  error: text('error'),
  is_interrupt: z.boolean({ error: 'is_interrupt must be true or false' }).optional(),
  duration_ms: durationMs,
});

export const StopSchema = z.looseObject({
  ...common,
  hook_event_name: z.literal('Stop'),
  stop_hook_active: z.boolean().optional(),
  last_assistant_message: z.string().optional(),
  background_tasks: z.array(z.unknown()).optional(),
  session_crons: z.array(z.unknown()).optional(),
});

export const StopFailureSchema = z.looseObject({
  ...common,
  hook_event_name: z.literal('StopFailure'),
  error: optionalText('error'),
  error_details: z.unknown().optional(),
  last_assistant_message: z.string().optional(),
});

export const SessionEndSchema = z.looseObject({ ...common, hook_event_name: z.literal('SessionEnd'), reason: optionalText('reason') });

const SCHEMAS = {
  UserPromptSubmit: UserPromptSubmitSchema,
  PreToolUse: PreToolUseSchema,
  PostToolUse: PostToolUseSchema,
  PostToolUseFailure: PostToolUseFailureSchema,
  Stop: StopSchema,
  StopFailure: StopFailureSchema,
  SessionEnd: SessionEndSchema,
} as const;

/** The name of an event this package acts on. */
export type HookEventName = keyof typeof SCHEMAS;

export type UserPromptSubmitEvent = z.output<typeof UserPromptSubmitSchema>;
export type PreToolUseEvent = z.output<typeof PreToolUseSchema>;
export type PostToolUseEvent = z.output<typeof PostToolUseSchema>;
export type PostToolUseFailureEvent = z.output<typeof PostToolUseFailureSchema>;
export type StopEvent = z.output<typeof StopSchema>;
export type StopFailureEvent = z.output<typeof StopFailureSchema>;
export type SessionEndEvent = z.output<typeof SessionEndSchema>;

/** One hook event this package acts on, validated. */
export type HookEvent =
  | UserPromptSubmitEvent
  | PreToolUseEvent
  | PostToolUseEvent
  | PostToolUseFailureEvent
  | StopEvent
  | StopFailureEvent
  | SessionEndEvent;

/** The outcome of {@link parseHookEvent}: the event, or why it is ignored. */
export type ParsedHookEvent = { readonly ok: true; readonly event: HookEvent } | { readonly ok: false; readonly reason: string };

/**
 * Validates one hook input. Never throws: an input that is not an object, an event this package
 * does not act on, or a field that breaks its rule comes back as `{ ok: false, reason }`, the
 * reason naming the event, the field and the rule.
 *
 * @example
 * parseHookEvent({ hook_event_name: 'PreToolUse', session_id: 's', tool_name: 'Skill', tool_input: {} });
 * // { ok: false, reason: 'PreToolUse: tool_use_id is required' }
 */
export function parseHookEvent(input: unknown): ParsedHookEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, reason: 'the hook input is not a JSON object' };
  const name = (input as { hook_event_name?: unknown }).hook_event_name;
  if (typeof name !== 'string') return { ok: false, reason: 'hook_event_name is missing or not a string' };
  if (!Object.hasOwn(SCHEMAS, name)) return { ok: false, reason: `event ${JSON.stringify(name.slice(0, 60))} is not one this hook acts on` };
  const result = SCHEMAS[name as HookEventName].safeParse(input);
  if (result.success) return { ok: true, event: result.data };
  const issue = result.error.issues[0]!;
  return { ok: false, reason: `${name}: ${issue.message}${issue.path.length > 1 ? ` (at ${issue.path.join('.')})` : ''}` };
}
