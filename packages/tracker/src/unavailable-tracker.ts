import {
  CompleteInvocationInputSchema,
  newInvocationId,
  parseOrThrow,
  TrackInvocationInputSchema,
  type BackendInfo,
  type CompleteInvocationInput,
  type InvocationCompleter,
  type Recommendation,
  type SkillsTracker,
  type TrackerHealth,
  type TrackInvocationInput,
} from '@skills/protocol';

/**
 * The tracker when its storage could not be opened (a read-only folder, a full disk, a corrupt
 * file): the host keeps working with the same API — inputs are still validated, completers still
 * returned — while nothing is stored, and `health()` says why.
 */
export class UnavailableTracker implements SkillsTracker {
  readonly #backend: BackendInfo;
  readonly #reason: string;
  #tracked = 0;
  #completed = 0;

  constructor(requested: BackendInfo['requested'], reason: string) {
    this.#backend = Object.freeze({ kind: 'none', requested });
    this.#reason = reason;
  }

  trackInvocation(input: TrackInvocationInput): InvocationCompleter {
    parseOrThrow(TrackInvocationInputSchema, input, 'trackInvocation input');
    this.#tracked++;
    let done = false;
    const completer = (result?: CompleteInvocationInput): void => {
      if (done) return;
      parseOrThrow(CompleteInvocationInputSchema, result ?? {}, 'completer input');
      done = true;
      this.#completed++;
    };
    return Object.assign(completer, { invocationId: newInvocationId() });
  }

  async getRecommendations(): Promise<Recommendation[]> {
    return [];
  }

  isEnabled(): boolean {
    return true;
  }

  getBackend(): BackendInfo {
    return this.#backend;
  }

  health(): TrackerHealth {
    return { tracked: this.#tracked, completed: this.#completed, failures: 1, lastError: this.#reason };
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}
