import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExportDocumentSchema, InvocationRecordSchema, parseOrThrow, ValidationError } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { CsvSyntaxError } from '@skills/tracker';
import { CsvFormatError, csvToRecords } from './csv-records.js';

const COLUMNS = ['query', 'skill', 'completed', 'phase', 'duration'];

/** A CSV field: quoted when it must be (or at random), with doubled quotes inside. */
const field = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('true', 'no', 'maybe', '42.5', '1m30s', '-3', '', ' spaced ', 'a,b', 'say "hi"', 'two\nlines'),
);
const encode = (value: string, forceQuotes: boolean) =>
  forceQuotes || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

/** Well-formed CSV text with a header of known and unknown columns, and random rows. */
const csvText = fc
  .record({
    header: fc.shuffledSubarray([...COLUMNS, 'extra'], { minLength: 1 }),
    rows: fc.array(fc.array(fc.tuple(field, fc.boolean()), { maxLength: 7 }), { maxLength: 12 }),
    crlf: fc.boolean(),
  })
  .map(({ header, rows, crlf }) =>
    [header.join(','), ...rows.map((r) => r.map(([v, q]) => encode(v, q)).join(','))].join(crlf ? '\r\n' : '\n'),
  );

describe('CSV import (property)', () => {
  it('every row becomes a valid record or an error naming its row, line and column; nothing else happens', () => {
    fc.assert(
      fc.property(fc.oneof(csvText, fc.string({ maxLength: 200 })), (text) => {
        let result;
        try {
          result = csvToRecords(text, 'history.csv', new Date('2026-03-01T12:00:00.000Z'));
        } catch (error) {
          // The whole file is unusable (no header, a needed column missing, a broken quote): said so.
          expect(error instanceof CsvFormatError || error instanceof CsvSyntaxError).toBe(true);
          expect((error as Error).message).toBeTruthy();
          return;
        }
        for (const record of result.records) expect(InvocationRecordSchema.safeParse(record).success).toBe(true);
        for (const bad of result.invalid) {
          expect(bad.row).toBeGreaterThanOrEqual(1);
          expect(bad.line).toBeGreaterThanOrEqual(2);
          expect(bad.field).toBeTruthy();
          expect(bad.message).toBeTruthy();
        }
        expect(new Set(result.records.map((r) => r.id)).size).toBe(result.records.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('export-format import (property)', () => {
  it('a document either imports, or fails naming a field and the rule, leaving the store unchanged', async () => {
    const store = await openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'skills-import-')), 'skills.db') });
    const base = {
      format: 'skills-export',
      version: 1,
      exportedAt: '2026-03-01T12:00:00.000Z',
      invocations: [] as unknown[],
      catalog: [] as unknown[],
    };
    const record = {
      id: 'r',
      skillName: 'linter',
      sessionId: 's',
      invokedAt: '2026-03-01T11:00:00.000Z',
      status: 'completed',
      completed: true,
      completedAt: '2026-03-01T11:00:01.000Z',
      durationSeconds: 1,
      userQuery: 'lint it',
      workflowPhase: null,
      alternativesConsidered: [],
      selectionRank: null,
      followUpActions: [],
      errorType: null,
    };
    const keys = Object.keys(record);
    const mutated = fc.array(
      fc.record({ key: fc.constantFrom(...keys, 'bogus'), value: fc.anything({ maxDepth: 1 }), keep: fc.boolean() }),
      { maxLength: 4 },
    );
    let n = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(mutated, { minLength: 1, maxLength: 3 }), fc.constantFrom(1, 2, 'x'), async (records, version) => {
          const doc = {
            ...base,
            version,
            invocations: records.map((changes) => {
              const r: Record<string, unknown> = { ...record, id: `r${n++}` };
              for (const { key, value, keep } of changes) if (keep) r[key] = value;
              return r;
            }),
          };
          const before = await store.countInvocations();
          try {
            const valid = parseOrThrow(ExportDocumentSchema, doc, 'export document');
            const { imported, duplicates } = await store.importAll(valid);
            expect(imported + duplicates).toBe(valid.invocations.length);
            expect(await store.countInvocations()).toBe(before + imported);
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            const { violations } = error as ValidationError;
            expect(violations.length).toBeGreaterThan(0);
            for (const v of violations) expect(v.message).toBeTruthy();
            expect(await store.countInvocations()).toBe(before);
          }
        }),
        { numRuns: 200 },
      );
    } finally {
      await store.close();
    }
  });
});
