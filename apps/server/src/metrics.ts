/** Label values of one series, by label name. */
type Labels = Readonly<Record<string, string>>;

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const renderLabels = (labels: Labels, extra?: [string, string]) => {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  return pairs.length ? `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
};
const renderNumber = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN');

interface Metric {
  readonly name: string;
  render(): string[];
}

/** A monotonically increasing count, per label set. */
export class Counter implements Metric {
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = JSON.stringify(labels);
    const series = this.#values.get(key);
    if (series) series.value += by;
    else this.#values.set(key, { labels, value: by });
  }

  value(labels: Labels = {}): number {
    return this.#values.get(JSON.stringify(labels))?.value ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.#values.size === 0) lines.push(`${this.name} 0`);
    for (const { labels, value } of this.#values.values()) lines.push(`${this.name}${renderLabels(labels)} ${value}`);
    return lines;
  }
}

/** A value read when scraped. */
export class Gauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly read: () => number | readonly { labels: Labels; value: number }[],
  ) {}

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    const value = this.read();
    if (typeof value === 'number') lines.push(`${this.name} ${renderNumber(value)}`);
    else for (const s of value) lines.push(`${this.name}${renderLabels(s.labels)} ${renderNumber(s.value)}`);
    return lines;
  }
}

/** Observed values counted into cumulative buckets, per label set (Prometheus histogram). */
export class Histogram implements Metric {
  readonly #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  observe(value: number, labels: Labels = {}): void {
    const key = JSON.stringify(labels);
    let series = this.#series.get(key);
    if (!series) {
      series = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) series.counts[i]!++;
    series.sum += value;
    series.count++;
  }

  count(labels: Labels = {}): number {
    return this.#series.get(JSON.stringify(labels))?.count ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, sum, count } of this.#series.values()) {
      this.buckets.forEach((le, i) => lines.push(`${this.name}_bucket${renderLabels(labels, ['le', String(le)])} ${counts[i]}`));
      lines.push(`${this.name}_bucket${renderLabels(labels, ['le', '+Inf'])} ${count}`);
      lines.push(`${this.name}_sum${renderLabels(labels)} ${sum}`);
      lines.push(`${this.name}_count${renderLabels(labels)} ${count}`);
    }
    return lines;
  }
}

/** Latency buckets in seconds, from 0.1 ms (loopback calls take about 1 ms) to 10 s. */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * What the server counts, exposed at `GET /metrics` in the Prometheus text format. The counters
 * live in memory: they start at zero with each process, as Prometheus expects of counters.
 */
export class ServerMetrics {
  readonly invocations = new Counter('skills_invocations_total', 'Invocation records stored (new ids).');
  readonly duplicates = new Counter('skills_invocation_duplicates_total', 'Invocation records skipped because their id was already stored (replays).');
  readonly completions = new Counter('skills_completions_total', 'Invocations that finished: completions applied, and records stored already finished.');
  readonly abandoned = new Counter('skills_abandoned_total', 'Invocations marked abandoned on request.');
  readonly toolCalls = new Counter('skills_tool_calls_total', 'MCP tool calls, by tool and outcome (ok or error).');
  readonly toolErrors = new Counter('skills_tool_errors_total', 'MCP tool calls that failed (bad arguments, unknown ids, storage failures), by tool.');
  readonly toolLatency = new Histogram('skills_tool_call_duration_seconds', 'Time to answer an MCP tool call, by tool.', LATENCY_BUCKETS);
  readonly httpRequests = new Counter('skills_http_requests_total', 'HTTP requests, by route and status code.');
  readonly httpLatency = new Histogram('skills_http_request_duration_seconds', 'Time to answer an HTTP request, by route.', LATENCY_BUCKETS);
  readonly #extra: Metric[] = [];

  /** Adds a gauge read at every scrape (sessions, uptime, rows). */
  gauge(name: string, help: string, read: Gauge['read']): void {
    this.#extra.push(new Gauge(name, help, read));
  }

  /** Records the end of one tool call. */
  toolCall(tool: string, seconds: number, ok: boolean): void {
    this.toolCalls.inc({ tool, outcome: ok ? 'ok' : 'error' });
    if (!ok) this.toolErrors.inc({ tool });
    this.toolLatency.observe(seconds, { tool });
  }

  /** The whole exposition, `text/plain; version=0.0.4`. */
  render(): string {
    const metrics: Metric[] = [
      this.invocations,
      this.duplicates,
      this.completions,
      this.abandoned,
      this.toolCalls,
      this.toolErrors,
      this.toolLatency,
      this.httpRequests,
      this.httpLatency,
      ...this.#extra,
    ];
    return `${metrics.flatMap((m) => m.render()).join('\n')}\n`;
  }
}
