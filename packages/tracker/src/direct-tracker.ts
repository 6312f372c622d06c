import {
  completionOf,
  CompleteInvocationInputSchema,
  createCompleter,
  newInvocationId,
  isPlainDuration,
  isPlainName,
  isPlainNameList,
  isPlainQuery,
  isPlainRank,
  parseOrThrow,
  pendingRecord,
  TrackInvocationInputSchema,
  type BackendInfo,
  type CompleteInvocation,
  type CompleteInvocationInput,
  type InvocationCompleter,
  type Recommendation,
  type RecommendationQueryInput,
  type SkillsTracker,
  type TrackerHealth,
  type TrackInvocation,
  type TrackInvocationInput,
} from '@skills/protocol';
import { AfterClose } from './after-close.js';
import { onProcessExit } from './exit-flush.js';
import { keepAliveUntil } from './keep-alive.js';
import { redactQuery } from './redact.js';
import type { SkillsService } from './service.js';
import { DEFAULT_WRITE_BUFFER_OPTIONS, WriteBuffer, type WriteBufferOptions } from './write-buffer.js';

/** Options of a {@link DirectTracker} beyond its service. */
export interface DirectTrackerOptions {
  readonly sessionId: string;
  readonly backend?: BackendInfo;
  readonly writeBuffer?: Partial<WriteBufferOptions>;
}

/**
 * Tracks into the in-process store. `trackInvocation` validates, buffers and returns; writes go
 * out in batches (see {@link WriteBuffer}). Durability: everything tracked is on disk once
 * `flush()` or `close()` resolves, and on a normal process exit; a hard kill can lose at most
 * the last flush interval (50 ms by default).
 */
export class DirectTracker implements SkillsTracker {
  readonly #service: SkillsService;
  readonly #sessionId: string;
  readonly #backend: BackendInfo;
  readonly #buffer: WriteBuffer;
  readonly #open = new Set<string>();
  readonly #unregisterExit: () => void;
  readonly #redact: ((query: string) => string) | undefined;
  readonly #afterClose: AfterClose;
  #tracked = 0;
  #completed = 0;
  #closing: Promise<void> | undefined;

