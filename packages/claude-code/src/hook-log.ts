import { join } from 'node:path';
import type { Settings } from '@skills/protocol';
import { localDataDir } from '@skills/tracker';

export { appendHookLog, gaveUp, readHookLog, HOOK_LOG_MAX_BYTES } from './hook-log-file.js';

/**
 * The hooks' folder: `hooks/` in the folder for this machine's own skills files (the tracker's
 * `localDataDir`: beside the database file, or `.skills/` when the store is a URL). Session state
 * and `hook.log` live there.
 */
export function hooksDir(settings: Pick<Settings, 'dbPath' | 'dbUrl'>, cwd: string): string {
  return join(localDataDir(settings, cwd), 'hooks');
}

/** The hook's log file (what `skills doctor` reads). */
export function hookLogPath(settings: Pick<Settings, 'dbPath' | 'dbUrl'>, cwd: string): string {
  return join(hooksDir(settings, cwd), 'hook.log');
}
