import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder under the system's temporary folder; `remove()` deletes it. */
export function tempFolder(prefix = 'skills-bench-'): { path: string; file(name: string): string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    file: (name) => join(path, name),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** Bytes of a SQLite file with its WAL and shared-memory files (what it takes on disk). */
export function databaseBytes(path: string): number {
  let bytes = 0;
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) bytes += statSync(path + suffix).size;
  return bytes;
}

/** Bytes of every file in a folder, recursively. */
export function folderBytes(path: string): number {
  let bytes = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    bytes += entry.isDirectory() ? folderBytes(full) : statSync(full).size;
  }
  return bytes;
}
