import { describe, expect, it } from 'vitest';
import { activitySeries, activityWindow } from './activity-series.js';
import { ACTIVITY_MIN_POINTS, ACTIVITY_POINTS } from './insights.js';

describe('activitySeries', () => {
  const latest = Date.parse('2026-03-10T15:30:00Z');
  const window = activityWindow('day', latest);
  const last = ACTIVITY_POINTS.day - 1;

  it('ends with the bucket of the latest invocation', () => {
    expect(window.since + last * window.width).toBe(Date.parse('2026-03-10T00:00:00Z'));
  });

  it('fills empty buckets with zeros and leaves out leading ones down to the minimum', () => {
    const { points } = activitySeries(window, [{ i: last, invocations: 3, completed: 1, failed: 1, abandoned: 0, pending: 1 }]);
    expect(points).toHaveLength(ACTIVITY_MIN_POINTS.day);
    expect(points.at(-1)).toEqual({ start: '2026-03-10T00:00:00.000Z', invocations: 3, completed: 1, failed: 1, abandoned: 0, pending: 1, successRate: 0.5 });
    expect(points[0]).toEqual({ start: '2026-03-04T00:00:00.000Z', invocations: 0, completed: 0, failed: 0, abandoned: 0, pending: 0, successRate: null });
  });

  it('starts at the earliest bucket with invocations when it lies further back', () => {
    const { points } = activitySeries(window, [{ i: 0, invocations: 1, completed: 0, failed: 0, abandoned: 0, pending: 1 }]);
    expect(points).toHaveLength(ACTIVITY_POINTS.day);
  });
});
