import { spawn } from 'node:child_process';

/** One fresh process: its command line, working folder, environment and stdin. */
export interface ProcessRun {
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly input?: string;
}

/** The current environment without `SKILLS_*` and `CLAUDE_*`: a run's settings are only the ones it names. */
export function cleanEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SKILLS_') && !k.startsWith('CLAUDE_')) env[k] = v;
  return { ...env, ...extra };
}

/**
 * Wall time in ms of `node <args>` as a fresh process, from spawn until it exited and its
 * output closed, with `input` written to its stdin. Throws when it exits with a status other
 * than 0, so a figure never hides a failure.
 */
export function timeProcess(run: ProcessRun): Promise<{ millis: number; stdout: string }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, run.args, { cwd: run.cwd, env: run.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
  child.stdin.end(run.input ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => {
      const millis = performance.now() - t0;
      if (status === 0) resolve({ millis, stdout });
      else reject(new Error(`node ${run.args.join(' ').slice(0, 80)} exited with ${status}: ${stderr.trim()}`));
    });
  });
}
