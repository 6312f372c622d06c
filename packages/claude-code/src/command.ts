import { join } from 'node:path';
import { databaseTarget, loadSettings, redactSecrets } from '@skills/tracker';
import type { Settings } from '@skills/protocol';
import { openHookBackend, type HookBackend } from './backend.js';
import { forwardHookEvent } from './forward.js';
import { handleHookEvent, type HookDeps } from './handle-hook-event.js';
import { hookSettingsQuery, readHookSettings, type HookSettings } from './hook-settings.js';
import { appendHookLog, hookLogPath, hooksDir } from './hook-log.js';
import { FileSessionStates } from './session-state.js';

/** What one run of the hook command reads. */
export interface RunHookOptions {
  /** The event as Claude Code wrote it to stdin. */
  readonly input: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The project folder: where `settings/*.yaml` and the default `.skills/` are. */
  readonly cwd: string;
}

/**
 * Handles one hook event and returns what to write to stdout: the JSON answer, or '' (the only
 * answer for everything but `UserPromptSubmit`). Never throws, never waits past the hook's
 * timeout (`SKILLS_HOOK_TIMEOUT_MS`): what goes wrong is appended to `hooks/hook.log` (see
 * `hookLogPath`), and the answer is then ''. Reads the settings everything else reads
 * (`settings/*.yaml` under `cwd`, `SKILLS_*`); tracking switched off answers '' at once.
 *
 * Where the work is done: with `backend` `auto` or `mcp`, the event goes as it is to the skills
 * server's hook endpoint (one loopback request); when nothing listens there, or with `direct`,
 * it is handled here against the local store. A server that refuses the event (an older one
 * without the endpoint) gets it over MCP instead.
 *
 * A synchronous wait inside SQLite (another process holding the write lock) cannot be cut by
 * the timer; it is bounded by the store's busy timeout (5 s) instead.
 */
export async function runHook(options: RunHookOptions): Promise<string> {
  let logPath = join(options.cwd, '.skills', 'hooks', 'hook.log');
  const log = (message: string) => appendHookLog(logPath, message);
  let timer: NodeJS.Timeout | undefined;
  try {
    const { settings } = loadSettings({ cwd: options.cwd, env: options.env });
    logPath = hookLogPath(settings, options.cwd);
    if (!settings.enabled) return '';
    const hook = readHookSettings(options.env);
    for (const problem of hook.problems) log(problem);

    let input: unknown;
    try {
      input = JSON.parse(options.input);
    } catch (error) {
      log(`ignored: the hook input is not JSON (${(error as Error).message})`);
      return '';
    }
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), hook.settings.timeoutMs)));
    const output = await Promise.race([handle({ ...options, settings, hook: hook.settings, event: input, log }, deadline), deadline]);
    if (output === 'timeout') log(`gave up after ${hook.settings.timeoutMs} ms (${eventName(input)}); nothing answered`);
    return output === 'timeout' ? '' : output;
  } catch (error) {
    log(`failed: ${(error as Error).message ?? String(error)}`);
    return '';
  } finally {
    clearTimeout(timer);
  }
}

interface Run extends RunHookOptions {
  readonly settings: Settings;
  readonly hook: HookSettings;
  /** The input, parsed. */
  readonly event: unknown;
  readonly log: (message: string) => void;
}

async function handle(run: Run, deadline: Promise<unknown>): Promise<string> {
  const { settings, log } = run;
  let server = settings.backend !== 'direct';
  if (server) {
    const token = run.env['SKILLS_SERVER_TOKEN']?.trim() || undefined;
    const forwarded = await forwardHookEvent(settings.mcpServerUrl, run.input, { token, query: hookSettingsQuery(run.env), timeoutMs: settings.mcpTimeoutMs });
    if (forwarded.ok) return forwarded.output;
    server = forwarded.listening;
    if (forwarded.listening || settings.backend === 'mcp') log(`skills server did not take the event (${forwarded.reason}); handling it here`);
  }

  let backend: Promise<HookBackend> | undefined;
  const backendNow = () => (backend ??= openHookBackend(settings, { target: databaseTarget(settings, run.cwd), cwd: run.cwd, server }, log));
  const deps: HookDeps = {
    settings: run.hook,
    sessions: new FileSessionStates(hooksDir(settings, run.cwd)),
    write: async (writes) => (await backendNow()).write(writes),
    recommend: async (query) => (await backendNow()).recommend(query),
    log,
    ...(settings.redactSecrets ? { redact: redactSecrets } : {}),
  };
  const output = await handleHookEvent(run.event, deps);
  // Closed before answering (the command exits right after): a server session left open would
  // stay in the server's memory until it expires, one per hook call. A backend that failed to
  // open has had its failure logged by the event already.
  if (backend) await Promise.race([backend.then((b) => b.close(), () => {}), deadline]);
  return output ? JSON.stringify(output) : '';
}

function eventName(input: unknown): string {
  const name = (input as { hook_event_name?: unknown } | null)?.hook_event_name;
  return typeof name === 'string' ? name.slice(0, 60) : 'unknown event';
}
