import { resolveFilter as resolveWith, type InvocationFilter, type ResolvedFilter as Resolved } from '@skills/protocol';
import { type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { StoreDatabase } from './schema.js';
import { inScope, type Scope } from './projects.js';
import { toStoredInstant } from './time.js';

/** A filter checked and turned into stored terms (UTC instants, status codes). */
export type ResolvedFilter = Resolved<string>;

/** Checks a filter (see the protocol's `resolveFilter`), its instants in their stored form. */
export function resolveFilter(filter: InvocationFilter = {}): ResolvedFilter {
  return resolveWith(filter, toStoredInstant);
}

/** The filter as a condition on the invocations of `scope`; `since` is inclusive, `until` exclusive. */
export function filterCondition(f: ResolvedFilter, scope: Scope) {
  return (eb: ExpressionBuilder<StoreDatabase, 'invocations'>): Expression<SqlBool> => {
    const terms: Expression<SqlBool>[] = scope === null ? [] : [inScope('invocations.project_id', scope)];
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
