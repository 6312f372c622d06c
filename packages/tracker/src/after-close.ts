import { TrackerClosedError, type Logger, type Recommendation } from '@skills/protocol';

/**
 * What every tracker does with calls that come after its `close()`: `trackInvocation` is refused
 * (null, one warning, counted), `getRecommendations` rejects with a {@link TrackerClosedError}.
 */
export class AfterClose {
  readonly #logger: Logger;
  #closed = false;
  #refused = 0;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** `trackInvocation` calls refused so far. */
  get refused(): number {
    return this.#refused;
  }

  close(): void {
    this.#closed = true;
  }

  /** Refuses a `trackInvocation`: warns the first time only, so a looping host does not flood its log. */
  refuseTrack(): null {
    if (this.#refused++ === 0) {
      this.#logger.warn('trackInvocation after the tracker was closed: not tracked (health().refusedAfterClose counts these)');
    }
    return null;
  }

  refuseRecommendations(): Promise<Recommendation[]> {
    return Promise.reject(new TrackerClosedError('getRecommendations'));
  }
}
