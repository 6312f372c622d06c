import { fileURLToPath } from 'node:url';
import { configDefaults } from 'vitest/config';
import { withPreset } from '@skills/vitest-config';

// The soak run (`pnpm test:soak`, vitest.soak.config.ts) is long: not part of the normal suite.
// One PostgreSQL server for the run's PostgreSQL tests: a throwaway cluster, or SKILLS_TEST_POSTGRES_URL.
export default withPreset({
  test: {
    exclude: [...configDefaults.exclude, 'src/**/*.soak.test.ts'],
    globalSetup: [fileURLToPath(import.meta.resolve('@skills/store-contract/postgres-setup'))],
  },
});
