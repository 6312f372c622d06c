// Runs every benchmark's code path at tiny sizes, so CI proves `pnpm bench` works. No timing is
// asserted: this machine's speed is not the test's business.
import { describe, expect, it } from 'vitest';
import { TINY } from './plan.js';
import { markdown } from './report.js';
import { runBench } from './run.js';

describe('pnpm bench', () => {
  it('runs every suite at tiny sizes and reports every figure', async () => {
    const report = await runBench({ plan: TINY });
    expect(report.errors).toEqual([]);
    const { direct, noop, mcp, recommend } = report.results;
    expect(direct?.throughput.map((t) => t.invocations)).toEqual(TINY.direct.throughputSizes);
    expect(direct?.callerCostMicros.p99).toBeGreaterThan(0);
    expect(direct?.problems).toEqual([]);
    expect(noop?.nanosPerCall.median).toBeGreaterThan(0);
    expect(mcp?.trackRoundTripMillis.samples).toBe(TINY.mcp.roundTrips);
    expect(mcp?.throughput.perSecond.median).toBeGreaterThan(0);
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
    expect(report.targets.length).toBeGreaterThan(5);
    const table = markdown(report);
    expect(table).toContain('| measure | original (documented) | target | this run | |');
    expect(JSON.parse(JSON.stringify(report))).toMatchObject({ tool: '@skills/bench', mode: 'tiny', node: process.version });
  }, 120_000);
});
