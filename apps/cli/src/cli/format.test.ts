import { describe, expect, it } from 'vitest';
import { formatBytes, keyValues, MAX_SHOWN, percent, printable, table } from './format.js';

describe('table', () => {
  it('pads columns to the widest cell, right-aligns numbers, and rules the header', () => {
    const rows = [
      { name: 'code-reviewer', n: 12 },
      { name: 'linter', n: 3 },
    ];
    expect(
      table(rows, [
        { header: 'skill', value: (r) => r.name },
        { header: 'uses', value: (r) => String(r.n), align: 'right' },
      ]),
    ).toBe(['skill          uses', '-------------  ----', 'code-reviewer    12', 'linter            3'].join('\n'));
  });

  it('cuts long cells and shows line breaks as escapes, so a row stays on one line', () => {
    const out = table([{ q: 'a very\nlong query indeed' }], [{ header: 'q', value: (r) => r.q, maxWidth: 10 }]);
    expect(out.split('\n')[2]).toBe('a very\\nl…');
  });

  it('escapes and cuts every cell, even without a maxWidth', () => {
    const out = table([{ s: `evil\u001b]0;owned\u0007${'x'.repeat(1_000_000)}` }], [{ header: 's', value: (r) => r.s }]);
    const row = out.split('\n')[2]!;
    expect(row.startsWith('evil\\x1b]0;owned\\x07xxx')).toBe(true);
    expect(row).toHaveLength(MAX_SHOWN);
    expect(row.endsWith('…')).toBe(true);
  });
});

describe('printable', () => {
  it('shows control characters as escapes: ESC sequences, NUL, CR, LF, TAB, DEL and C1 codes', () => {
    expect(printable('a\u001b[2Jb\u0000c\rd\ne\tf\u007fg\u009bh')).toBe('a\\x1b[2Jb\\0c\\rd\\ne\\tf\\x7fg\\x9bh');
  });

  it('shows invisible and direction-changing characters and lone surrogates as escapes; keeps other text', () => {
    expect(printable('admin\u202e\u2066txt.exe\u200b\u2028\ufeff')).toBe('admin\\u202e\\u2066txt.exe\\u200b\\u2028\\ufeff');
    expect(printable('x\ud800y\udc00')).toBe('x\\ud800y\\udc00');
    expect(printable('café 日本 🚀 \u00a0ok')).toBe('café 日本 🚀 \u00a0ok');
  });

  it('cuts to at most max characters, never inside an escape or a surrogate pair', () => {
    expect(printable('abc', 3)).toBe('abc');
    expect(printable('abcd', 3)).toBe('ab…');
    expect(printable('ab\u001bcd', 5)).toBe('ab…'); // '\x1b' does not fit whole in 4
    expect(printable('a🚀🚀🚀', 4)).toBe('a🚀…');
    expect(printable('x'.repeat(5_000_000), 8)).toBe('xxxxxxx…');
    for (let max = 1; max < 12; max++) expect(printable('a\u0000b\u001bc🚀d\re', max).length).toBeLessThanOrEqual(max);
  });

  it('escapes values in key/value lines too', () => {
    expect(keyValues([['database', 'x.db\r\u001b[31m']])).toBe('database  x.db\\r\\x1b[31m');
  });
});

describe('small formatters', () => {
  it('format percentages and sizes', () => {
    expect(percent(0.876)).toBe('88%');
    expect(percent(null)).toBe('-');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(4096)).toBe('4.0 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
  });
});
