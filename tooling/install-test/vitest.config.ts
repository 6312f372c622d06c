import { withPreset } from '@skills/vitest-config';

// One pack-and-install per run, shared by the tests (beforeAll). It takes well under a minute when
// npm takes better-sqlite3's prebuilt binary (src/local-prebuild.ts), but npm compiles the driver
// from source (about a minute on 2 cores, more beside busy processes) when it resolves another
// version, and packing builds what turbo's cache lacks: so the hook gets far more than the preset's
// minute. Each command inside has its own deadline (src/run.ts), which names what hung.
export default withPreset({ test: { hookTimeout: 15 * 60_000, testTimeout: 3 * 60_000 } });
