import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { processIsAlive } from './process-alive.js';

/*
 * The hook journal: PreToolUse / PostToolUse events waiting to be written to the local store.
 * A tool hook appends its event and exits (no store, no validation loaded); the next full run of
 * the command (UserPromptSubmit, Stop, SessionEnd, ...) replays them in order, with the time each
 * arrived as "now". Replays are no-ops (invocation ids derive from `tool_use_id`; the store skips
 * ids it holds and ignores completions of finished invocations), which is what makes a drain
 * that died half-way safe to run again.
 *
 * Files, all in the hooks folder:
 * - `journal.jsonl`: one JSON line per event, `{"at":<ms>,"event":{...}}`, appended with one
 *   write() on a file opened O_APPEND, so that the hooks of parallel tool calls never interleave.
 *   Each line is written with the newline before it, not after: a write cut short (a full disk)
 *   leaves a part line that the next entry does not run into.
 * - `journal.<claim time, µs>.<pid>.claimed`: a journal a drainer took (by renaming it, which
 *   only one process can do). It is deleted once replayed. While it exists it also tells other
 *   drainers to wait: events must reach the store in order, or a Stop could abandon an
 *   invocation whose PostToolUse another drainer has not replayed yet. A claimed file whose
 *   process is gone (exited, killed at the hook's bound, or a zombie nobody reaped), or that is
 *   older than any hook may live, is taken over and replayed again.
 */

/** One journaled event: when it arrived (ms since the epoch) and the event as Claude Code sent it. */
export interface JournalEntry {
  readonly at: number;
  readonly event: unknown;
}

export const JOURNAL_FILE = 'journal.jsonl';
const CLAIMED = /^journal\.(\d{16})\.(\d+)\.claimed$/;

/** A claimed file older than this belongs to no live drainer (a hook gives up after 60 s at most). */
const CLAIM_STALE_MS = 2 * 60 * 1000;
/** How often a drainer looks whether an earlier drainer has finished. */
const WAIT_STEP_MS = 10;

/**
 * Appends one entry to the journal in `dir` (created 0700 when missing; the file 0600) with one
 * write(), and returns the journal's size after it. Throws when the line cannot be written
 * whole (a full disk): the caller then handles the event another way.
 */
export function appendToJournal(dir: string, entry: JournalEntry): number {
  const line = Buffer.from(`\n${JSON.stringify(entry)}`);
  const path = join(dir, JOURNAL_FILE);
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    fd = openSync(path, 'a', 0o600);
  }
  try {
    const written = writeSync(fd, line);
    if (written !== line.length) throw new Error(`the journal took ${written} of ${line.length} bytes`);
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

/** How {@link drainJournal} replays and reports. */
export interface DrainOptions {
  /** Replays one entry; should not throw (a throw is logged and the drain goes on). */
  readonly replay: (entry: JournalEntry) => Promise<void>;
  readonly log: (message: string) => void;
  /** How long to wait for an earlier drainer still at work before going on without it. */
  readonly waitMs: number;
}

/**
 * Replays every journaled event in `dir`, oldest first: claims the journal, waits for drainers
 * that claimed theirs earlier (or takes their files over when they died), replays what it holds,
 * and deletes each file once replayed. Returns the number of entries replayed. Throws only when
 * the hooks folder cannot be read.
 */
export async function drainJournal(dir: string, options: DrainOptions): Promise<number> {
  const key = claimKey();
  const mine: string[] = [];
  const own = (claimedKey: string) => `journal.${claimedKey}.${process.pid}.claimed`;
  try {
    renameSync(join(dir, JOURNAL_FILE), join(dir, own(key)));
    mine.push(own(key));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }

  // Earlier claims: wait for their drainers to finish, or take them over when they died.
  const deadline = Date.now() + options.waitMs;
  const earlier = new Set(listClaims(dir).map((name) => CLAIMED.exec(name)![1]!).filter((k) => k < key));
  for (const claimedKey of earlier) {
    for (;;) {
      const name = listClaims(dir).find((n) => CLAIMED.exec(n)![1] === claimedKey);
      if (name === undefined) break; // replayed by its drainer
      const pid = Number(CLAIMED.exec(name)![2]);
      if (!claimIsLive(claimedKey, pid)) {
        try {
          renameSync(join(dir, name), join(dir, own(claimedKey)));
          mine.push(own(claimedKey));
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          continue; // another drainer took it over first: wait for that one
        }
      }
      if (Date.now() >= deadline) {
        options.log(`journal: ${name} is still being replayed by process ${pid}; going on without waiting for it`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    }
  }

  let replayed = 0;
  for (const name of mine.sort()) {
    const path = join(dir, name);
    for (const entry of readEntries(path, options.log)) {
      try {
        await options.replay(entry);
      } catch (error) {
        options.log(`journal: replay failed: ${(error as Error).message ?? String(error)}`);
      }
      replayed++;
    }
    unlinkSync(path);
  }
  return replayed;
}

/** How many entries wait in the journal of `dir`, claimed or not (what `skills doctor` may show). */
export function journalBacklog(dir: string): number {
  let count = 0;
  for (const name of [JOURNAL_FILE, ...listClaims(dir)]) {
    try {
      count += readFileSync(join(dir, name), 'utf8').split('\n').filter((line) => line !== '').length;
    } catch {
      // Drained meanwhile.
    }
  }
  return count;
}

function readEntries(path: string, log: (message: string) => void): JournalEntry[] {
  const entries: JournalEntry[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  for (const [index, line] of lines.entries()) {
    if (line === '') continue;
    let entry: Partial<JournalEntry> | null = null;
    try {
      entry = JSON.parse(line) as Partial<JournalEntry>;
    } catch {
      // Told below.
    }
    if (entry && typeof entry === 'object' && typeof entry.at === 'number' && Number.isFinite(entry.at) && 'event' in entry) {
      entries.push({ at: entry.at, event: entry.event });
    } else {
      // A line cut short when the disk filled up, or a foreign edit.
      log(`journal: line ${index + 1} is not a journal entry (${line.length} characters); skipped`);
    }
  }
  return entries;
}

/** The claim files in `dir`, oldest claim first. */
function listClaims(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.filter((name) => CLAIMED.test(name)).sort();
}

/**
 * A claim key: the time in microseconds, fixed width, so that names sort in claim order. (Two
 * drainers claiming within the same few microseconds may get keys in the other order than their
 * renames; they then replay side by side, which replays tolerate.)
 */
function claimKey(): string {
  return String(Math.round((performance.timeOrigin + performance.now()) * 1000)).padStart(16, '0');
}

/** Whether the drainer that claimed `key` may still be at work. */
function claimIsLive(key: string, pid: number): boolean {
  if (Date.now() - Number(key) / 1000 > CLAIM_STALE_MS) return false;
  // Not one of this process's own claims: a dead process's that had the same pid.
  if (pid === process.pid) return false;
  return processIsAlive(pid);
}
