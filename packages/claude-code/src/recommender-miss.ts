import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processIsAlive } from './process-alive.js';

/*
 * What the hooks folder remembers of the local recommender missing the hook's bound. A prompt
 * whose recommender did not answer in time was killed with nothing to show for it, and the next
 * prompt, on the same store, would most likely pay the bound again for nothing. So:
 * - `recommending.<pid>`, holding the bound in ms: exists while a process opens the local store
 *   and recommender and asks it. One left by a process that is gone was killed at the bound
 *   there (a failure removes it).
 * - `recommender-missed.json` (`{"at": <ms>}`): when such a miss was last found. For
 *   {@link RETRY_AFTER_MS} after it, prompts answer without asking the local recommender (the
 *   prompt is still recorded); then one tries again. The server path never reads it.
 */

/** How long after a miss prompts go without the local recommender before one tries again. */
export const RETRY_AFTER_MS = 10 * 60 * 1000;

const STARTED = /^recommending\.(\d+)$/;
const MISSED = 'recommender-missed.json';

/**
 * Runs `recommend` (the local recommender: opening it and asking it) unless it missed the bound
 * recently, in which case it answers [] (logged once per miss). Never throws for its own files:
 * a hooks folder that cannot be written only loses the memory of misses.
 */
export async function recommendUnlessMissed<T>(
  dir: string,
  options: { readonly timeoutMs: number; readonly log: (message: string) => void },
  recommend: () => Promise<T[]>,
): Promise<T[]> {
  const now = Date.now();
  const missedBound = foundMiss(dir);
  if (missedBound !== null) {
    write(dir, MISSED, JSON.stringify({ at: now }));
    options.log(
      `the local recommender did not answer within ${missedBound} ms; prompts go without recommendations ` +
        `for ${RETRY_AFTER_MS / 60_000} minutes (a running skills server answers them from its warm recommender)`,
    );
    return [];
  }
  const missedAt = lastMiss(dir);
  if (missedAt !== null && now - missedAt < RETRY_AFTER_MS) return [];
  const mark = `recommending.${process.pid}`;
  const marked = write(dir, mark, String(options.timeoutMs));
  try {
    return await recommend();
  } finally {
    if (marked) {
      try {
        unlinkSync(join(dir, mark));
      } catch {
        // Gone already.
      }
    }
  }
}

/**
 * The bound of a process killed while recommending, when one left its mark (each mark is taken
 * once: removed here), else null.
 */
function foundMiss(dir: string): number | null {
  let found: number | null = null;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  for (const name of names) {
    const pid = STARTED.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || processIsAlive(Number(pid))) continue;
    try {
      const path = join(dir, name);
      const bound = Number(readFileSync(path, 'utf8')) || 0;
      unlinkSync(path);
      found = Math.max(found ?? 0, bound);
    } catch {
      // Another prompt took it.
    }
  }
  return found;
}

function lastMiss(dir: string): number | null {
  try {
    const at = (JSON.parse(readFileSync(join(dir, MISSED), 'utf8')) as { at?: unknown }).at;
    return typeof at === 'number' && Number.isFinite(at) ? at : null;
  } catch {
    return null;
  }
}

/** Writes `name` in `dir` whole (a temporary file renamed), or returns false. */
function write(dir: string, name: string, text: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temporary = join(dir, `${name}.${process.pid}.tmp`);
    writeFileSync(temporary, text, { mode: 0o600 });
    renameSync(temporary, join(dir, name));
    return true;
  } catch {
    return false;
  }
}
