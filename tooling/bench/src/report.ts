import { cpus, platform, release, arch, totalmem } from 'node:os';
import type { BenchPlan } from './plan.js';
import type { Percentiles } from './stats.js';
import type { DirectResults, NoopResults } from './suites/direct.js';
import type { McpResults } from './suites/mcp.js';
import type { RecommendResults, RecommendSizeResults } from './suites/recommend.js';

export interface BenchResults {
  direct?: DirectResults;
  noop?: NoopResults;
  mcp?: McpResults;
  recommend?: RecommendResults;
}

/** One target of issue 6, checked against what was measured. */
export interface TargetCheck {
  readonly id: string;
  readonly what: string;
  readonly original: string;
  readonly target: string;
  /** The measured figure in `unit`, or null when not measured (suite failed or size not in this mode). */
  readonly measured: number | null;
  readonly unit: string;
  readonly met: boolean | null;
  /** Target / measured (for "under" targets) or measured / target (for "at least"): above 1 means met. */
  readonly ratio: number | null;
  readonly note?: string;
}

export interface BenchReport {
  readonly tool: '@skills/bench';
  readonly mode: BenchPlan['mode'];
  readonly date: string;
  readonly durationSeconds: number;
  readonly machine: {
    readonly platform: string;
    readonly release: string;
    readonly arch: string;
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryBytes: number;
    readonly loadAverage: readonly number[];
  };
  readonly node: string;
  readonly results: BenchResults;
  readonly targets: readonly TargetCheck[];
  readonly errors: ReadonlyArray<{ readonly suite: string; readonly message: string }>;
}

export function machineInfo(): BenchReport['machine'] {
  const list = cpus();
  return {
    platform: platform(),
    release: release(),
    arch: arch(),
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    loadAverage: [],
  };
}

function under(id: string, what: string, original: string, target: string, limit: number, measured: number | null, unit: string, note?: string): TargetCheck {
  const met = measured === null ? null : measured < limit;
  return { id, what, original, target, measured, unit, met, ratio: measured === null ? null : limit / measured, ...(note ? { note } : {}) };
}

function atLeast(id: string, what: string, original: string, target: string, limit: number, measured: number | null, unit: string, note?: string): TargetCheck {
  const met = measured === null ? null : measured >= limit;
  return { id, what, original, target, measured, unit, met, ratio: measured === null ? null : measured / limit, ...(note ? { note } : {}) };
}

function sizeResult(r: BenchResults, invocations: number): RecommendSizeResults | undefined {
  return r.recommend?.sizes.find((s) => s.invocations === invocations);
}

function lexical(s: RecommendSizeResults | undefined) {
  return s?.embedders?.find((e) => e.embedder.startsWith('lexical'));
}

/** The issue's targets, each with what this run measured. */
export function checkTargets(r: BenchResults): TargetCheck[] {
  const largestDirect = r.direct?.throughput.at(-1);
  const at100k = sizeResult(r, 100_000);
  const at1m = sizeResult(r, 1_000_000);
  const largestRec = r.recommend?.sizes.at(-1);
  const failure = at1m?.error ?? lexical(at1m)?.error;
  const why1m = !at1m ? 'not measured in this mode' : failure ? `failed: ${failure}` : undefined;
  const sizeNote = (n: number | undefined, wanted: number) =>
    n === undefined || n === wanted ? undefined : `at ${n.toLocaleString('en-US')} invocations, this mode's largest size`;
  return [
    under('direct-caller-p99', "Direct: caller's cost of trackInvocation + completer, p99", 'under 1 ms per invocation', 'p99 under 20 µs', 20, r.direct?.callerCostMicros.p99 ?? null, 'µs'),
    atLeast(
      'direct-throughput',
      'Direct: sustained invocations per second to disk (all durable after close())',
      '10,000+ per second',
      'at least 200,000 per second',
      200_000,
      largestDirect?.perSecond.median ?? null,
      'invocations/s',
      !largestDirect ? undefined : largestDirect.invocations !== 1_000_000 ? sizeNote(largestDirect.invocations, 1_000_000) : '1,000,000 invocations',
    ),
    under('noop', 'No-op: cost per call', 'about a null check', 'under 50 ns per call', 50, r.noop?.nanosPerCall.median ?? null, 'ns'),
    under('mcp-p50', 'MCP: round trip of one tracked invocation, p50', '5-10 ms per invocation', 'p50 under 2 ms', 2, r.mcp?.trackRoundTripMillis.p50 ?? null, 'ms'),
    atLeast('mcp-throughput', 'MCP: invocations per second through the batching tracker', '1,000+ per second', 'at least 20,000 per second', 20_000, r.mcp?.throughput.perSecond.median ?? null, 'invocations/s'),
    under(
      'recommend-100k',
      'Recommendations, 100k invocations: p50 with the query embedded (lexical)',
      'not stated',
      'p50 under 10 ms',
      10,
      lexical(at100k ?? (at1m ? undefined : largestRec))?.freshMillis?.p50 ?? null,
      'ms',
      at100k ? undefined : sizeNote(largestRec?.invocations, 100_000),
    ),
    under('recommend-1m', 'Recommendations, 1M invocations: p50 with the query embedded (lexical)', 'not stated', 'p50 under 50 ms', 50, lexical(at1m)?.freshMillis?.p50 ?? null, 'ms', why1m),
    under('ready-1m', 'Open a 1M-invocation store and answer (index built)', 'not stated', 'within 5 s', 5, lexical(at1m)?.readySeconds ?? null, 's', why1m),
    under(
      'storage',
      'Storage per invocation before embeddings',
      'about 500 bytes',
      'at most 400 bytes',
      400.0001,
      (at1m ?? at100k ?? largestRec)?.bytesPerInvocation ?? null,
      'bytes',
      at1m ? '1M invocations' : sizeNote((at100k ?? largestRec)?.invocations, 1_000_000),
    ),
    under(
      'dashboard-1m',
      "Dashboard: the overview's figures at 1M invocations, computed uncached",
      'the page loads fast',
      'within 1 s',
      1000,
      at1m?.dashboardMillis?.overview ?? null,
      'ms',
      why1m,
    ),
    embeddingsOnce(r),
  ];
}

