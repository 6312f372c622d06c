import { defineConfig } from 'vitest/config';

/** `pnpm test:soak`: the long memory soak of the server, alone (one file, no other test beside it). */
export default defineConfig({
  test: {
    include: ['src/**/*.soak.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 15 * 60_000,
    hookTimeout: 60_000,
  },
});
