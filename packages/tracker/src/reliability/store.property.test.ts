import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROJECT, ValidationError, type ExportDocument, type InvocationRecord, type WriteBatch } from '@skills/protocol';
import { openSqliteStore, type SqliteStore } from '@skills/store-sqlite';
import { compareWithRecount } from './fixtures/recount.mjs';
import { removeTempDirs, tempDir } from './harness.mjs';

afterAll(removeTempDirs);

/** Ids that recur across runs, so that batches replay, complete and collide with stored ones. */
const ID_POOL = Array.from({ length: 12 }, (_, i) => `inv-${i}`);

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** ISO-8601 instants across the whole range the protocol accepts (years 0000-9999, any offset, any precision). */
const instant = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        year: fc.integer({ min: 0, max: 9999 }),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 28 }),
        hour: fc.integer({ min: 0, max: 23 }),
        minute: fc.integer({ min: 0, max: 59 }),
        second: fc.integer({ min: 0, max: 59 }),
        fraction: fc.option(fc.stringMatching(/^[0-9]{1,9}$/), { nil: undefined }),
        offset: fc.oneof(
          fc.constant('Z'),
          fc
            .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
            .map(([sign, h, m]) => `${sign}${pad(h, 2)}:${pad(m, 2)}`),
        ),
      })
      .map((t) => {
        const date = `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}`;
        const time = `${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}${t.fraction ? `.${t.fraction}` : ''}`;
        return `${date}T${time}${t.offset}`;
      }),
  },
  // Recent instants, and the edges of the accepted range.
  { weight: 3, arbitrary: fc.integer({ min: Date.parse('2024-01-01'), max: Date.parse('2026-01-01') }).map((ms) => new Date(ms).toISOString()) },
  { weight: 1, arbitrary: fc.constantFrom('0000-01-01T00:00:00Z', '0000-01-01T00:30:00+01:00', '9999-12-31T23:59:59.999Z', '9999-12-31T23:30:00-01:00') },
);
const name = fc.oneof(
  fc.constantFrom('code-reviewer', 'test-runner', ' linter ', 'planner'),
  fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== ''),
);
const query = fc.oneof(fc.constant(null), fc.constantFrom('run the tests', '  run   the\ttests ', 'fix lint', '   ', ''), fc.string({ maxLength: 20 }));
const duration = fc.oneof(
  { weight: 4, arbitrary: fc.constant(null) },
  { weight: 6, arbitrary: fc.double({ min: 0, max: 3600, noNaN: true }) },
  // Durations the protocol accepts (finite, not negative) however unlikely: a year, a millennium, the largest double.
  { weight: 2, arbitrary: fc.constantFrom(31_536_000, 5e12, 1e13, 1e300, Number.MAX_VALUE) },
);
const status = fc.constantFrom('pending', 'completed', 'failed', 'abandoned');

const validRecord: fc.Arbitrary<Record<string, unknown>> = fc.record({
  id: fc.oneof(fc.constantFrom(...ID_POOL), fc.uuid()),
  skillName: name,
  sessionId: fc.constantFrom('session-a', 'session-b'),
  invokedAt: instant,
  status,
  completed: fc.boolean(),
  completedAt: fc.option(instant, { nil: null }),
  durationSeconds: duration,
  userQuery: query,
  workflowPhase: fc.option(fc.constantFrom('planning', 'verification', ' review '), { nil: null }),
  alternativesConsidered: fc.array(name, { maxLength: 3 }),
  selectionRank: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: null }),
  followUpActions: fc.array(name, { maxLength: 2 }),
  errorType: fc.option(fc.constantFrom('TimeoutError', 'ToolError'), { nil: null }),
  source: fc.option(fc.constantFrom('ai-sdk', ' langchain ', 'cli'), { nil: null }),
});
const validCompletion: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    id: fc.oneof(fc.constantFrom(...ID_POOL), fc.uuid()),
    completed: fc.boolean(),
    completedAt: instant,
    durationSeconds: duration,
    followUpActions: fc.array(name, { maxLength: 2 }),
    errorType: fc.option(fc.constantFrom('TimeoutError', 'ToolError'), { nil: null }),
  },
  { requiredKeys: ['id', 'completed', 'completedAt', 'durationSeconds'] },
);

/** Something wrong with one field: a value of the wrong kind or range, or a field missing or extra. */
const badValue = fc.oneof(
  fc.constantFrom('', '   ', -1, Number.NaN, Number.POSITIVE_INFINITY, 1.5, 0, 1001),
  fc.constantFrom('yesterday', '2024-13-01T00:00:00Z', '2024-02-30T00:00:00Z', '2024-01-01T00:00:00'),
  fc.constant('x'.repeat(8_001)),
  fc.constant(Array.from({ length: 51 }, (_, i) => `n${i}`)),
  fc.anything({ maxDepth: 1 }),
);
function mutated(base: fc.Arbitrary<Record<string, unknown>>) {
  const change = fc.tuple(fc.constantFrom('replace', 'delete', 'add'), fc.nat(20), badValue);
  // One record in ten is wrong: most batches are valid, many are not.
  const maybe = fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: change });
  return fc.tuple(base, maybe).map(([record, change]) => {
    if (!change) return record;
    const [kind, index, value] = change;
    const keys = Object.keys(record);
    const key = keys[index % keys.length]!;
    const copy: Record<string, unknown> = { ...record };
    if (kind === 'replace') copy[key] = value;
    else if (kind === 'delete') delete copy[key];
    else copy.unexpectedField = value;
    return copy;
  });
}
const batchLike = fc.record(
  { inserts: fc.array(mutated(validRecord), { maxLength: 4 }), completions: fc.array(mutated(validCompletion), { maxLength: 3 }) },
  { requiredKeys: [] },
) as fc.Arbitrary<WriteBatch>;

