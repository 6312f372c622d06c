import fc from 'fast-check';
import { InvocationRecordSchema, isPlainInstant, isPlainValidRecord, PLAIN_RECORD_CHECKS, validateBatch as validateWith, ValidationError, type InvocationRecord, type WriteBatch } from '@skills/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { at, pendingRecord } from '@skills/store-contract';
import { fromStoredId, toStoredId } from './ids.js';
import { openSqliteStore, type SqliteStore } from './index.js';
import { recountAggregates } from './test-support/recount.js';
import { useTempDir } from './test-support/temp-dir.js';
import { toMillis } from './time.js';

const validateBatch = (batch: WriteBatch) => validateWith(batch, PLAIN_RECORD_CHECKS);
const tmp = useTempDir();
let store: SqliteStore;
afterEach(() => store?.close());

describe('stored ids', () => {
  it('store a canonical lowercase UUID as its 16 bytes and read it back exactly', () => {
    const id = '01936f0e-8c2a-7c3d-9f4e-2b1a0c9d8e7f';
    const stored = toStoredId(id);
    expect(Buffer.isBuffer(stored) && stored.length).toBe(16);
    expect(fromStoredId(stored)).toBe(id);
  });

  it('keep every other id as its text', () => {
    for (const id of ['inv-1', '01936F0E-8C2A-7C3D-9F4E-2B1A0C9D8E7F', '01936f0e-8c2a-7c3d-9f4e-2b1a0c9d8e7', '01936f0e_8c2a-7c3d-9f4e-2b1a0c9d8e7f', '01936f0e-8c2a-7c3d-9f4e-2b1a0c9d8e7g']) {
      expect(toStoredId(id)).toBe(id);
    }
  });

  it('round-trip any UUID and any string', () => {
    fc.assert(
      fc.property(fc.uuid(), (id) => {
        expect(fromStoredId(toStoredId(id))).toBe(id);
      }),
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (id) => {
        expect(fromStoredId(toStoredId(id))).toBe(id);
      }),
    );
  });

  it('list and export by time, then by id as text, whichever way each id is stored', async () => {
    store = await openSqliteStore({ path: tmp.path('order.db') });
    const uuid = '01936f0e-8c2a-7c3d-9f4e-2b1a0c9d8e7f';
    // At the same instant: as text, '01936f0e-...' < 'a-plain-id' < 'ffff'; a BLOB would sort last.
    const records = [pendingRecord(1, { id: 'ffff' }), pendingRecord(1, { id: uuid }), pendingRecord(1, { id: 'a-plain-id' })];
    await store.applyBatch({ inserts: records });
    expect((await store.exportAll()).invocations.map((r) => r.id)).toEqual([uuid, 'a-plain-id', 'ffff']);
    expect((await store.listInvocations()).map((r) => r.id)).toEqual(['ffff', 'a-plain-id', uuid]);
    expect(await store.getInvocation(uuid)).toMatchObject({ id: uuid });
    expect(await store.getInvocation(uuid.toUpperCase())).toBeNull();
  });
});

