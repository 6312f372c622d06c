import { describe, expect, it } from 'vitest';
import { backendName } from './tracker.js';

describe('backendName', () => {
  it("gives the original tool's get_backend() strings", () => {
    expect(backendName({ kind: 'direct', requested: 'direct' })).toBe('session-buddy-direct');
    expect(backendName({ kind: 'direct', requested: 'auto' })).toBe('session-buddy-direct');
    expect(backendName({ kind: 'mcp', requested: 'auto' })).toBe('session-buddy-mcp (connected)');
    expect(backendName({ kind: 'direct', requested: 'mcp', fallback: { from: 'mcp', reason: 'connection refused', at: '2026-01-01T00:00:00.000Z' } })).toBe(
      'session-buddy-mcp (using fallback: session-buddy-direct)',
    );
    expect(backendName({ kind: 'none', requested: 'disabled' })).toBe('none');
  });
});
