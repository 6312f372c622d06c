import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A built file of a workspace package (`path` inside its folder), found through the package's
 * link in this package's node_modules (its folder, not its exports: a bin is not exported).
 */
export function builtFile(pkg: string, ...path: string[]): string {
  const require = createRequire(import.meta.url);
  const paths = require.resolve.paths(pkg) ?? [];
  const folder = paths.map((p) => join(p, pkg)).find((p) => existsSync(join(p, 'package.json')));
  if (!folder) throw new Error(`${pkg} is not installed beside @skills/bench: run pnpm install`);
  const entry = join(folder, ...path);
  if (!existsSync(entry)) throw new Error(`${pkg} is not built (${entry} is missing): run pnpm build`);
  return entry;
}

/** The built server's entry (`apps/server/dist/main.js`). */
export function serverEntry(): string {
  return builtFile('@skills/server', 'dist', 'main.js');
}

/** A TCP port nobody listens on right now, on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A skills server running in its own process. */
export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** Resident set size now, and its peak, in bytes (Linux `/proc`; null elsewhere). */
  memory(): { rss: number; peak: number } | null;
  /** SIGTERM, then the exit (the server closes its database cleanly). */
  stop(): Promise<void>;
}

/**
 * Starts `apps/server/dist/main.js --port <free port> --db <dbPath>` with the settings the
 * bench wants (lexical embedder, no settings files), and resolves once it prints its URL.
 */
export async function startServer(dbPath: string, cwd: string, timeoutMs = 120_000): Promise<ServerProcess> {
  const port = await freePort();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SKILLS_')) env[k] = v;
  env.SKILLS_EMBEDDER = 'lexical';
  return startListening([serverEntry(), '--port', String(port), '--db', dbPath], cwd, env, timeoutMs);
}

/** Starts the bare MCP echo server (`echo-server.ts`), the limit of the skills server's round trips. */
export async function startEchoServer(cwd: string, timeoutMs = 30_000): Promise<ServerProcess> {
  const port = await freePort();
  // The built file, from src/ (tests) as from dist/.
  const entry = fileURLToPath(new URL('../dist/echo-server.js', import.meta.url));
  if (!existsSync(entry)) throw new Error(`the bench is not built (${entry} is missing): run pnpm build`);
  return startListening([entry, '--port', String(port)], cwd, { ...process.env } as Record<string, string>, timeoutMs);
}

/** Runs `node <args>` and resolves once it prints `listening on <url>/mcp`. */
async function startListening(args: readonly string[], cwd: string, env: Record<string, string>, timeoutMs: number): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => fail(new Error(`${args[0]} did not start within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.on('exit', (code) => fail(new Error(`${args[0]} exited with ${code}: ${stderr}`)));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const match = /listening on (http:\/\/\S+?)\/mcp/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(match[1]!);
      }
    });
  });
  return {
    url,
    pid: child.pid!,
    memory: () => processMemory(child.pid!),
    stop: () => stop(child),
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** VmRSS and VmHWM of a process, in bytes, from `/proc/<pid>/status`; null where there is no `/proc`. */
export function processMemory(pid: number): { rss: number; peak: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return null;
  }
}