/** Vectors are stored once per distinct query: as many vectors as distinct query texts. */
function embeddingsOnce(r: BenchResults): TargetCheck {
  const checked = r.recommend?.sizes.filter((s) => s.storedVectors).at(-1);
  const v = checked?.storedVectors;
  return {
    id: 'embeddings-once',
    what: 'Embeddings: vectors stored per distinct query',
    original: 'not stated',
    target: 'once per distinct query',
    measured: v ? v.vectors / v.queries : null,
    unit: 'vectors per distinct query',
    met: v ? v.vectors === v.queries : null,
    ratio: null,
    ...(v && checked
      ? { note: `${int(v.vectors)} vectors for ${int(v.queries)} distinct queries of ${int(checked.invocations)} invocations; ${int(checked.embeddingBytesPerDistinctQuery)} bytes each` }
      : {}),
  };
}

// ------------------------------------------------------------------------------------------------
// Printing

const int = (n: number) => Math.round(n).toLocaleString('en-US');
function num(n: number | null | undefined, digits = 2): string {
  if (n === null || n === undefined || Number.isNaN(n)) return 'n/a';
  if (Math.abs(n) >= 100) return int(n);
  if (n !== 0 && Math.abs(n) < 0.1) return n.toPrecision(2);
  return n.toFixed(n >= 10 ? 1 : digits);
}
const pct = (p: Percentiles | undefined, unit: string) =>
  p ? `p50 ${num(p.p50)} ${unit}, p95 ${num(p.p95)} ${unit}, p99 ${num(p.p99)} ${unit}` : 'n/a';
const seconds = (n: number | undefined) => (n === undefined ? 'n/a' : `${num(n)} s`);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

function verdict(t: TargetCheck): string {
  if (t.met === null) return 'not measured';
  const factor = t.ratio === null ? '' : ` (${t.ratio >= 1 ? `${t.ratio.toFixed(t.ratio >= 10 ? 0 : 1)}× margin` : `${(1 / t.ratio).toFixed(1)}× short`})`;
  return `${t.met ? 'met' : '**missed**'}${factor}`;
}

