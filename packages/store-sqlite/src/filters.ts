import { resolveFilter as resolveWith, type InvocationFilter, type ResolvedFilter as Resolved } from '@skills/protocol';
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { StoreDatabase } from './schema.js';
import { toMillis } from './time.js';

/** A filter checked and turned into stored terms (ms timestamps, status codes). */
export type ResolvedFilter = Resolved<number>;

/** Checks a filter (see the protocol's `resolveFilter`), its instants in ms. */
export function resolveFilter(filter: InvocationFilter = {}): ResolvedFilter {
  return resolveWith(filter, toMillis);
}

/**
 * The filter as a condition on `invocations`, within one project (`projectId`; null: every
 * project). Names are matched through their table's unique index (a name nobody used matches
 * nothing); `since` is inclusive, `until` exclusive.
 */
export function filterCondition(f: ResolvedFilter, projectId: number | null) {
  return (eb: ExpressionBuilder<StoreDatabase, 'invocations'>): Expression<SqlBool> => {
    const terms: Expression<SqlBool>[] = [];
    if (projectId !== null) terms.push(eb('invocations.project_id', '=', projectId));
    if (f.sessionId !== undefined) {
      const id = eb.selectFrom('sessions').select('sessions.id').where('sessions.name', '=', f.sessionId);
      terms.push(eb('invocations.session_id', '=', id));
    }
    if (f.skillName !== undefined) {
      const id = eb.selectFrom('skills').select('skills.id').where('skills.name', '=', f.skillName);
      terms.push(eb('invocations.skill_id', '=', id));
    }
    if (f.workflowPhase !== undefined) {
      const id = eb.selectFrom('phases').select('phases.id').where('phases.name', '=', f.workflowPhase);
      terms.push(eb('invocations.phase_id', '=', id));
    }
    // A literal, so that "pending" can use the pending-only index.
    if (f.status !== undefined) terms.push(eb('invocations.status', '=', sql.lit(f.status)));
    if (f.since !== undefined) terms.push(eb('invocations.invoked_at', '>=', f.since));
    if (f.until !== undefined) terms.push(eb('invocations.invoked_at', '<', f.until));
    return eb.and(terms);
  };
}
