import { fileURLToPath } from 'node:url';
import { withPreset } from '@skills/vitest-config';

// One PostgreSQL server for the run's PostgreSQL tests: a throwaway cluster, or SKILLS_TEST_POSTGRES_URL.
export default withPreset({ test: { globalSetup: [fileURLToPath(import.meta.resolve('@skills/store-contract/postgres-setup'))] } });
