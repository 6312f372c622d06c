import {
  CompleteInvocationInputSchema,
  newInvocationId,
  parseOrThrow,
  TrackInvocationInputSchema,
  type BackendInfo,
  type CompleteInvocationInput,
  type InvocationCompleter,
  type Recommendation,
  type RecommendationQueryInput,
  type SkillsTracker,
  type TrackerHealth,
  type TrackInvocationInput,
} from '@skills/protocol';
import { onProcessExit } from './exit-flush.js';
import { redactSecrets } from './redact.js';
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
  readonly #redact: boolean;
  #tracked = 0;
  #completed = 0;
  #closing: Promise<void> | undefined;

  constructor(service: SkillsService, options: DirectTrackerOptions) {
    this.#service = service;
    this.#sessionId = options.sessionId;
    this.#redact = service.settings.redactSecrets;
    this.#backend = options.backend ?? { kind: 'direct', requested: 'direct' };
    this.#buffer = new WriteBuffer(service.store, service.logger, () => service.invalidate(), {
      ...DEFAULT_WRITE_BUFFER_OPTIONS,
      ...options.writeBuffer,
    });
    this.#unregisterExit = onProcessExit(() => this.#buffer.flushSync());
  }

  trackInvocation(input: TrackInvocationInput): InvocationCompleter | null {
    if (this.#closing) return null;
    const valid = parseOrThrow(TrackInvocationInputSchema, input, 'trackInvocation input');
    const started = performance.now();
    const invokedAt = new Date().toISOString();
    const id = newInvocationId();
    this.#buffer.insert({
      id,
      skillName: valid.skillName,
      sessionId: this.#sessionId,
      invokedAt,
      status: 'pending',
      completed: false,
      completedAt: null,
      durationSeconds: null,
      userQuery: !valid.userQuery ? null : this.#redact ? redactSecrets(valid.userQuery) : valid.userQuery,
      workflowPhase: valid.workflowPhase ?? null,
      alternativesConsidered: valid.alternativesConsidered ?? [],
      selectionRank: valid.selectionRank ?? null,
      followUpActions: [],
      errorType: null,
    });
    this.#open.add(id);
    this.#tracked++;

    let done = false;
    const completer = (result?: CompleteInvocationInput): void => {
      if (done) return;
      const outcome = parseOrThrow(CompleteInvocationInputSchema, result ?? {}, 'completer input');
      done = true;
      if (!this.#open.delete(id)) return; // closed meanwhile: already marked abandoned
      this.#completed++;
      this.#buffer.complete({
        id,
        completed: outcome.completed,
        completedAt: new Date().toISOString(),
        durationSeconds: (performance.now() - started) / 1000,
        followUpActions: outcome.followUpActions ?? [],
        errorType: outcome.errorType ?? null,
      });
    };
    return Object.assign(completer, { invocationId: id });
  }

  async getRecommendations(query: RecommendationQueryInput): Promise<Recommendation[]> {
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
    return { tracked: this.#tracked, completed: this.#completed, failures, lastError };
  }

  flush(): Promise<void> {
    return this.#buffer.flush();
  }

  /** Flushes, marks invocations this tracker left open as abandoned, closes the store. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    await this.#buffer.flush();
    const open = [...this.#open];
    this.#open.clear();
    try {
      if (open.length > 0) await this.#service.store.markAbandoned({ ids: open });
    } catch (error) {
      this.#service.logger.error(`could not mark ${open.length} open invocations abandoned: ${(error as Error).message}`);
    }
    this.#unregisterExit();
    await this.#service.close();
  }
}
