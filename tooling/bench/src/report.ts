import { cpus, platform, release, arch, totalmem } from 'node:os';
import { MODEL_STATE_LIMITS } from '@skills/protocol';
import type { BenchPlan } from './plan.js';
import type { Percentiles, RepeatedRate } from './stats.js';
import type { DirectResults, NoopResults } from './suites/direct.js';
import { HOOK_EVENTS, type HookEvent, type HooksResults } from './suites/hooks.js';
import type { LearnedResults, LearnedSizeResults } from './suites/learned.js';
import type { McpResults } from './suites/mcp.js';
import type { PostgresResults, RawPostgresLimits } from './suites/postgres.js';
import { NEIGHBOURS } from './suites/exact-scan.js';
import type { RecommendResults, RecommendSizeResults } from './suites/recommend.js';

export interface BenchResults {
  direct?: DirectResults;
  noop?: NoopResults;
  mcp?: McpResults;
  hooks?: HooksResults;
  recommend?: RecommendResults;
  learned?: LearnedResults;
  postgres?: PostgresResults;
}

/** What the machine does at best, or a peer, measured in the same run beside a figure. */
export interface Limit {
  readonly what: string;
  readonly measured: number;
  /** Min and max of its repetitions, when there were several. */
  readonly min?: number;
  readonly max?: number;
  readonly unit: string;
}

/**
 * One row of the report: a figure of this run, the target on it (issue 6's absolute targets,
 * or none), its limit measured in the same run and the ratio to it, with the target on that ratio.
 */
export interface TargetCheck {
  readonly id: string;
  readonly what: string;
  readonly original: string;
  /** The absolute target, or '' when the row has only a target on its ratio. */
  readonly target: string;
  /** The measured figure (median of the repetitions) in `unit`, or null when not measured (suite failed or size not in this mode). */
  readonly measured: number | null;
  /** Min and max of the repetitions behind `measured`, when there were several. */
  readonly min?: number;
  readonly max?: number;
  readonly unit: string;
  /** The absolute target met; null when not measured or when there is no absolute target. */
  readonly met: boolean | null;
  /** Target / measured (for "under" targets) or measured / target (for "at least"): above 1 means met. */
  readonly ratio: number | null;
  readonly note?: string;
  /** The limit measured in the same run, and `measured / limit.measured`. */
  readonly limit?: Limit;
  readonly vsLimit?: number;
  /** The target on `vsLimit`, and whether it was met. */
  readonly vsLimitTarget?: { readonly atMost?: number; readonly atLeast?: number };
  readonly vsLimitMet?: boolean | null;
}

