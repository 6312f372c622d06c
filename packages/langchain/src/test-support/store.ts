import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InvocationRecord, Logger, SkillsTracker } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { createSkillsTracker } from '@skills/tracker';

/** A logger that remembers every line, for asserting what a person would be told. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

/** A direct tracker on a fresh SQLite file in a temp folder, with the offline lexical embedder. */
export async function openTestTracker(): Promise<{ tracker: SkillsTracker; dbPath: string; logger: ReturnType<typeof memoryLogger> }> {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'skills-langchain-')), 'skills.db');
  const logger = memoryLogger();
  const tracker = await createSkillsTracker({ backend: 'direct', dbPath, embedder: 'lexical', logger, sessionId: 'langchain-test' });
  return { tracker, dbPath, logger };
}

/** Every invocation in the store file, oldest first. */
export async function storedInvocations(dbPath: string): Promise<InvocationRecord[]> {
  const store = await openSqliteStore({ path: dbPath, readonly: true });
  try {
    return (await store.listInvocations()).sort((a, b) => a.invokedAt.localeCompare(b.invokedAt) || a.id.localeCompare(b.id));
  } finally {
    await store.close();
  }
}

/** The invocation of `skillName`; fails when there is not exactly one. */
export function only(records: readonly InvocationRecord[], skillName: string): InvocationRecord {
  const found = records.filter((r) => r.skillName === skillName);
  if (found.length !== 1) throw new Error(`expected one invocation of ${skillName}, found ${found.length}`);
  return found[0]!;
}
