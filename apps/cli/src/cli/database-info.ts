import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { databaseFiles } from '../migrate/backup.js';
import { journalModeFromHeader } from './store-extras.js';

/** What the file system says about a database, without opening it. */
export interface DatabaseFileInfo {
  readonly path: string;
  readonly exists: boolean;
  /** Bytes of the database and its -wal and -shm files together. */
  readonly bytes: number;
  readonly files: ReadonlyArray<{ readonly path: string; readonly bytes: number }>;
  readonly journalMode: 'wal' | 'rollback' | null;
}

/** Sizes and journal mode of a database file and its companions. */
export function databaseFileInfo(path: string): DatabaseFileInfo {
  const files = databaseFiles(path)
    .filter((p) => existsSync(p))
    .map((p) => ({ path: p, bytes: statSync(p).size }));
  let journalMode: DatabaseFileInfo['journalMode'] = null;
  if (existsSync(path)) {
    const header = new Uint8Array(100);
    const fd = openSync(path, 'r');
    try {
      const n = readSync(fd, header, 0, 100, 0);
      journalMode = journalModeFromHeader(header.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  }
  return { path, exists: existsSync(path), bytes: files.reduce((n, f) => n + f.bytes, 0), files, journalMode };
}