/** The load average around one suite; `busy` when a 1-minute figure was above the number of cores. */
export interface SuiteLoad {
  readonly suite: string;
  readonly before: readonly number[];
  readonly after: readonly number[];
  readonly busy: boolean;
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
  /** The load average before and after each suite that ran. */
  readonly load: readonly SuiteLoad[];
  /** Set when the machine was busy during a suite: figures are slower than on a quiet machine. */
  readonly busyWarning: string | null;
  /** The workload's query text, and what was missing when it is not the real one. */
  readonly workload: { readonly queries: string; readonly missing: string | null };
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

/** Min and max of repetitions, when there were several. */
function spread(values: readonly number[] | undefined): { min?: number; max?: number } {
  return values && values.length > 1 ? { min: Math.min(...values), max: Math.max(...values) } : {};
}

/** `check` with the min and max of the repetitions behind its median. */
function withSpread(check: TargetCheck, rate: RepeatedRate | undefined): TargetCheck {
  return { ...check, ...spread(rate?.repetitions) };
}

/** `check` with its limit from the same run, the ratio to it, and the target on that ratio. */
function versus(check: TargetCheck, limit: Limit | undefined, target?: { atMost?: number; atLeast?: number }): TargetCheck {
  if (!limit) return check;
  const vsLimit = check.measured === null ? undefined : check.measured / limit.measured;
  const vsLimitMet =
    !target || vsLimit === undefined ? null : (target.atMost === undefined || vsLimit <= target.atMost) && (target.atLeast === undefined || vsLimit >= target.atLeast);
  return { ...check, limit, ...(vsLimit === undefined ? {} : { vsLimit }), ...(target ? { vsLimitTarget: target, vsLimitMet } : {}) };
}

/** A row whose only target (if any) is on its ratio to the limit. */
function measuredOnly(id: string, what: string, measured: number | null, unit: string, extra: Partial<TargetCheck> = {}): TargetCheck {
  return { id, what, original: '', target: '', measured, unit, met: null, ratio: null, ...extra };
}

/** A repeated rate as a limit; undefined when it was not measured. */
function rateLimit(what: string, rate: RepeatedRate | undefined, unit: string): Limit | undefined {
  return rate ? { what, measured: rate.median, ...spread(rate.repetitions), unit } : undefined;
}

/** A bare Node start of the same run, as a limit. */
function bareNode(h: HooksResults): Limit {
  return { what: "bare `node -e ''`", measured: h.bareNodeMillis.median, ...spread(h.bareNodeMillis.repetitions), unit: 'ms' };
}

/** Issue 17's one-shot targets at 100k: a fresh process answering once, and its memory above a bare start. */
const ONE_SHOT_TARGET_MS = 300;
const ONE_SHOT_MEMORY_TARGET_BYTES = 50 * 1024 * 1024;

/** Per ranker: a fresh process that opens a 100k store and answers once, beside a bare Node start, and its peak memory above it. */
function oneShotChecks(size: RecommendSizeResults | undefined): TargetCheck[] {
  const shot = size?.oneShot;
  if (!shot) return [];
  const bare: Limit = { what: "bare `node -e ''`", measured: shot.bareNode.millis, unit: 'ms' };
  const at = `${int(size.invocations)} invocations, ${int(size.distinctQueries)} distinct queries`;
  return Object.entries(shot.rankers).flatMap(([ranker, figure]) => [
    versus(
      under(`one-shot-${ranker}`, `One-shot recommendation (${ranker} ranker): a fresh process opens the store and answers once`, 'not stated', `under ${ONE_SHOT_TARGET_MS} ms`, ONE_SHOT_TARGET_MS, figure.millis, 'ms', at),
      bare,
    ),
    under(
      `one-shot-memory-${ranker}`,
      `One-shot recommendation (${ranker} ranker): peak memory above a bare Node start`,
      'about 5 MB per session',
      'under 50 MiB',
      ONE_SHOT_MEMORY_TARGET_BYTES / (1024 * 1024),
      (figure.peakRssBytes - shot.bareNode.peakRssBytes) / (1024 * 1024),
      'MiB',
      at,
    ),
  ]);
}

/** The hooks' rows: each fresh process beside a bare Node start, each request at the server beside its /health. */
function hookChecks(h: HooksResults | undefined): TargetCheck[] {
  if (!h) return [];
  const at = `${int(h.storeInvocations)} invocations in the store`;
  const commandRow = (event: HookEvent, target?: { atMost: number }) => {
    const c = h.command[event];
    const row = measuredOnly(`hook-command-${event}`, `Command hook \`${event}\`: wall time of a fresh \`skills-hook\` process (local store)`, c.millis.median, 'ms', {
      ...spread(c.millis.repetitions),
      ...(event === 'UserPromptSubmit' ? { note: `${at}; ${h.commandRecommended.answered} of ${h.commandRecommended.prompts} prompts got recommendations` } : {}),
    });
    return versus(row, bareNode(h), target);
  };
  const cliRow = (name: 'version' | 'track', command: string) =>
    versus(measuredOnly(`cli-${name}`, `One-shot \`${command}\`: wall time of a fresh process`, h.cli[name].millis.median, 'ms', { ...spread(h.cli[name].millis.repetitions), ...(name === 'track' ? { note: at } : {}) }), bareNode(h));
  const httpRow = (event: HookEvent, limitMs?: number) => {
    const p = h.http[event];
    const what = `HTTP hook \`${event}\` at the server (POST /hooks/claude-code), p50`;
    const base =
      limitMs === undefined
        ? measuredOnly(`hook-http-${event}`, what, p.p50, 'ms', { min: p.min, max: p.max })
        : { ...under(`hook-http-${event}`, what, 'not stated', `p50 under ${limitMs} ms`, limitMs, p.p50, 'ms'), min: p.min, max: p.max };
    const note = `p95 ${num(p.p95)} ms${event === 'UserPromptSubmit' ? `; ${at}; ${h.httpRecommended.answered} of ${h.httpRecommended.prompts} prompts got recommendations` : ''}`;
    const health = h.healthMillis;
    return versus({ ...base, note }, { what: 'GET /health on the same server, p50', measured: health.p50, min: health.min, max: health.max, unit: 'ms' });
  };
  return [
    commandRow('PreToolUse', { atMost: 1.5 }),
    commandRow('PostToolUse', { atMost: 1.5 }),
    commandRow('PostToolUseFailure'),
    commandRow('Stop'),
    commandRow('UserPromptSubmit'),
    cliRow('version', 'skills --version'),
    cliRow('track', 'skills track'),
    httpRow('PreToolUse', 5),
    httpRow('PostToolUse', 5),
    httpRow('PostToolUseFailure'),
    httpRow('Stop'),
    httpRow('UserPromptSubmit', 20),
  ];
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
    {
      ...under('direct-caller-p99', "Direct: caller's cost of trackInvocation + completer, p99", 'under 1 ms per invocation', 'p99 under 20 µs', 20, r.direct?.callerCostMicros.p99 ?? null, 'µs'),
      ...spread(r.direct?.callerCostMicros.repetitions.map((p) => p.p99)),
    },
    versus(
      withSpread(
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
        largestDirect?.perSecond,
      ),
      rateLimit('raw better-sqlite3 inserts of the same rows, before and after', largestDirect?.rawPerSecond, 'invocations/s'),
      { atLeast: 0.5 },
    ),
    versus(
      withSpread(under('noop', 'No-op: cost per call', 'about a null check', 'under 50 ns per call', 50, r.noop?.nanosPerCall.median ?? null, 'ns'), r.noop?.nanosPerCall),
      rateLimit('the same loop calling nothing', r.noop?.emptyLoopNanos, 'ns'),
    ),
    versus(
      {
        ...under('mcp-p50', 'MCP: round trip of one tracked invocation, p50', '5-10 ms per invocation', 'p50 under 2 ms', 2, r.mcp?.trackRoundTripMillis.p50 ?? null, 'ms'),
        ...spread(r.mcp?.trackRoundTripMillis.repetitions.map((p) => p.p50)),
      },
      r.mcp && {
        what: 'a bare MCP SDK echo tool, same transport and client, same arguments, p50',
        measured: r.mcp.echo.roundTripMillis.p50,
        ...spread(r.mcp.echo.roundTripMillis.repetitions.map((p) => p.p50)),
        unit: 'ms',
      },
      { atMost: 1.3 },
    ),
    versus(
      withSpread(
        atLeast('mcp-throughput', 'MCP: invocations per second through the batching tracker', '1,000+ per second', 'at least 20,000 per second', 20_000, r.mcp?.throughput.perSecond.median ?? null, 'invocations/s'),
        r.mcp?.throughput.perSecond,
      ),
      rateLimit('the bare echo tool carrying the same batches', r.mcp?.echo.throughput.perSecond, 'invocations/s'),
      { atLeast: 0.5 },
    ),
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
    ...oneShotChecks(at100k),
    ...scanChecks(r),
    ...hookChecks(r.hooks),
    ...learnedChecks(r),
    ...postgresChecks(r),
  ];
}

