import { describe, expect, it } from 'vitest';
import { progressBar } from './progress.js';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, columns: 80, write: (c: string) => chunks.push(c) > 0 };
}

describe('progressBar', () => {
  it('draws on a terminal, throttled, and ends the line', () => {
    const out = stream(true);
    let now = 0;
    const bar = progressBar('importing', out, () => now);
    bar.update(0, 100);
    bar.update(10, 100); // within 50 ms: skipped
    now = 100;
    bar.update(50, 100);
    bar.update(100, 100); // the end always draws
    bar.finish();
    expect(out.chunks).toHaveLength(5);
    expect(out.chunks[1]).toMatch(/^\rimporting \[#+ +\] +50% 50\/100$/);
    expect(out.chunks[3]).toMatch(/100% 100\/100$/);
    expect(out.chunks[4]).toBe('\n');
  });

  it('writes nothing when the stream is not a terminal', () => {
    const out = stream(false);
    const bar = progressBar('importing', out);
    bar.update(1, 2);
    bar.finish();
    expect(out.chunks).toEqual([]);
  });
});
