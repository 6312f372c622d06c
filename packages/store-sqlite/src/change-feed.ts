import { ChangeListeners } from '@skills/protocol';

/** How often the version is read while anyone listens. */
export const POLL_MS = 250;

/**
 * A change feed for a store that can tell a cheap version of its data but is told of no one
 * else's writes (SQLite: `PRAGMA data_version` changes when another connection commits): while
 * anyone listens, reads the version every {@link POLL_MS} and calls the listeners when it
 * changed. The timer never keeps the process alive, and does not run while no one listens.
 *
 * @example
 * const feed = new PollingChangeFeed(() => store.revision());
 * const unsubscribe = feed.watch(() => console.log('the store changed'));
 * unsubscribe();
 */
export class PollingChangeFeed {
  readonly #version: () => string | Promise<string>;
  readonly #intervalMs: number;
  readonly #listeners = new ChangeListeners({ start: () => this.#start(), stop: () => this.#stop() });
  #timer: NodeJS.Timeout | undefined;
  /** The version last read; undefined until the first read after starting. */
  #last: string | undefined;
  #reading = false;

  constructor(version: () => string | Promise<string>, intervalMs = POLL_MS) {
    this.#version = version;
    this.#intervalMs = intervalMs;
  }

  /** Subscribes `listener` (see the protocol's `ChangeFeed.watchChanges`); returns the unsubscribe. */
  watch(listener: () => void): () => void {
    return this.#listeners.add(listener);
  }

  /** Ends every subscription and stops polling. */
  close(): void {
    this.#listeners.clear();
  }

  #start(): void {
    this.#last = undefined;
    // Read now: a change committed after the subscription, even before the first tick, is a change.
    void this.#poll();
    this.#timer = setInterval(() => void this.#poll(), this.#intervalMs);
    this.#timer.unref();
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #poll(): Promise<void> {
    if (this.#reading) return;
    this.#reading = true;
    try {
      const version = await this.#version();
      if (this.#last !== undefined && version !== this.#last) this.#listeners.signal();
      this.#last = version;
    } catch {
      // The next tick reads again (a closed store stops the feed first).
    } finally {
      this.#reading = false;
    }
  }
}