/** Issue 15's aim for PostgreSQL: invocations per second sustained, the server on the same machine. */
export const POSTGRES_WRITE_TARGET = 50_000;

/**
 * The PostgreSQL column: writes through the direct tracker and through the server, each beside raw
 * COPY of the same rows (the limit); recommendations, time to ready and the dashboard beside SQLite
 * at the same size in the same run (a peer). Skipped: the rows say why, never silently absent.
 */
export function postgresChecks(r: BenchResults): TargetCheck[] {
  const p = r.postgres;
  if (!p) return [];
  const writeTarget = `at least ${int(POSTGRES_WRITE_TARGET)} per second`;
  const directWhat = 'PostgreSQL: invocations per second through the direct tracker (all stored after close())';
  const serverWhat = 'PostgreSQL: invocations per second through `skills serve --db postgres://...` (the mcp tracker)';
  if ('skipped' in p) {
    const note = `skipped: ${p.skipped}`;
    return [
      atLeast('postgres-direct-throughput', directWhat, 'not stated', writeTarget, POSTGRES_WRITE_TARGET, null, 'invocations/s', note),
      atLeast('postgres-server-throughput', serverWhat, 'not stated', writeTarget, POSTGRES_WRITE_TARGET, null, 'invocations/s', note),
    ];
  }
  const copyLimit = (raw: { copy: RepeatedRate } | undefined) => rateLimit('raw `pg` COPY of the same rows, before and after', raw?.copy, 'invocations/s');
  const largest = p.direct.at(-1);
  const sqliteDirect = largest && r.direct?.throughput.find((t) => t.invocations === largest.invocations);
  const rows: TargetCheck[] = [
    versus(
      withSpread(
        atLeast('postgres-direct-throughput', directWhat, 'not stated', writeTarget, POSTGRES_WRITE_TARGET, largest?.perSecond.median ?? null, 'invocations/s',
          largest && `${int(largest.invocations)} invocations${sqliteDirect ? `; SQLite, same run: ${int(sqliteDirect.perSecond.median)}` : ''}`),
        largest?.perSecond,
      ),
      copyLimit(largest?.raw),
      { atLeast: 0.5 },
    ),
    versus(
      withSpread(
        atLeast('postgres-server-throughput', serverWhat, 'not stated', writeTarget, POSTGRES_WRITE_TARGET, p.server.perSecond.median, 'invocations/s',
          `${int(p.server.invocations)} invocations${r.mcp ? `; the server on SQLite, same run: ${int(r.mcp.throughput.perSecond.median)} at ${int(r.mcp.throughput.invocations)}` : ''}`),
        p.server.perSecond,
      ),
      copyLimit(p.server.raw),
    ),
  ];
  for (const s of p.sizes) {
    if (s.error) continue;
    const at = `PostgreSQL, ${int(s.invocations)} invocations`;
    const lite = sizeResult(r, s.invocations);
    const peer = (what: string, measured: number | null | undefined, unit: string): Limit | undefined =>
      measured === null || measured === undefined ? undefined : { what: `SQLite, same size and run (a peer): ${what}`, measured, unit };
    const p50 = s.freshMillis?.p50 ?? null;
    const recommendWhat = `${at}: recommendation p50 with the query embedded (lexical)`;
    const recommendLimit = s.invocations === 100_000 ? 10 : s.invocations === 1_000_000 ? 50 : undefined;
    rows.push(
      versus(
        recommendLimit === undefined
          ? measuredOnly(`postgres-recommend-${s.invocations}`, recommendWhat, p50, 'ms')
          : under(`postgres-recommend-${s.invocations}`, recommendWhat, 'not stated', `p50 under ${recommendLimit} ms`, recommendLimit, p50, 'ms'),
        peer('p50', lexical(lite)?.freshMillis?.p50, 'ms'),
      ),
    );
    const readyWhat = `${at}: open the store and answer (vectors stored)`;
    const ready = s.readySeconds ?? null;
    rows.push(
      versus(
        s.invocations === 1_000_000
          ? under(`postgres-ready-${s.invocations}`, readyWhat, 'not stated', 'within 5 s', 5, ready, 's')
          : measuredOnly(`postgres-ready-${s.invocations}`, readyWhat, ready, 's'),
        peer('ready', lexical(lite)?.readySeconds, 's'),
      ),
    );
    if (s.dashboardOverviewMillis !== undefined) {
      const what = `${at}: the dashboard's overview, computed uncached`;
      rows.push(
        versus(
          s.invocations === 1_000_000
            ? under(`postgres-dashboard-${s.invocations}`, what, 'the page loads fast', 'within 1 s', 1000, s.dashboardOverviewMillis, 'ms')
            : measuredOnly(`postgres-dashboard-${s.invocations}`, what, s.dashboardOverviewMillis, 'ms'),
          peer('overview', lite?.dashboardMillis?.overview, 'ms'),
        ),
      );
    }
  }
  return rows;
}

