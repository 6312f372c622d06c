import { InvocationStatusSchema, ValidationError, type InvocationFilter, type Page } from '@skills/protocol';
import { type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { StoreDatabase } from './schema.js';
import { STATUS_CODE, type StatusCode } from './status.js';
import { parseInstant } from './time.js';

/** A filter checked and turned into stored terms (UTC instants, status codes). */
export interface ResolvedFilter {
  readonly sessionId?: string;
  readonly skillName?: string;
  readonly workflowPhase?: string;
  readonly status?: StatusCode;
  readonly since?: string;
  readonly until?: string;
}

/** Checks a filter; a bad status or instant is a ValidationError naming the field. */
export function resolveFilter(filter: InvocationFilter = {}): ResolvedFilter {
  const what = 'invocation filter';
  let status: StatusCode | undefined;
  if (filter.status !== undefined) {
    const parsed = InvocationStatusSchema.safeParse(filter.status);
    if (!parsed.success) {
      throw new ValidationError(what, [{ path: 'status', message: `status must be one of ${InvocationStatusSchema.options.join(', ')}` }]);
    }
    status = STATUS_CODE[parsed.data];
  }
  return {
    sessionId: filter.sessionId,
    skillName: filter.skillName,
    workflowPhase: filter.workflowPhase,
    status,
    since: filter.since === undefined ? undefined : parseInstant(filter.since, 'since', what),
    until: filter.until === undefined ? undefined : parseInstant(filter.until, 'until', what),
  };
}

/** True when the filter keeps every invocation. */
export function isEmptyFilter(f: ResolvedFilter): boolean {
  return Object.values(f).every((v) => v === undefined);
}

/** The filter as a condition on `invocations`; `since` is inclusive, `until` exclusive. */
export function filterCondition(f: ResolvedFilter) {
  return (eb: ExpressionBuilder<StoreDatabase, 'invocations'>): Expression<SqlBool> => {
    const terms: Expression<SqlBool>[] = [];
    if (f.sessionId !== undefined) {
      terms.push(eb('invocations.session_id', '=', eb.selectFrom('sessions').select('sessions.id').where('sessions.name', '=', f.sessionId)));
    }
    if (f.skillName !== undefined) {
      terms.push(eb('invocations.skill_id', '=', eb.selectFrom('skills').select('skills.id').where('skills.name', '=', f.skillName)));
    }
    if (f.workflowPhase !== undefined) {
      terms.push(eb('invocations.phase_id', '=', eb.selectFrom('phases').select('phases.id').where('phases.name', '=', f.workflowPhase)));
    }
    if (f.status !== undefined) terms.push(eb('invocations.status', '=', f.status));
    if (f.since !== undefined) terms.push(eb('invocations.invoked_at', '>=', f.since));
    if (f.until !== undefined) terms.push(eb('invocations.invoked_at', '<', f.until));
    return eb.and(terms);
  };
}

/** The default page size of listings. */
export const DEFAULT_PAGE_LIMIT = 100;

/** Checks a page: whole numbers, limit at least 1, offset at least 0. */
export function resolvePage(page: Page = {}): { limit: number; offset: number } {
  const limit = page.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = page.offset ?? 0;
  const violations = [];
  if (!Number.isInteger(limit) || limit < 1) violations.push({ path: 'limit', message: 'limit must be a whole number of at least 1' });
  if (!Number.isInteger(offset) || offset < 0) violations.push({ path: 'offset', message: 'offset must be a whole number of at least 0' });
  if (violations.length > 0) throw new ValidationError('page', violations);
  return { limit, offset };
}
