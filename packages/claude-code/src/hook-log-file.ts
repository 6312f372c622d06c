import { appendFileSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

// The hook log's file, apart from where it is (`hook-log.ts`): the tool hooks' fast path writes
// it without loading the settings.

/** The log grows to this size, then moves to `hook.log.1` (replacing it): at most twice this on disk. */
export const HOOK_LOG_MAX_BYTES = 256 * 1024;

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

/** The line logged when a hook answered nothing because its work passed the bound, `timeoutMs` (`SKILLS_HOOK_TIMEOUT_MS`). */
export function gaveUp(timeoutMs: number, event: unknown): string {
  const name = (event as { hook_event_name?: unknown } | null)?.hook_event_name;
  return `gave up after ${timeoutMs} ms (${typeof name === 'string' ? name.slice(0, 60) : 'unknown event'}); nothing answered`;
}
