import { consoleLogger, NotAvailableError, type Logger, type SettingsInput } from '@skills/protocol';
import { loadSettings } from '../settings/index.js';
import { defaultSpoolDir } from './mcp-tracker.js';
import { connectSkillsMcpClient, type McpConnector, type McpTrackerClient } from './server-link.js';
import { countSpoolFile, listSpoolFiles } from './spool.js';
import { replaySpoolFolder } from './spool-replay.js';

/** Options of {@link syncSpool}: any setting (the server URL, timeout and database path matter), and where. */
export interface SyncSpoolOptions extends SettingsInput {
  /** Where `settings/*.yaml` and the default `.skills/` are looked for; default the working directory. */
  readonly cwd?: string;
  /** Environment to read settings from; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
  /** The spool folder; default `spool/` beside the database file (`.skills/spool/`). */
  readonly spoolDir?: string;
  /** How to reach the server (tests); default a `SkillsMcpClient`. */
  readonly connect?: McpConnector;
}

/** What {@link syncSpool} did. */
export interface SyncSpoolResult {
  /** Spooled invocations the server stored or completed now. */
  readonly replayed: number;
  /** Spooled invocations the server already had as they were (sent before an outage, or replayed already). */
  readonly duplicates: number;
  /** Invocations still in the spool: in files a running tracker still writes (it replays them itself once the server is back). */
  readonly remaining: number;
}

/**
 * Replays the spool to the skills server: every invocation trackers wrote locally while the
 * server was away, from processes that have ended or closed their spool. Each goes to the server
 * with its id, so invocations the server already has are skipped and counted as duplicates, and
 * nothing is stored twice; a replayed spool file is deleted. Files another process is replaying
 * at the same moment, or that a running tracker still writes to, are left alone and counted in
 * `remaining`. This is what `skills sync` runs; trackers also replay by themselves when the
 * server comes back.
 *
 * @throws {NotAvailableError} when there is something to replay and the server cannot be reached
 * (the spool is left as it was).
 *
 * @example
 * const { replayed, duplicates, remaining } = await syncSpool({ mcpServerUrl: 'http://127.0.0.1:8678' });
 * console.log(`${replayed} replayed, ${duplicates} already there, ${remaining} still spooled`);
 */
export async function syncSpool(options: SyncSpoolOptions = {}): Promise<SyncSpoolResult> {
  const { cwd, env, logger = consoleLogger, spoolDir, connect = connectSkillsMcpClient, ...overrides } = options;
  const { settings } = loadSettings({ cwd, env, overrides });
  const dir = spoolDir ?? defaultSpoolDir(settings, cwd);
  const { replayable } = listSpoolFiles(dir);

  let replayed = 0;
  let duplicates = 0;
  if (replayable.length > 0) {
    let client: McpTrackerClient;
    try {
      client = await connect(settings.mcpServerUrl, settings.mcpTimeoutMs);
    } catch (error) {
      const pending = (await Promise.all(replayable.map((f) => countSpoolFile(f.path)))).reduce((a, b) => a + b, 0);
      throw new NotAvailableError(
        `cannot replay ${pending} spooled invocations: the skills server at ${settings.mcpServerUrl} is not available ` +
          `(${error instanceof Error ? error.message : String(error)}); start it and run this again`,
      );
    }
    try {
      await replaySpoolFolder(dir, client, {
        onFile: (counts) => {
          replayed += counts.replayed;
          duplicates += counts.duplicates;
        },
      });
    } catch (error) {
      throw new NotAvailableError(
        `replay stopped after ${replayed + duplicates} invocations: ${error instanceof Error ? error.message : String(error)}; ` +
          'run this again to replay the rest (what was sent is not sent twice)',
      );
    } finally {
      await client.close().catch(() => {});
    }
  }
  const after = listSpoolFiles(dir);
  const remaining = (await Promise.all([...after.replayable, ...after.inUse].map((f) => countSpoolFile(f.path)))).reduce((a, b) => a + b, 0);
  if (replayed + duplicates > 0) logger.info(`replayed ${replayed} spooled invocations (${duplicates} already on the server), ${remaining} remaining`);
  return { replayed, duplicates, remaining };
}
