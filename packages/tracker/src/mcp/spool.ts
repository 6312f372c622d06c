import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_PROJECT,
  toMcpCompletion,
  toMcpRecord,
  type Completion,
  type InvocationRecord,
  type Logger,
  type SkillsStore,
  type TrackInvocationsArgs,
  type TrackInvocationsResult,
} from '@skills/protocol';
import { loadSqlite } from '../engines.js';
import { DEFAULT_WRITE_BUFFER_OPTIONS, WriteBuffer } from '../write-buffer.js';
import { projectArg } from './project-arg.js';

/*
 * The spool: where the MCP tracker writes while the server is away, replayed to the server
 * later. It is a folder of small SQLite stores, one per process that fell back (never shared,
 * so no file ever has two writers). It stays SQLite whatever engine holds the main store: the
 * last flush at process exit must write synchronously, which only a local file engine can, and
 * a spool is a throwaway file of this machine, deleted whole once replayed. So the `mcp` and
 * `auto` backends need `@skills/store-sqlite` (see `openSpoolStore`):
 *
 *   <pid>-<stamp>.db         the active spool of process <pid>; replayable once <pid> is gone
 *   <pid>-<stamp>.closed.db  a finished spool (its writer closed it): replayable by anyone
 *   <file>.lock              taken by whoever replays <file> (holds the replayer's pid)
 *
 * Replay sends every record with its id, so it is idempotent: the server skips ids it has; and
 * with its project, so a spool written for project `a` replays into `a` whoever replays it.
 * A finished record is sent with its completion too, so that it also ends an invocation the
 * server holds as pending; an abandoned one with its id in `abandon`. A replayed file is
 * deleted whole, which is why a file is only replayed when nobody writes to it any more.
 */

/** The part of an MCP client that spool replay needs. */
export interface SpoolReplayClient {
  trackInvocations(args: TrackInvocationsArgs): Promise<TrackInvocationsResult>;
}

/** Counts of a replay: records the server took as new (or completed by them), and records it already had. */
export interface ReplayCounts {
  replayed: number;
  duplicates: number;
}

/** Records per `track_invocations` call during replay (a finished record counts twice: record and completion). */
export const REPLAY_CHUNK = 500;

const ACTIVE = /^(\d+)-[a-z0-9]+-[a-z0-9]+\.db$/;
const CLOSED = /^(\d+)-[a-z0-9]+-[a-z0-9]+\.closed\.db$/;

