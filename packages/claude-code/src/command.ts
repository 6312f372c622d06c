import { databaseTarget, loadSettings, redactSecrets } from '@skills/tracker';
import type { Settings } from '@skills/protocol';
import { join } from 'node:path';
import { openHookBackend, type HookBackend } from './backend.js';
import { forwardHookEvent, serverToken, type Forwarded } from './forward.js';
import { handleHookEvent, type HookDeps } from './handle-hook-event.js';
import { hookSettingsQuery, readHookSettings, type HookSettings } from './hook-settings.js';
import { appendHookLog, gaveUp, hookLogPath, hooksDir } from './hook-log.js';
import { drainJournal } from './journal.js';
import { recommendUnlessMissed } from './recommender-miss.js';
import { readSettingsCache, settingsFingerprint, writeSettingsCache, type CachedHookSettings } from './settings-cache.js';
import { FileSessionStates } from './session-state.js';
import { hookEndpointUrl } from './settings-snippet.js';

/** What one run of the hook command reads. */
export interface RunHookOptions {
  /** The event as Claude Code wrote it to stdin. */
  readonly input: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The project folder: where `settings/*.yaml` and the default `.skills/` are. */
  readonly cwd: string;
  /** The server's answer when the fast path (`runFastPath`) posted the event already: not posted again. */
  readonly forwarded?: Forwarded;
  /** When the event arrived (ms since the epoch; default now): the hook's timeout counts from it. */
  readonly startedAt?: number;
}

/**
 * Handles one hook event (the command's full path; the tool events mostly take `runFastPath`)
 * and returns what to write to stdout: the JSON answer, or '' (the only answer for everything
 * but `UserPromptSubmit`). Never throws, and answers '' once the hook's timeout
 * (`SKILLS_HOOK_TIMEOUT_MS`) has passed (see below for what that bound holds back): what goes wrong is appended to `hooks/hook.log` (see
 * `hookLogPath`), and the answer is then ''. Reads the settings everything else reads
 * (`settings/*.yaml` under `cwd`, `SKILLS_*`); tracking switched off answers '' at once.
 * Otherwise it resolves the settings for the fast path (`settings-cache.ts`), and replays the
 * hook journal into the local store before the event itself, so that a Stop sees the tool calls
 * that came before it and a prompt's recommendations count the last turn.
 *
 * Where the work is done: with `backend` `auto` or `mcp`, the event goes as it is to the skills
 * server's hook endpoint (one loopback request); when nothing listens there, or with `direct`,
 * it is handled here against the local store. A server that refuses the event (an older one
 * without the endpoint) gets it over MCP instead.
 *
 * In-process the bound is kept only where the work yields: synchronous work (opening a large
 * store, building the recommender's index, a wait inside SQLite for another process's write
 * lock) holds the timer back. The `skills-hook` command therefore runs this in a child process
 * that it ends at the bound (see `bounded.ts` and {@link runHookUnbounded}).
 */
export async function runHook(options: RunHookOptions): Promise<string> {
  return run(options, true);
}

/**
 * {@link runHook} without its timer: for a process whose parent keeps the bound by ending it
 * (the `skills-hook` command's full path), so that a give-up is logged once, by the parent.
 */
export async function runHookUnbounded(options: RunHookOptions): Promise<string> {
  return run(options, false);
}

