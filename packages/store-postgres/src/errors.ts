import { SkillsError, StoreError } from '@skills/protocol';
import { redact } from './url.js';

/** The SQLSTATE of a PostgreSQL error, when `error` is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Errors of this project pass through; anything else (a server or network error) becomes a
 * StoreError whose message has every secret removed. The original is not kept as `cause`: a
 * driver error may carry the connection settings, password included.
 */
export function asStoreError(operation: string, error: unknown, secrets: readonly string[]): SkillsError {
  if (error instanceof SkillsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const state = sqlState(error);
  return new StoreError(redact(`${operation} failed: ${message}${state ? ` (SQLSTATE ${state})` : ''}`, secrets));
}
