import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { MCP_TOOLS } from '@skills/protocol';

/** Latency buckets in seconds, from 0.1 ms (loopback calls take about 1 ms) to 10 s. */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const KNOWN_TOOLS: ReadonlySet<string> = new Set(Object.values(MCP_TOOLS));

/**
 * The `tool` label of a call: the tool's name when the server has such a tool, else `unknown`.
 * Names come from clients: as labels they would let any client grow the series without bound.
 */
export function toolLabel(name: string): string {
  return KNOWN_TOOLS.has(name) ? name : 'unknown';
}

/** A series of a gauge read at scrape time. */
export interface GaugeSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

let processRegistry: Registry | undefined;

/**
 * The process's own metrics (memory, CPU, event-loop lag, GC, handles), under the names every
 * Prometheus Node.js client uses. One per process: their collectors (an event-loop delay
 * histogram, a GC observer) are process-wide, however many servers a process (a test) starts.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * What the server counts, exposed at `GET /metrics` in the Prometheus text format (prom-client,
 * which escapes HELP and label values and keys series by label name). Every label value comes
 * from a fixed set: tool names, routes and status codes the server itself knows. The counters
 * live in memory: they start at zero with each process, as Prometheus expects of counters.
 */
export class ServerMetrics {
  readonly #registry = new Registry();
  readonly invocations = this.#counter('skills_invocations_total', 'Invocation records stored (new ids).');
  readonly duplicates = this.#counter('skills_invocation_duplicates_total', 'Invocation records skipped because their id was already stored (replays).');
  readonly completions = this.#counter('skills_completions_total', 'Invocations that finished: completions applied, and records stored already finished.');
  readonly abandoned = this.#counter('skills_abandoned_total', 'Invocations marked abandoned on request.');
  readonly toolCalls = this.#counter('skills_tool_calls_total', 'MCP tool calls, by tool (unknown for names the server has no tool for) and outcome (ok or error).', ['tool', 'outcome']);
  readonly toolErrors = this.#counter('skills_tool_errors_total', 'MCP tool calls that failed (bad arguments, unknown ids, storage failures), by tool.', ['tool']);
  readonly toolLatency = new Histogram({
    name: 'skills_tool_call_duration_seconds',
    help: 'Time to answer an MCP tool call, by tool.',
    labelNames: ['tool'],
    buckets: LATENCY_BUCKETS,
    registers: [this.#registry],
  });
  readonly httpRequests = this.#counter('skills_http_requests_total', 'HTTP requests, by route and status code.', ['route', 'status']);
  readonly httpLatency = new Histogram({
    name: 'skills_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route.',
    labelNames: ['route'],
    buckets: LATENCY_BUCKETS,
    registers: [this.#registry],
  });
  /** Failures not written to the log again because the same one was logged already. */
  readonly repeatedFailures = this.#counter(
    'skills_repeated_failures_total',
    'Failures not logged again because the same failure was logged just before (a full disk fails every write), by where they happened.',
    ['source'],
  );

  #counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.#registry] });
  }

  /** Adds a gauge read at every scrape (sessions, uptime, rows); series with labels name them in `labelNames`. */
  gauge(name: string, help: string, read: () => number | readonly GaugeSeries[], labelNames: readonly string[] = []): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.#registry],
      collect() {
        const value = read();
        this.reset();
        if (typeof value === 'number') this.set(value);
        else for (const s of value) this.set(s.labels, s.value);
      },
    });
  }

  /** Records the end of one tool call; `tool` is the name the client asked for. */
  toolCall(tool: string, seconds: number, ok: boolean): void {
    const label = toolLabel(tool);
    this.toolCalls.inc({ tool: label, outcome: ok ? 'ok' : 'error' });
    if (!ok) this.toolErrors.inc({ tool: label });
    this.toolLatency.observe({ tool: label }, seconds);
  }

  /** Records one answered HTTP request. */
  httpRequest(route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ route, status: String(status) });
    this.httpLatency.observe({ route }, seconds);
  }

  /** The content type of {@link render}'s text. */
  get contentType(): string {
    return this.#registry.contentType;
  }

  /** The whole exposition: the server's metrics, then the process's. Rejects when a gauge fails to read. */
  async render(): Promise<string> {
    return (await this.#registry.metrics()) + (await processMetrics().metrics());
  }
}
