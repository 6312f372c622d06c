import { describe, expect, it } from 'vitest';
import { addCounts, compareSkillStats, durationMicros, skillStatsOf, type StoredCounts } from './store-stats.js';

const counts = (over: Partial<StoredCounts> = {}): StoredCounts => ({
  invocations: 4,
  completed: 2,
  failed: 1,
  abandoned: 0,
  pending: 1,
  duration_micros: 3_000_000,
  duration_count: 2,
  ...over,
});

describe('durationMicros', () => {
  it('rounds half up to whole microseconds', () => {
    expect(durationMicros(1.5)).toBe(1_500_000);
    expect(durationMicros(0.0000005)).toBe(1);
    expect(durationMicros(0.0000004)).toBe(0);
  });
});

describe('skillStatsOf', () => {
  it('derives the success rate over finished runs, the mean over whole microseconds and nearest-rank percentiles', () => {
    expect(skillStatsOf('linter', undefined, counts(), [1, 2], '2026-01-01T00:00:00.000Z')).toEqual({
      skillName: 'linter',
      invocations: 4,
      completed: 2,
      failed: 1,
      abandoned: 0,
      pending: 1,
      successRate: 2 / 3,
      meanDurationSeconds: 1.5,
      p50DurationSeconds: 1,
      p95DurationSeconds: 2,
      lastUsed: '2026-01-01T00:00:00.000Z',
    });
  });

  it('gives per-phase statistics a phase (null for none), and nulls where nothing finished or was timed', () => {
    const none = counts({ completed: 0, failed: 0, pending: 4, duration_micros: 0, duration_count: 0 });
    expect(skillStatsOf('linter', null, none, [], 'x')).toMatchObject({
      workflowPhase: null,
      successRate: null,
      meanDurationSeconds: null,
      p50DurationSeconds: null,
    });
  });
});

describe('addCounts', () => {
  it('adds every count of one group into another', () => {
    const into = counts();
    addCounts(into, counts({ abandoned: 2 }));
    expect(into).toEqual(counts({ invocations: 8, completed: 4, failed: 2, abandoned: 2, pending: 2, duration_micros: 6_000_000, duration_count: 4 }));
  });
});

describe('compareSkillStats', () => {
  it('orders most used first, then by name (code units), then by phase with no phase last', () => {
    const key = (skillName: string, invocations: number, workflowPhase?: string | null) => ({ skillName, invocations, workflowPhase });
    const sorted = [key('b', 1, null), key('b', 1, 'plan'), key('a', 1, 'z'), key('B', 1, 'a'), key('c', 5)].sort(compareSkillStats);
    expect(sorted).toEqual([key('c', 5), key('B', 1, 'a'), key('a', 1, 'z'), key('b', 1, 'plan'), key('b', 1, null)]);
  });
});
