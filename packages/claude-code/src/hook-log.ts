import { appendFileSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Settings } from '@skills/protocol';
import { localDataDir } from '@skills/tracker';

/** The log grows to this size, then moves to `hook.log.1` (replacing it): at most twice this on disk. */
export const HOOK_LOG_MAX_BYTES = 256 * 1024;

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

/**
 * Appends one line (`<ISO time> <message>`, newlines flattened) to the log at `path`, creating
 * its folder (0700) and the file (0600), moving it to `<path>.1` once it passed
 * {@link HOOK_LOG_MAX_BYTES}. Never throws: the log is where failures go, so a failing log
 * (a full disk) is given up silently.
 */
export function appendHookLog(path: string, message: string, now: Date = new Date()): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
      if (statSync(path).size >= HOOK_LOG_MAX_BYTES) renameSync(path, `${path}.1`);
    } catch {
      // No log yet.
    }
    appendFileSync(path, `${now.toISOString()} ${message.replace(/\s*\n\s*/g, ' | ')}\n`, { mode: 0o600 });
  } catch {
    // Nowhere left to tell.
  }
}

/** The last `count` lines of the hook log at `path` (empty when there is none), for `skills doctor`. */
export function readHookLog(path: string, count = 20): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((line) => line !== '').slice(-count);
}
