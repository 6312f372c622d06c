import { describe, expect, it } from 'vitest';
import { FreshnessCache } from './freshness-cache.js';

describe('FreshnessCache', () => {
  it('computes once per revision, and concurrent requests share the computation', async () => {
    const cache = new FreshnessCache();
    let revision = 'a';
    let computed = 0;
    const get = () => cache.get('k', async () => revision, async (r) => `${r}${++computed}`);
    expect(await Promise.all([get(), get(), get()])).toEqual(['a1', 'a1', 'a1']);
    expect(await get()).toBe('a1');
    revision = 'b';
    expect(await get()).toBe('b2');
  });

  it('waits ten times the last cost before recomputing, and then answers with the current revision', async () => {
    const cache = new FreshnessCache();
    let revision = 1;
    const slow = async (r: string) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return r;
    };
    await cache.get('k', async () => String(revision), slow);
    const changedAt = performance.now();
    revision = 2;
    const answer = cache.get('k', async () => String(revision), slow);
    revision = 3; // while the computation waits: it must see this one
    expect(await answer).toBe('3');
    // About 300 ms of pause (10 × 30 ms) plus the 30 ms computation.
    expect(performance.now() - changedAt).toBeGreaterThan(250);
  });
});