/** The report as markdown: the summary the README copies, then the detail. */
export function markdown(report: BenchReport): string {
  const r = report.results;
  const m = report.machine;
  const lines: string[] = [];
  lines.push(
    `Measured ${report.date.slice(0, 10)} with \`pnpm bench${report.mode === 'full' ? '' : ` --${report.mode}`}\` on ${m.cpus} × ${m.cpuModel}, ` +
      `${mib(m.memoryBytes)}, ${m.platform} ${m.release}, Node ${report.node}` +
      ` (load average at start ${m.loadAverage.map((l) => l.toFixed(1)).join(' ')}). Medians of the repetitions.`,
    '',
    '| measure | original (documented) | target | this run | |',
    '|---|---|---|---|---|',
  );
  const direct = r.direct;
  for (const t of report.targets) {
    let shown = t.measured === null ? 'n/a' : `${num(t.measured)} ${t.unit}`;
    if (t.id === 'direct-caller-p99' && direct) shown = pct(direct.callerCostMicros, 'µs');
    if (t.id === 'mcp-p50' && r.mcp) shown = pct(r.mcp.trackRoundTripMillis, 'ms');
    if (t.note) shown += ` (${t.note})`;
    lines.push(`| ${t.what} | ${t.original} | ${t.target} | ${shown} | ${verdict(t)} |`);
  }
  lines.push('');

  if (direct) {
    lines.push(
      '**Direct tracker** (in-process SQLite, default settings: secret redaction on, 50 ms / 2,000-change write batches; ' +
        'the host yields to its event loop every 1,000 calls):',
      '',
      `- caller's cost of trackInvocation + completer: ${pct(direct.callerCostMicros, 'µs')}; trackInvocation alone ${pct(direct.trackMicros, 'µs')}`,
      `- the same with \`redactSecrets: false\`: ${pct(direct.redactionOff.callerCostMicros, 'µs')}`,
      '',
      '| invocations | to disk per second (median) | min – max | repetitions |',
      '|---:|---:|---:|---:|',
      ...direct.throughput.map(
        (t) => `| ${int(t.invocations)} | ${int(t.perSecond.median)} | ${int(t.perSecond.min)} – ${int(t.perSecond.max)} | ${t.perSecond.repetitions.length} |`,
      ),
      '',
    );
  }
  if (r.noop) {
    lines.push(
      `**No-op tracker**: ${num(r.noop.nanosPerCall.median)} ns per trackInvocation + \`done?.()\` (the bare loop: ${num(r.noop.emptyLoopNanos.median)} ns per iteration).`,
      '',
    );
  }
  if (r.mcp) {
    lines.push(
      '**MCP** (server in its own process on loopback, Streamable HTTP, stored before it answers):',
      '',
      `- track_invocation round trip: ${pct(r.mcp.trackRoundTripMillis, 'ms')}`,
      `- complete_invocation round trip: ${pct(r.mcp.completeRoundTripMillis, 'ms')}`,
      `- through the \`mcp\` tracker (batches of up to 500 per track_invocations call, counted on the server): ` +
        `${int(r.mcp.throughput.perSecond.median)} invocations/s over ${int(r.mcp.throughput.invocations)} (min ${int(r.mcp.throughput.perSecond.min)}, max ${int(r.mcp.throughput.perSecond.max)})`,
    );
    const b = r.mcp.batches;
    if (b) {
      const perCall = (b.invocationsPerCall / r.mcp.throughput.perSecond.median) * 1000;
      lines.push(
        `- those batches: ${int(b.calls)} track_invocations calls of ${num(b.invocationsPerCall, 0)} invocations; ` +
          `the server spent ${num(b.serverMillisPerCall)} ms on each of the ${num(perCall)} ms a call took end to end (one call in flight at a time)`,
      );
    }
    lines.push('');
  }
  if (r.recommend) {
    lines.push(
      '**Recommendations and storage** (about 20% of invocations ask a distinct query; lexical embedder; ms per `recommend`):',
      '',
      '| invocations | distinct queries | p50 / p99, a new query (embedded in the call) | p50 / p99, a query asked before (cached) | p50 / p99, right after a write | first open (embeds every query) | ready (reopen, vectors stored) | dashboard overview / skill page, uncached | bytes/invocation | with embeddings | vector bytes per distinct query | server RSS after answering |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const s of r.recommend.sizes) {
      if (s.error) {
        lines.push(`| ${int(s.invocations)} | failed: ${s.error} |||||||||||`);
        continue;
      }
      const lex = lexical(s);
      lines.push(
        `| ${int(s.invocations)} | ${int(s.distinctQueries)} | ${num(lex?.freshMillis?.p50)} / ${num(lex?.freshMillis?.p99)} | ` +
          `${num(lex?.cachedMillis?.p50)} / ${num(lex?.cachedMillis?.p99)} | ${num(lex?.afterWriteMillis?.p50)} / ${num(lex?.afterWriteMillis?.p99)} | ` +
          `${seconds(lex?.firstOpenSeconds)} | ${seconds(lex?.readySeconds)} | ` +
          `${s.dashboardMillis ? `${num(s.dashboardMillis.overview)} / ${num(s.dashboardMillis.skill)} ms` : '–'} | ` +
          `${int(s.bytesPerInvocation)} | ${int(s.bytesPerInvocationWithEmbeddings)} | ${int(s.embeddingBytesPerDistinctQuery)} | ` +
          `${s.serverMemory ? `${mib(s.serverMemory.rssBytes)} (peak ${mib(s.serverMemory.peakBytes)})` : '–'} |`,
      );
    }
    const skipped = r.recommend.sizes.find((s) => s.embedders)?.embedders.find((e) => e.skipped);
    if (skipped) lines.push('', `Transformer embedder: skipped (${skipped.skipped}).`);
    lines.push('');
  }
  for (const e of report.errors) lines.push(`**${e.suite} failed**: ${e.message}`, '');
  return lines.join('\n');
}
