import type { ViteUserConfig } from 'vitest/config';
export declare const preset: ViteUserConfig;
/**
 * Extends the preset with package-specific settings. In a package where a test file mocks a
 * module with `vi.mock`, every file gets a fresh worker (`isolate: true`); the
 * package's own `isolate` wins over both.
 * @param config the package's settings
 * @param root the package folder; the current one (where `vitest` runs) by default
 */
export declare function withPreset(config?: ViteUserConfig, root?: string): ViteUserConfig;
