import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A hoisted module mock: it replaces a module for the whole file, before its imports. */
const MODULE_MOCK = /\bvi\.mock\(/;

/**
 * The test files under `root` (its src/ and test/ folders, as the preset includes them) that mock a
 * module with `vi.mock`. Such a file needs a fresh worker: in a shared one, an earlier file has
 * loaded the real module, and the mock would not apply. (A file can mock in a shared worker with
 * `vi.resetModules()`, `vi.doMock()` and a dynamic import, and `vi.doUnmock()` after.)
 *
 * @param {string} root the package folder
 * @returns {string[]} their paths, relative to `root`
 */
export function filesMockingModules(root) {
  return ['src', 'test']
    .filter((dir) => existsSync(join(root, dir)))
    .flatMap((dir) => readdirSync(join(root, dir), { recursive: true }).map((file) => join(dir, String(file))))
    .filter((file) => file.endsWith('.test.ts') && !file.split(/[\\/]/).includes('node_modules'))
    .filter((file) => MODULE_MOCK.test(readFileSync(join(root, file), 'utf8')));
}
