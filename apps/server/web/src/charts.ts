/** Trend charts (uPlot) of an activity series: invocations per bucket and success rate per bucket. */

import uPlot from 'uplot';
import type { Activity, ActivityBucket, ActivityPoint } from '@skills/protocol';
import { h } from './dom.js';
import { formatCompact, formatDateTimeUtc, formatDateUtc, formatInt, formatPercent, plural } from './format.js';

const HEIGHT = 220;
const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
/** Tick length and the gap between tick and label, in CSS pixels (uPlot's defaults, set here to size the axis). */
const TICK = 10;
const GAP = 5;
const STEP_SECONDS: Readonly<Record<ActivityBucket, number>> = { hour: 3600, day: 86400 };

interface Palette {
  readonly text: string;
  readonly grid: string;
  readonly completed: string;
  readonly failed: string;
  readonly other: string;
  readonly rate: string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

function palette(): Palette {
  const style = getComputedStyle(document.documentElement);
  return {
    text: cssVar(style, '--muted', '#555'),
    grid: cssVar(style, '--grid', '#e3e3e8'),
    completed: cssVar(style, '--chart-completed', '#2c7bb6'),
    failed: cssVar(style, '--chart-failed', '#e66101'),
    other: cssVar(style, '--chart-other', '#a6a6b0'),
    rate: cssVar(style, '--chart-rate', '#2c7bb6'),
  };
}

/** The point's time for people: its day, or its hour, in UTC. */
function pointTime(start: string | number, bucket: ActivityBucket): string {
  return bucket === 'day' ? formatDateUtc(start) : formatDateTimeUtc(start);
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at least `max`, so the y axis ends on a round number. */
function niceCeil(max: number): number {
  if (max <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= max) return m * power;
  return 10 * power;
}

/** Whole-number tick steps for counts. */
const COUNT_INCRS = (() => {
  const out: number[] = [];
  for (let p = 1; p <= 1e9; p *= 10) out.push(p, 2 * p, 5 * p);
  return out;
})();

let measurer: CanvasRenderingContext2D | null | undefined;

/**
 * The width a value axis needs for `labels` (uPlot's `size` option): the widest label as the
 * canvas draws it, plus tick and gap. uPlot's fixed default (50 px) cuts "150,000" on the left.
 */
function valueAxisSize(_u: uPlot, labels: readonly (string | null)[] | null): number {
  measurer ??= document.createElement('canvas').getContext('2d');
  let widest = 24;
  if (measurer && labels) {
    measurer.font = AXIS_FONT;
    for (const label of labels) if (label) widest = Math.max(widest, measurer.measureText(label).width);
  }
  return Math.ceil(widest) + TICK + GAP + 2;
}

function span(bucket: ActivityBucket, n: number): string {
  return `last ${plural(n, bucket)}`;
}

/** "Invocations per day, last 30 days: 1,234 total, peak 98 on 2026-11-20". */
export function describeInvocations(activity: Activity): string {
  const { bucket, points } = activity;
  if (points.length === 0) return `Invocations per ${bucket}: no activity yet`;
  let total = 0;
  let peak: ActivityPoint = points[0]!;
  for (const p of points) {
    total += p.invocations;
    if (p.invocations > peak.invocations) peak = p;
  }
  const when = bucket === 'day' ? `on ${pointTime(peak.start, bucket)}` : `at ${pointTime(peak.start, bucket)}`;
  return `Invocations per ${bucket}, ${span(bucket, points.length)}: ${formatInt(total)} total, peak ${formatInt(peak.invocations)} ${when}`;
}

/** "Success rate per day, last 30 days: 91.2% overall, lowest 60.0% on …, latest 95.0% on …". */
export function describeSuccess(activity: Activity): string {
  const { bucket, points } = activity;
  let completed = 0;
  let finished = 0;
  let lowest: ActivityPoint | null = null;
  let latest: ActivityPoint | null = null;
  for (const p of points) {
    completed += p.completed;
    finished += p.completed + p.failed + p.abandoned;
    if (p.successRate === null) continue;
    if (lowest === null || p.successRate < (lowest.successRate ?? 1)) lowest = p;
    latest = p;
  }
  const head = `Success rate per ${bucket}, ${span(bucket, points.length)}`;
  if (finished === 0 || lowest === null || latest === null) return `${head}: no finished invocations`;
  const on = bucket === 'day' ? 'on' : 'at';
  return (
    `${head}: ${formatPercent(completed / finished)} overall, lowest ${formatPercent(lowest.successRate)} ${on} ${pointTime(lowest.start, bucket)}, ` +
    `latest ${formatPercent(latest.successRate)} ${on} ${pointTime(latest.start, bucket)}`
  );
}

type Kind = 'invocations' | 'success';

/** One chart: a titled figure whose plot is an image with a text summary for assistive technology. */
class TrendChart {
  readonly element: HTMLElement;
  private readonly heading: HTMLHeadingElement;
  private readonly frame: HTMLDivElement;
  private readonly observer: ResizeObserver;
  private plot: uPlot | null = null;
  private activity: Activity | null = null;
  /** Raw counts behind the stacked series, for the legend: completed, failed, abandoned + pending. */
  private raw: number[][] = [[], [], []];
  /** What the legend shows when the pointer is off the chart: totals over the whole series. */
  private totals: number[] = [0, 0, 0];
  private overall: number | null = null;

  constructor(private readonly kind: Kind) {
    this.heading = h('h3', { class: 'chart-title' });
    this.frame = h('div', { class: 'chart-frame', role: 'img', 'data-chart': kind });
    this.element = h('figure', { class: 'chart card' }, this.heading, this.frame);
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(this.frame);
  }

  update(activity: Activity): void {
    const bucketChanged = this.activity !== null && this.activity.bucket !== activity.bucket;
    this.activity = activity;
    const per = activity.bucket === 'day' ? 'day' : 'hour';
    this.heading.textContent = this.kind === 'invocations' ? `Invocations per ${per} (UTC)` : `Success rate per ${per} (UTC)`;
    this.frame.setAttribute('aria-label', this.kind === 'invocations' ? describeInvocations(activity) : describeSuccess(activity));
    if (activity.points.length === 0) {
      this.destroyPlot();
      this.frame.replaceChildren(h('p', { class: 'chart-empty' }, 'No activity yet.'));
      return;
    }
    const data = this.data(activity);
    if (this.plot === null || bucketChanged) this.build(data);
    else this.plot.setData(data);
  }

  /** Redraws with the current theme's colours. */
  rebuild(): void {
    if (this.activity !== null && this.activity.points.length > 0) this.build(this.data(this.activity));
  }

  destroy(): void {
    this.observer.disconnect();
    this.destroyPlot();
  }

  private destroyPlot(): void {
    this.plot?.destroy();
    this.plot = null;
  }

  private data(activity: Activity): uPlot.AlignedData {
    const points = activity.points;
    const x = points.map((p) => Date.parse(p.start) / 1000);
    if (this.kind === 'success') {
      let completed = 0;
      let finished = 0;
      for (const p of points) {
        completed += p.completed;
        finished += p.completed + p.failed + p.abandoned;
      }
      this.overall = finished === 0 ? null : completed / finished;
      return [x, points.map((p) => (p.successRate === null ? null : p.successRate * 100))];
    }
    this.raw = [points.map((p) => p.completed), points.map((p) => p.failed), points.map((p) => p.abandoned + p.pending)];
    this.totals = this.raw.map((series) => series.reduce((a, b) => a + b, 0));
    // Stacked bars drawn back to front: everything, then completed + failed, then completed.
    return [x, points.map((p) => p.invocations), points.map((p) => p.completed + p.failed), points.map((p) => p.completed)];
  }

  private width(): number {
    return Math.max(200, Math.floor(this.frame.clientWidth || 600));
  }

  private resize(): void {
    if (this.plot === null) return;
    const width = this.width();
    if (width !== this.plot.width) this.plot.setSize({ width, height: HEIGHT });
  }

  private build(data: uPlot.AlignedData): void {
    this.destroyPlot();
    this.frame.replaceChildren();
    const colours = palette();
    const bucket = (): ActivityBucket => this.activity?.bucket ?? 'day';
    const half = (): number => STEP_SECONDS[bucket()] / 2;
    const axisBase = {
      stroke: colours.text,
      grid: { stroke: colours.grid, width: 1 },
      ticks: { stroke: colours.grid, width: 1, size: TICK },
      gap: GAP,
      font: AXIS_FONT,
    };
    const xSeries: uPlot.Series = {
      label: bucket() === 'day' ? 'Day' : 'Hour',
      value: (_u, v) => (v === null || v === undefined ? `all ${plural(this.activity?.points.length ?? 0, bucket())}` : pointTime(v * 1000, bucket())),
    };
    const rawValue =
      (i: number) =>
      (_u: uPlot, _v: number, _s: number, idx: number | null): string =>
        formatInt(idx === null ? (this.totals[i] ?? 0) : (this.raw[i]?.[idx] ?? 0));
    const bars = uPlot.paths.bars!({ size: [0.8, 48, 1], align: 0 });
    const series: uPlot.Series[] =
      this.kind === 'invocations'
        ? [
            xSeries,
            { label: 'Abandoned or pending', fill: colours.other, stroke: colours.other, width: 0, paths: bars, points: { show: false }, value: rawValue(2) },
            { label: 'Failed', fill: colours.failed, stroke: colours.failed, width: 0, paths: bars, points: { show: false }, value: rawValue(1) },
            { label: 'Completed', fill: colours.completed, stroke: colours.completed, width: 0, paths: bars, points: { show: false }, value: rawValue(0) },
          ]
        : [
            xSeries,
            {
              label: 'Success rate',
              stroke: colours.rate,
              width: 2,
              spanGaps: false,
              points: { size: 5, fill: colours.rate },
              value: (_u, v, _s, idx) => (idx === null ? (this.overall === null ? 'none finished' : `${formatPercent(this.overall)} overall`) : v === null || v === undefined ? '—' : `${v.toFixed(1)}%`),
            },
          ];
    const opts: uPlot.Options = {
      width: this.width(),
      height: HEIGHT,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      cursor: { drag: { x: false, y: false, setScale: false }, points: { show: this.kind === 'success' } },
      scales: {
        x: { time: true, range: (_u, min, max) => [min - half(), max + half()] },
        y:
          this.kind === 'invocations'
            ? { range: (_u, _min, max) => [0, niceCeil(max)] }
            : { range: [0, 100] },
      },
      axes: [
        { ...axisBase, space: 60 },
        this.kind === 'invocations'
          ? { ...axisBase, size: valueAxisSize, incrs: COUNT_INCRS, values: (_u, splits, _i, _space, step) => splits.map((v) => formatCompact(v, step)) }
          : { ...axisBase, size: valueAxisSize, incrs: [10, 20, 25, 50], values: (_u, splits) => splits.map((v) => `${v}%`) },
      ],
      series,
      legend: { live: true },
    };
    this.plot = new uPlot(opts, data, this.frame);
  }
}

/** The two trend charts of an activity series, side by side (stacked on narrow screens). */
export class TrendCharts {
  readonly element: HTMLElement;
  private readonly charts: readonly TrendChart[];
  private readonly scheme = window.matchMedia('(prefers-color-scheme: dark)');
  private readonly onScheme = (): void => {
    for (const chart of this.charts) chart.rebuild();
  };

  constructor() {
    this.charts = [new TrendChart('invocations'), new TrendChart('success')];
    this.element = h('div', { class: 'charts' }, ...this.charts.map((c) => c.element));
    this.scheme.addEventListener('change', this.onScheme);
  }

  update(activity: Activity): void {
    for (const chart of this.charts) chart.update(activity);
  }

  destroy(): void {
    this.scheme.removeEventListener('change', this.onScheme);
    for (const chart of this.charts) chart.destroy();
  }
}
