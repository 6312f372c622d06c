import { describe, expect, it } from 'vitest';
import { waitFor } from '../wait-for.js';

describe('waitFor', () => {
  it('resolves with the first truthy value of the condition, checking again until then', async () => {
    let checks = 0;
    expect(await waitFor(() => ++checks >= 3 && `after ${checks}`, { intervalMs: 1 })).toBe('after 3');
    expect(checks).toBe(3);
  });

  it('awaits an asynchronous condition', async () => {
    let checks = 0;
    expect(await waitFor(async () => ++checks === 2, { intervalMs: 1 })).toBe(true);
  });

  it('rejects after its deadline, naming what it waited for', async () => {
    let checks = 0;
    await expect(waitFor(() => (checks++, false), { timeoutMs: 30, intervalMs: 5, what: 'the sky to fall' })).rejects.toThrow(
      'timed out after 30 ms waiting for the sky to fall',
    );
    expect(checks).toBeGreaterThan(1);
  });

  it('rejects at once when the condition throws', async () => {
    let checks = 0;
    const broken = () => {
      checks++;
      throw new Error('broken check');
    };
    await expect(waitFor(broken, { timeoutMs: 5_000 })).rejects.toThrow('broken check');
    expect(checks).toBe(1);
  });
});
