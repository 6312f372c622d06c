import {
  completionOf,
  finishedRecord,
  LIMITS,
  pendingRecord,
  type Completion,
  type InvocationRecord,
  type Recommendation,
  type RecommendationQueryInput,
  type TrackInvocation,
} from '@skills/protocol';
import { cleanQuery } from './clean.js';
import {
  parseHookEvent,
  type PostToolUseEvent,
  type PostToolUseFailureEvent,
  type PreToolUseEvent,
  type SessionEndEvent,
  type StopEvent,
  type StopFailureEvent,
  type UserPromptSubmitEvent,
} from './events.js';
import type { HookSettings } from './hook-settings.js';
import { invocationIdFor } from './invocation-id.js';
import { shownContext } from './recommendation-context.js';
import type { PromptState, SessionStates } from './session-state.js';
import { skillOf } from './skill-of.js';
import { SOURCE } from './source.js';

/** Writes of one hook event, applied together: inserts, then completions, then abandonments. */
export interface HookWrites {
  /** Records with their ids: one whose id is stored already is skipped (a replay). */
  readonly inserts?: readonly InvocationRecord[];
  /** Ends of invocations: one already finished is ignored. */
  readonly completions?: readonly Completion[];
  /** Ids of invocations to mark abandoned when still pending. */
  readonly abandon?: readonly string[];
}

/** Everything {@link handleHookEvent} acts through: the command gives real ones, tests may give their own. */
export interface HookDeps {
  readonly settings: HookSettings;
  readonly sessions: SessionStates;
  /** Applies writes to the store (directly or through the server). */
  write(writes: HookWrites): Promise<void>;
  /** Skills for a prompt, above the recommender's similarity threshold, best first. */
  recommend(query: RecommendationQueryInput): Promise<Recommendation[]>;
  /** Where ignored events and failures are told (the hook's log file). */
  log(message: string): void;
  /**
   * Applied to a prompt before it is kept or used (the `redactSecrets` setting: `redactSecrets`
   * of `@skills/tracker`), so that neither the session state nor the store ever holds a secret.
   */
  redact?(prompt: string): string;
  /** The clock; default `Date.now`. */
  now?(): number;
}

/** What the hook answers to Claude Code: only `UserPromptSubmit` answers, with context. */
export interface HookOutput {
  readonly hookSpecificOutput: { readonly hookEventName: 'UserPromptSubmit'; readonly additionalContext: string };
}

/**
 * Acts on one Claude Code hook event (its JSON input, parsed) and returns the JSON to answer,
 * or null for no answer. Never throws: an event that is malformed or not one this hook acts on,
 * a tool call that is no skill or cannot be recorded, and a failing store or recommender are
 * logged through `deps.log` and answered with null (or with what could still be answered).
 *
 * - `UserPromptSubmit`: remembers the prompt as the session's query; with recommendations on,
 *   answers the top skills as `additionalContext` and remembers the ones it named (names,
 *   scores, order).
 * - `PreToolUse` of a skill (see `settings.tools`): a pending invocation with the query, the
 *   phase, and, when the skill was recommended for this prompt, the recommendations shown as
 *   `alternativesConsidered` (the chosen one among them) with their scores as
 *   `alternativeScores`, and its 1-based place as `selectionRank`.
 * - `PostToolUse` / `PostToolUseFailure`: the finished invocation, by the id both derive from
 *   `tool_use_id`: it completes the pending one, or records it whole when the PreToolUse never
 *   came (or comes later: its insert is then a duplicate); a replay changes nothing.
 * - `Stop` / `StopFailure`: invocations of the main agent still open are abandoned; `SessionEnd`:
 *   every invocation of the session still open is abandoned and the session forgotten.
 *
 * @example
 * const output = await handleHookEvent(JSON.parse(stdin), deps);
 * if (output) process.stdout.write(JSON.stringify(output));
 */
export async function handleHookEvent(input: unknown, deps: HookDeps): Promise<HookOutput | null> {
  const parsed = parseHookEvent(input);
  if (!parsed.ok) {
    deps.log(`ignored: ${parsed.reason}`);
    return null;
  }
  const event = parsed.event;
  try {
    switch (event.hook_event_name) {
      case 'UserPromptSubmit':
        return await onPrompt(event, deps);
      case 'PreToolUse':
        await onPreToolUse(event, deps);
        return null;
      case 'PostToolUse':
      case 'PostToolUseFailure':
        await onPostToolUse(event, deps);
        return null;
      case 'Stop':
      case 'StopFailure':
      case 'SessionEnd':
        await onStop(event, deps);
        return null;
    }
  } catch (error) {
    deps.log(`${event.hook_event_name} failed: ${(error as Error).message ?? String(error)}`);
    return null;
  }
}

async function onPrompt(event: UserPromptSubmitEvent, deps: HookDeps): Promise<HookOutput | null> {
  const query = cleanQuery(deps.redact ? deps.redact(event.prompt) : event.prompt) ?? null;
  const state: PromptState = { promptId: event.prompt_id ?? null, query, recommendations: [] };
  // Remembered before recommending, so that a slow or failing recommender still leaves the query.
  deps.sessions.writePrompt(event.session_id, state);
  if (!deps.settings.recommend || query === null) return null;
  let recommendations: Recommendation[];
  try {
    const phase = phaseOf(event, deps);
    recommendations = await deps.recommend({ userQuery: query, ...(phase ? { workflowPhase: phase } : {}) });
  } catch (error) {
    deps.log(`UserPromptSubmit: no recommendations: ${(error as Error).message ?? String(error)}`);
    return null;
  }
  const { context, shown } = shownContext(recommendations.slice(0, LIMITS.listLength));
  if (context === '') return null;
  deps.sessions.writePrompt(event.session_id, { ...state, recommendations: shown.map((r) => ({ skillName: r.skillName, score: r.score })) });
  return { hookSpecificOutput: { hookEventName: 'UserPromptSubmit', additionalContext: context } };
}

