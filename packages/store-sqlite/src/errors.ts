import { SkillsError, StoreError } from '@skills/protocol';

/** Errors of this project pass through; anything else (a SQLite or I/O error) becomes a StoreError. */
export function asStoreError(operation: string, error: unknown): SkillsError {
  if (error instanceof SkillsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError(`${operation} failed: ${message}`, { cause: error });
}