  constructor(service: SkillsService, options: DirectTrackerOptions) {
    this.#service = service;
    this.#sessionId = options.sessionId;
    this.#redact = service.settings.redactSecrets ? redactQuery : undefined;
    this.#afterClose = new AfterClose(service.logger);
    this.#backend = options.backend ?? { kind: 'direct', requested: 'direct' };
    this.#buffer = new WriteBuffer(service.store, service.logger, () => service.invalidate(), {
      ...DEFAULT_WRITE_BUFFER_OPTIONS,
      ...options.writeBuffer,
    });
    this.#unregisterExit = onProcessExit(() => this.#buffer.flushSync());
  }

  trackInvocation(input: TrackInvocationInput): InvocationCompleter | null {
    if (this.#afterClose.closed) return this.#afterClose.refuseTrack();
    const valid = plainTrackInput(input) ?? parseOrThrow(TrackInvocationInputSchema, input, 'trackInvocation input');
    const started = performance.now();
    const now = Date.now();
    const id = newInvocationId(now);
    this.#buffer.insert(pendingRecord(valid, { id, sessionId: this.#sessionId, invokedAt: isoInstant(now), redactQuery: this.#redact }));
    this.#open.add(id);
    this.#tracked++;
    return createCompleter(
      id,
      (outcome) => {
        if (!this.#open.delete(id)) return; // closed meanwhile: already marked abandoned
        this.#completed++;
        this.#buffer.complete(completionOf(id, outcome, isoInstant(Date.now()), (performance.now() - started) / 1000));
      },
      parseCompleteInput,
    );
  }

  async getRecommendations(query: RecommendationQueryInput): Promise<Recommendation[]> {
    if (this.#afterClose.closed) return this.#afterClose.refuseRecommendations();
    await this.#buffer.flush();
    return this.#service.recommend(query);
  }

  isEnabled(): boolean {
    return true;
  }

  getBackend(): BackendInfo {
    return this.#backend;
  }

  health(): TrackerHealth {
    const { failures, lastError } = this.#buffer.health;
    return { tracked: this.#tracked, completed: this.#completed, failures, lastError, refusedAfterClose: this.#afterClose.refused };
  }

  /** Writes everything buffered; the process stays alive until it resolves. */
  flush(): Promise<void> {
    return keepAliveUntil(this.#buffer.flush());
  }

  /** Flushes, marks invocations this tracker left open as abandoned, closes the store. */
  close(): Promise<void> {
    this.#closing ??= keepAliveUntil(this.#close());
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#afterClose.close();
    await this.#buffer.flush();
    const open = [...this.#open];
    this.#open.clear();
    try {
      if (open.length > 0) await this.#service.store.markAbandoned({ ids: open });
    } catch (error) {
      // When writes were already failing this is the same fault, already reported once.
      const message = `could not mark ${open.length} open invocations abandoned: ${(error as Error).message}`;
      if (this.#buffer.health.failures > 0) this.#service.logger.warn(message);
      else this.#service.logger.error(message);
    }
    this.#unregisterExit();
    await this.#service.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The hot path's helpers: a tracked call must cost the host next to nothing.

let isoMs = Number.NaN;
let isoText = '';

/** `new Date(ms).toISOString()`, remembered for the last millisecond asked (calls come in bursts). */
function isoInstant(ms: number): string {
  if (ms !== isoMs) {
    isoText = new Date(ms).toISOString();
    isoMs = ms;
  }
  return isoText;
}

const TRACK_KEYS: ReadonlySet<string> = new Set(Object.keys(TrackInvocationInputSchema.shape));
const COMPLETE_KEYS: ReadonlySet<string> = new Set(Object.keys(CompleteInvocationInputSchema.shape));
const COMPLETED: CompleteInvocation = Object.freeze({ completed: true });

/**
 * The parsed input when `input` is plainly valid and already in its normal form (names without
 * surrounding spaces: what hosts pass), else undefined and the schema decides: it accepts and
 * normalises the input or throws the usual ValidationError. The outcome is the schema's either way.
 * Lists are copied, as the schema would: a host may reuse its array.
 */
function plainTrackInput(input: unknown): TrackInvocation | undefined {
  if (typeof input !== 'object' || input === null || Object.getPrototypeOf(input) !== Object.prototype) return undefined;
  for (const key in input) if (!TRACK_KEYS.has(key)) return undefined;
  const v = input as TrackInvocationInput;
  if (
    !isPlainName(v.skillName) ||
    (v.userQuery !== undefined && !isPlainQuery(v.userQuery)) ||
    (v.workflowPhase !== undefined && !isPlainName(v.workflowPhase)) ||
    (v.alternativesConsidered !== undefined && !isPlainNameList(v.alternativesConsidered)) ||
    (v.alternativeScores !== undefined && !isPlainScores(v.alternativeScores, v.alternativesConsidered)) ||
    (v.selectionRank !== undefined && !isPlainRank(v.selectionRank)) ||
    (v.source !== undefined && !isPlainName(v.source))
  ) {
    return undefined;
  }
  return {
    skillName: v.skillName,
    userQuery: v.userQuery,
    workflowPhase: v.workflowPhase,
    alternativesConsidered: v.alternativesConsidered?.slice(),
    alternativeScores: v.alternativeScores?.slice(),
    selectionRank: v.selectionRank,
    source: v.source,
  };
}

/** Scores the schema keeps as they are: finite numbers, one per alternative (else the schema decides). */
function isPlainScores(scores: unknown, alternatives: readonly unknown[] | undefined): boolean {
  if (!Array.isArray(scores) || scores.length !== (alternatives?.length ?? 0)) return false;
  for (let i = 0; i < scores.length; i++) if (typeof scores[i] !== 'number' || !Number.isFinite(scores[i])) return false;
  return true;
}

/** What a completer was given, parsed: {@link plainCompleteInput}, else the schema. */
function parseCompleteInput(input: unknown): CompleteInvocation {
  return plainCompleteInput(input) ?? parseOrThrow(CompleteInvocationInputSchema, input ?? {}, 'completer input');
}

/** Like {@link plainTrackInput}, for what a completer is given. */
function plainCompleteInput(input: unknown): CompleteInvocation | undefined {
  if (input === undefined) return COMPLETED;
  if (typeof input !== 'object' || input === null || Object.getPrototypeOf(input) !== Object.prototype) return undefined;
  for (const key in input) if (!COMPLETE_KEYS.has(key)) return undefined;
  const v = input as CompleteInvocationInput;
  if (
    (v.completed !== undefined && typeof v.completed !== 'boolean') ||
    (v.followUpActions !== undefined && !isPlainNameList(v.followUpActions)) ||
    (v.errorType !== undefined && !isPlainName(v.errorType)) ||
    (v.durationSeconds !== undefined && !isPlainDuration(v.durationSeconds))
  ) {
    return undefined;
  }
  return {
    completed: v.completed ?? true,
    followUpActions: v.followUpActions?.slice(),
    errorType: v.errorType,
    durationSeconds: v.durationSeconds,
  };
}
