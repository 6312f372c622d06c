import { claimSpoolFile, listSpoolFiles, replaySpoolFile, type ReplayCounts, type SpoolReplayClient } from './spool.js';

/** Hooks of {@link replaySpoolFolder}; all optional. */
export interface ReplayFolderHooks {
  /** Called between chunks, so that live traffic is not held up by a long replay. */
  readonly between?: () => Promise<void>;
  /** Checked after each file: true stops the replay (the server went away meanwhile). */
  readonly stopped?: () => boolean;
  /** Each replayed file's counts, as soon as it is done (so a later failure keeps them). */
  readonly onFile?: (counts: ReplayCounts) => void;
  /** A file whose replay lock could not be taken (an I/O error): skipped. Default: rethrow. */
  readonly onClaimError?: (error: unknown) => void;
}

/**
 * Replays every replayable spool file in `dir` (finished, or left by a process that is gone) that
 * no one else is replaying, deleting each once the server has it. Throws when a call to the
 * server fails: that file stays for a later replay (resending it is harmless).
 */
export async function replaySpoolFolder(dir: string, client: SpoolReplayClient, hooks: ReplayFolderHooks = {}): Promise<ReplayCounts> {
  const total: ReplayCounts = { replayed: 0, duplicates: 0 };
  for (const file of listSpoolFiles(dir).replayable) {
    let release: (() => void) | null;
    try {
      release = claimSpoolFile(file.path);
    } catch (error) {
      if (!hooks.onClaimError) throw error;
      hooks.onClaimError(error);
      continue;
    }
    if (!release) continue;
    try {
      const counts = await replaySpoolFile(file.path, client, hooks.between);
      total.replayed += counts.replayed;
      total.duplicates += counts.duplicates;
      hooks.onFile?.(counts);
    } finally {
      release();
    }
    if (hooks.stopped?.()) break;
  }
  return total;
}
