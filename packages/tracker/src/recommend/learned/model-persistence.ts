import type { Logger, ModelState, ModelStateStore } from '@skills/protocol';
import { StatePersistence } from '../state-persistence.js';
import { CODEC_FORMAT, decodeLearnedState, type LearnedState } from './model-codec.js';

/** The store key of the learned ranker's model: one per store (the version says whose it is). */
export const LEARNED_STATE_KEY = 'learned-ranker';

/** A saved state read back, with the highest query id it had learned from. */
export interface LoadedState extends LearnedState {
  readonly trainedUpTo: number;
}

/**
 * Keeps the learned ranker's model in a {@link ModelStateStore} (see {@link StatePersistence}):
 * read on opening (the ranker trains anew without it), written after each fit.
 *
 * @example
 * const persistence = new ModelPersistence(store, `${embedder.id}/linear-v1`, logger);
 * const saved = await persistence.load(); // null: train
 * persistence.save({ version: persistence.version, trainedUpTo, bytes });
 */
export class ModelPersistence {
  /** The stored version this ranker reads and writes: the ranker's version and the byte layout's. */
  readonly version: string;
  readonly #states: StatePersistence<LearnedState>;

  constructor(store: ModelStateStore, rankerVersion: string, logger: Logger) {
    const version = `${rankerVersion}/state-v${CODEC_FORMAT}`;
    this.version = version;
    const decode = (bytes: Uint8Array) => {
      const state = decodeLearnedState(bytes);
      if (`${state.version}/state-v${CODEC_FORMAT}` !== version) throw new Error(`it names version ${state.version}`);
      return state;
    };
    const kind = { key: LEARNED_STATE_KEY, version, what: 'learned model', otherwise: 'training a new one', unsaved: 'trains again on opening', decode };
    this.#states = new StatePersistence(store, kind, logger);
  }

  /** States written so far by this instance. */
  get saved(): number {
    return this.#states.saved;
  }

  /** The stored state when it is this version's and readable; null (logged) otherwise. */
  async load(): Promise<LoadedState | null> {
    const loaded = await this.#states.load();
    return loaded && { ...loaded.state, trainedUpTo: loaded.trainedUpTo };
  }

  /** Writes `state` in the background (after the write under way, if any); resolves when written or refused. */
  save(state: ModelState): Promise<void> {
    return this.#states.save(state);
  }

  /** Resolves when no write is under way. */
  async idle(): Promise<void> {
    await this.#states.idle();
  }
}