async function onPreToolUse(event: PreToolUseEvent, deps: HookDeps): Promise<void> {
  const start = startOf(event, deps);
  if (!start) return;
  const id = invocationIdFor(event.session_id, event.tool_use_id);
  const invokedAt = new Date(now(deps)).toISOString();
  // Remembered first: should the write fail half-way, Stop still abandons what may be stored.
  deps.sessions.open(event.session_id, { id, invokedAt, main: event.agent_id === undefined });
  await deps.write({ inserts: [pendingRecord(start, { id, sessionId: event.session_id, invokedAt })] });
}

async function onPostToolUse(event: PostToolUseEvent | PostToolUseFailureEvent, deps: HookDeps): Promise<void> {
  const start = startOf(event, deps);
  if (!start) return;
  const id = invocationIdFor(event.session_id, event.tool_use_id);
  const open = deps.sessions.getOpen(event.session_id, id);
  const at = now(deps);
  const durationMs = event.duration_ms ?? (open ? at - Date.parse(open.invokedAt) : null);
  const invokedAt = open?.invokedAt ?? new Date(at - (durationMs ?? 0)).toISOString();
  const outcome = event.hook_event_name === 'PostToolUse' ? { completed: true } : { completed: false, errorType: errorTypeOf(event) };
  const completedAt = new Date(Math.max(at, Date.parse(invokedAt))).toISOString();
  const completion =
    durationMs === null
      ? { ...completionOf(id, outcome, completedAt, 0), durationSeconds: null }
      : completionOf(id, outcome, completedAt, durationMs / 1000);
  // The whole record too: when the PreToolUse did not come first, this records the invocation;
  // when it did, the insert is a duplicate and the completion ends the pending record.
  const record = finishedRecord(pendingRecord(start, { id, sessionId: event.session_id, invokedAt }), completion);
  await deps.write({ inserts: [record], completions: [completion] });
  deps.sessions.close(event.session_id, [id]);
}

/*
 * Which end abandons what. `Stop` fires once per turn, when the main agent has answered, and the
 * (synchronous) Pre/PostToolUse hooks of the main agent's tool calls have all run by then: a
 * main-agent invocation still open was denied or cancelled (neither fires a PostToolUse), so Stop
 * abandons those. Subagent calls are left open at Stop: background subagents (the default since
 * Claude Code 2.1.198) keep calling tools after the main turn ended, and their PostToolUse is
 * still to come. `SessionEnd` abandons everything still open. A user interrupt fires no Stop; what
 * it left open is abandoned at the next Stop. (With `"async": true` Pre/Post hooks a Post may
 * arrive after Stop; it then finds its invocation abandoned, and the store keeps it so.)
 */
async function onStop(event: StopEvent | StopFailureEvent | SessionEndEvent, deps: HookDeps): Promise<void> {
  const ending = event.hook_event_name === 'SessionEnd';
  const open = deps.sessions.listOpen(event.session_id).filter((o) => ending || o.main);
  const ids = open.map((o) => o.id);
  if (ids.length > 0) await deps.write({ abandon: ids });
  if (ending) deps.sessions.end(event.session_id);
  else deps.sessions.close(event.session_id, ids);
}

/** What a skill's tool call records at its start, or undefined when the tool is no skill (or cannot be recorded). */
function startOf(event: PreToolUseEvent | PostToolUseEvent | PostToolUseFailureEvent, deps: HookDeps): TrackInvocation | undefined {
  const skill = skillOf(event.tool_name, event.tool_input, deps.settings.tools);
  if (skill.kind === 'not-a-skill') return undefined;
  if (skill.kind === 'skip') {
    deps.log(`${event.hook_event_name}: not recorded: ${skill.reason}`);
    return undefined;
  }
  const prompt = deps.sessions.readPrompt(event.session_id);
  // The remembered prompt is this call's only when it is the same prompt (when both carry an id).
  const current = prompt && (prompt.promptId === null || event.prompt_id === undefined || prompt.promptId === event.prompt_id) ? prompt : null;
  const rank = current ? current.recommendations.findIndex((r) => r.skillName === skill.name) + 1 : 0;
  const phase = phaseOf(event, deps);
  return {
    skillName: skill.name,
    source: SOURCE,
    ...(current?.query ? { userQuery: current.query } : {}),
    ...(phase ? { workflowPhase: phase } : {}),
    ...(rank > 0
      ? {
          alternativesConsidered: current!.recommendations.map((r) => r.skillName),
          alternativeScores: current!.recommendations.map((r) => r.score),
          selectionRank: rank,
        }
      : {}),
  };
}

/** The phase setting, else `plan` in plan mode (some events carry no `permission_mode`). */
function phaseOf(event: { readonly permission_mode?: string | undefined }, deps: HookDeps): string | undefined {
  return deps.settings.phase ?? (event.permission_mode === 'plan' ? 'plan' : undefined);
}

/** The class of a failure, never its text: an interrupt, a command's exit code, or a tool error. */
export function errorTypeOf(event: Pick<PostToolUseFailureEvent, 'error' | 'is_interrupt'>): string {
  if (event.is_interrupt) return 'interrupted';
  if (/^Exit code \d+/.test(event.error)) return 'exit_code';
  return 'tool_error';
}

function now(deps: HookDeps): number {
  return deps.now ? deps.now() : Date.now();
}