describe('the validation fast path', () => {
  const base: InvocationRecord = { ...pendingRecord(1), id: '01936f0e-8c2a-7c3d-9f4e-2b1a0c9d8e7f', invokedAt: '2024-05-01T12:00:00.123Z' };

  it('takes what a tracker writes', () => {
    expect(isPlainValidRecord(base)).toBe(true);
    expect(isPlainValidRecord({ ...base, source: 'ai-sdk' })).toBe(true);
    const { source: _, ...unlabelled } = base;
    expect(isPlainValidRecord(unlabelled)).toBe(true);
    expect(isPlainValidRecord({ ...base, project: 'alpha' })).toBe(true);
    expect(isPlainValidRecord({ ...base, alternativesConsidered: ['a', 'b'], alternativeScores: [0.5, -1] })).toBe(true);
    expect(isPlainValidRecord({ ...base, alternativesConsidered: ['a'], alternativeScores: [] })).toBe(true);
  });

  it('leaves to the schema what it would change or refuse, and the outcome is the schema’s', () => {
    const cases: Partial<InvocationRecord>[] = [
      { skillName: ' padded ' },
      { skillName: '' },
      { userQuery: ' padded query' },
      { invokedAt: '2024-05-01T12:00:00Z' },
      { invokedAt: '2024-02-30T12:00:00.000Z' },
      { durationSeconds: Number.NaN },
      { selectionRank: 0 },
      { alternativesConsidered: ['ok', ' x'] },
      { source: ' padded ' },
      { source: '' },
      { source: 'bad \uD800' },
      { project: 'Team-A' },
      { project: '' },
      { project: 7 as unknown as string },
      { project: null as unknown as string },
      { alternativesConsidered: ['a', 'b'], alternativeScores: [0.5] },
      { alternativesConsidered: [], alternativeScores: [0.5] },
      { alternativesConsidered: ['a'], alternativeScores: [Number.NaN] },
      { alternativesConsidered: ['a'], alternativeScores: [Number.POSITIVE_INFINITY] },
      { alternativesConsidered: ['a'], alternativeScores: ['1'] as unknown as number[] },
      { alternativesConsidered: ['a'], alternativeScores: 1 as unknown as number[] },
      { alternativesConsidered: ['a', 'b'], alternativeScores: [1, , 2] as unknown as number[] },
    ];
    for (const change of cases) {
      const record = { ...base, ...change };
      expect(isPlainValidRecord(record)).toBe(false);
      const schema = InvocationRecordSchema.safeParse(record);
      if (schema.success) expect(validateBatch({ inserts: [record] }).inserts[0]).toEqual(schema.data);
      else expect(() => validateBatch({ inserts: [record] })).toThrow(ValidationError);
    }
    expect(isPlainValidRecord({ ...base, extra: 1 })).toBe(false);
    expect(isPlainValidRecord(Object.assign(Object.create({ inherited: 1 }), base))).toBe(false);
  });

  it('accepts only records the schema accepts unchanged', () => {
    const name = fc.oneof(fc.constantFrom('a', 'code-reviewer', ' x', 'x ', '', '\u00a0y', 'é', 'x'.repeat(200), 'x'.repeat(201)), fc.string({ maxLength: 8 }));
    const instant = fc.oneof(
      fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom('2024-02-29T00:00:00.000Z', '2023-02-29T00:00:00.000Z', '2024-13-01T00:00:00.000Z', '2024-05-01T24:00:00.000Z', '2024-05-01T12:00:00.000+00:00'),
    );
    const record = fc.record({
      skillName: name,
      sessionId: name,
      invokedAt: instant,
      completedAt: fc.option(instant),
      userQuery: fc.option(fc.oneof(name, fc.string({ maxLength: 30 }))),
      workflowPhase: fc.option(name),
      alternativesConsidered: fc.array(name, { maxLength: 3 }),
      selectionRank: fc.option(fc.oneof(fc.integer({ min: -2, max: 1002 }), fc.double())),
      durationSeconds: fc.option(fc.oneof(fc.double(), fc.integer())),
      project: fc.option(fc.oneof(name, fc.constantFrom('alpha', 'team.a-1', 'A', '-a', 'a'.repeat(64), 'a'.repeat(65))), { nil: undefined }),
      alternativeScores: fc.option(fc.array(fc.oneof(fc.double(), fc.integer(), fc.constant('1' as unknown as number)), { maxLength: 3 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(record, ({ project, alternativeScores, ...fields }) => {
        // Absent, not undefined, when not drawn: the schema reads both alike, toEqual too.
        const r = { ...base, ...fields, ...(project === undefined ? {} : { project }), ...(alternativeScores === undefined ? {} : { alternativeScores }) };
        if (isPlainValidRecord(r)) {
          const schema = InvocationRecordSchema.safeParse(r);
          expect(schema.success).toBe(true);
          expect(schema.data).toEqual(r);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reads instants exactly as Date.parse does', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        const iso = d.toISOString();
        expect(isPlainInstant(iso)).toBe(true);
        expect(toMillis(iso)).toBe(Date.parse(iso));
      }),
      { numRuns: 2000 },
    );
    expect(toMillis('0050-06-01T00:00:00.000Z')).toBe(Date.parse('0050-06-01T00:00:00.000Z'));
  });
});

describe('batches written in several statements', () => {
  it('store every record of a batch that does not fill whole statements, and skip replays among them', async () => {
    store = await openSqliteStore({ path: tmp.path('chunks.db') });
    const first = Array.from({ length: 300 }, (_, i) => pendingRecord(i, { userQuery: `query ${i % 37}` }));
    expect(await store.applyBatch({ inserts: first })).toMatchObject({ inserted: 300, duplicates: 0 });
    const second = Array.from({ length: 461 }, (_, i) => pendingRecord(i + 150, { userQuery: `query ${i % 41}`, skillName: `skill-${i % 3}` }));
    expect(await store.applyBatch({ inserts: second })).toMatchObject({ inserted: 311, duplicates: 150 });
    expect(await store.countInvocations()).toBe(611);
    const { stored, recounted } = recountAggregates(store.location);
    expect(stored).toEqual(recounted);
  });

  it('keep cached ids right after another connection prunes and after a failed batch', async () => {
    const path = tmp.path('cache.db');
    store = await openSqliteStore({ path });
    const other = await openSqliteStore({ path });
    try {
      await store.applyBatch({ inserts: [pendingRecord(1, { sessionId: 'gone', userQuery: 'old text' })] });
      await other.prune('9999-01-01T00:00:00.000Z');
      await store.applyBatch({ inserts: [pendingRecord(2, { sessionId: 'gone', userQuery: 'old text' })] });
      expect(await store.getInvocation('inv-000002')).toMatchObject({ sessionId: 'gone', userQuery: 'old text' });

      // A transaction that stores a new text and session, then rolls back: their ids are gone.
      const doc = { format: 'skills-export' as const, version: 1, exportedAt: at(0), catalog: [] };
      const invocations = [pendingRecord(3, { userQuery: 'rolled back', sessionId: 'new session' })];
      await expect(
        store.importAll({ ...doc, invocations }, () => {
          throw new Error('stop');
        }),
      ).rejects.toThrow('stop');
      await store.applyBatch({ inserts: [pendingRecord(5, { userQuery: 'rolled back', sessionId: 'new session' })] });
      expect(await store.getInvocation('inv-000005')).toMatchObject({ userQuery: 'rolled back', sessionId: 'new session' });
      const { stored, recounted } = recountAggregates(path);
      expect(stored).toEqual(recounted);
    } finally {
      await other.close();
    }
  });
});
