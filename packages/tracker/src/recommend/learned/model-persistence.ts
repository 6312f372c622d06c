import { MODEL_STATE_LIMITS, type Logger, type ModelState, type ModelStateStore } from '@skills/protocol';
import { CODEC_FORMAT, decodeLearnedState, type LearnedState } from './model-codec.js';

/** The store key of the learned ranker's model: one per store (the version says whose it is). */
export const LEARNED_STATE_KEY = 'learned-ranker';

/** A saved state read back, with the highest query id it had learned from. */
export interface LoadedState extends LearnedState {
  readonly trainedUpTo: number;
}

/**
 * Keeps the learned ranker's model in a {@link ModelStateStore}: reads it on opening (a state of
 * another version, or one that cannot be read, is logged and ignored: the ranker then trains
 * anew) and writes it after each fit, one write at a time, the newest waiting state winning.
 * A write the store refuses is logged once (until one succeeds): the model stays in memory.
 *
 * @example
 * const persistence = new ModelPersistence(store, `${embedder.id}/linear-v1`, logger);
 * const saved = await persistence.load(); // null: train
 * persistence.save({ version: persistence.version, trainedUpTo, bytes });
 */
export class ModelPersistence {
  /** The stored version this ranker reads and writes: the ranker's version and the byte layout's. */
  readonly version: string;
  readonly #store: ModelStateStore;
  readonly #logger: Logger;
  #pending: ModelState | null = null;
  #writing: Promise<void> | null = null;
  #refused = false;
  #tooLarge = false;
  #saved = 0;

  constructor(store: ModelStateStore, rankerVersion: string, logger: Logger) {
    this.#store = store;
    this.version = `${rankerVersion}/state-v${CODEC_FORMAT}`;
    this.#logger = logger;
  }

  /** States written so far by this instance. */
  get saved(): number {
    return this.#saved;
  }

  /** The stored state when it is this version's and readable; null (logged) otherwise. */
  async load(): Promise<LoadedState | null> {
    let stored: ModelState | null;
    try {
      stored = await this.#store.getModelState(LEARNED_STATE_KEY);
    } catch (error) {
      this.#logger.warn(`could not read the stored learned model, training a new one: ${(error as Error).message}`);
      return null;
    }
    if (!stored) return null;
    if (stored.version !== this.version) {
      this.#logger.info(`the stored learned model is ${stored.version}, not ${this.version}: training a new one`);
      return null;
    }
    try {
      const state = decodeLearnedState(stored.bytes);
      if (`${state.version}/state-v${CODEC_FORMAT}` !== this.version) throw new Error(`it names version ${state.version}`);
      return { ...state, trainedUpTo: stored.trainedUpTo };
    } catch (error) {
      this.#logger.warn(`${(error as Error).message}; training a new one`);
      return null;
    }
  }

  /** Writes `state` in the background (after the write under way, if any); resolves when written or refused. */
  save(state: ModelState): Promise<void> {
    if (state.bytes.byteLength > MODEL_STATE_LIMITS.maxBytes) {
      if (!this.#tooLarge) {
        this.#tooLarge = true;
        this.#logger.warn(
          `the learned model (${state.bytes.byteLength} bytes) is larger than a store keeps (${MODEL_STATE_LIMITS.maxBytes}): it is not saved, and trains again on opening`,
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
    while (this.#pending) {
      const state = this.#pending;
      this.#pending = null;
      try {
        await this.#store.putModelState(LEARNED_STATE_KEY, state);
      } catch (error) {
        if (!this.#refused) {
          this.#refused = true;
          this.#logger.warn(`could not store the learned model; it stays in memory and trains again on the next opening: ${(error as Error).message}`);
        }
        continue;
      }
      this.#saved++;
      if (this.#refused) {
        this.#refused = false;
        this.#logger.info('the learned model is stored again');
      }
    }
  }
}
