import { EXPORT_FORMAT_VERSION, ValidationError, type ExportDocument } from '@skills/protocol';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from './index.js';
import { at, completion, finishedRecord, pendingRecord } from './test-support/records.js';
import { recountAggregates } from './test-support/recount.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();

const sample = [
  pendingRecord(5, { alternativesConsidered: ['a', 'b'], selectionRank: 3, sessionId: 's-2', source: 'langchain' }),
  finishedRecord(1, 'completed', 1.25, { followUpActions: ['git commit'], workflowPhase: null, source: 'ai-sdk' }),
  finishedRecord(2, 'failed', 0, { errorType: 'TypeError', userQuery: null, skillName: 'builder' }),
  finishedRecord(3, 'abandoned', null, { userQuery: 'ünïcödé query ✓' }),
  pendingRecord(4, { id: 'a-plain-id', invokedAt: at(5) }),
];

describe('exportAll and importAll', () => {
  it('round-trip a store exactly, apart from exportedAt', async () => {
    const source = await openSqliteStore({ path: tmp.path('source.db') });
    await source.applyBatch({ inserts: sample, completions: [completion('inv-000005', true, 9.75)] });
    await source.upsertCatalog([
      { skillName: 'code-reviewer', description: 'Reviews a change' },
      { skillName: 'builder', description: 'Builds the project' },
    ]);
    const exported = await source.exportAll();
    await source.close();
    expect(exported.format).toBe('skills-export');
    expect(exported.version).toBe(EXPORT_FORMAT_VERSION);
    expect(exported.invocations.map((r) => r.source)).toEqual(['ai-sdk', null, null, null, 'langchain']);
    expect(exported.invocations.map((r) => r.id)).toEqual(['inv-000001', 'inv-000002', 'inv-000003', 'a-plain-id', 'inv-000005']);
    expect(exported.catalog.map((c) => c.skillName)).toEqual(['builder', 'code-reviewer']);

    const target = await openSqliteStore({ path: tmp.path('target.db') });
    expect(await target.importAll(JSON.parse(JSON.stringify(exported)) as ExportDocument)).toEqual({ imported: 5, duplicates: 0 });
    const again = await target.exportAll();
    expect({ ...again, exportedAt: exported.exportedAt }).toEqual(exported);
    expect((await target.listInvocations()).map((r) => r.source)).toEqual(['langchain', null, null, null, 'ai-sdk']);
    expect(await target.getInvocation('inv-000001')).toEqual(exported.invocations[0]);
    expect(await target.skillStats()).toHaveLength(2);
    const { stored, recounted } = recountAggregates(target.location);
    expect(stored).toEqual(recounted);

    expect(await target.importAll(exported)).toEqual({ imported: 0, duplicates: 5 });
    expect(await target.countInvocations()).toBe(5);
    await target.close();
  });

  it('import a version 1 document, written before sources were kept, with no source', async () => {
    const store = await openSqliteStore({ path: tmp.path('version-1.db') });
    const { source: _, ...older } = finishedRecord(1, 'completed', 2);
    expect(await store.importAll({ format: 'skills-export', version: 1, exportedAt: at(0), invocations: [older], catalog: [] })).toEqual({
      imported: 1,
      duplicates: 0,
    });
    expect(await store.getInvocation(older.id)).toEqual({ ...older, source: null });
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

  it('report progress per chunk, inside one transaction', async () => {
    const store = await openSqliteStore({ path: tmp.path('progress.db') });
    const invocations = Array.from({ length: 12_000 }, (_, i) => finishedRecord(i, 'completed', 1, { userQuery: `query ${i % 50}` }));
    const progress: Array<[number, number]> = [];
    const result = await store.importAll(
      { format: 'skills-export', version: 1, exportedAt: at(0), invocations, catalog: [] },
      (done, total) => progress.push([done, total]),
    );
    expect(result).toEqual({ imported: 12_000, duplicates: 0 });
    expect(progress).toEqual([
      [5000, 12_000],
      [10_000, 12_000],
      [12_000, 12_000],
    ]);
    expect(await store.listQueries()).toHaveLength(50);

    const empty: Array<[number, number]> = [];
    await store.importAll({ format: 'skills-export', version: 1, exportedAt: at(0), invocations: [], catalog: [] }, (d, t) => empty.push([d, t]));
    expect(empty).toEqual([[0, 0]]);
    await store.close();
  });

  it('import nothing when the progress callback throws', async () => {
    const store = await openSqliteStore({ path: tmp.path('abort.db') });
    const invocations = Array.from({ length: 6000 }, (_, i) => pendingRecord(i));
    await expect(
      store.importAll({ format: 'skills-export', version: 1, exportedAt: at(0), invocations, catalog: [] }, (done) => {
        if (done > 5000) throw new Error('cancelled');
      }),
    ).rejects.toThrow(/cancelled/);
    expect(await store.countInvocations()).toBe(0);
    await store.close();
  });

  it('reject an invalid document, naming the field, and write nothing', async () => {
    const store = await openSqliteStore({ path: tmp.path('invalid.db') });
    const doc = {
      format: 'skills-export',
      version: 1,
      exportedAt: at(0),
      invocations: [pendingRecord(1), { ...pendingRecord(2), status: 'running' }],
      catalog: [],
    } as unknown as ExportDocument;
    const error = await store.importAll(doc).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).violations[0]?.path).toBe('invocations.1.status');
    await expect(store.importAll({ ...doc, version: EXPORT_FORMAT_VERSION + 1 } as ExportDocument)).rejects.toThrow(
      `version must be at most ${EXPORT_FORMAT_VERSION}`,
    );
    expect(await store.countInvocations()).toBe(0);
    await store.close();
  });
});
