/** Tables: a sortable one (the skills table) and plain ones with a "None recorded" row when empty. */

import { h, rawValue, replaceChildren, type Attrs, type Child } from './dom.js';

export interface Column<T> {
  /** `data-col` of its cells. */
  readonly key: string;
  readonly label: string;
  /** Right-aligned figures. */
  readonly numeric?: boolean;
  /** The raw value: `data-value` of its cells, and what sorting compares. */
  value(row: T): number | string | null;
  /** What the cell shows. */
  cell(row: T): Child;
}

export type SortDirection = 'ascending' | 'descending';

export interface TableOptions<T> {
  readonly id: string;
  readonly caption: Child;
  readonly columns: readonly Column<T>[];
  /** Attributes of each row, e.g. `{ 'data-skill': name }`. */
  readonly rowAttrs?: (row: T) => Attrs;
  readonly empty?: string;
}

/** A caption whose text stays in view when the table scrolls sideways. */
function caption(content: Child): HTMLTableCaptionElement {
  return h('caption', null, h('span', { class: 'caption-text' }, content));
}

function cellOf<T>(column: Column<T>, row: T): HTMLTableCellElement {
  return h('td', { 'data-col': column.key, 'data-value': rawValue(column.value(row)), class: column.numeric ? 'num' : null }, column.cell(row));
}

function bodyRows<T>(options: TableOptions<T>, rows: readonly T[]): HTMLTableRowElement[] {
  if (rows.length === 0) {
    return [h('tr', { class: 'empty-row' }, h('td', { colspan: options.columns.length }, options.empty ?? 'None recorded'))];
  }
  return rows.map((row) =>
    h('tr', options.rowAttrs ? options.rowAttrs(row) : null, ...options.columns.map((c) => cellOf(c, row))),
  );
}

/** A plain table inside a horizontally scrolling wrapper. */
export function plainTable<T>(options: TableOptions<T>, rows: readonly T[]): HTMLDivElement {
  const table = h(
    'table',
    { id: options.id, class: 'data-table' },
    caption(options.caption),
    h('thead', null, h('tr', null, ...options.columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'num' : null }, c.label)))),
    h('tbody', null, ...bodyRows(options, rows)),
  );
  return h('div', { class: 'table-wrap' }, table);
}

function compareRaw(a: number | string | null, b: number | string | null): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { sensitivity: 'base', numeric: true });
}

/** The column a table is sorted by, and which way. */
export interface SortState {
  readonly key: string;
  readonly direction: SortDirection;
}

/**
 * A table sorted by one column at a time: each header holds a button; a first click sorts that
 * column ascending, the next one reverses. Empty values (null) always come last. Its owner decides
 * which rows it shows ({@link show}) and is told of each new order (`onSort`), so that what the
 * table leaves out follows the order the reader chose.
 */
export class SortableTable<T> {
  readonly element: HTMLDivElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly headers = new Map<string, HTMLTableCellElement>();
  private current: SortState;

  constructor(
    private readonly options: TableOptions<T> & {
      readonly tiebreak?: (a: T, b: T) => number;
      /** Called after a header click changed the order; the owner shows the rows again. */
      readonly onSort?: (sort: SortState) => void;
    },
    sort: SortState,
  ) {
    this.current = sort;
    const headerCells = options.columns.map((column) => {
      const button = h('button', { type: 'button', class: 'sort-button' }, column.label, h('span', { class: 'sort-icon', 'aria-hidden': 'true' }));
      button.addEventListener('click', () => this.sortBy(column.key));
      const th = h('th', { scope: 'col', class: column.numeric ? 'num' : null, 'data-col': column.key }, button);
      this.headers.set(column.key, th);
      return th;
    });
    this.tbody = h('tbody');
    const table = h('table', { id: options.id, class: 'data-table sortable' }, caption(options.caption), h('thead', null, h('tr', null, ...headerCells)), this.tbody);
    this.element = h('div', { class: 'table-wrap' }, table);
    this.markHeaders();
  }

  /** The current order. */
  get sort(): SortState {
    return this.current;
  }

  /** True when `key` names one of the columns. */
  hasColumn(key: string): boolean {
    return this.headers.has(key);
  }

  /** Sets the order without showing anything: call {@link show} next. */
  setSort(sort: SortState): void {
    this.current = sort;
    this.markHeaders();
  }

  /** Shows the first `limit` of `rows` in the current order, and returns them in that order. */
  show(rows: readonly T[], limit = rows.length): readonly T[] {
    const shown = this.sorted(rows).slice(0, limit);
    replaceChildren(this.tbody, bodyRows(this.options, shown));
    return shown;
  }

  private sortBy(key: string): void {
    const { key: sortKey, direction } = this.current;
    this.setSort({ key, direction: key === sortKey && direction === 'ascending' ? 'descending' : 'ascending' });
    this.options.onSort?.(this.current);
  }

  private markHeaders(): void {
    for (const [key, th] of this.headers) {
      const sorted = key === this.current.key;
      th.setAttribute('aria-sort', sorted ? this.current.direction : 'none');
      const icon = th.querySelector('.sort-icon');
      if (icon) icon.textContent = sorted ? (this.current.direction === 'ascending' ? '▲' : '▼') : '↕';
    }
  }

  private sorted(rows: readonly T[]): T[] {
    const column = this.options.columns.find((c) => c.key === this.current.key) ?? this.options.columns[0]!;
    const sign = this.current.direction === 'ascending' ? 1 : -1;
    return [...rows].sort((a, b) => {
      const va = column.value(a);
      const vb = column.value(b);
      if (va === null || vb === null) {
        if (va === vb) return this.options.tiebreak?.(a, b) ?? 0;
        return va === null ? 1 : -1;
      }
      return sign * compareRaw(va, vb) || (this.options.tiebreak?.(a, b) ?? 0);
    });
  }
}
