import { dirname, join } from 'node:path';
import { McpUnavailableError, SkillsMcpClient } from '@skills/mcp-client';
import {
  CompleteInvocationInputSchema,
  LIMITS,
  MCP_BATCH_LIMIT,
  newInvocationId,
  parseOrThrow,
  RecommendationQuerySchema,
  toMcpCompletion,
  toMcpRecord,
  TrackInvocationInputSchema,
  type BackendInfo,
  type CompleteInvocationInput,
  type Completion,
  type InvocationCompleter,
  type InvocationRecord,
  type Logger,
  type McpCompletion,
  type McpInvocationRecord,
  type Recommendation,
  type RecommendationQueryInput,
  type RecommendSkillsArgs,
  type Settings,
  type SkillsTracker,
  type TrackerHealth,
  type TrackInvocationInput,
  type TrackInvocationsArgs,
  type TrackInvocationsResult,
} from '@skills/protocol';
import { onProcessExit } from '../exit-flush.js';
import { redactQuery } from '../redact.js';
import { SkillsService } from '../service.js';
import { resolveDbPath } from '../settings/index.js';
import { ActiveSpool, claimSpoolFile, listSpoolFiles, replaySpoolFile, type ReplayCounts } from './spool.js';

/** What the MCP tracker needs of a client: `SkillsMcpClient` is one. */
export interface McpTrackerClient {
  trackInvocations(args: TrackInvocationsArgs): Promise<TrackInvocationsResult>;
  recommendSkills(args: RecommendSkillsArgs): Promise<Recommendation[]>;
  close(): Promise<void>;
}

/** Connects to the server at `url` within `timeoutMs`, or throws why not. */
export type McpConnector = (url: string, timeoutMs: number) => Promise<McpTrackerClient>;

/**
 * The default connector: a {@link SkillsMcpClient}. When `SKILLS_SERVER_TOKEN` is set in the
 * environment, it is sent as the server's bearer token.
 */
export const connectSkillsMcpClient: McpConnector = (url, timeoutMs) => {
  const token = process.env['SKILLS_SERVER_TOKEN']?.trim();
  return SkillsMcpClient.connect({ url, timeoutMs, clientName: 'skills-tracker', ...(token ? { token } : {}) });
};

/** Tuning of the MCP tracker; every field has a default. */
export interface McpTrackerTuning {
  /** Entries per `track_invocations` call; default 500. */
  readonly batchSize?: number;
  /** Send this long after the first queued change at the latest; default 50 ms. */
  readonly flushIntervalMs?: number;
  /** Changes queued for the server at most; beyond, they go to the spool (replayed later); default 10,000. */
  readonly maxQueued?: number;
  /** While fallen back, try the server again this often; default 5 s. */
  readonly reconnectIntervalMs?: number;
  /** The spool folder; default `spool/` beside the database file (`.skills/spool/`). */
  readonly spoolDir?: string;
  /** How to reach the server (tests); default {@link connectSkillsMcpClient}. */
  readonly connect?: McpConnector;
}

/** How to open a {@link McpTracker}. */
export interface McpTrackerOptions extends McpTrackerTuning {
  readonly settings: Settings;
  readonly cwd?: string;
  readonly logger: Logger;
  readonly sessionId: string;
  /** What the settings asked for, reported by `getBackend()`. */
  readonly requested: 'mcp' | 'auto';
}

/** The spool folder for these settings: `spool/` beside the database file. */
export function defaultSpoolDir(settings: Pick<Settings, 'dbPath'>, cwd?: string): string {
  return join(dirname(resolveDbPath(settings, cwd)), 'spool');
}

type Where = 'queued' | 'sending' | 'server' | 'spool';

interface OpenInvocation {
  record: InvocationRecord;
  readonly started: number;
  where: Where;
  /** The queued insert, while `where` is `queued`, so a completion can merge into it. */
  queued?: InsertEntry;
}

interface InsertEntry {
  readonly kind: 'insert';
  seq: number;
  record: InvocationRecord;
}
interface CompleteEntry {
  readonly kind: 'complete';
  seq: number;
  readonly finished: InvocationRecord;
  readonly completion: Completion;
  /** Send the finished record too: the server may not have the invocation yet. */
  readonly pair: boolean;
}
interface AbandonEntry {
  readonly kind: 'abandon';
  seq: number;
  readonly abandoned: InvocationRecord;
  readonly pair: boolean;
}
type Entry = InsertEntry | CompleteEntry | AbandonEntry;