/** An export without its timestamp: two exports of an unchanged store are equal. */
const content = ({ exportedAt: _at, ...rest }: ExportDocument) => rest;

/** The record as the store documents it keeps one: names trimmed, instants in UTC ms, query whitespace collapsed. */
function normalised(r: Record<string, unknown>): InvocationRecord {
  const iso = (v: unknown) => (v === null ? null : new Date(Date.parse(v as string)).toISOString());
  const trim = (v: unknown) => (typeof v === 'string' ? v.trim() : v);
  const text = r.userQuery === null ? null : (r.userQuery as string).replace(/\s+/g, ' ').trim() || null;
  return {
    ...(r as unknown as InvocationRecord),
    skillName: trim(r.skillName) as string,
    sessionId: trim(r.sessionId) as string,
    workflowPhase: trim(r.workflowPhase) as string | null,
    invokedAt: iso(r.invokedAt) as string,
    completedAt: iso(r.completedAt),
    userQuery: text,
    alternativesConsidered: (r.alternativesConsidered as string[]).map((s) => s.trim()),
    followUpActions: (r.followUpActions as string[]).map((s) => s.trim()),
    // Optional: a record without one (written before sources were kept) reads back with none.
    source: (trim(r.source) as string | null | undefined) ?? null,
    // Stores read every record back with its project: `default` when written without one.
    project: (r.project as string | undefined) ?? DEFAULT_PROJECT,
  };
}

describe('store applyBatch with arbitrary records (property)', () => {
  let store: SqliteStore;
  beforeAll(async () => {
    store = await openSqliteStore({ path: join(tempDir(), 'skills.db') });
  });
  afterAll(() => store.close());

  it('succeeds with aggregates equal to a recount, or throws a ValidationError and changes nothing', async () => {
    const outcomes = { applied: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(batchLike, async (batch) => {
        const before = content(await store.exportAll());
        const known = new Set(before.invocations.map((r) => r.id));
        let result;
        try {
          result = await store.applyBatch(batch);
        } catch (error) {
          // Not a StoreError, a TypeError or a constraint failure: bad input is named by field.
          expect(error, String(error)).toBeInstanceOf(ValidationError);
          for (const v of (error as ValidationError).violations) expect(v.path).toMatch(/^(inserts|completions)\.\d+($|\.)/);
          expect(content(await store.exportAll())).toEqual(before);
          outcomes.rejected++;
          return;
        }
        const inserts = (batch.inserts ?? []) as unknown as Record<string, unknown>[];
        const completions = batch.completions ?? [];
        expect(result.inserted + result.duplicates).toBe(inserts.length);
        expect(result.completed + result.alreadyFinished.length + result.unknown.length).toBe(completions.length);
        outcomes.applied++;
        const { records, problems } = await compareWithRecount(store);
        expect(problems).toEqual([]);
        // A new record that nothing in the batch completes is stored as documented.
        const byId = new Map(records.map((r) => [r.id, r]));
        const completedNow = new Set(completions.map((c) => c.id));
        const seen = new Set<string>();
        for (const r of inserts) {
          const id = r.id as string;
          if (known.has(id) || seen.has(id) || completedNow.has(id)) continue;
          seen.add(id);
          expect(byId.get(id)).toEqual(normalised(r));
        }
      }),
      { numRuns: 250 },
    );
    // Both branches were exercised.
    expect(outcomes.applied).toBeGreaterThan(50);
    expect(outcomes.rejected).toBeGreaterThan(10);
  });

});

describe('store export and import (property)', () => {
  it('whatever applyBatch accepted exports into a document that imports back into an empty store unchanged', async () => {
    const dir = tempDir();
    let n = 0;
    // Valid records only, with ordinary durations: this property is about instants and texts.
    const record = validRecord.map((r): Record<string, unknown> => ({
      ...r,
      durationSeconds: r.durationSeconds === null ? null : Math.min(r.durationSeconds as number, 3600),
    }));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(record, { minLength: 1, maxLength: 5, selector: (r) => r.id }), async (records) => {
        const source = await openSqliteStore({ path: join(dir, `source-${n}.db`) });
        const copy = await openSqliteStore({ path: join(dir, `copy-${n++}.db`) });
        try {
          try {
            await source.applyBatch({ inserts: records as unknown as InvocationRecord[] });
          } catch (error) {
            if (error instanceof ValidationError) return; // not accepted: nothing to round-trip
            throw error;
          }
          const doc = await source.exportAll();
          expect(await copy.importAll(doc)).toEqual({ imported: records.length, duplicates: 0 });
          expect(content(await copy.exportAll())).toEqual(content(doc));
        } finally {
          await Promise.all([source.close(), copy.close()]);
        }
      }),
      { numRuns: 60 },
    );
  });
});