/** True when a process with this id runs (on this machine). */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The files of one spool (the database and SQLite's side files). */
function spoolFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`, `${path}-journal`];
}

/**
 * Opens one spool file.
 *
 * @throws {NotAvailableError} naming `@skills/store-sqlite` when it is not installed.
 */
async function openSpoolStore(path: string, readonly = false): Promise<SkillsStore> {
  const { openSqliteStore } = await loadSqlite("the spool of the 'mcp' and 'auto' backends");
  return openSqliteStore({ path, readonly });
}

function removeSpoolFile(path: string): void {
  for (const file of spoolFiles(path)) rmSync(file, { force: true });
}

/**
 * The spool this process writes to: a SQLite store opened when the tracker starts (so that a
 * normal process exit can still write synchronously), deleted at close when nothing went in.
 */
export class ActiveSpool {
  readonly dir: string;
  readonly #logger: Logger;
  #path: string;
  #store: SkillsStore;
  #buffer: WriteBuffer;
  /** Records written since this file was opened. */
  #written = 0;
  #pastFailures = 0;

  private constructor(dir: string, path: string, store: SkillsStore, logger: Logger) {
    this.dir = dir;
    this.#path = path;
    this.#store = store;
    this.#logger = logger;
    this.#buffer = ActiveSpool.#bufferFor(store, logger);
  }

  static #bufferFor(store: SkillsStore, logger: Logger): WriteBuffer {
    return new WriteBuffer(store, logger, () => {}, DEFAULT_WRITE_BUFFER_OPTIONS);
  }

  static async #openFile(dir: string): Promise<{ path: string; store: SkillsStore }> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const name = `${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}.db`;
    const path = join(dir, name);
    return { path, store: await openSpoolStore(path) };
  }

  /** Opens a new active spool file in `dir` (created if missing). */
  static async open(dir: string, logger: Logger): Promise<ActiveSpool> {
    const { path, store } = await ActiveSpool.#openFile(dir);
    return new ActiveSpool(dir, path, store, logger);
  }

  get path(): string {
    return this.#path;
  }

  /** True when records went into the current file. */
  get hasData(): boolean {
    return this.#written > 0;
  }

  /** Write failures over every file this spool had, and the last error. */
  get health(): { failures: number; lastError: string | null } {
    return { failures: this.#pastFailures + this.#buffer.health.failures, lastError: this.#buffer.health.lastError };
  }

  /** A new invocation, pending or finished. */
  insert(record: InvocationRecord): void {
    this.#written++;
    this.#buffer.insert(record);
  }

  /**
   * The end of an invocation whose record may be here, at the server, or nowhere yet: the
   * finished record goes in too, so the spool holds the whole invocation either way.
   */
  complete(finished: InvocationRecord, completion: Completion): void {
    this.#written++;
    this.#buffer.insert(finished);
    this.#buffer.complete(completion);
  }

  /** Writes what is buffered; resolves when it is on disk. */
  flush(): Promise<void> {
    return this.#buffer.flush();
  }

  /** Writes what is buffered synchronously (process exit). */
  flushSync(): void {
    this.#buffer.flushSync();
  }

  /** Marks invocations abandoned in the spool (those whose record is here and still pending). */
  async markAbandoned(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#buffer.flush();
    await this.#store.markAbandoned({ ids });
  }

  /**
   * Closes the current file and marks it finished (replayable by anyone), then opens a fresh
   * one for later writes. Returns the finished file, or null when nothing had gone in.
   */
  async rotate(): Promise<string | null> {
    if (this.#written === 0) return null;
    // Swap first, so that writes arriving meanwhile go to the new file and none is lost.
    const next = await ActiveSpool.#openFile(this.dir);
    const old = { path: this.#path, store: this.#store, buffer: this.#buffer };
    this.#path = next.path;
    this.#store = next.store;
    this.#buffer = ActiveSpool.#bufferFor(next.store, this.#logger);
    this.#written = 0;
    await old.buffer.flush();
    this.#pastFailures += old.buffer.health.failures;
    if (old.buffer.size > 0) this.#logger.error(`could not write ${old.buffer.size} spooled changes to ${old.path}`);
    return this.#closeFile(old.path, old.store);
  }

  /** Closes for good: an empty file is deleted, a file with records is marked finished for replay. */
  async close(): Promise<string | null> {
    await this.#buffer.flush();
    if (this.#written === 0) {
      await this.#store.close();
      removeSpoolFile(this.#path);
      return null;
    }
    return this.#closeFile(this.#path, this.#store);
  }

  async #closeFile(path: string, store: SkillsStore): Promise<string> {
    await store.close();
    const closed = path.replace(/\.db$/, '.closed.db');
    const to = spoolFiles(closed);
    spoolFiles(path).forEach((from, i) => {
      if (existsSync(from)) renameSync(from, to[i]!);
    });
    return closed;
  }
}

/** A spool file someone may replay now: finished, or left behind by a process that is gone. */
export interface SpoolFileInfo {
  readonly path: string;
  readonly pid: number;
  readonly closed: boolean;
}

/** Spool files in `dir`: those replayable now, and those still being written by a live process. */
export function listSpoolFiles(dir: string): { replayable: SpoolFileInfo[]; inUse: SpoolFileInfo[] } {
  const replayable: SpoolFileInfo[] = [];
  const inUse: SpoolFileInfo[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { replayable, inUse };
  }
  for (const name of names.sort()) {
    const closed = CLOSED.exec(name);
    const active = closed ? null : ACTIVE.exec(name);
    const match = closed ?? active;
    if (!match) continue;
    const info = { path: join(dir, name), pid: Number(match[1]), closed: closed !== null };
    if (info.closed || !isProcessAlive(info.pid)) replayable.push(info);
    else inUse.push(info);
  }
  return { replayable, inUse };
}

/**
 * Takes the replay lock of a spool file (`<file>.lock`, created exclusively). A lock left by a
 * process that is gone is taken over. Returns the function that releases it, or null when a
 * live process holds it.
 */
export function claimSpoolFile(path: string): (() => void) | null {
  const lock = `${path}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isProcessAlive(holder)) return null;
      if (holder === process.pid) return null; // this process is replaying it already
      rmSync(lock, { force: true });
    }
  }
  return null;
}

