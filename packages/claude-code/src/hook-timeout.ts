// The hook's time bound alone, apart from the other hook settings (`hook-settings.ts`): the
// command's entry reads it before it loads anything else.

/** The longest a hook process works before it gives up (Claude Code's own `timeout` is the outer bound). */
export const DEFAULT_HOOK_TIMEOUT_MS = 3_000;

/**
 * The bound `SKILLS_HOOK_TIMEOUT_MS` sets: a whole number of milliseconds from 100 to 60000,
 * else {@link DEFAULT_HOOK_TIMEOUT_MS} with the `problem` described. Never throws.
 */
export function readHookTimeout(env: Readonly<Record<string, string | undefined>>): { timeoutMs: number; problem?: string } {
  const raw = env['SKILLS_HOOK_TIMEOUT_MS']?.trim();
  if (raw === undefined || raw === '') return { timeoutMs: DEFAULT_HOOK_TIMEOUT_MS };
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 100 && n <= 60_000) return { timeoutMs: n };
  return {
    timeoutMs: DEFAULT_HOOK_TIMEOUT_MS,
    problem: `SKILLS_HOOK_TIMEOUT_MS must be a whole number of milliseconds from 100 to 60000; using ${DEFAULT_HOOK_TIMEOUT_MS}`,
  };
}
