import { loadSettings } from '@skills/tracker';
import { DEFAULT_TOOL_PATTERN } from './hook-settings.js';

/** One hook handler of Claude Code's settings. */
type Handler = Readonly<Record<string, unknown>>;

/** The `hooks` section of a Claude Code `settings.json` (or a plugin's `hooks/hooks.json`). */
export type ClaudeHooks = Readonly<Record<string, ReadonlyArray<{ readonly matcher?: string; readonly hooks: readonly Handler[] }>>>;

/**
 * The events the hook acts on, with their matchers. Tool events match `tool_name`, and a matcher
 * holding anything but letters, digits, `_`, `-`, `|`, `,` and spaces is an unanchored regular
 * expression: anchored here, or `Skill` would also match `SkillSearch`. `UserPromptSubmit` and
 * `Stop` take no matcher; `SessionEnd`'s would match its reason (all of them wanted).
 * Timeouts in seconds: the command gives up by itself after 3 s; SessionEnd hooks share a
 * 1.5 s budget in Claude Code, which the command stays well within.
 */
const EVENTS: ReadonlyArray<readonly [event: string, matcher: string | undefined, timeout: number]> = [
  ['UserPromptSubmit', undefined, 10],
  ['PreToolUse', DEFAULT_TOOL_PATTERN, 5],
  ['PostToolUse', DEFAULT_TOOL_PATTERN, 5],
  ['PostToolUseFailure', DEFAULT_TOOL_PATTERN, 5],
  ['Stop', undefined, 5],
  ['StopFailure', undefined, 5],
  ['SessionEnd', undefined, 5],
];

/** The path of the skills server's Claude Code hook endpoint. */
export const HOOK_ENDPOINT_PATH = '/hooks/claude-code';

/** The hook endpoint of the server at `serverUrl`, given as the MCP client takes it: with or without `/mcp`, under any prefix. */
export function hookEndpointUrl(serverUrl: string): string {
  return `${serverUrl.replace(/\/+$/, '').replace(/\/mcp$/, '')}${HOOK_ENDPOINT_PATH}`;
}

/**
 * The `hooks` settings that switch tracking on in Claude Code: for the `skills-hook` command
 * (exec form: no shell in between), or, given a server, as HTTP hooks posting to its
 * {@link HOOK_ENDPOINT_PATH} of the server at `serverUrl` (no process per event; Claude Code
 * 2.1.63+). The token header is always there: Claude Code fills `$SKILLS_SERVER_TOKEN` from the
 * environment (listed in `allowedEnvVars`), and a server without a token ignores it.
 *
 * @example
 * JSON.stringify({ hooks: claudeHooks() }, null, 2); // paste into .claude/settings.json
 */
export function claudeHooks(serverUrl?: string): ClaudeHooks {
  const handler = (timeout: number): Handler =>
    serverUrl === undefined
      ? { type: 'command', command: 'skills-hook', args: [], timeout }
      : {
          type: 'http',
          url: hookEndpointUrl(serverUrl),
          timeout,
          headers: { Authorization: 'Bearer $SKILLS_SERVER_TOKEN' },
          allowedEnvVars: ['SKILLS_SERVER_TOKEN'],
        };
  return Object.fromEntries(
    EVENTS.map(([event, matcher, timeout]) => [event, [{ ...(matcher === undefined ? {} : { matcher }), hooks: [handler(timeout)] }]]),
  );
}

/**
 * What `skills-hook --print-settings` prints: the settings.json for the command, or with
 * `--http` for the server at the `mcp_server_url` setting in force in `cwd`.
 */
export function printSettings(args: readonly string[], cwd: string): string {
  const serverUrl = args.includes('--http') ? loadSettings({ cwd }).settings.mcpServerUrl : undefined;
  return `${JSON.stringify({ hooks: claudeHooks(serverUrl) }, null, 2)}\n`;
}
