import { MODEL_STATE_LIMITS, type Logger, type ModelState, type ModelStateStore } from '@skills/protocol';

/** What a {@link StatePersistence} keeps, and how its log lines name it. */
export interface StateKind<T> {
  /** The store key. */
  readonly key: string;
  /** The stored version read and written: a state of another version is not used. */
  readonly version: string;
  /** How log lines name the state, e.g. `learned model`. */
  readonly what: string;
  /** What happens without it, e.g. `training a new one`. */
  readonly otherwise: string;
  /** What happens on the next opening when it could not be stored, e.g. `trains again on opening`. */
  readonly unsaved: string;
  /** Reads the stored bytes, throwing an error that says why they cannot be used. */
  decode(bytes: Uint8Array): T;
}

/**
 * Keeps one derived state (a cache) in a {@link ModelStateStore}: reads it on opening (a state of
 * another version, or one that cannot be read, is logged and ignored: its owner computes it
 * anew) and writes it in the background, one write at a time, the newest waiting state winning.
 * A write the store refuses, or a state larger than a store keeps, is logged once (until one
 * succeeds): the state stays in memory.
 *
 * @example
 * const persistence = new StatePersistence(store, { key: 'centroids', version, what: 'centroids', otherwise: 'summing them again', unsaved: 'are summed again', decode }, logger);
 * const saved = await persistence.load(); // { state, trainedUpTo } or null
 * persistence.save({ version: persistence.version, trainedUpTo, bytes });
 */
export class StatePersistence<T> {
  readonly #store: ModelStateStore;
  readonly #kind: StateKind<T>;
  readonly #logger: Logger;
  #pending: ModelState | null = null;
  #writing: Promise<void> | null = null;
  #refused = false;
  #tooLarge = false;
  #saved = 0;

  constructor(store: ModelStateStore, kind: StateKind<T>, logger: Logger) {
    this.#store = store;
    this.#kind = kind;
    this.#logger = logger;
  }

  /** The stored version this instance reads and writes. */
  get version(): string {
    return this.#kind.version;
  }

  /** States written so far by this instance. */
  get saved(): number {
    return this.#saved;
  }

  /** The stored state when it is this version's and readable, with its `trainedUpTo`; null (logged) otherwise. */
  async load(): Promise<{ readonly state: T; readonly trainedUpTo: number } | null> {
    const { key, version, what, otherwise } = this.#kind;
    let stored: ModelState | null;
    try {
      stored = await this.#store.getModelState(key);
    } catch (error) {
      this.#logger.warn(`could not read the stored ${what}, ${otherwise}: ${(error as Error).message}`);
      return null;
    }
    if (!stored) return null;
    if (stored.version !== version) {
      this.#logger.info(`the stored ${what} is ${stored.version}, not ${version}: ${otherwise}`);
      return null;
    }
    try {
      return { state: this.#kind.decode(stored.bytes), trainedUpTo: stored.trainedUpTo };
    } catch (error) {
      this.#logger.warn(`${(error as Error).message}; ${otherwise}`);
      return null;
    }
  }

  /** Writes `state` in the background (after the write under way, if any); resolves when written or refused. */
  save(state: ModelState): Promise<void> {
    if (state.bytes.byteLength > MODEL_STATE_LIMITS.maxBytes) {
      if (!this.#tooLarge) {
        this.#tooLarge = true;
        this.#logger.warn(
          `the ${this.#kind.what} (${state.bytes.byteLength} bytes) is larger than a store keeps (${MODEL_STATE_LIMITS.maxBytes}): it is not saved, and ${this.#kind.unsaved}`,
        );
      }
      return this.idle();
    }
    this.#pending = state;
    this.#writing ??= this.#drain().finally(() => (this.#writing = null));
    return this.#writing;
  }

  /** Resolves when no write is under way. */
  async idle(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #drain(): Promise<void> {
    const { key, what, unsaved } = this.#kind;
    while (this.#pending) {
      const state = this.#pending;
      this.#pending = null;
      try {
        await this.#store.putModelState(key, state);
      } catch (error) {
        if (!this.#refused) {
          this.#refused = true;
          this.#logger.warn(`could not store the ${what}; it stays in memory and ${unsaved}: ${(error as Error).message}`);
        }
        continue;
      }
      this.#saved++;
      if (this.#refused) {
        this.#refused = false;
        this.#logger.info(`the ${what} is stored again`);
      }
    }
  }
}
