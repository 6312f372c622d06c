import { ACTIVITY_MIN_POINTS, ACTIVITY_POINTS, type Activity, type ActivityBucket, type ActivityPoint } from './insights.js';

/** The width of a bucket, in milliseconds. */
export const BUCKET_MS: Readonly<Record<ActivityBucket, number>> = Object.freeze({ hour: 3_600_000, day: 86_400_000 });

/** The buckets a store counts: `count` buckets of `width` ms, the first starting at `since` (ms). */
export interface ActivityWindow {
  readonly bucket: ActivityBucket;
  readonly since: number;
  readonly width: number;
  readonly count: number;
}

/** The window of an activity series whose latest invocation was at `latest` (ms since the epoch). */
export function activityWindow(bucket: ActivityBucket, latest: number): ActivityWindow {
  const width = BUCKET_MS[bucket];
  const count = ACTIVITY_POINTS[bucket];
  return { bucket, since: (Math.floor(latest / width) - count + 1) * width, width, count };
}

/** The invocations a store counted in bucket `i` of a window. */
export interface BucketCounts {
  readonly i: number;
  readonly invocations: number;
  readonly completed: number;
  readonly failed: number;
  readonly abandoned: number;
  readonly pending: number;
}

/**
 * The series of a window from the buckets that have invocations: the empty ones filled in as
 * zeros, the leading empty ones left out down to {@link ACTIVITY_MIN_POINTS}.
 */
export function activitySeries(window: ActivityWindow, rows: readonly BucketCounts[]): Activity {
  const { bucket, since, width, count } = window;
  const byIndex = new Map(rows.map((r) => [r.i, r]));
  // Leading empty buckets are left out (a week-old store does not draw 83 empty days).
  const first = Math.min(count - ACTIVITY_MIN_POINTS[bucket], ...rows.map((r) => r.i));
  const points: ActivityPoint[] = Array.from({ length: count - first }, (_, k) => {
    const i = first + k;
    const r = byIndex.get(i);
    const finished = r ? r.completed + r.failed + r.abandoned : 0;
    return {
      start: new Date(since + i * width).toISOString(),
      invocations: r?.invocations ?? 0,
      completed: r?.completed ?? 0,
      failed: r?.failed ?? 0,
      abandoned: r?.abandoned ?? 0,
      pending: r?.pending ?? 0,
      successRate: r && finished > 0 ? r.completed / finished : null,
    };
  });
  return { bucket, points };
}
