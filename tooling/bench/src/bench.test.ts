// Runs every benchmark's code path at tiny sizes, so CI proves `pnpm bench` works. No timing is
// asserted: this machine's speed is not the test's business.
import { describe, expect, it } from 'vitest';
import { TINY } from './plan.js';
import { markdown } from './report.js';
import { workloadSource } from './query-sources.js';
import { busyWarning, runBench, SUITES } from './run.js';
import { HOOK_EVENTS } from './suites/hooks.js';

describe('pnpm bench', () => {
  it('runs every suite at tiny sizes and reports every figure', async () => {
    const report = await runBench({ plan: TINY });
    expect(report.errors).toEqual([]);
    const { direct, noop, mcp, hooks, recommend, learned } = report.results;
    expect(direct?.throughput.map((t) => t.invocations)).toEqual(TINY.direct.throughputSizes);
    // The raw insert limit, right before and after the tracker's run of 300.
    expect(direct?.throughput[1]?.rawPerSecond?.repetitions).toHaveLength(2);
    expect(direct?.callerCostMicros.p99).toBeGreaterThan(0);
    expect(direct?.problems).toEqual([]);
    expect(noop?.nanosPerCall.median).toBeGreaterThan(0);
    expect(mcp?.trackRoundTripMillis.samples).toBe(TINY.mcp.roundTrips);
    expect(mcp?.throughput.perSecond.median).toBeGreaterThan(0);
    expect(mcp?.echo.roundTripMillis.samples).toBe(TINY.mcp.roundTrips);
    expect(mcp?.echo.throughput.perSecond.median).toBeGreaterThan(0);
    expect(mcp?.echo.throughput.bytesPerCall).toBeGreaterThan(1000);
    // Every hook event timed as a fresh process (Pre twice a session) and at the server.
    for (const event of HOOK_EVENTS) {
      expect(hooks?.command[event].millis.repetitions).toHaveLength(TINY.hooks.commandRounds * (event === 'PreToolUse' ? 2 : 1));
      expect(hooks?.command[event].ratio).toBeGreaterThan(0);
      expect(hooks?.http[event].samples).toBe(TINY.hooks.httpRounds * (event === 'PreToolUse' ? 2 : 1));
    }
    expect(hooks?.bareNodeMillis.repetitions).toHaveLength(7 * TINY.hooks.commandRounds);
    expect(hooks?.cli.track.millis.median).toBeGreaterThan(0);
    expect(hooks?.healthMillis.samples).toBe(TINY.hooks.httpRounds);
    expect(hooks?.problems).toEqual([]);
    expect(recommend?.sizes.map((s) => s.invocations)).toEqual(TINY.recommend.sizes);
    const size = recommend!.sizes[0]!;
    expect(size.embedders[0]?.freshMillis?.samples).toBe(TINY.recommend.queries);
    // The transformer is measured when a model is on this machine, and otherwise skipped saying why;
    // never failed, never missing.
    const transformer = size.embedders[1];
    if (transformer?.skipped === undefined) {
      expect(transformer).toMatchObject({ embedder: expect.stringMatching(/^transformer\//), freshMillis: { samples: TINY.recommend.queries } });
      expect(transformer?.error).toBeUndefined();
    } else expect(transformer).toEqual({ embedder: 'transformer', skipped: expect.stringMatching(/^no local model: \S/) });
    expect(size.embedders).toHaveLength(2);
    expect(size.serverMemory === null || size.serverMemory.rssBytes > 0).toBe(true);
    // The index finds exactly what the brute-force scan finds.
    expect(size.scan).toMatchObject({ queries: TINY.recommend.queries, sameNeighbours: TINY.recommend.queries });
    // Real text where the MetaTool data is on this machine, and then generated text as well.
    const { source } = workloadSource();
    expect(recommend?.workload).toBe(source.description);
    if (source.name === 'metatool') expect(recommend?.generated?.sizes.map((s) => s.invocations)).toEqual(TINY.recommend.generatedSizes);
    else expect(report.workload.missing).toMatch(/the MetaTool data is not on this machine/);
    // The learned ranker: a full fit, its saved model, a reopening that needs no refit, the online step.
    expect(learned?.sizes.map((s) => s.invocations)).toEqual(TINY.learned.sizes);
    const fitted = learned!.sizes[0]!;
    expect(fitted).toMatchObject({ reopenFits: 0, afterWriteMillis: { learned: { samples: TINY.learned.onlineSamples }, similarity: { samples: TINY.learned.onlineSamples } } });
    expect(fitted.rows).toBeGreaterThan(0);
    expect(fitted.fullFitWorkSeconds).toBeGreaterThan(0);
    expect(fitted.persistedBytes).toBeGreaterThan(0);
    expect(learned?.problems).toEqual([]);
    for (const id of ['fit', 'online', 'model', 'reopen']) expect(report.targets.find((t) => t.id === `learned-${id}-${TINY.learned.sizes[0]}`)?.measured).toBeGreaterThan(0);
    expect(report.load.map((l) => l.suite)).toEqual([...SUITES]);
    expect(report.busyWarning === null || report.busyWarning.startsWith('the machine was busy during')).toBe(true);
    expect(report.targets.length).toBeGreaterThan(5);
    const table = markdown(report);
    expect(table).toContain('| measure | original (documented) | this run | limit, same run | ratio | target | |');
    expect(table).toMatch(/\| Command hook `PreToolUse`.*\| bare `node -e ''`: [\d.]+ ms.*\| ratio ≤ 1.5 \|/);
    expect(table).toMatch(/\| Learned ranker, 1,000 invocations: reopen with the saved model and answer \|.*\| no refit on reopening \| met \|/);
    expect(table).toContain('**Learned ranker** on ');
    expect(JSON.parse(JSON.stringify(report))).toMatchObject({ tool: '@skills/bench', mode: 'tiny', node: process.version });
  }, 300_000);

  it('warns when the 1-minute load before or after a suite was above the number of cores', () => {
    const quiet = { suite: 'noop', before: [0.5, 0.4, 0.3], after: [1.9, 0.5, 0.3], busy: false };
    const busy = { suite: 'hooks', before: [1.2, 1, 1], after: [3.4, 2, 1], busy: true };
    expect(busyWarning([quiet], 2)).toBeNull();
    expect(busyWarning([quiet, busy], 2)).toBe(
      'the machine was busy during hooks (1-minute load up to 3.4 on 2 cores): absolute figures are slower than on a quiet machine; ' +
        'the ratios to limits measured in the same run move less',
    );
  });
});
