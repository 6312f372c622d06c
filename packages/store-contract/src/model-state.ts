import { isModelStateStore, MODEL_STATE_LIMITS, ValidationError, type ModelStateStore } from '@skills/protocol';
import { describe, expect, it } from 'vitest';
import type { ContractStore } from './contract.js';
import { pendingRecord } from './records.js';

/**
 * The model-state part of the store contract (`ModelStateStore`): what the learned ranker relies
 * on to continue from its model after a restart. Registered by {@link describeStoreContract}.
 */
export function describeModelStateContract(
  fresh: () => Promise<ContractStore>,
  another: (store: ContractStore) => Promise<ContractStore>,
): void {
  const freshModelStore = async (): Promise<ModelStateStore & ContractStore> => {
    const store = await fresh();
    expect(isModelStateStore(store)).toBe(true);
    return store as ModelStateStore & ContractStore;
  };
  /** Bytes that no two positions share by accident: a truncated or shifted copy shows. */
  const pattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + (i >> 8)) & 0xff);

  describe('model states (ModelStateStore)', () => {
    it('keeps one state per key, exact to the byte, replaced by a later put, and seen by another connection', async () => {
      const store = await freshModelStore();
      expect(await store.getModelState('learned-ranker')).toBeNull();
      const big = pattern(3 * 1024 * 1024 + 7);
      await store.putModelState('learned-ranker', { version: 'lexical/v1/linear-v1/state-v1', trainedUpTo: 12, bytes: big });
      await store.putModelState('other', { version: 'v9', trainedUpTo: 0, bytes: new Uint8Array() });
      const got = await store.getModelState('learned-ranker');
      expect({ ...got, bytes: null }).toEqual({ version: 'lexical/v1/linear-v1/state-v1', trainedUpTo: 12, bytes: null });
      expect(got!.bytes).toBeInstanceOf(Uint8Array);
      // Compared as buffers: a deep equality over millions of elements takes seconds.
      expect(Buffer.from(got!.bytes.buffer, got!.bytes.byteOffset, got!.bytes.byteLength).equals(big)).toBe(true);
      await store.putModelState('learned-ranker', { version: 'v2', trainedUpTo: 2 ** 40, bytes: Uint8Array.of(1, 2, 3) });
      const other = (await another(store)) as ModelStateStore & ContractStore;
      expect(await other.getModelState('learned-ranker')).toEqual({ version: 'v2', trainedUpTo: 2 ** 40, bytes: Uint8Array.of(1, 2, 3) });
      expect(await other.getModelState('other')).toEqual({ version: 'v9', trainedUpTo: 0, bytes: new Uint8Array() });
    });

    it('is a cache beside the history: invocation writes, prunes and the revision leave it alone, exports leave it out', async () => {
      const store = await freshModelStore();
      await store.applyBatch({ inserts: [pendingRecord(1)] });
      const revision = await store.revision();
      await store.putModelState('learned-ranker', { version: 'v1', trainedUpTo: 1, bytes: Uint8Array.of(5) });
      expect(await store.revision()).toBe(revision);
      await store.prune(pendingRecord(2).invokedAt);
      expect(await store.getModelState('learned-ranker')).toEqual({ version: 'v1', trainedUpTo: 1, bytes: Uint8Array.of(5) });
      expect(JSON.stringify(await store.exportAll())).not.toContain('learned-ranker');
    });

    it('refuses a bad key or state, naming each field and its rule, and keeps the stored one', async () => {
      const store = await freshModelStore();
      const kept = { version: 'v1', trainedUpTo: 3, bytes: Uint8Array.of(1) };
      await store.putModelState('learned-ranker', kept);
      const bad = [
        ['', kept, 'key'],
        ['learned-ranker', { ...kept, version: '' }, 'version'],
        ['learned-ranker', { ...kept, trainedUpTo: -1 }, 'trainedUpTo'],
        ['learned-ranker', { ...kept, trainedUpTo: 1.5 }, 'trainedUpTo'],
        ['learned-ranker', { ...kept, bytes: [1, 2] as unknown as Uint8Array }, 'bytes'],
        ['x'.repeat(MODEL_STATE_LIMITS.maxKeyLength + 1), kept, 'key'],
      ] as const;
      for (const [key, state, field] of bad) {
        const error = await store.putModelState(key, state).catch((e: unknown) => e);
        expect(error, field).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).violations.map((v) => v.path)).toEqual([field]);
      }
      expect(await store.getModelState('learned-ranker')).toEqual(kept);
    });
  });
}
