import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvocationRecordSchema } from '@skills/protocol';
import { readLegacy } from './legacy.js';

/** Numbers at and past every edge: huge, tiny, negative zero, non-finite (JSON writes those as null). */
const extremeNumber = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 0.5, 1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER, 2_592_000, 2_592_000.001, 8.64e12, 8.64e15),
  fc.double(),
  fc.integer(),
);

/** Timestamps at the ends of the calendar, with and without zones, and broken ones. */
const timestamp = fc.oneof(
  fc.constantFrom(
    '2026-02-01T10:00:00.123456',
    '0000-01-01T00:00:00',
    '0001-01-01T00:00:00',
    '9999-12-31T23:59:59.999999',
    '9999-12-31T23:59:59-14:00',
    '0000-01-01T00:00:00+14:00',
    '2026-02-30T10:00:00',
    '2026-02-01T24:00:00',
    '+275760-09-13T00:00:00',
    '',
    'not a date',
  ),
  fc
    .record({ year: fc.integer({ min: 0, max: 9999 }), month: fc.integer({ min: 0, max: 13 }), day: fc.integer({ min: 0, max: 32 }), zone: fc.constantFrom('', 'Z', '+05:30', '-14:00', '+99:99') })
    .map(({ year, month, day, zone }) => `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T12:00:00${zone}`),
);

const text = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('code-reviewer', '  ', 'x'.repeat(300), 'a\uD800'));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

const entry = fc.record(
  {
    skill_name: fc.oneof(text, extremeNumber),
    invoked_at: fc.oneof(timestamp, extremeNumber),
    completed: fc.oneof(fc.boolean(), extremeNumber),
    duration_seconds: maybe(fc.oneof(extremeNumber, text)),
    session_id: maybe(text),
    user_query: maybe(text),
    workflow_phase: maybe(text),
    workflow_path: maybe(text),
    selection_rank: maybe(extremeNumber),
    alternatives_considered: maybe(fc.array(text, { maxLength: 3 })),
    follow_up_actions: maybe(fc.array(fc.oneof(text, extremeNumber), { maxLength: 3 })),
    error_type: maybe(text),
  },
  { requiredKeys: [] },
);

describe('readLegacy (property)', () => {
  it('never fails as a whole on extreme numbers or dates: each entry is a valid record, a repeat, or skipped with its reason', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), fc.constantFrom(undefined, 'UTC', 'Pacific/Kiritimati', 'Etc/GMT+12'), (entries, timeZone) => {
        const read = readLegacy(JSON.stringify({ invocations: entries }), timeZone ? { timeZone } : {});
        expect(read.read).toBe(entries.length);
        expect(read.records.length + read.repeatedInFile + read.invalid.length).toBe(entries.length);
        for (const record of read.records) expect(InvocationRecordSchema.safeParse(record).success).toBe(true);
        for (const bad of read.invalid) {
          expect(bad.index).toBeGreaterThanOrEqual(0);
          expect(bad.index).toBeLessThan(entries.length);
          expect(bad.field).toBeTruthy();
          expect(bad.message).toBeTruthy();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('skips a record whose duration has no end date (1e308), naming the field and the rule, and keeps the rest', () => {
    const good = { skill_name: 'linter', invoked_at: '2026-02-01T10:00:00', completed: true, duration_seconds: 2 };
    const read = readLegacy(JSON.stringify({ invocations: [good, { ...good, invoked_at: '2026-02-01T11:00:00', duration_seconds: 1e308 }] }), { timeZone: 'UTC' });
    expect(read.records).toHaveLength(1);
    expect(read.invalid).toEqual([
      { index: 1, field: 'duration_seconds', message: 'must be a number of seconds from 0 to 2592000 (30 days) or null, got 1e+308' },
    ]);
  });
});
