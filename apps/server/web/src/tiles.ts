/** KPI tiles: a label, a formatted figure, and the raw figure in `data-value` for tests and tools. */

import type { OutcomeCounts, RateInterval } from '@skills/protocol';
import { h, rawValue, type Child } from './dom.js';
import { formatInt, formatInterval, formatPercent } from './format.js';

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

/** The invocations and success-rate tiles, alike on the overview and a skill's page. */
export function outcomeTiles(counts: OutcomeCounts & { readonly successInterval: RateInterval | null }, invocationsId: string): TileSpec[] {
  return [
    {
      testid: invocationsId,
      label: 'Invocations',
      value: counts.invocations,
      display: formatInt(counts.invocations),
      detail: `${formatInt(counts.completed)} completed · ${formatInt(counts.failed)} failed`,
    },
    {
      testid: 'success-rate',
      label: 'Success rate',
      value: counts.successRate,
      display: formatPercent(counts.successRate),
      detail: counts.successInterval ? `95% interval ${formatInterval(counts.successInterval)}` : 'no finished runs yet',
    },
  ];
}
