import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh folder for this test file's databases, removed when the file's tests end. */
export function useTempDir(): { path(name: string): string } {
  const dir = mkdtempSync(join(tmpdir(), 'store-sqlite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  return { path: (name) => join(dir, `${n++}-${name}`) };
}
