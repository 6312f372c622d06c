import { join } from 'node:path';
import { MODEL_STATE_LIMITS, type ModelStateStore } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger, tempDir } from '../test-support/temp.js';
import { StatePersistence } from './state-persistence.js';

const open: ModelStateStore[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const kind = {
  key: 'test-state',
  version: 'test/v1',
  what: 'test state',
  otherwise: 'computing it again',
  unsaved: 'is computed again on opening',
  decode: (bytes: Uint8Array) => {
    if (bytes[0] !== 7) throw new Error('the stored test state cannot be read: wrong first byte');
    return bytes.length;
  },
};

describe('StatePersistence', () => {
  it('does not write a state larger than a store keeps, and says so once', async () => {
    const store = await openSqliteStore({ path: join(tempDir(), 'skills.db') });
    open.push(store);
    const logger = memoryLogger();
    const persistence = new StatePersistence(store, kind, logger);
    // Zero-filled and never touched: the pages are not committed.
    const bytes = new Uint8Array(MODEL_STATE_LIMITS.maxBytes + 1);
    await persistence.save({ version: kind.version, trainedUpTo: 1, bytes });
    await persistence.save({ version: kind.version, trainedUpTo: 1, bytes });
    expect(logger.lines).toEqual([
      `warn: the test state (${bytes.byteLength} bytes) is larger than a store keeps (${MODEL_STATE_LIMITS.maxBytes}): it is not saved, and is computed again on opening`,
    ]);
    expect(persistence.saved).toBe(0);
    expect(await store.getModelState(kind.key)).toBeNull();
  });

  it('reads its own version back, and ignores another version or unreadable bytes with one line each', async () => {
    const store = await openSqliteStore({ path: join(tempDir(), 'skills.db') });
    open.push(store);
    const logger = memoryLogger();
    const persistence = new StatePersistence(store, kind, logger);
    await persistence.save({ version: kind.version, trainedUpTo: 3, bytes: Uint8Array.of(7, 1, 2) });
    expect(await persistence.load()).toEqual({ state: 3, trainedUpTo: 3 });
    await store.putModelState(kind.key, { version: 'test/v0', trainedUpTo: 3, bytes: Uint8Array.of(7) });
    expect(await persistence.load()).toBeNull();
    await store.putModelState(kind.key, { version: kind.version, trainedUpTo: 3, bytes: Uint8Array.of(1) });
    expect(await persistence.load()).toBeNull();
    expect(logger.lines).toEqual([
      'info: the stored test state is test/v0, not test/v1: computing it again',
      'warn: the stored test state cannot be read: wrong first byte; computing it again',
    ]);
  });
});
