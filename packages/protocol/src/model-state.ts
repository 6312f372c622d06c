import { ValidationError, type Violation } from './errors.js';
import { isWellFormedText } from './fields.js';
import type { SkillsStore } from './store.js';

/**
 * A trained model kept with the store, so that a restart continues from it instead of training
 * again. The store does not read it: `version` and `bytes` belong to the model's owner, who
 * checks the version before using the bytes.
 */
export interface ModelState {
  /** The model's kind, feature space and format (e.g. the embedder id and format numbers): another version is not used. */
  readonly version: string;
  /** The highest query id the model has learned from (0: none); a store whose queries end lower holds another history. */
  readonly trainedUpTo: number;
  /** The model, in its owner's format. */
  readonly bytes: Uint8Array;
}

/** Limits on a stored model state, checked before anything is written. */
export const MODEL_STATE_LIMITS = Object.freeze({
  /** Characters of a key or a version. */
  maxKeyLength: 200,
  maxVersionLength: 500,
  /** The largest model kept: beyond it the owner retrains on opening (a database value is at most 1 GB in both engines). */
  maxBytes: 256 * 1024 * 1024,
});

/**
 * A store that keeps trained models beside the history (SQLite and PostgreSQL do), one state per
 * key; found with {@link isModelStateStore}. A model state is a cache: exports leave it out.
 *
 * @example
 * if (isModelStateStore(store)) {
 *   await store.putModelState('learned-ranker', { version: 'lexical/v1/linear-v1/state-v1', trainedUpTo: 120, bytes });
 *   const state = await store.getModelState('learned-ranker'); // { version, trainedUpTo, bytes } or null
 * }
 */
export interface ModelStateStore extends SkillsStore {
  /** The state stored under `key`, or null when there is none. */
  getModelState(key: string): Promise<ModelState | null>;
  /**
   * Stores `state` under `key`, replacing the one there, in one write.
   *
   * @throws {ValidationError} when the key or the state breaks {@link MODEL_STATE_LIMITS} (nothing is written).
   */
  putModelState(key: string, state: ModelState): Promise<void>;
}

/** True when `store` keeps model states. */
export function isModelStateStore(store: SkillsStore): store is ModelStateStore {
  const s = store as Partial<ModelStateStore>;
  return typeof s.getModelState === 'function' && typeof s.putModelState === 'function';
}

/**
 * Checks a key and a state before a store writes them; engines call it first.
 *
 * @throws {ValidationError} naming each field that breaks its rule.
 * @example
 * validateModelState('', { version: 'v1', trainedUpTo: -1, bytes: new Uint8Array() });
 * // ValidationError: Invalid model state: key: must be a non-empty string of at most 200 characters; trainedUpTo: ...
 */
export function validateModelState(key: unknown, state: unknown): void {
  const violations: Violation[] = [];
  const text = (value: unknown, path: string, max: number) => {
    if (typeof value !== 'string' || value.length === 0 || value.length > max || !isWellFormedText(value)) {
      violations.push({ path, message: `must be a non-empty string of at most ${max} characters` });
    }
  };
  text(key, 'key', MODEL_STATE_LIMITS.maxKeyLength);
  const s = (typeof state === 'object' && state !== null ? state : {}) as Partial<Record<keyof ModelState, unknown>>;
  text(s.version, 'version', MODEL_STATE_LIMITS.maxVersionLength);
  if (!Number.isSafeInteger(s.trainedUpTo) || (s.trainedUpTo as number) < 0) {
    violations.push({ path: 'trainedUpTo', message: 'must be a whole number, 0 or more' });
  }
  if (!(s.bytes instanceof Uint8Array)) violations.push({ path: 'bytes', message: 'must be a Uint8Array' });
  else if (s.bytes.byteLength > MODEL_STATE_LIMITS.maxBytes) {
    violations.push({ path: 'bytes', message: `must be at most ${MODEL_STATE_LIMITS.maxBytes} bytes, not ${s.bytes.byteLength}` });
  }
  if (violations.length > 0) throw new ValidationError('model state', violations);
}
