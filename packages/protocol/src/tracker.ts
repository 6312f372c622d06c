import type {
  CompleteInvocationInput,
  Recommendation,
  RecommendationQueryInput,
  TrackInvocationInput,
} from './invocation.js';

/**
 * Ends one tracked invocation. Call it once when the skill finishes; later calls are ignored.
 * Never throws: a storage failure is logged and counted by the tracker instead.
 */
export interface InvocationCompleter {
  (result?: CompleteInvocationInput): void;
  /** The id the invocation is stored under. */
  readonly invocationId: string;
}

/** The backend a tracker is using now. */
export type BackendKind = 'direct' | 'mcp' | 'none';

/** Which backend is in use, and why when it is not the one asked for. */
export interface BackendInfo {
  readonly kind: BackendKind;
  /** What the settings asked for. */
  readonly requested: 'direct' | 'mcp' | 'auto' | 'disabled';
  /** Present when the tracker fell back from the MCP server to the local store. */
  readonly fallback?: { readonly from: 'mcp'; readonly reason: string; readonly at: string };
}

/** Counters a host can read to see that tracking is healthy. */
export interface TrackerHealth {
  readonly tracked: number;
  readonly completed: number;
  /** Storage or network failures swallowed to protect the host. */
  readonly failures: number;
  readonly lastError: string | null;
}

/**
 * What an agent framework calls. Every implementation (direct, mcp, no-op) behaves the same
 * from the caller's side: tracking never throws into the host except on invalid input.
 *
 * @example
 * const done = tracker.trackInvocation({ skillName: 'code-reviewer', userQuery: 'review my PR' });
 * // ... run the skill ...
 * done?.({ completed: true, followUpActions: ['git commit'] });
 */
export interface SkillsTracker {
  /** Records the start of an invocation; returns its completer, or null when tracking is disabled. */
  trackInvocation(input: TrackInvocationInput): InvocationCompleter | null;
  /** Skills ranked for a query, best first. */
  getRecommendations(query: RecommendationQueryInput): Promise<Recommendation[]>;
  isEnabled(): boolean;
  getBackend(): BackendInfo;
  health(): TrackerHealth;
  /**
   * Writes everything tracked so far. When it resolves and `health().failures` did not grow,
   * all of it is durable; a failed write is kept for a retry and counted there, never thrown.
   */
  flush(): Promise<void>;
  /** Flushes, marks invocations still open as abandoned, and releases the store. Idempotent. */
  close(): Promise<void>;
}
