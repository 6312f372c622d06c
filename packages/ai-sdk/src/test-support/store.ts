import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InvocationRecord, Logger, SkillsTracker } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { createSkillsTracker } from '@skills/tracker';

/** A fresh folder for one test's files. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'skills-ai-sdk-'));
}

/** A logger that remembers every line, for asserting what a person would be told. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

/** A real direct tracker on a new SQLite file, with the lexical embedder (no model download). */
export async function openTracker(dbPath = join(tempDir(), 'skills.db'), logger?: Logger): Promise<{ tracker: SkillsTracker; dbPath: string }> {
  const tracker = await createSkillsTracker({ backend: 'direct', dbPath, embedder: 'lexical', ...(logger ? { logger } : {}) });
  return { tracker, dbPath };
}

/** Every invocation in the store file, oldest first (read through a fresh connection). */
export async function storedInvocations(dbPath: string): Promise<InvocationRecord[]> {
  const store = await openSqliteStore({ path: dbPath });
  try {
    return (await store.listInvocations({}, { limit: 1000 })).reverse();
  } finally {
    await store.close();
  }
}
