import {
  createCompleter,
  newInvocationId,
  parseOrThrow,
  TrackInvocationInputSchema,
  type BackendInfo,
  type InvocationCompleter,
  type Logger,
  type Recommendation,
  type SkillsTracker,
  type TrackerHealth,
  type TrackInvocationInput,
} from '@skills/protocol';
import { AfterClose } from './after-close.js';

/**
 * The tracker when its storage could not be opened (a read-only folder, a full disk, a corrupt
 * file): the host keeps working with the same API — inputs are still validated, completers still
 * returned — while nothing is stored, and `health()` says why. After `close()` it refuses calls
 * as every tracker does.
 */
export class UnavailableTracker implements SkillsTracker {
  readonly #backend: BackendInfo;
  readonly #reason: string;
  readonly #afterClose: AfterClose;
  #tracked = 0;
  #completed = 0;

  constructor(requested: BackendInfo['requested'], reason: string, logger: Logger) {
    this.#backend = Object.freeze({ kind: 'none', requested });
    this.#reason = reason;
    this.#afterClose = new AfterClose(logger);
  }

  trackInvocation(input: TrackInvocationInput): InvocationCompleter | null {
    if (this.#afterClose.closed) return this.#afterClose.refuseTrack();
    parseOrThrow(TrackInvocationInputSchema, input, 'trackInvocation input');
    this.#tracked++;
    return createCompleter(newInvocationId(), () => {
      if (!this.#afterClose.closed) this.#completed++;
    });
  }

  async getRecommendations(): Promise<Recommendation[]> {
    if (this.#afterClose.closed) return this.#afterClose.refuseRecommendations();
    return [];
  }

  isEnabled(): boolean {
    return true;
  }

  getBackend(): BackendInfo {
    return this.#backend;
  }

  health(): TrackerHealth {
    return { tracked: this.#tracked, completed: this.#completed, failures: 1, lastError: this.#reason, refusedAfterClose: this.#afterClose.refused };
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.#afterClose.close();
  }
}
