import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The built command, as Claude Code runs it. */
export const HOOK_BIN = join(import.meta.dirname, '..', '..', 'dist', 'bin', 'skills-hook.mjs');

export interface HookRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built `skills-hook` as a subprocess in `cwd` with `input` on stdin (an object is
 * written as JSON, a string as is). The environment is the test's, without any `SKILLS_*` or
 * `CLAUDE_*` of the machine nor NODE_PATH, plus `env`. `shell` runs before it in `sh -c` (limits, traps).
 */
export function runHookProcess(cwd: string, input: unknown, env: Record<string, string> = {}, shell?: string): Promise<HookRun> {
  return run(cwd, [], typeof input === 'string' ? input : JSON.stringify(input), env, shell);
}

/**
 * `skills-hook --drain` in `cwd`: writes the tool events waiting in the hook journal to the store
 * now (they otherwise wait for the next UserPromptSubmit, Stop or SessionEnd).
 */
export function drainHookProcess(cwd: string, env: Record<string, string> = {}): Promise<HookRun> {
  return run(cwd, ['--drain'], '', env);
}

function run(cwd: string, args: readonly string[], input: string, env: Record<string, string>, shell?: string): Promise<HookRun> {
  // Without NODE_PATH too: pnpm's bin shims (vitest's) set it to the workspace's hoisted
  // modules, where any package resolves; Claude Code runs the hook without it.
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('SKILLS_') && !k.startsWith('CLAUDE_') && k !== 'NODE_PATH'),
  );
  const command = shell
    ? (['sh', ['-c', `${shell} exec "${process.execPath}" "${HOOK_BIN}" ${args.join(' ')}`]] as const)
    : ([process.execPath, [HOOK_BIN, ...args]] as const);
  const child = spawn(command[0], command[1], { cwd, env: { ...clean, SKILLS_EMBEDDER: 'lexical', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}