const DEFAULTS = { batchSize: 500, flushIntervalMs: 50, maxQueued: 10_000, reconnectIntervalMs: 5_000 } as const;

/**
 * Tracks through the skills MCP server without ever making the caller wait on the network:
 * `trackInvocation` validates, queues and returns its completer. A background pump sends the
 * queue in `track_invocations` batches (ids are made here, so a batch can be resent safely),
 * one call in flight at a time; a completion that finds its record still queued is merged
 * into it, so a short invocation costs one record on the wire.
 *
 * When the server is unreachable, slower than `mcpTimeoutMs`, or goes away, the tracker falls
 * back: it logs once with the reason, reports `{ kind: 'direct', fallback }` in `getBackend()`,
 * and writes to its local spool (see `spool.ts`) — the failed batch and everything queued
 * included, so nothing is lost. Every `reconnectIntervalMs` it tries the server again; once
 * back, it replays the spool (and spools other processes left behind), exactly once thanks to
 * the ids, and sends to the server again.
 *
 * Durability: `flush()` resolves once everything tracked so far is acknowledged by the server
 * or on disk in the spool; on a normal process exit what is still queued goes to the spool.
 */
export class McpTracker implements SkillsTracker {
  readonly #settings: Settings;
  readonly #cwd: string | undefined;
  readonly #logger: Logger;
  readonly #sessionId: string;
  readonly #requested: 'mcp' | 'auto';
  readonly #connect: McpConnector;
  readonly #tuning: Required<Omit<McpTrackerTuning, 'connect' | 'spoolDir'>>;
  readonly #spool: ActiveSpool;
  readonly #unregisterExit: () => void;
  readonly #open = new Map<string, OpenInvocation>();

  #client: McpTrackerClient | null = null;
  #fallback: { reason: string; at: string } | undefined;
  #queue: Entry[] = [];
  #sending: Entry[] = [];
  #seq = 0;
  #waiters: { seq: number; resolve: () => void }[] = [];
  #pumping: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  /** Replayable spool files exist (ours after a rotation, or left by others). */
  #replayDue = true;
  #spillLogged = false;
  #local: Promise<SkillsService> | undefined;
  #recommendFailureLogged = false;
  #loggedReason: string | undefined;
  #reconnectAttempts = 0;
  #tracked = 0;
  #completed = 0;
  #failures = 0;
  #lastError: string | null = null;
  #replayedTotal: ReplayCounts = { replayed: 0, duplicates: 0 };
  #closing: Promise<void> | undefined;

