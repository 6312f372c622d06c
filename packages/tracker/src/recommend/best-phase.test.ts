import { describe, expect, it } from 'vitest';
import { bestPhaseOf } from './best-phase.js';

const phase = (workflowPhase: string | null, completed: number, failed: number, abandoned = 0) => ({
  workflowPhase,
  completed,
  failed,
  abandoned,
});

describe('bestPhaseOf', () => {
  it('prefers a record to a lucky single run: 8 of 9 over 1 of 1, as the ranking smooths success', () => {
    expect(bestPhaseOf([phase('planning', 1, 0), phase('verification', 8, 1)])).toBe('verification');
    expect(bestPhaseOf([phase('verification', 8, 1), phase('planning', 1, 0)])).toBe('verification');
  });

  it('counts abandoned runs as unfinished business, and breaks ties by the number of runs', () => {
    expect(bestPhaseOf([phase('a', 5, 0, 5), phase('b', 4, 1)])).toBe('b');
    expect(bestPhaseOf([phase('a', 1, 1), phase('b', 2, 2)])).toBe('b');
  });

  it('ignores phases with no finished run and runs without a phase; null when nothing is left', () => {
    expect(bestPhaseOf([phase(null, 50, 0), phase('review', 1, 1)])).toBe('review');
    expect(bestPhaseOf([phase('review', 0, 0), phase(null, 3, 0)])).toBeNull();
    expect(bestPhaseOf([])).toBeNull();
  });
});
