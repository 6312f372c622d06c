import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import type { InvocationStatus } from './invocation.js';
import { checkInstant, isEmptyFilter, resolveFilter, resolvePage } from './store-filters.js';
import { STATUS_CODE } from './stored-status.js';

const violations = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.violations;
    throw error;
  }
  throw new Error('no error');
};

describe('resolveFilter', () => {
  it('turns the status into its code and the instants into the store’s form', () => {
    const f = resolveFilter({ status: 'failed', since: '2026-01-01T01:00:00+01:00', skillName: 'linter' }, Date.parse);
    expect(f).toEqual({ status: STATUS_CODE.failed, since: Date.parse('2026-01-01T00:00:00Z'), skillName: 'linter', sessionId: undefined, workflowPhase: undefined, until: undefined });
    expect(isEmptyFilter(f)).toBe(false);
    expect(isEmptyFilter(resolveFilter({}, Date.parse))).toBe(true);
  });

  it('names the field and the rule of a bad status or instant', () => {
    expect(violations(() => resolveFilter({ status: 'running' as InvocationStatus }, String))).toEqual([
      { path: 'status', message: 'status must be one of pending, completed, failed, abandoned' },
    ]);
    expect(violations(() => resolveFilter({ until: '2026-01-01' }, String))).toEqual([
      { path: 'until', message: 'until must be an ISO-8601 date-time with a zone' },
    ]);
    expect(violations(() => checkInstant(42, 'olderThan', 'prune cutoff'))).toEqual([
      { path: 'olderThan', message: 'olderThan must be an ISO-8601 date-time with a zone' },
    ]);
  });
});

describe('resolvePage', () => {
  it('defaults to the first 100, and names every bad bound', () => {
    expect(resolvePage()).toEqual({ limit: 100, offset: 0 });
    expect(violations(() => resolvePage({ limit: 0, offset: 1.5 }))).toEqual([
      { path: 'limit', message: 'limit must be a whole number of at least 1' },
      { path: 'offset', message: 'offset must be a whole number of at least 0' },
    ]);
  });
});