  private constructor(options: McpTrackerOptions, spool: ActiveSpool) {
    this.#settings = options.settings;
    this.#cwd = options.cwd;
    this.#logger = options.logger;
    this.#sessionId = options.sessionId;
    this.#requested = options.requested;
    this.#connect = options.connect ?? connectSkillsMcpClient;
    this.#tuning = {
      batchSize: Math.max(1, Math.min(options.batchSize ?? DEFAULTS.batchSize, MCP_BATCH_LIMIT)),
      flushIntervalMs: options.flushIntervalMs ?? DEFAULTS.flushIntervalMs,
      maxQueued: options.maxQueued ?? DEFAULTS.maxQueued,
      reconnectIntervalMs: options.reconnectIntervalMs ?? DEFAULTS.reconnectIntervalMs,
    };
    this.#spool = spool;
    this.#unregisterExit = onProcessExit(() => this.#exitFlush());
  }

  /**
   * Opens the spool, then connects within `mcpTimeoutMs`; when that fails the tracker starts
   * fallen back (it never throws for an absent server).
   */
  static async open(options: McpTrackerOptions): Promise<McpTracker> {
    const spool = await ActiveSpool.open(options.spoolDir ?? defaultSpoolDir(options.settings, options.cwd), options.logger);
    const tracker = new McpTracker(options, spool);
    try {
      tracker.#client = await tracker.#connect(options.settings.mcpServerUrl, options.settings.mcpTimeoutMs);
      tracker.#kick(); // replay what earlier runs left in the spool
    } catch (error) {
      tracker.#fallBack(error);
    }
    return tracker;
  }

  /** The spool folder this tracker writes to while fallen back. */
  get spoolDir(): string {
    return this.#spool.dir;
  }

  /** Spooled records replayed to the server by this tracker so far. */
  get replayed(): Readonly<ReplayCounts> {
    return this.#replayedTotal;
  }

  trackInvocation(input: TrackInvocationInput): InvocationCompleter | null {
    if (this.#closing) return null;
    const valid = parseOrThrow(TrackInvocationInputSchema, input, 'trackInvocation input');
    const started = performance.now();
    const id = newInvocationId();
    const record: InvocationRecord = {
      id,
      skillName: valid.skillName,
      sessionId: this.#sessionId,
      invokedAt: new Date().toISOString(),
      status: 'pending',
      completed: false,
      completedAt: null,
      durationSeconds: null,
      // Redaction can lengthen a query: keep it within the limit the server checks.
      userQuery: !valid.userQuery
        ? null
        : this.#settings.redactSecrets
          ? redactQuery(valid.userQuery)
          : valid.userQuery,
      workflowPhase: valid.workflowPhase ?? null,
      alternativesConsidered: valid.alternativesConsidered ?? [],
      selectionRank: valid.selectionRank ?? null,
      followUpActions: [],
      errorType: null,
    };
    const open: OpenInvocation = { record, started, where: 'queued' };
    this.#open.set(id, open);
    this.#tracked++;
    this.#enqueue({ kind: 'insert', seq: 0, record }, open);

    let done = false;
    const completer = (result?: CompleteInvocationInput): void => {
      if (done) return;
      const outcome = parseOrThrow(CompleteInvocationInputSchema, result ?? {}, 'completer input');
      done = true;
      const current = this.#open.get(id);
      if (!current) return; // closed meanwhile: already abandoned
      this.#open.delete(id);
      this.#completed++;
      const completion: Completion = {
        id,
        completed: outcome.completed,
        completedAt: new Date().toISOString(),
        durationSeconds: Math.min((performance.now() - current.started) / 1000, LIMITS.maxDurationSeconds),
        followUpActions: outcome.followUpActions ?? [],
        errorType: outcome.errorType ?? null,
      };
      this.#finish(current, finishedRecord(current.record, completion), completion);
    };
    return Object.assign(completer, { invocationId: id });
  }

  async getRecommendations(input: RecommendationQueryInput): Promise<Recommendation[]> {
    // Checked here so that bad input reads as it does with the direct tracker (camelCase names).
    const query = parseOrThrow(RecommendationQuerySchema, input, 'recommendation query');
    const client = this.#client;
    if (client && !this.#fallback) {
      try {
        return await client.recommendSkills({
          user_query: query.userQuery,
          limit: query.limit ?? this.#settings.maxRecommendations,
          ...(query.workflowPhase !== undefined ? { workflow_phase: query.workflowPhase } : {}),
        });
      } catch (error) {
        if (!this.#recommendFailureLogged) {
          this.#logger.warn(`recommendations from the skills server failed (${messageOf(error)}); answering from the local database`);
          this.#recommendFailureLogged = true;
        }
      }
    }
    return (await this.#localService()).recommend(query);
  }

  isEnabled(): boolean {
    return true;
  }

  getBackend(): BackendInfo {
    return this.#fallback
      ? { kind: 'direct', requested: this.#requested, fallback: { from: 'mcp', reason: this.#fallback.reason, at: this.#fallback.at } }
      : { kind: 'mcp', requested: this.#requested };
  }

  health(): TrackerHealth {
    const spool = this.#spool.health;
    return {
      tracked: this.#tracked,
      completed: this.#completed,
      failures: this.#failures + spool.failures,
      lastError: spool.lastError ?? this.#lastError,
    };
  }

  /** Resolves when everything tracked so far is acknowledged by the server or on disk in the spool. */
  async flush(): Promise<void> {
    const target = this.#seq;
    if (this.#lowestOutstanding() <= target) {
      const settled = new Promise<void>((resolve) => this.#waiters.push({ seq: target, resolve }));
      this.#kick();
      await settled;
    }
    await this.#spool.flush();
  }

  /**
   * Marks invocations still open abandoned, sends or spools everything, replays the spool when
   * the server is there, ends the server session and closes the spool. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const open = [...this.#open.values()];
    this.#open.clear();
    for (const invocation of open) {
      const abandoned: InvocationRecord = { ...invocation.record, status: 'abandoned' };
      if (invocation.where === 'queued' && invocation.queued) {
        invocation.queued.record = abandoned;
      } else {
        this.#enqueue({ kind: 'abandon', seq: 0, abandoned, pair: invocation.where !== 'server' });
      }
    }
    await this.flush();
    await this.#pumping;
    this.#clearTimers();
    this.#unregisterExit();
    const client = this.#client;
    this.#client = null;
    await client?.close().catch(() => {});
    await this.#spool.markAbandoned(open.filter((o) => o.where === 'spool').map((o) => o.record.id)).catch((error: unknown) => {
      this.#noteFailure(error);
    });
    const left = await this.#spool.close();
    if (left) this.#logger.info(`spooled invocations are kept in ${left} until the skills server is back (skills sync)`);
    if (this.#local) await (await this.#local.catch(() => undefined))?.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Queue and pump

  #enqueue(entry: Entry, open?: OpenInvocation): void {
    entry.seq = ++this.#seq;
    if (this.#fallback || this.#queue.length >= this.#tuning.maxQueued) {
      if (!this.#fallback && !this.#spillLogged) {
        this.#logger.warn(`more than ${this.#tuning.maxQueued} changes wait for the skills server; spooling the excess locally`);
        this.#spillLogged = true;
      }
      this.#toSpool([entry]);
      this.#replayDue = true;
      if (!this.#fallback) this.#schedule();
      return;
    }
    if (open && entry.kind === 'insert') open.queued = entry;
    this.#queue.push(entry);
    this.#schedule();
  }

  /** A completion: merged into the queued record when it has not gone out yet. */
  #finish(open: OpenInvocation, finished: InvocationRecord, completion: Completion): void {
    if (open.where === 'queued' && open.queued) {
      open.queued.record = finished;
      return;
    }
    this.#enqueue({ kind: 'complete', seq: 0, finished, completion, pair: open.where !== 'server' });
  }

  #schedule(): void {
    if (this.#queue.length >= this.#tuning.batchSize) {
      this.#kick();
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#kick();
      }, this.#tuning.flushIntervalMs);
      // Tracking must never keep the host alive; the exit hook spools what is left.
      this.#timer.unref();
    }
  }

  #kick(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#pumping ??= this.#pump()
      .catch((error: unknown) => this.#noteFailure(error))
      .finally(() => {
        this.#pumping = undefined;
        if (this.#queue.length > 0 && !this.#fallback) this.#schedule();
      });
  }

  async #pump(): Promise<void> {
    while (this.#client && !this.#fallback) {
      if (this.#queue.length > 0) {
        await this.#sendBatch(this.#client);
      } else if (this.#replayDue) {
        this.#replayDue = false;
        await this.#replaySpool(this.#client);
      } else {
        break;
      }
    }
    if (this.#fallback && this.#queue.length > 0) this.#toSpool(this.#queue.splice(0));
    this.#settle();
  }

  async #sendBatch(client: McpTrackerClient): Promise<void> {
    const batch = this.#queue.splice(0, this.#tuning.batchSize);
    for (const entry of batch) {
      if (entry.kind === 'insert') {
        const open = this.#open.get(entry.record.id);
        if (open) {
          open.where = 'sending';
          open.queued = undefined;
        }
      }
    }
    this.#sending = batch;
    try {
      await client.trackInvocations(batchArgs(batch));
      this.#recovered();
      for (const entry of batch) {
        if (entry.kind === 'insert') {
          const open = this.#open.get(entry.record.id);
          if (open) open.where = 'server';
        }
      }
    } catch (error) {
      this.#fallBack(error);
      this.#toSpool(batch);
    } finally {
      this.#sending = [];
    }
    this.#settle();
  }

  /** Our spool (rotated so it has no writer), then every other replayable file in the folder. */
  async #replaySpool(client: McpTrackerClient): Promise<void> {
    try {
      await this.#spool.rotate();
    } catch (error) {
      this.#noteFailure(error);
      return;
    }
    const { replayable } = listSpoolFiles(this.#spool.dir);
    for (const file of replayable) {
      let release: (() => void) | null;
      try {
        release = claimSpoolFile(file.path);
      } catch (error) {
        this.#noteFailure(error);
        continue;
      }
      if (!release) continue;
      try {
        // Live traffic goes first between chunks of a long replay.
        const counts = await replaySpoolFile(file.path, client, async () => {
          while (this.#queue.length > 0 && !this.#fallback) await this.#sendBatch(client);
        });
        this.#replayedTotal.replayed += counts.replayed;
        this.#replayedTotal.duplicates += counts.duplicates;
        if (counts.replayed + counts.duplicates > 0) {
          this.#logger.info(
            `replayed ${counts.replayed} spooled invocations to the skills server` +
              (counts.duplicates > 0 ? ` (${counts.duplicates} it already had)` : ''),
          );
        }
      } catch (error) {
        this.#fallBack(error);
        this.#replayDue = true;
        return;
      } finally {
        release();
      }
      if (this.#fallback) return;
    }
  }

  #toSpool(entries: readonly Entry[]): void {
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
  }

  /** The oldest change neither acknowledged by the server nor spooled (the queue is first in, first out). */
  #lowestOutstanding(): number {
    return Math.min(this.#sending[0]?.seq ?? Infinity, this.#queue[0]?.seq ?? Infinity);
  }

  /** Wakes the `flush()` calls whose changes are all acknowledged or spooled now. */
  #settle(): void {
    if (this.#waiters.length === 0) return;
    const lowest = this.#lowestOutstanding();
    const ready = this.#waiters.filter((w) => w.seq < lowest);
    this.#waiters = this.#waiters.filter((w) => w.seq >= lowest);
    for (const w of ready) w.resolve();
  }

  // ---------------------------------------------------------------------------------------------
  // Fallback and reconnection

  #fallBack(error: unknown): void {
    this.#noteFailure(error);
    if (this.#fallback) return;
    const reason = messageOf(error);
    this.#fallback = { reason, at: new Date().toISOString() };
    const client = this.#client;
    this.#client = null;
    void client?.close().catch(() => {});
    // Once per reason: a server that keeps failing the same way is not announced every attempt.
    if (reason !== this.#loggedReason) {
      this.#logger.warn(
        `skills server at ${this.#settings.mcpServerUrl} not available (${reason}); ` +
          `tracking into the local spool ${this.#spool.dir} until it is back`,
      );
      this.#loggedReason = reason;
    }
    this.#scheduleReconnect();
  }

  /** The next attempt: the interval, doubled after each attempt that failed (at most 60 times it). */
  #scheduleReconnect(): void {
    if (this.#reconnectTimer || this.#closing) return;
    const delay = this.#tuning.reconnectIntervalMs * Math.min(2 ** this.#reconnectAttempts, 60);
    this.#reconnectAttempts++;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.#reconnect();
    }, delay);
    this.#reconnectTimer.unref();
  }

  async #reconnect(): Promise<void> {
    if (this.#closing || !this.#fallback) return;
    try {
      const client = await this.#connect(this.#settings.mcpServerUrl, this.#settings.mcpTimeoutMs);
      if (this.#closing) {
        await client.close().catch(() => {});
        return;
      }
      // Whatever was written while away goes into the spool file we are about to rotate.
      await this.#spool.flush();
      this.#client = client;
      this.#fallback = undefined;
      this.#replayDue = true;
      if (this.#loggedReason !== undefined) {
        this.#logger.info(`skills server at ${this.#settings.mcpServerUrl} is back; replaying the spool`);
      }
      this.#kick();
    } catch {
      this.#scheduleReconnect();
    }
  }

  /** Tries the server again now instead of waiting for the next attempt (tests, `skills sync`). */
  async reconnectNow(): Promise<boolean> {
    if (this.#reconnectTimer) {
      clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = undefined;
    }
    await this.#reconnect();
    return !this.#fallback;
  }

  /** A call went through: the next outage is announced again, and retried from the shortest interval. */
  #recovered(): void {
    this.#reconnectAttempts = 0;
    this.#loggedReason = undefined;
  }

  #noteFailure(error: unknown): void {
    this.#failures++;
    this.#lastError = messageOf(error);
  }

  #clearTimers(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#timer = undefined;
    this.#reconnectTimer = undefined;
  }

  /** Process exit: what is queued or in flight goes to the spool, synchronously. */
  #exitFlush(): void {
    const pending = [...this.#sending, ...this.#queue];
    this.#queue = [];
    this.#toSpool(pending);
    this.#spool.flushSync();
  }

  #localService(): Promise<SkillsService> {
    this.#local ??= SkillsService.open({ settings: this.#settings, cwd: this.#cwd, logger: this.#logger });
    this.#local.catch(() => (this.#local = undefined));
    return this.#local;
  }
}

function finishedRecord(record: InvocationRecord, completion: Completion): InvocationRecord {
  return {
    ...record,
    status: completion.completed ? 'completed' : 'failed',
    completed: completion.completed,
    completedAt: completion.completedAt,
    durationSeconds: completion.durationSeconds,
    followUpActions: [...(completion.followUpActions ?? [])],
    errorType: completion.errorType ?? null,
  };
}

/** One `track_invocations` call for a batch of queue entries. */
function batchArgs(batch: readonly Entry[]): TrackInvocationsArgs {
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
  };
}

/** Why a call failed, in a few words: the client's short reason when it has one. */
function messageOf(error: unknown): string {
  if (error instanceof McpUnavailableError) return error.reason;
  return error instanceof Error ? error.message : String(error);
}