/**
 * The `track_invocations` calls replaying these records: one per project (each record keeps the
 * project its tracker wrote it for), in the order the projects first appear.
 */
export function replayCalls(records: readonly InvocationRecord[]): TrackInvocationsArgs[] {
  const byProject = new Map<string, InvocationRecord[]>();
  for (const record of records) {
    const project = record.project ?? DEFAULT_PROJECT;
    const group = byProject.get(project);
    if (group) group.push(record);
    else byProject.set(project, [record]);
  }
  return [...byProject].map(([project, group]) => ({ ...replayArgs(group), ...projectArg(project) }));
}

/** The `track_invocations` arguments replaying these records, all of one project. */
function replayArgs(records: readonly InvocationRecord[]): TrackInvocationsArgs {
  const completions = [];
  const abandon = [];
  for (const r of records) {
    if ((r.status === 'completed' || r.status === 'failed') && r.completedAt !== null) {
      completions.push(
        toMcpCompletion({
          id: r.id,
          completed: r.completed,
          completedAt: r.completedAt,
          durationSeconds: r.durationSeconds,
          followUpActions: r.followUpActions,
          errorType: r.errorType,
        }),
      );
    } else if (r.status === 'abandoned') {
      abandon.push(r.id);
    }
  }
  return {
    invocations: records.map(toMcpRecord),
    ...(completions.length > 0 ? { completions } : {}),
    ...(abandon.length > 0 ? { abandon } : {}),
  };
}

/** Per record: new to the server (inserted, or its completion applied), or already there as sent. */
export function countReplay(records: number, result: TrackInvocationsResult): ReplayCounts {
  const replayed = Math.min(records, result.inserted + result.completed + result.abandoned);
  return { replayed, duplicates: records - replayed };
}

/** Number of records in a spool file (opened read-only: its writer may still be at work), or 0 when it cannot be read. */
export async function countSpoolFile(path: string): Promise<number> {
  for (const readonly of [true, false]) {
    let store: SkillsStore | undefined;
    try {
      store = await openSpoolStore(path, readonly);
      return await store.countInvocations();
    } catch {
      // Read-only opening can fail on a WAL file without its shared-memory file: try read-write.
    } finally {
      await store?.close().catch(() => {});
    }
  }
  return 0;
}

/**
 * Sends every record of a spool file to the server in chunks, then deletes the file. The file
 * must have no writer (see {@link listSpoolFiles}) and be claimed (see {@link claimSpoolFile}).
 * A failure leaves the file in place: replaying it again later is harmless.
 *
 * @param between Called between chunks, so that live traffic is not held up by a long replay.
 */
export async function replaySpoolFile(
  path: string,
  client: SpoolReplayClient,
  between: () => Promise<void> = async () => {},
): Promise<ReplayCounts> {
  const counts: ReplayCounts = { replayed: 0, duplicates: 0 };
  const store = await openSpoolStore(path);
  try {
    const total = await store.countInvocations();
    for (let offset = 0; offset < total; offset += REPLAY_CHUNK) {
      const records = await store.listInvocations(undefined, { limit: REPLAY_CHUNK, offset });
      if (records.length === 0) break;
      for (const args of replayCalls(records)) {
        const chunk = countReplay(args.invocations.length, await client.trackInvocations(args));
        counts.replayed += chunk.replayed;
        counts.duplicates += chunk.duplicates;
      }
      await between();
    }
  } finally {
    await store.close();
  }
  removeSpoolFile(path);
  return counts;
}
