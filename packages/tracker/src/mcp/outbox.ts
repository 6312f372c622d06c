import {
  toMcpCompletion,
  toMcpRecord,
  type Completion,
  type InvocationRecord,
  type McpCompletion,
  type McpInvocationRecord,
  type TrackInvocationsArgs,
} from '@skills/protocol';
import { projectArg } from './project-arg.js';

/** A new invocation for the server: pending, or already finished when its completion merged in. */
export interface InsertEntry {
  readonly kind: 'insert';
  readonly seq: number;
  record: InvocationRecord;
}
/** The end of an invocation that left the queue already. */
export interface CompleteEntry {
  readonly kind: 'complete';
  readonly seq: number;
  readonly finished: InvocationRecord;
  readonly completion: Completion;
  /** Send the finished record too: the server may not have the invocation yet. */
  readonly pair: boolean;
}
/** An invocation left open at close, that left the queue already. */
export interface AbandonEntry {
  readonly kind: 'abandon';
  readonly seq: number;
  readonly abandoned: InvocationRecord;
  readonly pair: boolean;
}
export type OutboxEntry = InsertEntry | CompleteEntry | AbandonEntry;

/** Where the outbox writes what cannot or need not wait for the server: `ActiveSpool` is one. */
export interface OutboxSpool {
  insert(record: InvocationRecord): void;
  complete(finished: InvocationRecord, completion: Completion): void;
}

/** Where an open invocation's record is. */
type Where = 'queued' | 'sending' | 'server' | 'spool';

interface OpenInvocation {
  readonly record: InvocationRecord;
  where: Where;
  /** The queued insert, while `where` is `queued`, so a completion can merge into it. */
  queued?: InsertEntry;
}

/** What became of an entry: queued for the server, or written to the spool (`overflow`: because the queue is full). */
export type Placement = 'queued' | 'spooled' | 'overflow';

/**
 * What the MCP tracker owes the server, with no timers and no I/O of its own: a first-in,
 * first-out queue of changes with sequence numbers, the batch in flight, and the invocations
 * still open. A completion whose record has not left the queue is merged into it, so a short
 * invocation costs one record on the wire. While `spooling()` says so, or when the queue holds
 * `maxQueued` entries, changes go to the spool instead. `settled()` resolves once every change
 * made so far is acknowledged by the server or spooled.
 */
export class Outbox {
  readonly #spool: OutboxSpool;
  readonly #maxQueued: number;
  readonly #spooling: () => boolean;
  readonly #open = new Map<string, OpenInvocation>();
  #queue: OutboxEntry[] = [];
  #sending: OutboxEntry[] = [];
  #seq = 0;
  #waiters: { seq: number; resolve: () => void }[] = [];

  constructor(options: { spool: OutboxSpool; maxQueued: number; spooling: () => boolean }) {
    this.#spool = options.spool;
    this.#maxQueued = options.maxQueued;
    this.#spooling = options.spooling;
  }

  /** Entries waiting to be sent. */
  get queued(): number {
    return this.#queue.length;
  }

  /** True while a `settled()` promise is pending. */
  get awaited(): boolean {
    return this.#waiters.length > 0;
  }

