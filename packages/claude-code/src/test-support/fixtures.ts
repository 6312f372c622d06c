/*
 * Hook inputs as the Claude Code hooks reference documents them (code.claude.com/docs/en/hooks,
 * read from the docs mirror synced for Claude Code v2.1.240): every field listed for each event,
 * with the documented examples' values. Builders take the ids a test needs to vary; the rest is
 * as documented. `Skill`'s `tool_input.skill` is not in the official docs (see the brief, 1.3):
 * it is what Claude Code's Skill tool takes, `{ skill, args? }`.
 */

/** Common input fields [hooks: "Common input fields"], for an event in the main agent. */
export function common(sessionId: string, promptId = '550e8400-e29b-41d4-a716-446655440000') {
  return {
    session_id: sessionId,
    prompt_id: promptId,
    transcript_path: '/home/user/.claude/projects/my-project/00893aaf-19fa-41d2-8238-13269b9b3ca0.jsonl',
    cwd: '/home/user/my-project',
    permission_mode: 'default',
  };
}

/** The fields a tool-use event carries besides the common ones. */
const effort = { effort: { level: 'high' } };

/** Fields added inside a subagent [hooks: "agent_id", "agent_type"]. */
export const inSubagent = { agent_id: 'a4d2c8f1e0b3a297', agent_type: 'Explore' };

export function userPromptSubmit(sessionId: string, prompt: string, promptId?: string) {
  return { ...common(sessionId, promptId), hook_event_name: 'UserPromptSubmit', prompt };
}

export function preToolUse(sessionId: string, toolName: string, toolInput: Record<string, unknown>, toolUseId: string, promptId?: string) {
  return { ...common(sessionId, promptId), ...effort, hook_event_name: 'PreToolUse', tool_name: toolName, tool_input: toolInput, tool_use_id: toolUseId };
}

export function postToolUse(
  sessionId: string,
  toolName: string,
  toolInput: Record<string, unknown>,
  toolUseId: string,
  toolResponse: unknown = { success: true },
  durationMs: number | undefined = 12,
  promptId?: string,
) {
  return {
    ...common(sessionId, promptId),
    ...effort,
    hook_event_name: 'PostToolUse',
    tool_name: toolName,
    tool_input: toolInput,
    tool_response: toolResponse,
    tool_use_id: toolUseId,
    ...(durationMs === undefined ? {} : { duration_ms: durationMs }),
  };
}

export function postToolUseFailure(
  sessionId: string,
  toolName: string,
  toolInput: Record<string, unknown>,
  toolUseId: string,
  error = "Exit code 1\nError: Cannot find module 'express'",
  isInterrupt = false,
  durationMs = 4187,
) {
  return {
    ...common(sessionId),
    ...effort,
    hook_event_name: 'PostToolUseFailure',
    tool_name: toolName,
    tool_input: toolInput,
    tool_use_id: toolUseId,
    error,
    is_interrupt: isInterrupt,
    duration_ms: durationMs,
  };
}

export function stop(sessionId: string) {
  return {
    ...common(sessionId),
    ...effort,
    hook_event_name: 'Stop',
    stop_hook_active: true,
    last_assistant_message: "I've completed the refactoring. Here's a summary...",
    background_tasks: [{ id: 'task-001', type: 'shell', status: 'running', description: 'tail logs', command: 'tail -f /var/log/syslog' }],
    session_crons: [{ id: 'cron-001', schedule: '0 9 * * 1-5', recurring: true, prompt: 'check the build' }],
  };
}

export function stopFailure(sessionId: string) {
  const { permission_mode: _none, ...rest } = common(sessionId);
  return {
    ...rest,
    hook_event_name: 'StopFailure',
    error: 'rate_limit',
    error_details: '429 Too Many Requests',
    last_assistant_message: 'API Error: Rate limit reached',
  };
}

/** SessionEnd's documented example carries no `permission_mode`. */
export function sessionEnd(sessionId: string, reason = 'other') {
  const { permission_mode: _none, ...rest } = common(sessionId);
  return { ...rest, hook_event_name: 'SessionEnd', reason };
}

/** `Skill` tool input. */
export const skillInput = (skill: string, args?: string) => ({ skill, ...(args === undefined ? {} : { args }) });

/** `Agent` tool input [hooks: "Agent"]. */
export const agentInput = (subagentType?: string) => ({
  prompt: 'Find all API endpoints',
  description: 'Find API endpoints',
  ...(subagentType === undefined ? {} : { subagent_type: subagentType }),
  model: 'sonnet',
});

/** A foreground `Agent` call's `tool_response` [hooks: "Agent"]. */
export const agentResponse = {
  status: 'completed',
  agentId: 'a4d2c8f1e0b3a297',
  content: [{ type: 'text', text: 'Found 12 endpoints...' }],
  resolvedModel: 'claude-sonnet-4-5',
  totalTokens: 12450,
  totalDurationMs: 48211,
  totalToolUseCount: 7,
  usage: { input_tokens: 8320, output_tokens: 512, cache_creation_input_tokens: 0, cache_read_input_tokens: 3618 },
};

/** The documented PreToolUse example (a `Bash` call: not a skill). */
export const bashPreToolUse = (sessionId: string, toolUseId: string) =>
  preToolUse(sessionId, 'Bash', { command: 'npm test', description: 'Run test suite', timeout: 120000, run_in_background: false }, toolUseId);
