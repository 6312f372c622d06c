import type { SkillsStore } from './store.js';

/**
 * Tells when stored data changed, whoever changed it: the writes of this store, and those of any
 * other process on the same database (a second server, a hook command). A reader that caches what
 * it read (the recommender, the dashboard) learns from it when to read again.
 */
export interface ChangeFeed {
  /**
   * Calls `listener` after invocations are written (tracked, completed, abandoned, pruned,
   * imported), through this store or by any other process on the same database: never before the
   * write is visible to a read of this store, possibly once for several writes (coalesced), and
   * possibly when nothing changed (a feed that may have missed something, such as one that had to
   * reconnect, says so by calling it). Other writes (the catalog, vectors) may be signalled too.
   * `listener` must be cheap and must not throw: it runs on its own turn of the event loop, never
   * in a caller's stack. Returns the unsubscribe; calling it again does nothing. The store's
   * `close()` ends every subscription.
   *
   * @example
   * const unsubscribe = store.watchChanges(() => recommender.invalidate());
   * // ... later
   * unsubscribe();
   */
  watchChanges(listener: () => void): () => void;
}

/** A store that offers the optional {@link ChangeFeed} capability. */
export type ChangeFeedStore = SkillsStore & ChangeFeed;

/** True when `store` offers a {@link ChangeFeed}. */
export function isChangeFeedStore(store: SkillsStore): store is ChangeFeedStore {
  return typeof (store as Partial<ChangeFeed>).watchChanges === 'function';
}

/**
 * The listeners of a {@link ChangeFeed}, for an engine to build its feed on: `start` runs when the
 * first listener joins and `stop` when the last leaves (so a feed costs nothing while no one
 * listens), and signals are coalesced into one call per listener on a later turn of the event
 * loop, never inside the caller's stack.
 *
 * @example
 * const listeners = new ChangeListeners({ start: () => poller.start(), stop: () => poller.stop() });
 * store.watchChanges = (listener) => listeners.add(listener);
 * poller.onChange = () => listeners.signal();
 */
export class ChangeListeners {
  readonly #listeners = new Set<() => void>();
  readonly #start: () => void;
  readonly #stop: () => void;
  #scheduled: ReturnType<typeof setTimeout> | undefined;

  constructor(hooks: { readonly start: () => void; readonly stop: () => void }) {
    this.#start = hooks.start;
    this.#stop = hooks.stop;
  }

  /** Listeners subscribed now. */
  get size(): number {
    return this.#listeners.size;
  }

  /** Subscribes `listener` (a function already subscribed is subscribed again, separately). */
  add(listener: () => void): () => void {
    // Wrapped: the same function subscribed twice has two subscriptions to end.
    const entry = () => listener();
    this.#listeners.add(entry);
    if (this.#listeners.size === 1) this.#start();
    return () => {
      if (!this.#listeners.delete(entry)) return;
      if (this.#listeners.size === 0) this.#end();
    };
  }

  /** Calls every listener once, soon; further signals until then are folded into that call. */
  signal(): void {
    if (this.#scheduled !== undefined || this.#listeners.size === 0) return;
    this.#scheduled = setTimeout(() => {
      this.#scheduled = undefined;
      for (const listener of [...this.#listeners]) {
        try {
          listener();
        } catch {
          // A listener must not throw (see ChangeFeed); one that does must not stop the others.
        }
      }
    }, 0);
  }

  /** Ends every subscription (the store closes). */
  clear(): void {
    if (this.#listeners.size === 0) return;
    this.#listeners.clear();
    this.#end();
  }

  #end(): void {
    clearTimeout(this.#scheduled);
    this.#scheduled = undefined;
    this.#stop();
  }
}
