/** How big and how often: one plan per mode. */
export interface BenchPlan {
  readonly mode: 'full' | 'quick' | 'tiny';
  readonly direct: {
    /** Calls timed one by one, per repetition, after `warmup` untimed calls. */
    readonly latencyCalls: number;
    readonly warmup: number;
    readonly latencyRepetitions: number;
    /** Invocation counts whose time to durable storage is measured, and repetitions of each. */
    readonly throughputSizes: readonly number[];
    readonly throughputRepetitions: (size: number) => number;
  };
  readonly noop: { readonly calls: number; readonly repetitions: number };
  readonly mcp: {
    readonly roundTrips: number;
    readonly warmup: number;
    readonly repetitions: number;
    readonly throughputSize: number;
    readonly throughputRepetitions: number;
  };
  readonly hooks: {
    /** Invocations in the store the hooks write to and recommend from. */
    readonly storeInvocations: number;
    /** Sessions of fresh hook processes timed (six events each, each beside a bare Node start), after `commandWarmup` untimed. */
    readonly commandRounds: number;
    readonly commandWarmup: number;
    /** Sessions posted to the server's hook endpoint, after `httpWarmup` untimed. */
    readonly httpRounds: number;
    readonly httpWarmup: number;
  };
  readonly recommend: {
    /** Store sizes (invocations) measured. */
    readonly sizes: readonly number[];
    /** Queries timed per case (cached, fresh), after `warmup`. */
    readonly queries: number;
    readonly warmup: number;
    /** Sizes whose storage and server memory are reported. */
    readonly storageSizes: readonly number[];
    /** Sizes measured again on generated text when the workload is real text (both are reported). */
    readonly generatedSizes: readonly number[];
  };
  readonly learned: {
    /** Store sizes (invocations) whose full fit, saved model and reopening are measured. */
    readonly sizes: readonly number[];
    /** Invocations written one at a time, each followed by the recommendation that learns it (the online step). */
    readonly onlineSamples: number;
  };
  readonly postgres: {
    /** Invocations written through the direct tracker into PostgreSQL, and repetitions of each (the raw limits before and after). */
    readonly throughputSizes: readonly number[];
    readonly throughputRepetitions: (size: number) => number;
    /** Invocations sent through a server on PostgreSQL (the `mcp` tracker), and repetitions. */
    readonly serverSize: number;
    readonly serverRepetitions: number;
    /** Store sizes whose recommendations and time to ready are measured; the largest also times the dashboard. */
    readonly recommendSizes: readonly number[];
    /** Queries timed per size, after `warmup`. */
    readonly queries: number;
    readonly warmup: number;
  };
}

export const FULL: BenchPlan = {
  mode: 'full',
  direct: {
    latencyCalls: 200_000,
    warmup: 20_000,
    latencyRepetitions: 5,
    throughputSizes: [1, 100, 10_000, 100_000, 1_000_000],
    throughputRepetitions: (size) => (size >= 1_000_000 ? 3 : size >= 100_000 ? 5 : 7),
  },
  noop: { calls: 20_000_000, repetitions: 5 },
  mcp: { roundTrips: 2_000, warmup: 200, repetitions: 3, throughputSize: 100_000, throughputRepetitions: 3 },
  hooks: { storeInvocations: 100_000, commandRounds: 15, commandWarmup: 1, httpRounds: 200, httpWarmup: 5 },
  recommend: { sizes: [10_000, 100_000, 1_000_000], queries: 200, warmup: 20, storageSizes: [100_000, 1_000_000], generatedSizes: [100_000, 1_000_000] },
  learned: { sizes: [100_000, 1_000_000], onlineSamples: 200 },
  postgres: {
    throughputSizes: [10_000, 100_000, 1_000_000],
    throughputRepetitions: (size) => (size >= 1_000_000 ? 1 : 3),
    serverSize: 100_000,
    serverRepetitions: 3,
    recommendSizes: [100_000, 1_000_000],
    queries: 200,
    warmup: 20,
  },
};

export const QUICK: BenchPlan = {
  mode: 'quick',
  direct: {
    latencyCalls: 20_000,
    warmup: 2_000,
    latencyRepetitions: 3,
    throughputSizes: [1, 100, 10_000],
    throughputRepetitions: () => 3,
  },
  noop: { calls: 2_000_000, repetitions: 3 },
  mcp: { roundTrips: 300, warmup: 50, repetitions: 2, throughputSize: 5_000, throughputRepetitions: 2 },
  hooks: { storeInvocations: 10_000, commandRounds: 4, commandWarmup: 1, httpRounds: 50, httpWarmup: 3 },
  recommend: { sizes: [1_000, 10_000], queries: 50, warmup: 5, storageSizes: [10_000], generatedSizes: [10_000] },
  learned: { sizes: [10_000], onlineSamples: 50 },
  postgres: {
    throughputSizes: [10_000],
    throughputRepetitions: () => 2,
    serverSize: 5_000,
    serverRepetitions: 2,
    recommendSizes: [1_000, 10_000],
    queries: 50,
    warmup: 5,
  },
};

/** The quick mode's code paths at sizes that take seconds: for the test. */
export const TINY: BenchPlan = {
  mode: 'tiny',
  direct: {
    latencyCalls: 500,
    warmup: 100,
    latencyRepetitions: 1,
    throughputSizes: [1, 300],
    throughputRepetitions: () => 1,
  },
  noop: { calls: 10_000, repetitions: 1 },
  mcp: { roundTrips: 20, warmup: 5, repetitions: 1, throughputSize: 300, throughputRepetitions: 1 },
  hooks: { storeInvocations: 300, commandRounds: 1, commandWarmup: 0, httpRounds: 2, httpWarmup: 1 },
  recommend: { sizes: [300], queries: 5, warmup: 1, storageSizes: [300], generatedSizes: [300] },
  learned: { sizes: [1_000], onlineSamples: 10 },
  postgres: {
    throughputSizes: [300],
    throughputRepetitions: () => 1,
    serverSize: 300,
    serverRepetitions: 1,
    recommendSizes: [300],
    queries: 5,
    warmup: 1,
  },
};
