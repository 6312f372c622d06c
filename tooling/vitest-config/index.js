import { defineConfig, mergeConfig } from 'vitest/config';

/** The preset every package's vitest.config.ts extends. */
export const preset = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // better-sqlite3 is a native addon: forked workers isolate it more safely than threads.
    pool: 'forks',
    // One test file at a time: many files start servers, writers and CLI processes, and timing
    // claims (flush bounds, lock waits) need the cores. The root `pnpm test` also runs one package
    // at a time (turbo --concurrency=1), so at most one test file runs on the machine.
    fileParallelism: false,
    // Room for a loaded 2-core machine (the stress run: two busy processes beside the suite), yet a
    // hang still fails. Tests that wait for something use `waitFor` (./wait-for.js), not sleeps.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    restoreMocks: true,
  },
});

/** Extends the preset with package-specific settings. */
export function withPreset(config = {}) {
  return mergeConfig(preset, config);
}
