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

/**
 * Which backend is in use, and why when it is not the one asked for. The original tool's
 * `get_backend()` answered a string instead: {@link backendName} gives that string.
 */
export interface BackendInfo {
  readonly kind: BackendKind;
  /** What the settings asked for. */
  readonly requested: 'direct' | 'mcp' | 'auto' | 'disabled';
  /** Present when the tracker fell back from the MCP server to the local store. */
  readonly fallback?: { readonly from: 'mcp'; readonly reason: string; readonly at: string };
}

/**
 * The string the original tool's `get_backend()` returned for this backend:
 * `'session-buddy-direct'`, `'session-buddy-mcp (connected)'`,
 * `'session-buddy-mcp (using fallback: session-buddy-direct)'` when an MCP tracker fell back to
 * its local spool, or `'none'` (disabled, or storage unavailable). For callers ported from it
 * that compare or log that string; new code reads {@link BackendInfo} (`kind`, `fallback`).
 *
 * @example
 * backendName(tracker.getBackend()); // 'session-buddy-direct'
 */
export function backendName(info: BackendInfo): string {
  if (info.kind === 'none') return 'none';
  if (info.kind === 'mcp') return 'session-buddy-mcp (connected)';
  return info.fallback ? 'session-buddy-mcp (using fallback: session-buddy-direct)' : 'session-buddy-direct';
}

/** Counters a host can read to see that tracking is healthy. */
export interface TrackerHealth {
  readonly tracked: number;
  readonly completed: number;
  /** Storage or network failures swallowed to protect the host. */
  readonly failures: number;
  readonly lastError: string | null;
  /** `trackInvocation` calls refused because they came after `close()`. */
  readonly refusedAfterClose: number;
}

/**
 * What an agent framework calls. Every implementation (direct, mcp, auto, no-op) behaves the
 * same from the caller's side: tracking never throws into the host except on invalid input.
 *
 * After `close()` (from the moment it is called) a tracker refuses further work, the same way
 * for every backend: `trackInvocation` returns null, logs one warning (the first time) and counts
 * the call in `health().refusedAfterClose`; completers of invocations still open are no-ops
 * (those invocations were marked abandoned); `getRecommendations` rejects with a
 * `TrackerClosedError` (code `TRACKER_CLOSED`); `flush()` and `close()` resolve. The no-op tracker
 * of disabled tracking has nothing to close and answers as before.
 *
 * A pending `flush()` or `close()` keeps the Node.js process alive until it settles, so a short
 * script can `await tracker.close()` as its last line; otherwise tracking never keeps a host alive.
 *
 * @example
 * const done = tracker.trackInvocation({ skillName: 'code-reviewer', userQuery: 'review my PR' });
 * // ... run the skill ...
 * done?.({ completed: true, followUpActions: ['git commit'] });
 */
export interface SkillsTracker {
  /** Records the start of an invocation; returns its completer, or null when tracking is disabled or the tracker is closed. */
  trackInvocation(input: TrackInvocationInput): InvocationCompleter | null;
  /** Skills ranked for a query, best first. Rejects with a `TrackerClosedError` after `close()`. */
  getRecommendations(query: RecommendationQueryInput): Promise<Recommendation[]>;
  isEnabled(): boolean;
  /** The backend in use; `backendName(getBackend())` is the original tool's string form. */
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
