import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** The built command, run as a user would. */
export const BIN = join(import.meta.dirname, '..', 'dist', 'bin.js');

/** What one run of the command printed and how it ended. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link skills}. */
export interface RunOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  readonly input?: string;
}

/**
 * An environment without the developer's own skills settings, and a fixed zone. Without NODE_PATH
 * too: pnpm's bin shims (vitest's) set it to the workspace's hoisted modules, where a module the
 * bundled command keeps outside would resolve even if the package did not depend on it.
 */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('SKILLS_') && !k.startsWith('CRACKERJACK_SKILLS_') && k !== 'NODE_PATH') env[k] = v;
  }
  // Nothing listens here, so the server probe fails fast and the same on every machine.
  return { ...env, TZ: 'UTC', SKILLS_MCP_URL: 'http://127.0.0.1:9', SKILLS_EMBEDDER: 'lexical', ...extra };
}

/** Runs `node dist/bin.js ...args` and collects its output. */
export function skills(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? tempDir(),
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'skills-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Every file under `dir` with its checksum: equal snapshots mean byte-identical trees. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) {
        out[`${relative(dir, full)}/`] = 'dir';
        walk(full);
      } else out[relative(dir, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

const servers: ChildProcess[] = [];

/**
 * `skills serve` on a free port with its own database, `env` and further `args` (`--project`);
 * resolves with its URL once it listens. {@link stopServers} ends it.
 */
export async function serve(db: string, env: Record<string, string> = {}, args: readonly string[] = []): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db, ...args], {
    env: { ...process.env, SKILLS_EMBEDDER: 'lexical', SKILLS_SERVER_TOKEN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  servers.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const m = /listening on (http:\/\/[^/\s]+)\/mcp/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
}

/** Stops every server {@link serve} started (for `afterEach`). */
export async function stopServers(): Promise<void> {
  for (const child of servers.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
