import { describe, expect, it } from 'vitest';
import { newInvocationId } from './ids.js';

describe('newInvocationId', () => {
  it('is a version-7 UUID', () => {
    expect(newInvocationId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sorts by creation time, so index appends stay cheap', () => {
    const ids = [0, 1, 1_000, 1_700_000_000_000, 1_700_000_000_001].map((t) => newInvocationId(t));
    expect([...ids].sort()).toEqual(ids);
    expect(newInvocationId(1_700_000_000_000).slice(0, 13)).toBe('018bcfe5-6800');
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newInvocationId(42)));
    expect(ids.size).toBe(10_000);
  });
});
