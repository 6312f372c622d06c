import { SkillsMcpClient } from '@skills/mcp-client';
import { finishedRecord, newInvocationId, pendingRecord, toMcpCompletion, toMcpRecord } from '@skills/protocol';
import { createSkillsTracker } from '@skills/tracker';
import { tempFolder } from '../fs.js';
import type { BenchPlan } from '../plan.js';
import { startEchoServer, startServer, type ServerProcess } from '../server-process.js';
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
import { recordingLogger } from './direct.js';

export interface McpResults {
  /** ms per `track_invocation` call, client to server and back on loopback (the server stores it before answering). */
  readonly trackRoundTripMillis: RepeatedPercentiles;
  /** ms per `complete_invocation` call. */
  readonly completeRoundTripMillis: RepeatedPercentiles;
  /** Invocations per second through the `mcp` tracker (batched `track_invocations`), counted on the server. */
  readonly throughput: { readonly invocations: number; readonly perSecond: RepeatedRate };
  /**
   * What the server's /metrics say about those batches: calls, invocations per call, and the
   * server's own time per call (the rest of a round trip is the client and the network).
   */
  readonly batches: { readonly calls: number; readonly invocationsPerCall: number; readonly serverMillisPerCall: number } | null;
  /**
   * The limit: a bare MCP SDK server with one `echo` tool on the same transport, called by the
   * same client. Its round trip carries track_invocation's arguments (timed right after each
   * track_invocation), and its throughput the same batches the tracker sends (a finished record
   * and its completion per invocation), one call in flight at a time.
   */
  readonly echo: {
    readonly roundTripMillis: RepeatedPercentiles;
    readonly throughput: { readonly perSecond: RepeatedRate; readonly invocationsPerCall: number; readonly bytesPerCall: number };
  };
  readonly problems: readonly string[];
}

/** The host waits for the server's acknowledgement this often, so nothing overflows to the spool. */
const FLUSH_EVERY = 5_000;
const HOST_YIELD_EVERY = 1_000;

