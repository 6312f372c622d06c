import { join } from 'node:path';
import {
  completionOf,
  createCompleter,
  finishedRecord,
  MCP_BATCH_LIMIT,
  newInvocationId,
  parseOrThrow,
  pendingRecord,
  RecommendationQuerySchema,
  TrackInvocationInputSchema,
  type BackendInfo,
  type InvocationCompleter,
  type Logger,
  type Recommendation,
  type RecommendationQueryInput,
  type Settings,
  type SkillsTracker,
  type TrackerHealth,
  type TrackInvocationInput,
} from '@skills/protocol';
import { AfterClose } from '../after-close.js';
import { onProcessExit } from '../exit-flush.js';
import { keepAliveUntil } from '../keep-alive.js';
import { redactQuery } from '../redact.js';
import { localDataDir } from '../settings/index.js';
import { batchArgs, Outbox, type Placement } from './outbox.js';
import { McpRecommendations } from './recommendations.js';
import { connectSkillsMcpClient, reasonOf, ServerLink, type McpConnector, type McpTrackerClient } from './server-link.js';
import { ActiveSpool, type ReplayCounts } from './spool.js';
import { replaySpoolFolder } from './spool-replay.js';

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

/**
 * The spool folder for these settings: `spool/` beside the database file, or `.skills/spool`
 * under `cwd` when the store is at a URL (see `localDataDir`).
 */
export function defaultSpoolDir(settings: Pick<Settings, 'dbPath' | 'dbUrl'>, cwd?: string): string {
  return join(localDataDir(settings, cwd), 'spool');
}

const DEFAULTS = { batchSize: 500, flushIntervalMs: 50, maxQueued: 10_000, reconnectIntervalMs: 5_000 } as const;

/**
 * Tracks through the skills MCP server without ever making the caller wait on the network:
 * `trackInvocation` validates, queues (see {@link Outbox}) and returns its completer. A pump
 * sends the queue in `track_invocations` batches (ids are made here, so a batch can be resent
 * safely), one call in flight at a time. Every call names `settings.project` (none for `default`:
 * then the server decides, see `projectArg`), and every record keeps it, spooled ones included.
 *
 * When the server is unreachable, slower than `mcpTimeoutMs`, or goes away, the tracker falls
 * back (see {@link ServerLink}): it logs once with the reason, reports `{ kind: 'direct', fallback }`
 * in `getBackend()`, and writes to its local spool (see `spool.ts`) — the failed batch and
 * everything queued included, so nothing is lost. Once the server is back it replays the spool
 * (and spools other processes left behind), exactly once thanks to the ids.
 *
 * Durability: `flush()` resolves once everything tracked so far is acknowledged by the server
 * or on disk in the spool, and keeps the process alive until then; on a normal process exit what
 * is still queued goes to the spool.
 */
export class McpTracker implements SkillsTracker {
  readonly #settings: Settings;
  readonly #logger: Logger;
  readonly #sessionId: string;
  readonly #requested: 'mcp' | 'auto';
  readonly #batchSize: number;
  readonly #flushIntervalMs: number;
  readonly #maxQueued: number;
  readonly #spool: ActiveSpool;
  readonly #link: ServerLink;
  readonly #outbox: Outbox;
  readonly #recommendations: McpRecommendations;
  readonly #afterClose: AfterClose;
  readonly #unregisterExit: () => void;

  #pumping: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Replayable spool files may exist (ours after a rotation, or left by others). */
  #replayDue = true;
  #overflowLogged = false;
  #tracked = 0;
  #completed = 0;
  #failures = 0;
  #lastError: string | null = null;
  #replayedTotal: ReplayCounts = { replayed: 0, duplicates: 0 };
  #closing: Promise<void> | undefined;

