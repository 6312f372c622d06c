/**
 * Waits for a condition instead of for an amount of time: polls `condition` until it returns a
 * truthy value and resolves with that value. Rejects once `timeoutMs` has passed without it, so a
 * hang still fails, with what was awaited in the message. An error thrown by `condition` rejects
 * at once (a broken check is not retried into a timeout).
 *
 * @example
 * await waitFor(() => existsSync(path), { timeoutMs: 10_000, what: 'the database file' });
 */
export async function waitFor(condition, { timeoutMs = 10_000, intervalMs = 10, what = 'the condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
