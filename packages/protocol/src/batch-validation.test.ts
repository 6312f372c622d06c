import { describe, expect, it } from 'vitest';
import { validateBatch, validateCatalog, type PlainBatchChecks } from './batch-validation.js';
import { ValidationError } from './errors.js';
import type { InvocationRecord } from './invocation.js';
import { pendingRecord } from './invocation-records.js';
import type { Completion } from './store.js';

const record = pendingRecord({ skillName: 'linter' }, { id: 'inv-1', sessionId: 'session-1', invokedAt: '2026-01-01T00:00:00.000Z' });
const done: Completion = { id: 'inv-1', completed: true, completedAt: '2026-01-01T00:00:01Z', durationSeconds: 1 };

describe('validateBatch', () => {
  it('normalises every entry through the schemas and names a bad one by its place', () => {
    expect(validateBatch({ inserts: [{ ...record, skillName: ' linter ' }], completions: [done] })).toEqual({ inserts: [record], completions: [done] });
    expect(validateBatch({})).toEqual({ inserts: [], completions: [] });
    const error = (() => {
      try {
        return validateBatch({ completions: [done, { ...done, completedAt: 'soon' }] });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).violations[0]?.path).toBe('completions.1.completedAt');
  });

  it('takes the entries the plain checks vouch for as they are, and asks the schemas about the rest', () => {
    const padded = { ...record, skillName: ' linter ' };
    const plain: PlainBatchChecks = { record: (r): r is InvocationRecord => r === padded, completion: (_c): _c is Completion => false };
    expect(validateBatch({ inserts: [padded, padded] }, plain).inserts).toEqual([padded, padded]);
    expect(validateBatch({ inserts: [{ ...padded }] }, plain).inserts).toEqual([record]);
  });
});

describe('validateCatalog', () => {
  it('trims entries and names an empty description', () => {
    expect(validateCatalog([{ skillName: ' a ', description: 'b ' }])).toEqual([{ skillName: 'a', description: 'b' }]);
    expect(() => validateCatalog([{ skillName: 'a', description: ' ' }])).toThrow(ValidationError);
  });
});
