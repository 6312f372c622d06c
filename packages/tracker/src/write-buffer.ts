import {
  isSyncWritable,
  ValidationError,
  type Completion,
  type Logger,
  type NewInvocation,
  type SkillsStore,
  type WriteBatch,
} from '@skills/protocol';

/** When the buffer writes on its own. */
export interface WriteBufferOptions {
  /** Write this long after the first buffered change at the latest. */
  readonly flushIntervalMs: number;
  /** Write at once when this many changes are buffered. */
  readonly maxBatch: number;
  /** Changes kept for a retry while the store fails; beyond it the oldest are dropped and counted. */
  readonly maxRetained: number;
}

export const DEFAULT_WRITE_BUFFER_OPTIONS: WriteBufferOptions = Object.freeze({
  flushIntervalMs: 50,
  maxBatch: 2_000,
  maxRetained: 100_000,
});

/** Failure counters of a {@link WriteBuffer}. */
export interface WriteBufferHealth {
  failures: number;
  dropped: number;
  lastError: string | null;
}

/**
 * Collects inserts and completions from the hot path and writes them in one transaction per
 * batch, so a tracked call costs an array push. A failed write is logged once per streak,
 * counted, and kept for the next attempt (bounded), never thrown at the caller.
 */
export class WriteBuffer {
  readonly health: WriteBufferHealth = { failures: 0, dropped: 0, lastError: null };
  #store: SkillsStore;
  #logger: Logger;
  #options: WriteBufferOptions;
  #onWritten: () => void;
  #inserts: NewInvocation[] = [];
  #completions: Completion[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  /** A write for a full batch is queued and has not started: the hot path need not queue another. */
  #batchQueued = false;
  #failing = false;

  constructor(store: SkillsStore, logger: Logger, onWritten: () => void, options: WriteBufferOptions) {
    this.#store = store;
    this.#logger = logger;
    this.#onWritten = onWritten;
    this.#options = options;
  }

  get size(): number {
    return this.#inserts.length + this.#completions.length;
  }

  insert(record: NewInvocation): void {
    this.#inserts.push(record);
    this.#schedule();
  }

  complete(completion: Completion): void {
    this.#completions.push(completion);
    this.#schedule();
  }

  /** Writes everything buffered so far; resolves when it is durable (or failed and was kept). */
  flush(): Promise<void> {
    this.#clearTimer();
    this.#writing = this.#writing.then(() => this.#writeOnce());
    return this.#writing;
  }

  /** Writes what is buffered synchronously, when the store can (used at process exit). */
  flushSync(): void {
    this.#clearTimer();
    if (this.size === 0 || !isSyncWritable(this.#store)) return;
    const batch = this.#take();
    try {
      this.#store.applyBatchSync(batch);
    } catch (error) {
      this.#failed(error, batch);
    }
  }

  #schedule(): void {
    if (this.size >= this.#options.maxBatch) {
      if (!this.#batchQueued) {
        this.#batchQueued = true;
        void this.flush();
      }
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.#options.flushIntervalMs);
      // Tracking must never keep the host process alive; the exit hook writes the rest.
      this.#timer.unref();
    }
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #take(): WriteBatch {
    const batch = { inserts: this.#inserts, completions: this.#completions };
    this.#inserts = [];
    this.#completions = [];
    return batch;
  }

  async #writeOnce(): Promise<void> {
    this.#batchQueued = false;
    if (this.size === 0) return;
    const batch = this.#take();
    try {
      await this.#store.applyBatch(batch);
      if (this.#failing) this.#logger.info('storage recovered; tracking writes again');
      this.#failing = false;
      this.#onWritten();
    } catch (error) {
      this.#failed(error, batch);
    }
  }

  #failed(error: unknown, failed: WriteBatch): void {
    this.health.failures++;
    this.health.lastError = error instanceof Error ? error.message : String(error);
    let batch = failed;
    if (error instanceof ValidationError) {
      // A rejected record fails the same way every time: drop it, or it would block every later batch.
      batch = this.#withoutRejected(failed, error);
    } else {
      if (!this.#failing) this.#logger.error(`could not write tracked invocations (kept for retry): ${this.health.lastError}`);
      this.#failing = true;
    }
    // Put the batch back in front, in order, within the bound.
    this.#inserts = [...(batch.inserts ?? []), ...this.#inserts];
    this.#completions = [...(batch.completions ?? []), ...this.#completions];
    const excess = this.size - this.#options.maxRetained;
    if (excess > 0) {
      const fromInserts = Math.min(excess, this.#inserts.length);
      this.#inserts.splice(0, fromInserts);
      this.#completions.splice(0, excess - fromInserts);
      this.health.dropped += excess;
    }
    this.#schedule();
  }

  /** The batch less the entries the error names (`inserts.3.userQuery`); all of it when it names none. */
  #withoutRejected(batch: WriteBatch, error: ValidationError): WriteBatch {
    const rejected = { inserts: new Set<number>(), completions: new Set<number>() };
    for (const { path } of error.violations) {
      const [list, index] = path.split('.');
      if ((list === 'inserts' || list === 'completions') && /^\d+$/.test(index ?? '')) rejected[list].add(Number(index));
    }
    const named = rejected.inserts.size + rejected.completions.size;
    const kept: WriteBatch =
      named === 0
        ? {}
        : {
            inserts: batch.inserts?.filter((_, i) => !rejected.inserts.has(i)),
            completions: batch.completions?.filter((_, i) => !rejected.completions.has(i)),
          };
    const dropped = (batch.inserts?.length ?? 0) + (batch.completions?.length ?? 0) - (kept.inserts?.length ?? 0) - (kept.completions?.length ?? 0);
    this.health.dropped += dropped;
    this.#logger.error(`dropped ${dropped} tracked changes the store rejects: ${error.message}`);
    return kept;
  }
}
