import {
  consoleLogger,
  newInvocationId,
  NotAvailableError,
  type Logger,
  type SettingsInput,
  type SkillsStore,
  type SkillsTracker,
} from '@skills/protocol';
import { DirectTracker } from './direct-tracker.js';
import { NoopTracker } from './noop-tracker.js';
import { SkillsService } from './service.js';
import { loadSettings } from './settings/index.js';

/** Options of {@link createSkillsTracker}: any setting, plus where and as whom to track. */
export interface CreateSkillsTrackerOptions extends SettingsInput {
  /** Groups this run's invocations; default a new unique id. */
  readonly sessionId?: string;
  /** Where `settings/*.yaml` and the default `.skills/skills.db` are looked for; default the working directory. */
  readonly cwd?: string;
  /** Environment to read settings from; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
  /** Track into this store instead of the SQLite file the settings name. */
  readonly store?: SkillsStore;
}

const NOOP = new NoopTracker();

/**
 * Builds the tracker the settings ask for: the no-op tracker when disabled, the direct
 * (in-process SQLite) tracker for `backend: 'direct'`.
 *
 * @example
 * const tracker = await createSkillsTracker({ backend: 'direct', dbPath: '.skills/skills.db' });
 * const done = tracker.trackInvocation({ skillName: 'test-runner', userQuery: 'run the unit tests' });
 * done?.({ completed: true });
 * await tracker.close();
 */
export async function createSkillsTracker(options: CreateSkillsTrackerOptions = {}): Promise<SkillsTracker> {
  const { sessionId, cwd, env, logger = consoleLogger, store, ...overrides } = options;
  const { settings } = loadSettings({ cwd, env, overrides });
  if (!settings.enabled) return NOOP;
  if (settings.backend !== 'direct') {
    throw new NotAvailableError(
      `backend "${settings.backend}" is not available yet (the MCP server backend is still to come); use backend: 'direct'`,
    );
  }
  const service = await SkillsService.open({ settings, cwd, logger, store });
  return new DirectTracker(service, { sessionId: sessionId ?? newInvocationId() });
}
