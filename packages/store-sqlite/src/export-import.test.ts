import type { ExportDocument } from '@skills/protocol';
import { describe, expect, it } from 'vitest';
import { asStored, at, finishedRecord, pendingRecord } from '@skills/store-contract';
import { openSqliteStore } from './index.js';
import { useTempDir } from './test-support/temp-dir.js';

// Round trips, progress, rejection and atomicity of imports are checked by the store contract
// (contract.test.ts); these cases are not.

const tmp = useTempDir();

describe('exportAll and importAll', () => {
  it('import a version 1 document, written before sources were kept, with no source', async () => {
    const store = await openSqliteStore({ path: tmp.path('version-1.db') });
    const { source: _, ...older } = finishedRecord(1, 'completed', 2);
    expect(await store.importAll({ format: 'skills-export', version: 1, exportedAt: at(0), invocations: [older], catalog: [] })).toEqual({
      imported: 1,
      duplicates: 0,
    });
    expect(await store.getInvocation(older.id)).toEqual(asStored({ ...older, source: null }));
    await store.close();
  });

  it('refuse a catalog description holding a lone surrogate, and write nothing', async () => {
    const store = await openSqliteStore({ path: tmp.path('catalog.db') });
    const doc = { format: 'skills-export', version: 1, exportedAt: at(0), invocations: [pendingRecord(1)], catalog: [{ skillName: 'a', description: 'bad \uD800' }] };
    await expect(store.importAll(doc as ExportDocument)).rejects.toThrow('catalog.0.description: description must be well-formed Unicode');
    await expect(store.upsertCatalog([{ skillName: 'a', description: '\uDC00' }])).rejects.toThrow('description must be well-formed Unicode');
    expect(await store.countInvocations()).toBe(0);
    expect((await store.exportAll()).catalog).toEqual([]);
    await store.close();
  });
});
