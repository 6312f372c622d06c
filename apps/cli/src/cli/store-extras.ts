import type { SkillsStore } from '@skills/protocol';

/**
 * Maintenance a SQLite store may offer beyond the `SkillsStore` interface. The command uses
 * each when present and says so when not, instead of opening SQLite itself.
 */
interface MaintenanceStore {
  checkpoint?(): Promise<unknown> | unknown;
  integrityCheck?(): Promise<unknown> | unknown;
}

/** Runs `PRAGMA wal_checkpoint(TRUNCATE)` through the store when it can; returns whether it did. */
export async function checkpoint(store: SkillsStore): Promise<boolean> {
  const m = store as SkillsStore & MaintenanceStore;
  if (typeof m.checkpoint !== 'function') return false;
  await m.checkpoint();
  return true;
}

/** Problems `PRAGMA integrity_check` found ([] when fine), or null when the store cannot run it. */
export async function integrityProblems(store: SkillsStore): Promise<string[] | null> {
  const m = store as SkillsStore & MaintenanceStore;
  if (typeof m.integrityCheck !== 'function') return null;
  const result = await m.integrityCheck();
  if (Array.isArray(result)) return result.map(String).filter((r) => r !== 'ok');
  if (typeof result === 'string') return result === 'ok' ? [] : [result];
  if (typeof result === 'object' && result !== null && 'ok' in result) {
    const r = result as { ok: boolean; problems?: unknown[]; messages?: unknown[] };
    return r.ok ? [] : (r.problems ?? r.messages ?? ['integrity check failed']).map(String);
  }
  return result === true ? [] : ['integrity check failed'];
}

/**
 * The journal mode recorded in a SQLite file's header: bytes 18 and 19 are 2 in WAL mode, 1 in
 * rollback-journal mode. Null when the file is not a SQLite database.
 */
export function journalModeFromHeader(header: Uint8Array): 'wal' | 'rollback' | null {
  const magic = 'SQLite format 3\u0000';
  if (header.length < 20 || new TextDecoder().decode(header.subarray(0, 16)) !== magic) return null;
  return header[18] === 2 && header[19] === 2 ? 'wal' : 'rollback';
}
