import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { isModelStateStore, MODEL_STATE_LIMITS, validateModelState } from './model-state.js';
import type { SkillsStore } from './store.js';

describe('model states', () => {
  it('finds the capability by its two methods', () => {
    const bare = {} as SkillsStore;
    expect(isModelStateStore(bare)).toBe(false);
    expect(isModelStateStore({ getModelState: async () => null } as unknown as SkillsStore)).toBe(false);
    expect(isModelStateStore({ getModelState: async () => null, putModelState: async () => {} } as unknown as SkillsStore)).toBe(true);
  });

  it('names every field that breaks its rule', () => {
    expect(() => validateModelState('learned-ranker', { version: 'v1', trainedUpTo: 0, bytes: new Uint8Array() })).not.toThrow();
    const error = (() => {
      try {
        validateModelState('', { version: 'x'.repeat(MODEL_STATE_LIMITS.maxVersionLength + 1), trainedUpTo: Number.NaN, bytes: 'bytes' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe(
      'Invalid model state: key: must be a non-empty string of at most 200 characters; ' +
        'version: must be a non-empty string of at most 500 characters; trainedUpTo: must be a whole number, 0 or more; bytes: must be a Uint8Array',
    );
    expect(() => validateModelState('k', null)).toThrow('version: must be a non-empty string');
    expect(() => validateModelState('k\uD800', { version: 'v', trainedUpTo: 0, bytes: new Uint8Array() })).toThrow('key: must be a non-empty string');
  });
});
