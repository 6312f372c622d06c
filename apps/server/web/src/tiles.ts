/** KPI tiles: a label, a formatted figure, and the raw figure in `data-value` for tests and tools. */

import { h, rawValue, type Child } from './dom.js';

export interface TileSpec {
  readonly testid: string;
  readonly label: string;
  /** The raw figure (null: none). */
  readonly value: number | string | null;
  /** The figure for people. */
  readonly display: Child;
  /** A line under the figure. */
  readonly detail?: Child;
}

export function tile(spec: TileSpec): HTMLDivElement {
  return h(
    'div',
    { class: 'tile', 'data-testid': spec.testid, 'data-value': rawValue(spec.value) },
    h('dt', { class: 'tile-label' }, spec.label),
    h('dd', { class: 'tile-value' }, spec.display),
    spec.detail ? h('dd', { class: 'tile-detail' }, spec.detail) : null,
  );
}

/** The tiles as a description list. */
export function tiles(specs: readonly TileSpec[]): HTMLDListElement {
  return h('dl', { class: 'tiles' }, ...specs.map(tile));
}
