import { describe, expect, it } from 'vitest';
import { formatBytes, percent, table, truncate } from './format.js';

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

  it('cuts long cells and flattens newlines so a row stays on one line', () => {
    const out = table([{ q: 'a very\nlong query indeed' }], [{ header: 'q', value: (r) => r.q, maxWidth: 10 }]);
    expect(out.split('\n')[2]).toBe('a very lo…');
  });
});

describe('small formatters', () => {
  it('format percentages, sizes and cut text', () => {
    expect(percent(0.876)).toBe('88%');
    expect(percent(null)).toBe('-');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(4096)).toBe('4.0 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('abcd', 3)).toBe('ab…');
  });
});
