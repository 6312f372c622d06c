import { openSqliteStore } from '@skills/store-sqlite';
import { createSkillsTracker } from '@skills/tracker';
import type { Logger, SkillsTracker } from '@skills/protocol';
import { tempFolder } from '../fs.js';
import type { BenchPlan } from '../plan.js';
import {
  collectGarbage,
  medianOfPercentiles,
  percentiles,
  repeatedRate,
  yieldToEventLoop,
  type RepeatedPercentiles,
  type RepeatedRate,
} from '../stats.js';
import { CompactWorkload } from '../workload.js';
import { rawInsertRate } from './raw-sqlite.js';

/** A logger that keeps what the tracker reports: a benchmark that lost writes must say so. */
export function recordingLogger(): Logger & { readonly problems: string[] } {
  const problems: string[] = [];
  return {
    problems,
    debug() {},
    info() {},
    warn: (m) => problems.push(`warning: ${m}`),
    error: (m) => problems.push(`error: ${m}`),
  };
}

export interface DirectResults {
  /** µs per call of trackInvocation + its completer, timed one by one. */
  readonly callerCostMicros: RepeatedPercentiles;
  /** µs per call of trackInvocation alone. */
  readonly trackMicros: RepeatedPercentiles;
  /** Invocations per second from the first call until close() resolved, all of them on disk. */
  readonly throughput: ReadonlyArray<{
    readonly invocations: number;
    readonly perSecond: RepeatedRate;
    /**
     * The limit: raw better-sqlite3 inserts of the same rows into the same kind of file, in this
     * process, right before and right after the tracker's repetitions (sizes from 300).
     */
    readonly rawPerSecond?: RepeatedRate;
  }>;
  /** The caller's cost with `redactSecrets: false` (secret redaction is on by default). */
  readonly redactionOff: { readonly callerCostMicros: RepeatedPercentiles };
  readonly problems: readonly string[];
}

const HOST_YIELD_EVERY = 1_000;
/** Sizes from which the raw insert limit is measured beside the tracker (below, fixed costs dominate both). */
const RAW_FROM = 300;

async function openTracker(folder: string, logger: Logger, redactSecrets = true): Promise<SkillsTracker> {
  return createSkillsTracker({
    backend: 'direct',
    dbPath: `${folder}/skills.db`,
    cwd: folder,
    env: {},
    sessionId: 'bench-session',
    logger,
    redactSecrets,
    embedder: 'lexical',
  });
}

/** The caller's cost: each trackInvocation + completer pair timed alone, the event loop let run between chunks. */
async function callerCost(
  plan: BenchPlan,
  items: CompactWorkload,
  logger: Logger,
  redactSecrets: boolean,
): Promise<{ both: RepeatedPercentiles; track: RepeatedPercentiles }> {
  const both = [];
  const track = [];
  for (let rep = 0; rep < plan.direct.latencyRepetitions; rep++) {
    const folder = tempFolder();
    try {
      const tracker = await openTracker(folder.path, logger, redactSecrets);
      const n = plan.direct.latencyCalls;
      const pair = new Float64Array(n);
      const alone = new Float64Array(n);
      const total = plan.direct.warmup + n;
      collectGarbage();
      for (let i = 0; i < total; i++) {
        const input = items.input(i % items.count);
        const result = items.result(i % items.count);
        const t0 = performance.now();
        const done = tracker.trackInvocation(input);
        const t1 = performance.now();
        done!(result);
        const t2 = performance.now();
        if (i >= plan.direct.warmup) {
          pair[i - plan.direct.warmup] = (t2 - t0) * 1000;
          alone[i - plan.direct.warmup] = (t1 - t0) * 1000;
        }
        if (i % HOST_YIELD_EVERY === HOST_YIELD_EVERY - 1) await yieldToEventLoop();
      }
      await tracker.close();
      both.push(percentiles(pair));
      track.push(percentiles(alone));
    } finally {
      folder.remove();
    }
  }
  return { both: medianOfPercentiles(both), track: medianOfPercentiles(track) };
}

/**
 * Seconds from the first of `size` invocations tracked (completed at once, as a host does) until
 * `tracker.close()` resolved: every write durable. Yields to the event loop as a host would.
 */
export async function secondsToTrackAndClose(tracker: SkillsTracker, size: number, items: CompactWorkload): Promise<number> {
  collectGarbage();
  const start = performance.now();
  for (let i = 0; i < size; i++) {
    const k = i % items.count;
    tracker.trackInvocation(items.input(k))!(items.result(k));
    if (i % HOST_YIELD_EVERY === HOST_YIELD_EVERY - 1) await yieldToEventLoop();
  }
  await tracker.close();
  return (performance.now() - start) / 1000;
}