  /** A new pending invocation. */
  track(record: InvocationRecord): Placement {
    const open: OpenInvocation = { record, where: 'queued' };
    this.#open.set(record.id, open);
    const entry: InsertEntry = { kind: 'insert', seq: ++this.#seq, record };
    const placement = this.#place(entry);
    if (placement === 'queued') open.queued = entry;
    return placement;
  }

  /**
   * The end of an open invocation: merged into its queued record, else a change of its own.
   * Returns null when the invocation is not open (ended already, or abandoned by `abandonAll`).
   */
  finish(finished: InvocationRecord, completion: Completion): Placement | null {
    const open = this.#open.get(finished.id);
    if (!open) return null;
    this.#open.delete(finished.id);
    if (open.where === 'queued' && open.queued) {
      open.queued.record = finished;
      return 'queued';
    }
    return this.#place({ kind: 'complete', seq: ++this.#seq, finished, completion, pair: open.where !== 'server' });
  }

  /** Marks every open invocation abandoned; returns the ids whose pending record is in the spool. */
  abandonAll(): string[] {
    const inSpool: string[] = [];
    for (const open of this.#open.values()) {
      const abandoned: InvocationRecord = { ...open.record, status: 'abandoned' };
      if (open.where === 'spool') inSpool.push(abandoned.id);
      if (open.where === 'queued' && open.queued) open.queued.record = abandoned;
      else this.#place({ kind: 'abandon', seq: ++this.#seq, abandoned, pair: open.where !== 'server' });
    }
    this.#open.clear();
    return inSpool;
  }

  /** Takes the next batch to send, at most `size` entries; it is in flight until acknowledged or spooled. */
  takeBatch(size: number): readonly OutboxEntry[] {
    const batch = this.#queue.splice(0, size);
    for (const entry of batch) {
      if (entry.kind !== 'insert') continue;
      const open = this.#open.get(entry.record.id);
      if (open) {
        open.where = 'sending';
        open.queued = undefined;
      }
    }
    this.#sending = batch;
    return batch;
  }

  /** The server acknowledged the batch in flight. */
  acknowledge(): void {
    for (const entry of this.#sending) {
      if (entry.kind !== 'insert') continue;
      const open = this.#open.get(entry.record.id);
      if (open) open.where = 'server';
    }
    this.#sending = [];
    this.#settle();
  }

  /** The batch in flight failed: it goes to the spool. */
  spoolSending(): void {
    const batch = this.#sending;
    this.#sending = [];
    this.#toSpool(batch);
  }

  /** Everything queued goes to the spool (the server is away). */
  spoolQueued(): void {
    this.#toSpool(this.#queue.splice(0));
  }

  /** Process exit: what is in flight or queued goes to the spool, since no answer can come any more. */
  spoolEverything(): void {
    const pending = [...this.#sending, ...this.#queue];
    this.#sending = [];
    this.#queue = [];
    this.#toSpool(pending);
  }

  /** Resolves when every change made so far is acknowledged or spooled; undefined when that is so already. */
  settled(): Promise<void> | undefined {
    const target = this.#seq;
    if (this.#lowestOutstanding() > target) return undefined;
    return new Promise<void>((resolve) => this.#waiters.push({ seq: target, resolve }));
  }

  #place(entry: OutboxEntry): Placement {
    const spooling = this.#spooling();
    if (!spooling && this.#queue.length < this.#maxQueued) {
      this.#queue.push(entry);
      return 'queued';
    }
    this.#toSpool([entry]);
    return spooling ? 'spooled' : 'overflow';
  }

  #toSpool(entries: readonly OutboxEntry[]): void {
    for (const entry of entries) {
      if (entry.kind === 'insert') {
        this.#spool.insert(entry.record);
        const open = this.#open.get(entry.record.id);
        if (open) {
          open.where = 'spool';
          open.queued = undefined;
        }
      } else if (entry.kind === 'complete') {
        this.#spool.complete(entry.finished, entry.completion);
      } else {
        // Abandoned: the record itself, so a spool without the pending one still says so.
        this.#spool.insert(entry.abandoned);
      }
    }
    this.#settle();
  }

  /** The oldest change neither acknowledged nor spooled (the queue is first in, first out). */
  #lowestOutstanding(): number {
    return Math.min(this.#sending[0]?.seq ?? Infinity, this.#queue[0]?.seq ?? Infinity);
  }

  /** Wakes the `settled()` promises whose changes are all acknowledged or spooled now. */
  #settle(): void {
    if (this.#waiters.length === 0) return;
    const lowest = this.#lowestOutstanding();
    const ready = this.#waiters.filter((w) => w.seq < lowest);
    this.#waiters = this.#waiters.filter((w) => w.seq >= lowest);
    for (const w of ready) w.resolve();
  }
}

/** One `track_invocations` call for a batch of entries of `project` (see {@link projectArg}). */
export function batchArgs(batch: readonly OutboxEntry[], project?: string): TrackInvocationsArgs {
  const invocations: McpInvocationRecord[] = [];
  const completions: McpCompletion[] = [];
  const abandon: string[] = [];
  for (const entry of batch) {
    if (entry.kind === 'insert') {
      invocations.push(toMcpRecord(entry.record));
    } else if (entry.kind === 'complete') {
      if (entry.pair) invocations.push(toMcpRecord(entry.finished));
      completions.push(toMcpCompletion(entry.completion));
    } else {
      if (entry.pair) invocations.push(toMcpRecord(entry.abandoned));
      abandon.push(entry.abandoned.id);
    }
  }
  return {
    invocations,
    ...(completions.length > 0 ? { completions } : {}),
    ...(abandon.length > 0 ? { abandon } : {}),
    ...projectArg(project),
  };
}
