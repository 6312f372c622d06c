import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withPreset } from '../index.js';
import { filesMockingModules } from '../isolation.js';

/** A module mock's call, spelled so that the detector does not take this file for one. */
const MOCK = ['vi', 'mock('].join('.');
const made: string[] = [];
afterEach(() => made.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A package folder holding `files` (path relative to it: content). */
function pkg(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'vitest-config-'));
  made.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('withPreset', () => {
  it("runs a package's files in one shared worker", () => {
    const root = pkg({ 'src/a.test.ts': "it('a', () => {});", 'src/deep/b.test.ts': "vi.doMock('x', () => ({}));" });
    expect(filesMockingModules(root)).toEqual([]);
    expect(withPreset({}, root).test).toMatchObject({ isolate: false, fileParallelism: false, pool: 'forks' });
  });

  it('gives each file a fresh worker in a package where a test file mocks a module with vi.mock', () => {
    const root = pkg({ 'src/a.test.ts': "it('a', () => {});", 'test/deep/b.test.ts': `${MOCK}'x', () => ({}));`, 'src/c.ts': `${MOCK}'y');` });
    expect(filesMockingModules(root)).toEqual([join('test', 'deep', 'b.test.ts')]);
    expect(withPreset({}, root).test?.isolate).toBe(true);
  });

  it("lets the package's own setting win", () => {
    const root = pkg({ 'src/b.test.ts': `${MOCK}'x', () => ({}));` });
    expect(withPreset({ test: { isolate: false } }, root).test?.isolate).toBe(false);
    expect(withPreset({ test: { isolate: true } }, pkg({})).test?.isolate).toBe(true);
  });
});
