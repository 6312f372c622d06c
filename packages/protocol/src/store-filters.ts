import { ValidationError } from './errors.js';
import { InvocationRecordSchema, InvocationStatusSchema } from './invocation.js';
import type { InvocationFilter, Page } from './store.js';
import { STATUS_CODE, type StatusCode } from './stored-status.js';

const isoInstant = InvocationRecordSchema.shape.invokedAt;

/**
 * Checks that `value`, given as `field` of `what`, is an ISO-8601 instant (the rule of the
 * record's timestamps) and returns it; a store turns it into its stored form.
 *
 * @example
 * checkInstant('2026-01-01T00:00:00Z', 'since', 'invocation filter'); // '2026-01-01T00:00:00Z'
 */
export function checkInstant(value: unknown, field: string, what: string): string {
  if (!isoInstant.safeParse(value).success) {
    throw new ValidationError(what, [{ path: field, message: `${field} must be an ISO-8601 date-time with a zone` }]);
  }
  return value as string;
}

/** A filter checked and turned into stored terms: status codes, and instants as `T`. */
export interface ResolvedFilter<T> {
  readonly sessionId?: string;
  readonly skillName?: string;
  readonly workflowPhase?: string;
  readonly status?: StatusCode;
  readonly since?: T;
  readonly until?: T;
}

/**
 * Checks a filter; a bad status or instant is a ValidationError naming the field. `stored` turns
 * a checked instant into the store's form of it.
 */
export function resolveFilter<T>(filter: InvocationFilter, stored: (iso: string) => T): ResolvedFilter<T> {
  const what = 'invocation filter';
  let status: StatusCode | undefined;
  if (filter.status !== undefined) {
    const parsed = InvocationStatusSchema.safeParse(filter.status);
    if (!parsed.success) {
      const message = `status must be one of ${InvocationStatusSchema.options.join(', ')}`;
      throw new ValidationError(what, [{ path: 'status', message }]);
    }
    status = STATUS_CODE[parsed.data];
  }
  return {
    sessionId: filter.sessionId,
    skillName: filter.skillName,
    workflowPhase: filter.workflowPhase,
    status,
    since: filter.since === undefined ? undefined : stored(checkInstant(filter.since, 'since', what)),
    until: filter.until === undefined ? undefined : stored(checkInstant(filter.until, 'until', what)),
  };
}

/** True when the filter keeps every invocation. */
export function isEmptyFilter(f: ResolvedFilter<unknown>): boolean {
  return Object.values(f).every((v) => v === undefined);
}

/** The default page size of listings. */
export const DEFAULT_PAGE_LIMIT = 100;

/** Checks a page: whole numbers, limit at least 1, offset at least 0. */
export function resolvePage(page: Page = {}): { limit: number; offset: number } {
  const limit = page.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = page.offset ?? 0;
  const violations = [];
  if (!Number.isInteger(limit) || limit < 1) {
    violations.push({ path: 'limit', message: 'limit must be a whole number of at least 1' });
  }
  if (!Number.isInteger(offset) || offset < 0) {
    violations.push({ path: 'offset', message: 'offset must be a whole number of at least 0' });
  }
  if (violations.length > 0) throw new ValidationError('page', violations);
  return { limit, offset };
}
