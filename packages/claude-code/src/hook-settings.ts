import { LIMITS } from '@skills/protocol';
import { readHookTimeout } from './hook-timeout.js';

export { DEFAULT_HOOK_TIMEOUT_MS } from './hook-timeout.js';

/** The tools whose calls are skill invocations by default: skills, subagents and MCP tools. */
export const DEFAULT_TOOL_PATTERN = '^(Skill|Task|Agent|mcp__.+)$';

/** What the hook does beyond the shared settings; read by {@link readHookSettings}. */
export interface HookSettings {
  /** Answer `UserPromptSubmit` with recommendations (`SKILLS_HOOK_RECOMMEND`, default on). */
  readonly recommend: boolean;
  /** Tool names that count as skills (`SKILLS_HOOK_TOOLS`, a regular expression). */
  readonly tools: RegExp;
  /** The workflow phase to record (`SKILLS_HOOK_PHASE`); unset: `plan` in plan mode, else none. */
  readonly phase: string | undefined;
  /** How long one hook process may work (`SKILLS_HOOK_TIMEOUT_MS`, default 3000). */
  readonly timeoutMs: number;
}

const OFF = new Set(['0', 'false', 'off', 'no']);
const ON = new Set(['1', 'true', 'on', 'yes']);

/**
 * The hook's own settings from the environment. Never throws: a bad value is replaced by its
 * default and described in `problems` (the command logs them), because a hook must not fail.
 *
 * @example
 * readHookSettings({ SKILLS_HOOK_RECOMMEND: '0' }).settings.recommend; // false
 */
export function readHookSettings(env: Readonly<Record<string, string | undefined>>): { settings: HookSettings; problems: string[] } {
  const problems: string[] = [];
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };

  let recommend = true;
  const rawRecommend = value('SKILLS_HOOK_RECOMMEND')?.toLowerCase();
  if (rawRecommend !== undefined) {
    if (OFF.has(rawRecommend)) recommend = false;
    else if (!ON.has(rawRecommend)) problems.push(`SKILLS_HOOK_RECOMMEND must be on/off, true/false, 1/0 or yes/no (got "${rawRecommend.slice(0, 20)}"); recommendations stay on`);
  }

  let tools = new RegExp(DEFAULT_TOOL_PATTERN);
  const rawTools = value('SKILLS_HOOK_TOOLS');
  if (rawTools !== undefined) {
    try {
      tools = new RegExp(rawTools);
    } catch (error) {
      problems.push(`SKILLS_HOOK_TOOLS is not a valid regular expression (${(error as Error).message}); using ${DEFAULT_TOOL_PATTERN}`);
    }
  }

  let phase = value('SKILLS_HOOK_PHASE');
  if (phase !== undefined && phase.length > LIMITS.nameLength) {
    problems.push(`SKILLS_HOOK_PHASE must be at most ${LIMITS.nameLength} characters; no phase is set`);
    phase = undefined;
  }

  const { timeoutMs, problem } = readHookTimeout(env);
  if (problem !== undefined) problems.push(problem);

  return { settings: { recommend, tools, phase, timeoutMs }, problems };
}

/**
 * The hook settings a request carries in its query (`?recommend=off&phase=review&tools=...`):
 * how the command hands its own `SKILLS_HOOK_*` settings to the server with the event, and how
 * an HTTP hook's URL in settings.json sets them. As `SKILLS_HOOK_*` names, to lay over the
 * server's environment.
 */
export const HOOK_QUERY_PARAMETERS = Object.freeze({ recommend: 'SKILLS_HOOK_RECOMMEND', tools: 'SKILLS_HOOK_TOOLS', phase: 'SKILLS_HOOK_PHASE' });

/** The query carrying the `SKILLS_HOOK_*` settings set in `env` (see {@link HOOK_QUERY_PARAMETERS}). */
export function hookSettingsQuery(env: Readonly<Record<string, string | undefined>>): URLSearchParams {
  const query = new URLSearchParams();
  for (const [parameter, name] of Object.entries(HOOK_QUERY_PARAMETERS)) {
    const value = env[name]?.trim();
    if (value) query.set(parameter, value);
  }
  return query;
}

/** `env` with the settings `query` carries laid over it (see {@link HOOK_QUERY_PARAMETERS}). */
export function withHookSettingsQuery(env: Readonly<Record<string, string | undefined>>, query: URLSearchParams): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const [parameter, name] of Object.entries(HOOK_QUERY_PARAMETERS)) {
    const value = query.get(parameter);
    if (value !== null) out[name] = value;
  }
  return out;
}