export async function runMcp(plan: BenchPlan, log: (line: string) => void): Promise<McpResults> {
  const folder = tempFolder();
  const logger = recordingLogger();
  log('mcp: starting the server');
  const server = await startServer(folder.file('server.db'), folder.path);
  let echo: ServerProcess | undefined;
  try {
    const client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 10_000, clientName: 'skills-bench' });
    echo = await startEchoServer(folder.path);
    const echoClient = await SkillsMcpClient.connect({ url: echo.url, timeoutMs: 10_000, clientName: 'skills-bench' });
    const items = new CompactWorkload(Math.max(plan.mcp.throughputSize, plan.mcp.roundTrips + plan.mcp.warmup), { seed: 23 });
    const track = [];
    const complete = [];
    const echoed = [];
    log(`mcp: ${plan.mcp.roundTrips} round trips of track_invocation and complete_invocation, ${plan.mcp.repetitions} repetitions`);
    for (let rep = 0; rep < plan.mcp.repetitions; rep++) {
      const trackSamples: number[] = [];
      const completeSamples: number[] = [];
      const echoSamples: number[] = [];
      for (let i = 0; i < plan.mcp.warmup + plan.mcp.roundTrips; i++) {
        const input = items.input(i);
        const args = {
          session_id: `bench-${rep}`,
          skill_name: input.skillName,
          ...(input.userQuery ? { user_query: input.userQuery } : {}),
          ...(input.workflowPhase ? { workflow_phase: input.workflowPhase } : {}),
        };
        const t0 = performance.now();
        const { invocation_id } = await client.trackInvocation(args);
        const t1 = performance.now();
        await client.completeInvocation({ invocation_id, completed: items.result(i).completed });
        const t2 = performance.now();
        const answer = await echoClient.callTool('echo', args);
        const t3 = performance.now();
        if (answer.isError) throw new Error(`mcp: the echo tool failed: ${JSON.stringify(answer.content)}`);
        if (i >= plan.mcp.warmup) {
          trackSamples.push(t1 - t0);
          completeSamples.push(t2 - t1);
          echoSamples.push(t3 - t2);
        }
      }
      track.push(percentiles(trackSamples));
      complete.push(percentiles(completeSamples));
      echoed.push(percentiles(echoSamples));
    }

    const size = plan.mcp.throughputSize;
    const rates = [];
    log(`mcp: ${size.toLocaleString('en-US')} invocations through the mcp tracker, ${plan.mcp.throughputRepetitions} repetitions`);
    const metricsBefore = await toolMetrics(server.url, 'track_invocations');
    for (let rep = 0; rep < plan.mcp.throughputRepetitions; rep++) {
      const before = (await client.healthCheck()).database.invocations ?? 0;
      const tracker = await createSkillsTracker({
        backend: 'mcp',
        mcpServerUrl: server.url,
        mcpTimeoutMs: 10_000,
        dbPath: folder.file(`client-${rep}.db`),
        cwd: folder.path,
        env: {},
        sessionId: `bench-throughput-${rep}`,
        logger,
      });
      collectGarbage();
      const start = performance.now();
      for (let i = 0; i < size; i++) {
        tracker.trackInvocation(items.input(i))!(items.result(i));
        if (i % FLUSH_EVERY === FLUSH_EVERY - 1) await tracker.flush();
        else if (i % HOST_YIELD_EVERY === HOST_YIELD_EVERY - 1) await yieldToEventLoop();
      }
      await tracker.close();
      const seconds = (performance.now() - start) / 1000;
      const backend = tracker.getBackend();
      const after = (await client.healthCheck()).database.invocations ?? 0;
      if (backend.kind !== 'mcp' || after - before !== size) {
        throw new Error(
          `mcp throughput: the server holds ${after - before} of ${size} invocations (backend ${backend.kind}` +
            `${backend.fallback ? `, fell back: ${backend.fallback.reason}` : ''}; ${logger.problems.join('; ')})`,
        );
      }
      rates.push(size / seconds);
    }
    const metricsAfter = await toolMetrics(server.url, 'track_invocations');
    await client.close();
    const calls = metricsBefore && metricsAfter ? metricsAfter.count - metricsBefore.count : 0;
    const invocationsPerCall = calls > 0 ? Math.round((size * plan.mcp.throughputRepetitions) / calls) : TRACKER_BATCH;
    log(`mcp: the same batches (${invocationsPerCall} invocations per call) to the bare echo server, ${plan.mcp.throughputRepetitions} repetitions`);
    const batches = trackerBatches(items, size, invocationsPerCall);
    const echoRates = [];
    for (let rep = 0; rep < plan.mcp.throughputRepetitions; rep++) {
      collectGarbage();
      const start = performance.now();
      for (const batch of batches) {
        const answer = await echoClient.callTool('echo', batch);
        if (answer.isError) throw new Error(`mcp: the echo tool failed: ${JSON.stringify(answer.content)}`);
      }
      echoRates.push(size / ((performance.now() - start) / 1000));
    }
    await echoClient.close();
    return {
      trackRoundTripMillis: medianOfPercentiles(track),
      completeRoundTripMillis: medianOfPercentiles(complete),
      throughput: { invocations: size, perSecond: repeatedRate(rates) },
      batches:
        calls > 0
          ? {
              calls,
              invocationsPerCall: (size * plan.mcp.throughputRepetitions) / calls,
              serverMillisPerCall: ((metricsAfter!.sum - metricsBefore!.sum) * 1000) / calls,
            }
          : null,
      echo: {
        roundTripMillis: medianOfPercentiles(echoed),
        throughput: { perSecond: repeatedRate(echoRates), invocationsPerCall, bytesPerCall: JSON.stringify(batches[0] ?? {}).length },
      },
      problems: logger.problems,
    };
  } finally {
    await echo?.stop();
    await server.stop();
    folder.remove();
  }
}

/** Count and total seconds of one tool's calls, from the server's Prometheus text; null when not there. */
async function toolMetrics(url: string, tool: string): Promise<{ count: number; sum: number } | null> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const value = (suffix: string) => {
      const match = new RegExp(`^skills_tool_call_duration_seconds_${suffix}\\{[^}]*tool="${tool}"[^}]*\\} (\\S+)$`, 'm').exec(text);
      return match ? Number(match[1]) : Number.NaN;
    };
    const count = value('count');
    const sum = value('sum');
    return Number.isFinite(count) && Number.isFinite(sum) ? { count, sum } : { count: 0, sum: 0 };
  } catch {
    return null;
  }
}

/** Entries per track_invocations call of the mcp tracker (its default batch size). */
const TRACKER_BATCH = 500;

/**
 * The track_invocations arguments the mcp tracker sends for `size` invocations tracked and
 * completed at once: per invocation its finished record and its completion, `perCall` a call.
 */
function trackerBatches(items: CompactWorkload, size: number, perCall: number): Array<Record<string, unknown>> {
  const batches = [];
  for (let first = 0; first < size; first += perCall) {
    const invocations = [];
    const completions = [];
    for (let i = first; i < Math.min(size, first + perCall); i++) {
      const now = Date.now();
      const pending = pendingRecord(items.input(i), { id: newInvocationId(now), sessionId: 'bench-echo', invokedAt: new Date(now).toISOString() });
      const result = items.result(i);
      const completion = { id: pending.id, ...result, completedAt: new Date(now + 1200).toISOString(), durationSeconds: items.durationSeconds(i), followUpActions: [] };
      invocations.push(toMcpRecord(finishedRecord(pending, completion)));
      completions.push(toMcpCompletion(completion));
    }
    batches.push({ invocations, completions });
  }
  return batches;
}
