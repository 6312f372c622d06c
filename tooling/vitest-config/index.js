import { defineConfig, mergeConfig } from 'vitest/config';

/** The preset every package's vitest.config.ts extends. */
export const preset = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // better-sqlite3 is a native addon: forked workers isolate it more safely than threads.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    restoreMocks: true,
  },
});

/** Extends the preset with package-specific settings. */
export function withPreset(config = {}) {
  return mergeConfig(preset, config);
}