/**
 * Per store size: the learned ranker's full refit, its online step (a recommendation right after
 * a write, beside the similarity ranker's on the same store), the model it keeps with the store
 * (beside the most a store keeps) and reopening with it (beside the similarity ranker's reopen).
 */
function learnedChecks(r: BenchResults): TargetCheck[] {
  return (r.learned?.sizes ?? []).flatMap((s) => {
    if (s.error) return [];
    const at = `Learned ranker, ${int(s.invocations)} invocations`;
    const online = s.afterWriteMillis;
    const ready = lexical(sizeResult(r, s.invocations))?.readySeconds;
    return [
      measuredOnly(`learned-fit-${s.invocations}`, `${at}: a full refit's work`, s.fullFitWorkSeconds, 's', {
        note: `${int(s.rows)} rows, ${int(s.weights)} weights; ${num(s.fullFitWallSeconds)} s in the background from opening until it took over`,
      }),
      versus(
        measuredOnly(`learned-online-${s.invocations}`, `${at}: recommendation right after a write (its online training step included), p50`, online.learned.p50, 'ms', {
          note: `the online step's share: ${num(online.learned.p50 - online.similarity.p50)} ms over the similarity ranker's (a difference of two medians: a share below zero is noise)`,
        }),
        { what: 'the similarity ranker right after a write, same store, p50', measured: online.similarity.p50, unit: 'ms' },
      ),
      versus(
        measuredOnly(`learned-model-${s.invocations}`, `${at}: the model kept with the store`, s.persistedBytes, 'bytes', {
          note: `${num(s.persistedBytesPerRow)} bytes per row; ${kibOrMib(s.heapBytes)} of heap over the similarity ranker's`,
        }),
        { what: 'the most a store keeps (MODEL_STATE_LIMITS.maxBytes)', measured: MODEL_STATE_LIMITS.maxBytes, unit: 'bytes' },
        { atMost: 1 },
      ),
      versus(
        {
          id: `learned-reopen-${s.invocations}`,
          what: `${at}: reopen with the saved model and answer`,
          original: '',
          target: 'no refit on reopening',
          measured: s.reopenSeconds,
          unit: 's',
          met: s.reopenFits === 0,
          ratio: null,
          note: `${s.reopenFits} refits on reopening`,
        },
        ready === undefined ? undefined : { what: 'the similarity ranker ready on reopening (recommend suite, same size)', measured: ready, unit: 's' },
      ),
    ];
  });
}

