/**
 * Which skills the overview lists, kept in the address so that a view can be shared or reloaded:
 * `#/?filter=deb&show=all&sort=-successRate` (every parameter optional; `#/` is the default view).
 */

import type { SortState } from './tables.js';

/** How many skills the overview lists until the reader asks for all of them. */
export const TOP = 20;

/** The default order: most invoked first. */
export const DEFAULT_SORT: SortState = { key: 'invocations', direction: 'descending' };

export interface OverviewState {
  /** Skills whose name contains this (any case); empty: every skill. */
  readonly filter: string;
  /** Every matching skill rather than the first {@link TOP}. */
  readonly all: boolean;
  readonly sort: SortState;
}

export const DEFAULT_STATE: OverviewState = { filter: '', all: false, sort: DEFAULT_SORT };

/**
 * The state in the query part of an overview hash (what follows `#/?`). Unknown parameters and
 * columns (`isColumn` false) fall back to the default, so an old or hand-edited link still opens.
 */
export function parseOverviewState(query: string, isColumn: (key: string) => boolean): OverviewState {
  const params = new URLSearchParams(query);
  const sort = params.get('sort') ?? '';
  const key = sort.startsWith('-') ? sort.slice(1) : sort;
  return {
    filter: params.get('filter') ?? '',
    all: params.get('show') === 'all',
    sort: isColumn(key) ? { key, direction: sort.startsWith('-') ? 'descending' : 'ascending' } : DEFAULT_SORT,
  };
}

/** The hash of `state`: `#/` for the default view, else `#/?` with only what differs from it. */
export function overviewHash(state: OverviewState): string {
  const params = new URLSearchParams();
  if (state.filter !== '') params.set('filter', state.filter);
  if (state.all) params.set('show', 'all');
  if (state.sort.key !== DEFAULT_SORT.key || state.sort.direction !== DEFAULT_SORT.direction) {
    params.set('sort', `${state.sort.direction === 'descending' ? '-' : ''}${state.sort.key}`);
  }
  const query = params.toString();
  return query === '' ? '#/' : `#/?${query}`;
}

/** True when the skill `name` passes `filter`: a substring of it, in any case. */
export function matchesFilter(name: string, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  return needle === '' || name.toLowerCase().includes(needle);
}
