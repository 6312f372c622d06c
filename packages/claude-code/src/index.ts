/**
 * Claude Code hooks for skills: the `skills-hook` command (bin) and the core it runs.
 *
 * @packageDocumentation
 */

export { SOURCE } from './source.js';
export { handleHookEvent, errorTypeOf, type HookDeps, type HookOutput, type HookWrites } from './handle-hook-event.js';
export { parseHookEvent, type HookEvent, type HookEventName, type ParsedHookEvent } from './events.js';
export { readHookSettings, hookSettingsQuery, withHookSettingsQuery, HOOK_QUERY_PARAMETERS, DEFAULT_TOOL_PATTERN, DEFAULT_HOOK_TIMEOUT_MS, type HookSettings } from './hook-settings.js';
export { invocationIdFor } from './invocation-id.js';
export { skillOf, DEFAULT_SUBAGENT, type SkillOf } from './skill-of.js';
export { FileSessionStates, type SessionStates, type PromptState, type OpenInvocation, type ShownRecommendation } from './session-state.js';
export { recommendationContext } from './recommendation-context.js';
export { hookLogPath, hooksDir, readHookLog, HOOK_LOG_MAX_BYTES } from './hook-log.js';
export { runHook, drainHookJournal, type RunHookOptions } from './command.js';
export { journalBacklog } from './journal.js';
export { openHookBackend, type HookBackend } from './backend.js';
export { claudeHooks, printSettings, HOOK_ENDPOINT_PATH, type ClaudeHooks } from './settings-snippet.js';
export { createHookEndpoint, type HookEndpointOptions } from './http-endpoint.js';
