import { withPreset } from '@skills/vitest-config';

// One pack-and-install per run, shared by the tests (beforeAll): npm compiles better-sqlite3 from
// source (about a minute on 2 cores), so the hook gets far more than the preset's minute. Each
// command inside has its own deadline (src/run.ts), which names what hung.
export default withPreset({ test: { hookTimeout: 15 * 60_000, testTimeout: 3 * 60_000 } });
