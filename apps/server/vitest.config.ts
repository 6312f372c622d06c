import { configDefaults } from 'vitest/config';
import { withPreset } from '@skills/vitest-config';

// The soak run (`pnpm test:soak`, vitest.soak.config.ts) is long: not part of the normal suite.
export default withPreset({ test: { exclude: [...configDefaults.exclude, 'src/**/*.soak.test.ts'] } });
