import type { SkillsStore } from './store.js';

/** One check a store ran on itself: `fail` means the store cannot serve as it should. */
export interface StoreCheck {
  /** Short name, as `skills doctor` lists it (`server version`, `migrations`). */
  readonly name: string;
  readonly status: 'ok' | 'warn' | 'fail';
  /** What was found, for people; never a password. */
  readonly detail: string;
}

/**
 * A store that checks itself with its engine's own means (PostgreSQL: the server answers, its
 * version, the migrations recorded and their checksums, whether it accepts writes, the aggregates
 * against a recount). `skills doctor` runs these checks; found with {@link isDiagnosable}.
 *
 * @example
 * if (isDiagnosable(store)) {
 *   for (const check of await store.diagnose()) console.log(check.status, check.name, check.detail);
 * }
 */
export interface DiagnosableStore extends SkillsStore {
  /** Runs every check. A failing check is reported in the list, never thrown. */
  diagnose(): Promise<StoreCheck[]>;
  /**
   * Runs a write that changes nothing: resolves when the store accepts writes now, rejects with
   * the error a write would get (a database switched to read-only, a standby). Cheap enough for
   * every health check, so that health recovers once the store does, before the next real write.
   */
  probeWrites(): Promise<void>;
}

/** True when `store` offers {@link DiagnosableStore}. */
export function isDiagnosable(store: SkillsStore): store is DiagnosableStore {
  const s = store as Partial<DiagnosableStore>;
  return typeof s.diagnose === 'function' && typeof s.probeWrites === 'function';
}
