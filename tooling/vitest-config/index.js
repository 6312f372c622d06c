import { mergeConfig } from 'vitest/config';
import { filesMockingModules } from './isolation.js';

/** The preset every package's vitest.config.ts extends. */
export const preset = {
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // better-sqlite3 is a native addon: forked workers isolate it more safely than threads.
    pool: 'forks',
    // One test file at a time: many files start servers, writers and CLI processes, and timing
    // claims (flush bounds, lock waits) need the cores. The root `pnpm test` also runs one package
    // at a time (turbo --concurrency=1), so at most one test file runs on the machine.
    fileParallelism: false,
    // The files of a package run one after another in one worker, which keeps what it has loaded: a
    // fresh worker per file paid Node's start and the whole import graph again for each file
    // (store-sqlite spent 32 s of its 81 s importing, tracker 55 s of 363 s). So a test leaves
    // nothing behind: it closes what it opens and restores what it changes (spies: restoreMocks).
    // A package with a file that mocks a module (vi.mock) keeps a fresh worker per file (withPreset).
    isolate: false,
    // Room for a loaded 2-core machine (the stress run: two busy processes beside the suite), yet a
    // hang still fails. Tests that wait for something use `waitFor` (./wait-for.js), not sleeps.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    restoreMocks: true,
  },
};

/**
 * Extends the preset with package-specific settings. In a package where a test file mocks a
 * module with `vi.mock`, every file gets a fresh worker (`isolate: true`), since the mock would
 * not apply in a worker that already loaded the real module; the package's own `isolate` wins
 * over both.
 *
 * @param {import('vitest/config').ViteUserConfig} [config] the package's settings
 * @param {string} [root] the package folder; the current one (where `vitest` runs) by default
 */
export function withPreset(config = {}, root = process.cwd()) {
  const mocking = filesMockingModules(root);
  return mergeConfig(mergeConfig(preset, mocking.length > 0 ? { test: { isolate: true } } : {}), config);
}
