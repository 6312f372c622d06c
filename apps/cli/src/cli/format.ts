/** One column of a {@link table}. */
export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string;
  /** Right-align numbers. */
  readonly align?: 'left' | 'right';
  /** Cut longer cells with an ellipsis; default {@link MAX_SHOWN}. */
  readonly maxWidth?: number;
}

/** The most characters a terminal shows of one stored value; `--json` prints values whole. */
export const MAX_SHOWN = 200;

/**
 * `text` made safe and short for a terminal: control characters (ESC sequences, NUL, CR, line
 * breaks, C1 codes), invisible and direction-changing format characters and lone surrogates are
 * shown as escapes (`\x1b`, `\0`, `\r`, `\n`, `\u202e`), so stored data can neither drive the
 * terminal nor hide or reorder what is printed; then it is cut to `max` characters, ending with
 * `…`. Only the part shown is read, so a megabyte value costs no more than a short one. For
 * text output only: data (`--json`, exports) is never altered.
 *
 * @example
 * printable('ok\u001b[2Jgone\r\n'); // 'ok\\x1b[2Jgone\\r\\n'
 * printable('a'.repeat(1_000_000), 5); // 'aaaa…'
 */
export function printable(text: string, max: number = MAX_SHOWN): string {
  let out = '';
  let fits = 0; // length of `out` up to the last piece that leaves room for the ellipsis
  for (const char of text) {
    const piece = escapeChar(char.codePointAt(0)!) ?? char;
    if (out.length + piece.length > max) return `${out.slice(0, fits)}…`;
    out += piece;
    if (out.length < max) fits = out.length;
  }
  return out;
}

/** {@link printable} without the cut: for whole messages and paths, which are ours, not stored values. */
export function escaped(text: string): string {
  return printable(text, Number.POSITIVE_INFINITY);
}

const NAMED_ESCAPES: Readonly<Record<number, string>> = { 0x00: '\\0', 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' };

/** The escape that shows code point `code`, or null when it is printed as it is. */
function escapeChar(code: number): string | null {
  const named = NAMED_ESCAPES[code];
  if (named !== undefined) return named;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `\\x${code.toString(16).padStart(2, '0')}`;
  const invisible =
    code === 0x061c || // Arabic letter mark
    (code >= 0x200b && code <= 0x200f) || // zero-width characters, direction marks
    (code >= 0x2028 && code <= 0x202e) || // line/paragraph separators, direction embeddings and overrides
    (code >= 0x2060 && code <= 0x206f) || // word joiner, direction isolates
    code === 0xfeff ||
    (code >= 0xd800 && code <= 0xdfff); // a lone surrogate (pairs arrive as one code point)
  return invisible ? `\\u${code.toString(16).padStart(4, '0')}` : null;
}

/**
 * Rows as a plain-text table with a header and a rule, columns padded to their widest cell. Every
 * cell is {@link printable}: escaped and cut to its column's `maxWidth`.
 *
 * @example
 * table([{ a: 'x', n: 1 }], [{ header: 'A', value: (r) => r.a }, { header: 'N', value: (r) => String(r.n), align: 'right' }]);
 */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => printable(c.value(row), c.maxWidth)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** `0.873` as `87%`; null as `-`. */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '-' : `${Math.round(value * 100)}%`;
}

/** A number with a fixed count of decimals; null as `-`. */
export function fixed(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

/** A byte count for people: `512 B`, `4.0 KiB`, `12.3 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** An ISO instant as `2026-02-01 10:00:00Z` (seconds, UTC), for tables. */
export function shortInstant(iso: string | null | undefined): string {
  if (!iso) return '-';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** Key/value lines, keys padded to the widest, values {@link escaped}. */
export function keyValues(pairs: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${escaped(v)}`.trimEnd()).join('\n');
}

/** `1 record`, `3 records`. */
export function plural(count: number, noun: string, many = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : many}`;
}
