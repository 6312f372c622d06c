import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import {
  consoleLogger,
  engineFor,
  StoreError,
  newInvocationId,
  type Logger,
  type Settings,
  type SettingsInput,
  type SkillsStore,
  type SkillsTracker,
  type StoreEngine,
} from '@skills/protocol';
import { DirectTracker } from './direct-tracker.js';
import { openAutoTracker, type AutoTrackerTuning } from './mcp/auto-tracker.js';
import { McpTracker } from './mcp/mcp-tracker.js';
import { NoopTracker } from './noop-tracker.js';
import { SkillsService } from './service.js';
import { storeEngines } from './engines.js';
import { databaseTarget, loadSettings } from './settings/index.js';
import { UnavailableTracker } from './unavailable-tracker.js';

/** Options of {@link createSkillsTracker}: any setting, plus where and as whom to track. */
export interface CreateSkillsTrackerOptions extends SettingsInput {
  /** Groups this run's invocations; default a new unique id. */
  readonly sessionId?: string;
  /** Where `settings/*.yaml` and the default `.skills/skills.db` are looked for; default the working directory. */
  readonly cwd?: string;
  /** Environment to read settings from; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
  /** Track into this store instead of the one the settings name (`direct`, and `auto` while it tracks directly). */
  readonly store?: SkillsStore;
  /**
   * The store engines the settings' `dbUrl`/`dbPath` may name, picked by URL scheme (e.g.
   * `[sqliteEngine, postgresEngine]`). Default: the SQLite engine, loaded from the optional peer
   * `@skills/store-sqlite`. (The `mcp` and `auto` backends' local spool is SQLite whatever the engines.)
   */
  readonly engines?: readonly StoreEngine[];
  /**
   * Tuning of the `mcp` and `auto` backends: batch size, queue bound, reconnect and re-probe
   * intervals, the spool folder (default `spool/` beside the database file). Defaults suit hosts.
   */
  readonly mcp?: AutoTrackerTuning;
}

const NOOP = new NoopTracker();

/**
 * Builds the tracker the settings ask for:
 * - disabled: the no-op tracker;
 * - `direct`: tracks in-process into the store the settings name (`dbUrl` or `dbPath`; SQLite by default);
 * - `mcp`: tracks through the skills server at `mcpServerUrl` without blocking the caller, and
 *   falls back to a local spool (`.skills/spool/`, replayed later) when the server is away;
 * - `auto`: asks the server's health quickly; `mcp` when it answers, else `direct`, switching to
 *   the server once it answers.
 * `getBackend()` tells which one is in use and why. An absent server never makes this throw.
 *
 * @example
 * const tracker = await createSkillsTracker({ backend: 'direct', dbPath: '.skills/skills.db' });
 * const done = tracker.trackInvocation({ skillName: 'test-runner', userQuery: 'run the unit tests' });
 * done?.({ completed: true });
 * await tracker.close();
 */
export async function createSkillsTracker(options: CreateSkillsTrackerOptions = {}): Promise<SkillsTracker> {
  const { sessionId = newInvocationId(), cwd, env, logger = consoleLogger, store, engines, mcp: tuning, ...overrides } = options;
  const { settings } = loadSettings({ cwd, env, overrides });
  if (!settings.enabled) return NOOP;
  if (settings.backend === 'mcp') {
    return McpTracker.open({ ...tuning, settings, cwd, logger, sessionId, requested: 'mcp' });
  }
  if (settings.backend === 'auto') {
    return openAutoTracker({ ...tuning, settings, cwd, logger, sessionId, ...(store ? { store } : {}), ...(engines ? { engines } : {}) });
  }
  let service: SkillsService;
  try {
    service = await SkillsService.open({ settings, cwd, logger, store, engines });
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    const reason = explainStoreFailure(error, store ? null : await localFile(settings, cwd, engines));
    logger.error(`tracking is off for this run: ${reason}`);
    return new UnavailableTracker('direct', reason, logger);
  }
  return new DirectTracker(service, { sessionId });
}

/** The file the store in force is kept in, when its engine keeps one (SQLite); else null. */
async function localFile(settings: Settings, cwd: string | undefined, engines: readonly StoreEngine[] | undefined): Promise<string | null> {
  const options = { cwd: cwd ?? process.cwd() };
  const target = databaseTarget(settings, options.cwd);
  try {
    return engineFor(target, await storeEngines(engines)).file?.(target, options) ?? null;
  } catch {
    return null; // the target names no file: the store's own message says why
  }
}

/** The store's message, plus why the folder cannot take the file when that is the cause. */
function explainStoreFailure(error: StoreError, dbPath: string | null): string {
  if (dbPath === null) return error.message;
  try {
    accessSync(dirname(dbPath), constants.W_OK);
    return error.message;
  } catch (access) {
    return `${error.message} (${(access as Error).message})`;
  }
}
