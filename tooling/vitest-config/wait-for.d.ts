/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up (reject) after this long. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Pause between two checks. Default 10 ms. */
  readonly intervalMs?: number;
  /** What is awaited, for the timeout's message. */
  readonly what?: string;
}

/**
 * Waits for a condition instead of for an amount of time: polls `condition` until it returns a
 * truthy value and resolves with that value. Rejects once `timeoutMs` has passed without it, so a
 * hang still fails, with what was awaited in the message. An error thrown by `condition` rejects
 * at once (a broken check is not retried into a timeout).
 *
 * @example
 * await waitFor(() => existsSync(path), { timeoutMs: 10_000, what: 'the database file' });
 */
export declare function waitFor<T>(
  condition: () => T | PromiseLike<T>,
  options?: WaitForOptions,
): Promise<Exclude<Awaited<T>, false | 0 | '' | null | undefined>>;
