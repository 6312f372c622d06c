import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@skills/protocol';

/** A fresh folder for one test. */
export function tempDir(prefix = 'skills-embeddings-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A logger that remembers every line. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}
