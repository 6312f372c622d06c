import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { appendHookLog, gaveUp } from './hook-log-file.js';
import { readSettingsCache, settingsFingerprint } from './settings-cache.js';

/** After the bound, how long to wait for the killed child to be gone (so that its journal claim reads as dead). */
const REAP_MS = 500;

/** What {@link runBounded} runs and within what bound. */
export interface BoundedRun {
  /** The arguments of the child `node` process (the command's own entry and its child-mode flags). */
  readonly args: readonly string[];
  /** Written to the child's stdin (the hook event). */
  readonly input: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** When the event arrived (ms since the epoch): the bound counts from it. */
  readonly startedAt: number;
  readonly timeoutMs: number;
}

/**
 * Runs the command's full path in a child process and resolves with what it printed, or with ''
 * when it has not finished within the bound (the child is then killed, and `gave up after N ms
 * (EventName)` goes to the hook log). A hard bound, unlike a timer in the process doing the
 * work: opening a large store, building the recommender's index and waiting inside SQLite for
 * another process's write lock are synchronous, and hold any timer of their own thread back (a
 * worker thread does not help: `process.exit` waits for a worker stuck in a native call, and
 * better-sqlite3 then aborts the process). What a killed child leaves is safe: SQLite rolls back
 * its open transaction, its journal claim names a dead process and is taken over by the next
 * drainer (`journal.ts`), and replays are no-ops for what it had written. Never rejects.
 */
export async function runBounded(run: BoundedRun): Promise<string> {
  const { spawn } = await import('node:child_process');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, run.args, { cwd: run.cwd, env: run.env, stdio: ['pipe', 'pipe', 'ignore'] });
  } catch (error) {
    return failed(run, `could not start the hook's work (${(error as Error).message}); nothing answered`);
  }
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
  // A child that died early closes its stdin: the event was not needed.
  child.stdin!.on('error', () => {});
  child.stdin!.end(run.input);

  const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('close', (code) => resolve({ code }));
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, run.timeoutMs - (Date.now() - run.startedAt)));
  });
  const outcome = await Promise.race([exited, deadline]);
  clearTimeout(timer);
  if (outcome !== 'timeout') {
    if (outcome.error) return failed(run, `could not start the hook's work (${outcome.error.message}); nothing answered`);
    // Only a child that finished says something whole; a killed one may have printed half of it.
    return outcome.code === 0 ? Buffer.concat(chunks).toString('utf8') : '';
  }
  child.kill('SIGKILL');
  // Reaped here, the killed child is gone at once; an orphan stays a zombie (a pid that answers
  // signals) until some other process reaps it.
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, REAP_MS).unref())]);
  let event: unknown;
  try {
    event = JSON.parse(run.input);
  } catch {
    // Named as an unknown event.
  }
  return failed(run, gaveUp(run.timeoutMs, event));
}

/** Logs `message` where the hook's log is (as the last full run resolved it) and answers nothing. */
function failed(run: BoundedRun, message: string): string {
  const dir = readSettingsCache(run.cwd, settingsFingerprint(run.cwd, run.env))?.hooksDir ?? join(run.cwd, '.skills', 'hooks');
  appendHookLog(join(dir, 'hook.log'), message);
  return '';
}
