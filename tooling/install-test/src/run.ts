import { spawn } from 'node:child_process';

/** How one command ended and what it printed. */
export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock time, in milliseconds. */
  readonly ms: number;
}

/** Options of {@link run}. */
export interface RunOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The deadline: past it the command's whole process group is killed and the run rejects. */
  readonly timeoutMs: number;
}

/** The last `n` characters of `text`, for error messages. */
function tail(text: string, n = 4000): string {
  return text.length > n ? `...${text.slice(-n)}` : text;
}

/**
 * Runs `command args` to its end and resolves with its output, whatever its exit code. It runs in a
 * process group of its own, so a deadline kills everything it started (npm, node-gyp, compilers).
 *
 * @throws when it cannot start, or runs past `timeoutMs` (the message names the command and ends
 * with what it printed).
 */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(child.pid, 'SIGKILL');
      reject(new Error(`${[command, ...args].join(' ')} did not finish within ${options.timeoutMs / 1000} s\nstdout: ${tail(stdout)}\nstderr: ${tail(stderr)}`));
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Sends `signal` to the process group led by `pid` (a child spawned `detached`); gone is fine. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** `result` when the command succeeded; otherwise an error with its output. */
export function succeeded(what: string, result: RunResult): RunResult {
  if (result.code !== 0) {
    throw new Error(`${what} failed (exit ${result.code ?? result.signal})\nstdout: ${tail(result.stdout)}\nstderr: ${tail(result.stderr)}`);
  }
  return result;
}