async function run(options: RunHookOptions, timed: boolean): Promise<string> {
  const startedAt = options.startedAt ?? Date.now();
  let logPath = join(options.cwd, '.skills', 'hooks', 'hook.log');
  const log = (message: string) => appendHookLog(logPath, message);
  let timer: NodeJS.Timeout | undefined;
  try {
    const context = openContext(options, log);
    if (context === null) return '';
    logPath = context.logPath;
    const { hook } = context;

    let input: unknown;
    try {
      input = JSON.parse(options.input);
    } catch (error) {
      log(`ignored: the hook input is not JSON (${(error as Error).message})`);
      return '';
    }
    const left = Math.max(0, hook.timeoutMs - (Date.now() - startedAt));
    // Untimed: a deadline that never comes (the parent process ends this one at the bound).
    const deadline = new Promise<'timeout'>((resolve) => {
      if (timed) timer = setTimeout(() => resolve('timeout'), left);
    });
    const output = await Promise.race([handle({ ...options, ...context, event: input, log }, deadline), deadline]);
    if (output === 'timeout') log(gaveUp(hook.timeoutMs, input));
    return output === 'timeout' ? '' : output;
  } catch (error) {
    log(`failed: ${(error as Error).message ?? String(error)}`);
    return '';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Replays the hook journal into the local store and returns (`skills-hook --drain`; also run by
 * a tool hook whose journal has grown past its bound). Never throws; failures go to the log.
 */
export async function drainHookJournal(options: Pick<RunHookOptions, 'env' | 'cwd'>): Promise<void> {
  let logPath = join(options.cwd, '.skills', 'hooks', 'hook.log');
  const log = (message: string) => appendHookLog(logPath, message);
  try {
    const context = openContext(options, log);
    if (context === null) return;
    logPath = context.logPath;
    const backends = new Backends(context.settings, options.cwd, log);
    try {
      await drain({ ...options, ...context, log }, backends);
    } finally {
      await backends.close();
    }
  } catch (error) {
    log(`failed: ${(error as Error).message ?? String(error)}`);
  }
}

/** The settings of a full run, or null when tracking is off. */
interface Context {
  readonly settings: Settings;
  readonly hook: HookSettings;
  readonly logPath: string;
}

function openContext(options: Pick<RunHookOptions, 'env' | 'cwd'>, log: (message: string) => void): Context | null {
  // Taken before the settings are read: should they change in between, the cache is keyed by
  // the older state and the next event reads them again.
  const fingerprint = settingsFingerprint(options.cwd, options.env);
  const { settings } = loadSettings({ cwd: options.cwd, env: options.env });
  const logPath = hookLogPath(settings, options.cwd);
  if (!settings.enabled) return null;
  const { settings: hook, problems } = readHookSettings(options.env);
  for (const problem of problems) appendHookLog(logPath, problem);
  // With a problem in the hook settings, every event takes this path, so that it is logged each time.
  if (problems.length === 0 && readSettingsCache(options.cwd, fingerprint) === null) {
    try {
      writeSettingsCache(options.cwd, fingerprint, cachedSettings(settings, hook, options));
    } catch (error) {
      appendHookLog(logPath, `could not keep the resolved settings for the tool hooks (${(error as Error).message}); every event reads them`);
    }
  }
  return { settings, hook, logPath };
}

function cachedSettings(settings: Settings, hook: HookSettings, options: Pick<RunHookOptions, 'env' | 'cwd'>): CachedHookSettings {
  return {
    hooksDir: hooksDir(settings, options.cwd),
    hookUrl: settings.backend === 'direct' ? null : endpointUrl(settings, options.env),
    serverRequired: settings.backend === 'mcp',
    serverTimeoutMs: Math.min(settings.mcpTimeoutMs, hook.timeoutMs),
    tools: hook.tools.source,
  };
}

/** The server's hook endpoint, with this process's `SKILLS_HOOK_*` in the query so that they hold whoever does the work. */
function endpointUrl(settings: Settings, env: Readonly<Record<string, string | undefined>>): string {
  const url = new URL(hookEndpointUrl(settings.mcpServerUrl));
  url.search = hookSettingsQuery(env).toString();
  return url.href;
}

interface Run extends RunHookOptions, Context {
  /** The input, parsed. */
  readonly event: unknown;
  readonly log: (message: string) => void;
}

/** The backends of one run, each opened on first use: the local store, and the server over MCP. */
class Backends {
  readonly #opened = new Map<boolean, Promise<HookBackend>>();
  readonly #settings: Settings;
  readonly #cwd: string;
  readonly #log: (message: string) => void;

  constructor(settings: Settings, cwd: string, log: (message: string) => void) {
    this.#settings = settings;
    this.#cwd = cwd;
    this.#log = log;
  }

  /** With `server`, the server over MCP (the local store when it fails); else the local store. */
  get(server: boolean): Promise<HookBackend> {
    let backend = this.#opened.get(server);
    if (!backend) {
      backend = openHookBackend(this.#settings, { target: databaseTarget(this.#settings, this.#cwd), cwd: this.#cwd, server }, this.#log);
      this.#opened.set(server, backend);
    }
    return backend;
  }

  /** Closes what was opened. A backend that failed to open has had its failure logged by the event already. */
  async close(): Promise<void> {
    await Promise.all([...this.#opened.values()].map((backend) => backend.then((b) => b.close(), () => {})));
  }
}

function deps(run: Pick<Run, 'settings' | 'hook' | 'log' | 'cwd'>, backends: Backends, server: boolean): HookDeps {
  const dir = hooksDir(run.settings, run.cwd);
  return {
    settings: run.hook,
    sessions: new FileSessionStates(dir),
    write: async (writes) => (await backends.get(server)).write(writes),
    recommend: async (query) => {
      const ask = async () => (await backends.get(server)).recommend(query);
      // The local store and recommender (opened here when no replay opened the store) are skipped
      // for a while after they missed the bound: see recommender-miss.ts.
      return server ? ask() : recommendUnlessMissed(dir, { timeoutMs: run.hook.timeoutMs, log: run.log }, ask);
    },
    log: run.log,
    ...(run.settings.redactSecrets ? { redact: redactSecrets } : {}),
  };
}

/** Replays the journal: events the fast path kept for the local store, each at the time it arrived. */
async function drain(run: Pick<Run, 'settings' | 'hook' | 'log' | 'cwd'>, backends: Backends): Promise<void> {
  const local = deps(run, backends, false);
  try {
    await drainJournal(hooksDir(run.settings, run.cwd), {
      replay: async (entry) => void (await handleHookEvent(entry.event, { ...local, now: () => entry.at })),
      log: run.log,
      waitMs: run.hook.timeoutMs / 2,
    });
  } catch (error) {
    run.log(`journal: not replayed: ${(error as Error).message ?? String(error)}`);
  }
}

async function handle(run: Run, deadline: Promise<unknown>): Promise<string> {
  const { settings, log } = run;
  const backends = new Backends(settings, run.cwd, log);
  await drain(run, backends);
  let server = settings.backend !== 'direct';
  if (server) {
    const forwarded = run.forwarded ?? (await forwardHookEvent(endpointUrl(settings, run.env), run.input, { token: serverToken(run.env), timeoutMs: settings.mcpTimeoutMs }));
    if (forwarded.ok) {
      await Promise.race([backends.close(), deadline]);
      return forwarded.output;
    }
    server = forwarded.listening;
    if (forwarded.listening || settings.backend === 'mcp') log(`skills server did not take the event (${forwarded.reason}); handling it here`);
  }
  const output = await handleHookEvent(run.event, deps(run, backends, server));
  // Closed before answering (the command exits right after): a server session left open would
  // stay in the server's memory until it expires, one per hook call.
  await Promise.race([backends.close(), deadline]);
  return output ? JSON.stringify(output) : '';
}