/** Per store size: the recommender's index beside the exact scan of the same vectors. */
function scanChecks(r: BenchResults): TargetCheck[] {
  return (r.recommend?.sizes ?? []).flatMap((s) => {
    if (!s.scan) return [];
    const c = s.scan;
    const row = measuredOnly(`recommend-index-${s.invocations}`, `Recommendations, ${int(s.invocations)} invocations: the ${NEIGHBOURS} nearest past queries from the index, p50`, c.indexMillis.p50, 'ms', {
      note: `${int(c.vectors)} vectors; ${num(c.speedup)}× faster than the scan; same neighbours for ${c.sameNeighbours} of ${c.queries} queries`,
    });
    return [versus(row, { what: 'exact brute-force scan of the same vectors, p50', measured: c.scanMillis.p50, unit: 'ms' })];
  });
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
/** Bytes in KiB below a MiB, else in MiB. */
const kibOrMib = (bytes: number) => (Math.abs(bytes) < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} KiB` : mib(bytes));

function verdict(t: TargetCheck): string {
  const parts: string[] = [];
  if (t.target && t.met !== null) {
    const factor = t.ratio === null ? '' : ` (${t.ratio >= 1 ? `${t.ratio.toFixed(t.ratio >= 10 ? 0 : 1)}× margin` : `${(1 / t.ratio).toFixed(1)}× short`})`;
    parts.push(`${t.met ? 'met' : '**missed**'}${factor}`);
  }
  if (t.vsLimitMet !== undefined && t.vsLimitMet !== null) parts.push(t.vsLimitMet ? 'ratio met' : '**ratio missed**');
  if (parts.length === 0) return t.measured === null ? 'not measured' : '';
  return parts.join('; ');
}

/** A figure with the min – max of its repetitions. */
function figure(measured: number | null, unit: string, min?: number, max?: number): string {
  if (measured === null) return 'n/a';
  return `${num(measured)} ${unit}${min !== undefined && max !== undefined ? ` (${num(min)} – ${num(max)})` : ''}`;
}

function targetText(t: TargetCheck): string {
  const onRatio = t.vsLimitTarget
    ? `ratio ${t.vsLimitTarget.atMost !== undefined ? `≤ ${t.vsLimitTarget.atMost}` : ''}${t.vsLimitTarget.atLeast !== undefined ? `≥ ${t.vsLimitTarget.atLeast}` : ''}`
    : '';
  return [t.target, onRatio].filter(Boolean).join('; ') || '–';
}

/** The recommendation and storage figures, one row per store size. */
function recommendTable(sizes: readonly RecommendSizeResults[]): string[] {
  const lines = [
    '| invocations | distinct queries | p50 / p99, a new query (embedded in the call) | p50 / p99, a query asked before (cached) | p50 / p99, right after a write | first open (embeds every query) | ready (reopen, vectors stored) | nearest 100: index / exact scan p50 | dashboard overview / skill page, uncached | bytes/invocation | with embeddings | vector bytes per distinct query | server RSS after answering |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of sizes) {
    if (s.error) {
      lines.push(`| ${int(s.invocations)} | failed: ${s.error} ||||||||||||`);
      continue;
    }
    const lex = lexical(s);
    lines.push(
      `| ${int(s.invocations)} | ${int(s.distinctQueries)} | ${num(lex?.freshMillis?.p50)} / ${num(lex?.freshMillis?.p99)} | ` +
        `${num(lex?.cachedMillis?.p50)} / ${num(lex?.cachedMillis?.p99)} | ${num(lex?.afterWriteMillis?.p50)} / ${num(lex?.afterWriteMillis?.p99)} | ` +
        `${seconds(lex?.firstOpenSeconds)} | ${seconds(lex?.readySeconds)} | ` +
        `${s.scan ? `${num(s.scan.indexMillis.p50)} / ${num(s.scan.scanMillis.p50)} ms (${num(s.scan.speedup)}×)` : '–'} | ` +
        `${s.dashboardMillis ? `${num(s.dashboardMillis.overview)} / ${num(s.dashboardMillis.skill)} ms` : '–'} | ` +
        `${int(s.bytesPerInvocation)} | ${int(s.bytesPerInvocationWithEmbeddings)} | ${int(s.embeddingBytesPerDistinctQuery)} | ` +
        `${s.serverMemory ? `${mib(s.serverMemory.rssBytes)} (peak ${mib(s.serverMemory.peakBytes)})` : '–'} |`,
    );
  }
  lines.push('');
  return lines;
}

/** The learned ranker's figures, one row per store size. */
function learnedTable(sizes: readonly LearnedSizeResults[]): string[] {
  const lines = [
    '| invocations | rows | weights | full refit: work / wall | after a write p50: learned / similarity | saved model (per row) | reopen (refits) | heap over similarity |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of sizes) {
    if (s.error) {
      lines.push(`| ${int(s.invocations)} | failed: ${s.error} |||||||`);
      continue;
    }
    lines.push(
      `| ${int(s.invocations)} | ${int(s.rows)} | ${int(s.weights)} | ${num(s.fullFitWorkSeconds)} / ${num(s.fullFitWallSeconds)} s | ` +
        `${num(s.afterWriteMillis.learned.p50)} / ${num(s.afterWriteMillis.similarity.p50)} ms | ${kibOrMib(s.persistedBytes)} (${num(s.persistedBytesPerRow)} bytes) | ` +
        `${num(s.reopenSeconds)} s (${s.reopenFits}) | ${kibOrMib(s.heapBytes)} |`,
    );
  }
  lines.push('');
  return lines;
}

/** The report as markdown: the summary the README copies, then the detail. */
export function markdown(report: BenchReport): string {
  const r = report.results;
  const m = report.machine;
  const lines: string[] = [];
  lines.push(
    `Measured ${report.date.slice(0, 10)} with \`pnpm bench${report.mode === 'full' ? '' : ` --${report.mode}`}\` on ${m.cpus} × ${m.cpuModel}, ` +
      `${mib(m.memoryBytes)}, ${m.platform} ${m.release}, Node ${report.node}` +
      ` (load average at start ${m.loadAverage.map((l) => l.toFixed(1)).join(' ')}). ` +
      'Medians of the repetitions, min – max in brackets; each figure beside its limit measured in the same run (the ratio is figure / limit).',
    '',
  );
  if (report.busyWarning) lines.push(`> **Warning**: ${report.busyWarning}.`, '');
  lines.push(
    report.workload.missing ? `> **Query text**: ${report.workload.missing} (${report.workload.queries}).` : `Query text: ${report.workload.queries}.`,
    '',
  );
  lines.push(
    '| measure | original (documented) | this run | limit, same run | ratio | target | |',
    '|---|---|---|---|---|---|---|',
  );
  const direct = r.direct;
  const unmeasured = report.targets.filter((t) => t.measured === null);
  for (const t of report.targets) {
    if (t.measured === null) continue;
    let shown = figure(t.measured, t.unit, t.min, t.max);
    if (t.id === 'direct-caller-p99' && direct) shown += `; ${pct(direct.callerCostMicros, 'µs')}`;
    if (t.note) shown += ` (${t.note})`;
    const limit = t.limit ? `${t.limit.what}: ${figure(t.limit.measured, t.limit.unit, t.limit.min, t.limit.max)}` : '–';
    const ratio = t.vsLimit === undefined ? '–' : `${t.vsLimit.toFixed(2)}×`;
    lines.push(`| ${t.what} | ${t.original || '–'} | ${shown} | ${limit} | ${ratio} | ${targetText(t)} | ${verdict(t)} |`);
  }
  lines.push('');
  if (unmeasured.length > 0) lines.push(`Not measured in this run: ${unmeasured.map((t) => `${t.what}${t.note ? ` (${t.note})` : ''}`).join('; ')}.`, '');
  if (report.load.length > 0) {
    lines.push(
      'Load average (1, 5, 15 minutes) before and after each suite: ' +
        report.load.map((l) => `${l.suite} ${l.before.map((x) => x.toFixed(1)).join(' ')} → ${l.after.map((x) => x.toFixed(1)).join(' ')}${l.busy ? ' (**busy**)' : ''}`).join('; ') +
        '.',
      '',
    );
  }

  if (direct) {
    lines.push(
      '**Direct tracker** (in-process SQLite, default settings: secret redaction on, 50 ms / 2,000-change write batches; ' +
        'the host yields to its event loop every 1,000 calls):',
      '',
      `- caller's cost of trackInvocation + completer: ${pct(direct.callerCostMicros, 'µs')}; trackInvocation alone ${pct(direct.trackMicros, 'µs')}`,
      `- the same with \`redactSecrets: false\`: ${pct(direct.redactionOff.callerCostMicros, 'µs')}`,
      '',
      '| invocations | to disk per second (median) | min – max | repetitions | limit: raw inserts per second, before / after | ratio |',
      '|---:|---:|---:|---:|---:|---:|',
      ...direct.throughput.map(
        (t) =>
          `| ${int(t.invocations)} | ${int(t.perSecond.median)} | ${int(t.perSecond.min)} – ${int(t.perSecond.max)} | ${t.perSecond.repetitions.length} | ` +
          `${t.rawPerSecond ? t.rawPerSecond.repetitions.map(int).join(' / ') : '–'} | ${t.rawPerSecond ? (t.perSecond.median / t.rawPerSecond.median).toFixed(2) : '–'} |`,
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
    const e = r.mcp.echo;
    lines.push(
      `- limit, a bare MCP SDK server with one \`echo\` tool (same transport, same client): round trip with track_invocation's arguments ${pct(e.roundTripMillis, 'ms')}; ` +
        `the tracker's batches (${int(e.throughput.invocationsPerCall)} invocations, ${int(e.throughput.bytesPerCall)} bytes per call) ${int(e.throughput.perSecond.median)} invocations/s (min ${int(e.throughput.perSecond.min)}, max ${int(e.throughput.perSecond.max)})`,
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
  if (r.hooks) {
    const h = r.hooks;
    const range = (x: RepeatedRate) => `${num(x.median)} ms (${num(x.min)} – ${num(x.max)})`;
    lines.push(
      `**Claude Code hooks** on a store of ${int(h.storeInvocations)} invocations: the \`skills-hook\` command (\`SKILLS_BACKEND=direct\`, a fresh process per event, ` +
        `each beside a bare \`node -e ''\` start of the same run: ${range(h.bareNodeMillis)}), and the same events posted to a running server:`,
      '',
      '| event | command hook, wall time | × bare node | HTTP hook at the server, p50 / p95 (min – max) |',
      '|---|---:|---:|---:|',
      ...HOOK_EVENTS.map(
        (e) =>
          `| ${e} | ${range(h.command[e].millis)} | ${h.command[e].ratio.toFixed(2)} | ${num(h.http[e].p50)} / ${num(h.http[e].p95)} ms (${num(h.http[e].min)} – ${num(h.http[e].max)}) |`,
      ),
      `| \`skills --version\` / \`skills track\` | ${range(h.cli.version.millis)} / ${range(h.cli.track.millis)} | ${h.cli.version.ratio.toFixed(2)} / ${h.cli.track.ratio.toFixed(2)} | GET /health: ${num(h.healthMillis.p50)} / ${num(h.healthMillis.p95)} ms |`,
      '',
    );
    for (const problem of h.problems) lines.push(`- ${problem}`);
    if (h.problems.length) lines.push('');
  }
  if (r.recommend) {
    lines.push(
      `**Recommendations and storage** on ${r.recommend.workload} (about 20% of invocations ask a new query; lexical embedder; ms per \`recommend\`):`,
      '',
      ...recommendTable(r.recommend.sizes),
    );
    if (r.recommend.generated) lines.push(`The same on ${r.recommend.generated.workload}:`, '', ...recommendTable(r.recommend.generated.sizes));
    const skipped = r.recommend.sizes.find((s) => s.embedders)?.embedders.find((e) => e.skipped);
    if (skipped) lines.push(`Transformer embedder: skipped (${skipped.skipped}).`, '');
  }
  if (r.learned) {
    lines.push(
      `**Learned ranker** on ${r.learned.workload} (a full refit at a quarter of a core in the background; the online step is one write followed by the recommendation that learns it):`,
      '',
      ...learnedTable(r.learned.sizes),
    );
    for (const problem of r.learned.problems) lines.push(`- ${problem}`);
    if (r.learned.problems.length) lines.push('');
  }
  if (r.postgres) lines.push(...postgresSection(r.postgres, r));
  for (const e of report.errors) lines.push(`**${e.suite} failed**: ${e.message}`, '');
  return lines.join('\n');
}

/** The PostgreSQL column: beside its raw limits and beside SQLite in the same run, or why it was skipped. */
export function postgresSection(p: PostgresResults, r: BenchResults): string[] {
  if ('skipped' in p) return [`**PostgreSQL**: not measured: ${p.skipped}.`, ''];
  const d = p.database.settings;
  const lines = [
    `**PostgreSQL** on ${p.database.origin}: PostgreSQL ${d.version}, fsync ${d.fsync}, synchronous_commit ${d.synchronousCommit}, ` +
      `full_page_writes ${d.fullPageWrites}, shared_buffers ${d.sharedBuffers}` +
      (d.fsync === 'off' ? ' (fsync off: a crash of the machine may lose or corrupt data; the raw limits ran on the same server, so the ratios hold)' : '') +
      '. Writes beside raw `pg` writes of the same rows into the store\'s table, 1,000 rows a statement: COPY and the store\'s own INSERT without the foreign keys, and that INSERT with them:',
    '',
    '| writes | PostgreSQL per second (min – max) | limit: raw COPY / INSERT / INSERT with foreign keys | ratio to COPY | SQLite, same run |',
    '|---|---:|---:|---:|---:|',
  ];
  const raw = (l: RawPostgresLimits | undefined) =>
    l ? `${int(l.copy.median)} / ${int(l.insert.median)} / ${l.insertWithForeignKeys === undefined ? '–' : int(l.insertWithForeignKeys)}` : '–';
  const ratio = (rate: RepeatedRate, l: RawPostgresLimits | undefined) => (l ? `${(rate.median / l.copy.median).toFixed(2)}×` : '–');
  const range = (rate: RepeatedRate) => `${int(rate.median)} (${int(rate.min)} – ${int(rate.max)})`;
  for (const t of p.direct) {
    const lite = r.direct?.throughput.find((x) => x.invocations === t.invocations);
    lines.push(`| direct tracker, ${int(t.invocations)} invocations | ${range(t.perSecond)} | ${raw(t.raw)} | ${ratio(t.perSecond, t.raw)} | ${lite ? int(lite.perSecond.median) : '–'} |`);
  }
  const mcp = r.mcp?.throughput;
  lines.push(
    `| server (\`skills serve --db postgres://...\`, mcp tracker), ${int(p.server.invocations)} invocations | ${range(p.server.perSecond)} | ${raw(p.server.raw)} | ` +
      `${ratio(p.server.perSecond, p.server.raw)} | ${mcp ? `${int(mcp.perSecond.median)}${mcp.invocations === p.server.invocations ? '' : ` at ${int(mcp.invocations)}`}` : '–'} |`,
    '',
    `Recommendations (lexical embedder, ms per \`recommend\` of a query never seen), time to ready and the dashboard on ${p.workload}, SQLite at the same size in brackets where this run measured it:`,
    '',
    '| invocations | distinct queries | fill per second (applyBatch, 5,000 a transaction) | first open (embeds every query) | ready (reopen, vectors stored) | p50 / p99, a new query | dashboard overview, uncached |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const s of p.sizes) {
    if (s.error) {
      lines.push(`| ${int(s.invocations)} | failed: ${s.error} ||||||`);
      continue;
    }
    const lite = sizeResult(r, s.invocations);
    const lex = lexical(lite);
    const beside = (text: string, peer: number | undefined, unit: string) => (peer === undefined ? text : `${text} (${num(peer)}${unit})`);
    lines.push(
      `| ${int(s.invocations)} | ${s.distinctQueries === undefined ? '–' : int(s.distinctQueries)} | ${s.fillPerSecond === undefined ? '–' : int(s.fillPerSecond)} | ` +
        `${seconds(s.firstOpenSeconds)} | ${beside(seconds(s.readySeconds), lex?.readySeconds, ' s')} | ` +
        `${beside(`${num(s.freshMillis?.p50)} / ${num(s.freshMillis?.p99)}`, lex?.freshMillis?.p50, ' p50')} | ` +
        `${s.dashboardOverviewMillis === undefined ? '–' : beside(`${num(s.dashboardOverviewMillis)} ms`, lite?.dashboardMillis?.overview, ' ms')} |`,
    );
  }
  lines.push('');
  for (const problem of p.problems) lines.push(`- ${problem}`);
  if (p.problems.length) lines.push('');
  return lines;
}