/**
 * Invocations per second to durable storage: from the first trackInvocation until close()
 * resolved, then the file is opened again and must hold every one of them.
 */
export async function throughputToDisk(size: number, items: CompactWorkload, logger: Logger): Promise<number> {
  const folder = tempFolder();
  try {
    const tracker = await openTracker(folder.path, logger);
    const seconds = await secondsToTrackAndClose(tracker, size, items);
    const failures = tracker.health().failures;
    const store = await openSqliteStore({ path: folder.file('skills.db'), readonly: true });
    const stored = await store.countInvocations();
    const finished = (await store.countInvocations({ status: 'completed' })) + (await store.countInvocations({ status: 'failed' }));
    await store.close();
    if (stored !== size || finished !== size || failures > 0) {
      throw new Error(`direct throughput: ${finished} of ${size} invocations are on disk, finished (${stored} stored, ${failures} write failures)`);
    }
    return size / seconds;
  } finally {
    folder.remove();
  }
}

export async function runDirect(plan: BenchPlan, log: (line: string) => void): Promise<DirectResults> {
  const logger = recordingLogger();
  const largest = Math.max(...plan.direct.throughputSizes);
  const items = new CompactWorkload(Math.max(largest, plan.direct.warmup + plan.direct.latencyCalls), { seed: 11 });

  log('direct: caller cost of trackInvocation + completer');
  const cost = await callerCost(plan, items, logger, true);
  log('direct: the same with redactSecrets off');
  const costNoRedaction = await callerCost(plan, items, logger, false);

  const throughput = [];
  for (const size of plan.direct.throughputSizes) {
    const reps = plan.direct.throughputRepetitions(size);
    log(`direct: ${size.toLocaleString('en-US')} invocations to disk, ${reps} repetitions`);
    // One untimed run first: the first open of a file pays for loading the code paths.
    if (size < 10_000) await throughputToDisk(size, items, logger);
    const raw = size >= RAW_FROM ? [rawInsertRate(size, items)] : [];
    const rates = [];
    for (let rep = 0; rep < reps; rep++) rates.push(await throughputToDisk(size, items, logger));
    if (raw.length) {
      raw.push(rawInsertRate(size, items));
      log(`direct: raw better-sqlite3 inserts of the same rows: ${raw.map((r) => Math.round(r).toLocaleString('en-US')).join(' before, ')} after, per second`);
    }
    throughput.push({ invocations: size, perSecond: repeatedRate(rates), ...(raw.length ? { rawPerSecond: repeatedRate(raw) } : {}) });
  }
  return {
    callerCostMicros: cost.both,
    trackMicros: cost.track,
    throughput,
    redactionOff: { callerCostMicros: costNoRedaction.both },
    problems: logger.problems,
  };
}

export interface NoopResults {
  /** ns per trackInvocation + optional-chained completer call on the disabled tracker. */
  readonly nanosPerCall: RepeatedRate;
  /** ns per iteration of the same loop calling nothing (what the loop itself costs). */
  readonly emptyLoopNanos: RepeatedRate;
}

export async function runNoop(plan: BenchPlan, log: (line: string) => void): Promise<NoopResults> {
  log('no-op: cost per call');
  const folder = tempFolder();
  const tracker = await createSkillsTracker({ enabled: false, env: {}, cwd: folder.path });
  folder.remove();
  const input = { skillName: 'code-reviewer', userQuery: 'review my change' };
  const result = { completed: true };
  const perCall = [];
  const empty = [];
  let sink = 0;
  for (let rep = 0; rep < plan.noop.repetitions + 1; rep++) {
    const n = plan.noop.calls;
    let t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const done = tracker.trackInvocation(input);
      done?.(result);
      if (done === null) sink++;
    }
    const calls = ((performance.now() - t0) * 1e6) / n;
    t0 = performance.now();
    for (let i = 0; i < n; i++) if (input !== null) sink++;
    const loop = ((performance.now() - t0) * 1e6) / n;
    if (rep > 0) {
      // the first repetition warms up
      perCall.push(calls);
      empty.push(loop);
    }
  }
  if (sink === 0) throw new Error('unreachable');
  return { nanosPerCall: repeatedRate(perCall), emptyLoopNanos: repeatedRate(empty) };
}
