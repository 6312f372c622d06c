import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@skills/protocol';

/** A fresh folder for one test's database files. */
export function tempDir(prefix = 'skills-tracker-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A logger that remembers every line, for asserting what a person would be told. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}
