import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { memoryLogger, tempDir } from './test-support/temp.js';

/*
 * `@skills/store-sqlite` is an optional peer of the tracker, but the tracker's own tests need
 * it installed (it is a devDependency), so uninstalling it here would break every other test
 * file sharing node_modules. Its absence is simulated instead: importing it fails as a missing
 * package does. The test files share a worker, where an earlier file may have loaded the tracker
 * with the real package: the tracker (and the error class it throws) is imported afresh after the
 * mock, and the mock is removed for the files after this one.
 */
let createSkillsTracker: typeof import('./create-tracker.js').createSkillsTracker;
let NotAvailableError: typeof import('@skills/protocol').NotAvailableError;
beforeAll(async () => {
  vi.resetModules();
  vi.doMock('@skills/store-sqlite', () => {
    throw new Error("Cannot find package '@skills/store-sqlite' imported from the tracker");
  });
  ({ createSkillsTracker } = await import('./create-tracker.js'));
  ({ NotAvailableError } = await import('@skills/protocol'));
});
afterAll(() => {
  vi.doUnmock('@skills/store-sqlite');
  vi.resetModules();
});

const AWAY = 'http://127.0.0.1:1';

describe('without @skills/store-sqlite installed', () => {
  it('the default engine is refused with an error naming the package, and nothing is created', async () => {
    const cwd = tempDir();
    const error = await createSkillsTracker({ backend: 'direct', cwd, env: {}, logger: memoryLogger() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotAvailableError);
    expect((error as Error).message).toMatch(
      /^opening a store without the option `engines` needs @skills\/store-sqlite, which could not be loaded \(.*\): install it \(npm install @skills\/store-sqlite\)$/,
    );
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("the mcp backend's spool is refused with an error naming the package", async () => {
    const cwd = tempDir();
    const error = await createSkillsTracker({ backend: 'mcp', mcpServerUrl: AWAY, cwd, env: {}, logger: memoryLogger() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotAvailableError);
    expect((error as Error).message).toContain("the spool of the 'mcp' and 'auto' backends needs @skills/store-sqlite");
  });

  it('a disabled tracker needs no engine at all', async () => {
    const tracker = await createSkillsTracker({ enabled: false, env: {} });
    expect(tracker.getBackend().kind).toBe('none');
  });
});