  private constructor(options: McpTrackerOptions, spool: ActiveSpool) {
    this.#settings = options.settings;
    this.#logger = options.logger;
    this.#sessionId = options.sessionId;
    this.#requested = options.requested;
    this.#batchSize = Math.max(1, Math.min(options.batchSize ?? DEFAULTS.batchSize, MCP_BATCH_LIMIT));
    this.#flushIntervalMs = options.flushIntervalMs ?? DEFAULTS.flushIntervalMs;
    this.#maxQueued = options.maxQueued ?? DEFAULTS.maxQueued;
    this.#spool = spool;
    this.#link = new ServerLink({
      url: options.settings.mcpServerUrl,
      timeoutMs: options.settings.mcpTimeoutMs,
      connect: options.connect ?? connectSkillsMcpClient,
      logger: options.logger,
      reconnectIntervalMs: options.reconnectIntervalMs ?? DEFAULTS.reconnectIntervalMs,
      spoolDir: spool.dir,
      onFailure: (error) => this.#noteFailure(error),
      onBack: () => {
        this.#replayDue = true;
        this.#kick();
      },
    });
    this.#outbox = new Outbox({ spool, maxQueued: this.#maxQueued, spooling: () => this.#link.fallback !== undefined });
    this.#recommendations = new McpRecommendations(options.settings, options.cwd, options.logger);
    this.#afterClose = new AfterClose(options.logger);
    this.#unregisterExit = onProcessExit(() => this.#exitFlush());
  }

  /**
   * Opens the spool, then connects within `mcpTimeoutMs`; when that fails the tracker starts
   * fallen back (it never throws for an absent server).
   */
  static async open(options: McpTrackerOptions): Promise<McpTracker> {
    const spool = await ActiveSpool.open(options.spoolDir ?? defaultSpoolDir(options.settings, options.cwd), options.logger);
    const tracker = new McpTracker(options, spool);
    if (await tracker.#link.connect()) tracker.#kick(); // replay what earlier runs left in the spool
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
    if (this.#afterClose.closed) return this.#afterClose.refuseTrack();
    const valid = parseOrThrow(TrackInvocationInputSchema, input, 'trackInvocation input');
    const started = performance.now();
    // Redaction can lengthen a query: `redactQuery` keeps it within the limit the server checks.
    const record = pendingRecord(valid, {
      id: newInvocationId(),
      sessionId: this.#sessionId,
      invokedAt: new Date().toISOString(),
      redactQuery: this.#settings.redactSecrets ? redactQuery : undefined,
      // Kept with the record, so that a spool replays into the project it was written for.
      project: this.#settings.project,
    });
    this.#tracked++;
    this.#placed(this.#outbox.track(record));
    return createCompleter(record.id, (outcome) => {
      const completion = completionOf(record.id, outcome, new Date().toISOString(), (performance.now() - started) / 1000);
      const placement = this.#outbox.finish(finishedRecord(record, completion), completion);
      if (placement === null) return; // closed meanwhile: already abandoned
      this.#completed++;
      this.#placed(placement);
    });
  }

  async getRecommendations(input: RecommendationQueryInput): Promise<Recommendation[]> {
    if (this.#afterClose.closed) return this.#afterClose.refuseRecommendations();
    // Checked here so that bad input reads as it does with the direct tracker (camelCase names).
    const query = parseOrThrow(RecommendationQuerySchema, input, 'recommendation query');
    return this.#recommendations.recommend(query, this.#link.client);
  }

  isEnabled(): boolean {
    return true;
  }

  getBackend(): BackendInfo {
    const fallback = this.#link.fallback;
    return fallback
      ? { kind: 'direct', requested: this.#requested, fallback: { from: 'mcp', reason: fallback.reason, at: fallback.at } }
      : { kind: 'mcp', requested: this.#requested };
  }

  health(): TrackerHealth {
    const spool = this.#spool.health;
    return {
      tracked: this.#tracked,
      completed: this.#completed,
      failures: this.#failures + spool.failures,
      lastError: spool.lastError ?? this.#lastError,
      refusedAfterClose: this.#afterClose.refused,
    };
  }

  /**
   * Resolves when everything tracked so far is acknowledged by the server or on disk in the
   * spool; the process stays alive until then.
   */
  flush(): Promise<void> {
    return keepAliveUntil(this.#flush());
  }

  /**
   * Marks invocations still open abandoned, sends or spools everything, replays the spool when
   * the server is there, ends the server session and closes the spool. Idempotent; the process
   * stays alive until it resolves.
   */
  close(): Promise<void> {
    this.#closing ??= keepAliveUntil(this.#close());
    return this.#closing;
  }

  /** Tries the server again now instead of waiting for the next attempt (tests, `skills sync`). */
  reconnectNow(): Promise<boolean> {
    return this.#link.reconnectNow();
  }

  async #flush(): Promise<void> {
    const settled = this.#outbox.settled();
    if (settled) {
      this.#kick();
      await settled;
    }
    await this.#spool.flush();
  }

  async #close(): Promise<void> {
    this.#afterClose.close();
    this.#link.stopReconnecting();
    const inSpool = this.#outbox.abandonAll();
    await this.#flush();
    await this.#pumping;
    this.#clearTimer();
    this.#unregisterExit();
    await this.#link.close();
    await this.#spool.markAbandoned(inSpool).catch((error: unknown) => this.#noteFailure(error));
    const left = await this.#spool.close();
    if (left) this.#logger.info(`spooled invocations are kept in ${left} until the skills server is back (skills sync)`);
    await this.#recommendations.close();
  }

  /** A change went to the queue, or to the spool (then a replay is due once the server takes it). */
  #placed(placement: Placement): void {
    if (placement !== 'queued') this.#replayDue = true;
    if (placement === 'overflow' && !this.#overflowLogged) {
      this.#logger.warn(`more than ${this.#maxQueued} changes wait for the skills server; spooling the excess locally`);
      this.#overflowLogged = true;
    }
    if (placement !== 'spooled') this.#schedule();
  }

  #schedule(): void {
    if (this.#outbox.queued >= this.#batchSize) {
      this.#kick();
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#kick();
      }, this.#flushIntervalMs);
      // Tracking must never keep the host alive; the exit hook spools what is left.
      this.#timer.unref();
    }
  }

  #kick(): void {
    this.#clearTimer();
    this.#pumping ??= this.#pump()
      .catch((error: unknown) => this.#noteFailure(error))
      .finally(() => {
        this.#pumping = undefined;
        if (this.#outbox.queued === 0 || !this.#link.client) return;
        // Changes that came while the pump was finishing: at once when someone waits for them.
        if (this.#outbox.awaited) this.#kick();
        else this.#schedule();
      });
  }

  async #pump(): Promise<void> {
    for (let client = this.#link.client; client; client = this.#link.client) {
      if (this.#outbox.queued > 0) {
        await this.#sendBatch(client);
      } else if (this.#replayDue) {
        this.#replayDue = false;
        await this.#replay(client);
      } else {
        break;
      }
    }
    if (this.#link.fallback) this.#outbox.spoolQueued();
  }

  async #sendBatch(client: McpTrackerClient): Promise<void> {
    const batch = this.#outbox.takeBatch(this.#batchSize);
    try {
      await client.trackInvocations(batchArgs(batch, this.#settings.project));
      this.#link.recovered();
      this.#outbox.acknowledge();
    } catch (error) {
      this.#link.fallBack(error);
      this.#outbox.spoolSending();
    }
  }

  /** Our spool (rotated so it has no writer), then every other replayable file in the folder. */
  async #replay(client: McpTrackerClient): Promise<void> {
    try {
      await this.#spool.rotate();
    } catch (error) {
      this.#noteFailure(error);
      return;
    }
    try {
      await replaySpoolFolder(this.#spool.dir, client, {
        // Live traffic goes first between chunks of a long replay.
        between: async () => {
          while (this.#outbox.queued > 0 && this.#link.client) await this.#sendBatch(client);
        },
        stopped: () => this.#link.client === null,
        onFile: (counts) => this.#replayedFile(counts),
        onClaimError: (error) => this.#noteFailure(error),
      });
    } catch (error) {
      this.#link.fallBack(error);
      this.#replayDue = true;
    }
  }

  #replayedFile(counts: ReplayCounts): void {
    this.#replayedTotal.replayed += counts.replayed;
    this.#replayedTotal.duplicates += counts.duplicates;
    if (counts.replayed + counts.duplicates === 0) return;
    this.#logger.info(
      `replayed ${counts.replayed} spooled invocations to the skills server` +
        (counts.duplicates > 0 ? ` (${counts.duplicates} it already had)` : ''),
    );
  }

  #noteFailure(error: unknown): void {
    this.#failures++;
    this.#lastError = reasonOf(error);
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Process exit: what is queued or in flight goes to the spool, synchronously. */
  #exitFlush(): void {
    this.#outbox.spoolEverything();
    this.#spool.flushSync();
  }
}
