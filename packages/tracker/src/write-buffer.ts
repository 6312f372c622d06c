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
 * Writes an async store (PostgreSQL) keeps in flight at once: the next batch is validated and
 * sent while the previous one commits, so the host's and the database's work overlap. A store that
 * writes synchronously (SQLite) gains nothing from it and keeps one.
 */
const ASYNC_WRITES_IN_FLIGHT = 2;

/** A write waiting for a free slot; every flush asking meanwhile joins it (a write takes everything buffered). */
interface QueuedWrite {
  readonly settled: Promise<boolean>;
  readonly resolve: (held: boolean) => void;
}

/**
 * Collects inserts and completions from the hot path and writes them in one transaction per
 * batch, so a tracked call costs an array push. A failed write is logged once per streak,
 * counted, and kept for the next attempt (bounded), never thrown at the caller.
 *
 * With an async store two batches may be in flight. Their transactions commit in either order,
 * so a completion whose record is being inserted by the other one is held back for a later batch
 * (until that insert committed, or failed and is buffered again): a completion never reaches the
 * store before its record.
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
  readonly #maxInFlight: number;
  #inFlight = 0;
  /** Ids of the records whose inserts are in flight. */
  readonly #insertsInFlight = new Set<string>();
  #queued: QueuedWrite | null = null;
  /** Settles when every write started so far has settled. */
  #allSettled: Promise<unknown> = Promise.resolve();
  /** A write for a full batch is queued and has not started: the hot path need not queue another. */
  #batchQueued = false;
  #failing = false;

  constructor(store: SkillsStore, logger: Logger, onWritten: () => void, options: WriteBufferOptions) {
    this.#store = store;
    this.#logger = logger;
    this.#onWritten = onWritten;
    this.#options = options;
    this.#maxInFlight = isSyncWritable(store) ? 1 : ASYNC_WRITES_IN_FLIGHT;
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
  async flush(): Promise<void> {
    this.#clearTimer();
    // A write that held completions back leaves them for the next one.
    while (await this.#write());
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

  /**
   * Queues a write of everything buffered when it starts (joining the one queued already).
   * Resolves when it and every write before it have settled: true when it held completions back.
   */
  #write(): Promise<boolean> {
    const queued = this.#queued;
    if (queued) return queued.settled;
    let resolve!: (held: boolean) => void;
    const settled = new Promise<boolean>((r) => (resolve = r));
    this.#queued = { settled, resolve };
    this.#startQueued();
    return settled;
  }

  /** Starts the queued write when a slot is free. */
  #startQueued(): void {
    const queued = this.#queued;
    if (!queued || this.#inFlight >= this.#maxInFlight) return;
    this.#queued = null;
    this.#inFlight++;
    const written = this.#writeOnce().finally(() => {
      this.#inFlight--;
      this.#startQueued();
    });
    const all = Promise.all([this.#allSettled, written]);
    this.#allSettled = all;
    void all.then(([, held]) => queued.resolve(held));
  }

  #take(): { inserts: NewInvocation[]; completions: Completion[] } {
    const batch = { inserts: this.#inserts, completions: this.#completions };
    this.#inserts = [];
    this.#completions = [];
    return batch;
  }

  /** Writes the buffered changes; resolves (never rejects) when settled: true when it held completions back. */
  async #writeOnce(): Promise<boolean> {
    this.#batchQueued = false;
    if (this.size === 0) return false;
    const batch = this.#take();
    const held = this.#holdBack(batch);
    for (const r of batch.inserts) this.#insertsInFlight.add(r.id);
    const landed = () => {
      for (const r of batch.inserts) this.#insertsInFlight.delete(r.id);
    };
    try {
      await this.#store.applyBatch(batch);
      landed();
      if (this.#failing) this.#logger.info('storage recovered; tracking writes again');
      this.#failing = false;
      this.#onWritten();
    } catch (error) {
      // Out of flight before it is buffered again: a write that #failed schedules may take it.
      landed();
      this.#failed(error, batch);
    }
    if (held) this.#schedule();
    return held;
  }

  /** Moves the completions of records another write is inserting from `batch` back to the buffer. */
  #holdBack(batch: { inserts: NewInvocation[]; completions: Completion[] }): boolean {
    if (this.#insertsInFlight.size === 0) return false;
    const held = batch.completions.filter((c) => this.#insertsInFlight.has(c.id));
    if (held.length === 0) return false;
    batch.completions = batch.completions.filter((c) => !this.#insertsInFlight.has(c.id));
    this.#completions = [...held, ...this.#completions];
    return true;
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
