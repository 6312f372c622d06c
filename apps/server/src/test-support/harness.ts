import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SettingsSchema, silentLogger, type Settings } from '@skills/protocol';
import { waitFor } from '@skills/vitest-config/wait-for';
import { startSkillsServer, type RunningSkillsServer } from '../server.js';

/** The built bin; the package's `test` task runs after `build`. */
export const BIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export function builtBinExists(): boolean {
  return existsSync(BIN);
}

export function tempDir(prefix = 'skills-server-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Settings for a test: the database in `dir`, the lexical embedder (no model to load). */
export function testSettings(dir: string, extra: Record<string, unknown> = {}): Settings {
  return SettingsSchema.parse({ dbPath: join(dir, 'server.db'), embedder: 'lexical', minSimilarity: 0, ...extra });
}

/** The real server, in this process, on a free loopback port. */
export function startTestServer(dir: string): Promise<RunningSkillsServer> {
  return startSkillsServer({ settings: testSettings(dir), host: '127.0.0.1', port: 0, logger: silentLogger });
}

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The built server as a child process, as `skills serve` runs it. */
export interface ServerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  stderr(): string;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns the built bin with `args` and waits for its "listening on" line. No token unless `env` gives one. */
export async function spawnServer(args: readonly string[], env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, SKILLS_SERVER_TOKEN: '', ...env }, stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /listening on (http:\/\/\S+)\/mcp/.exec(out);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`server exited with ${code} before listening: ${err}`)));
  });
  return {
    child,
    url,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the built bin to its end; its exit code and output. No token unless `env` gives one. */
export function runBin(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, SKILLS_SERVER_TOKEN: '', ...env }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/**
 * A loopback HTTP proxy in front of a server that can hold every `/mcp` request for `delayMs`
 * before forwarding it: a real slow server, as a tracker sees one.
 */
export class SlowProxy {
  delayMs = 0;
  /** `/mcp` requests received, and answered. */
  received = 0;
  answered = 0;
  #server: Server;

  private constructor(target: string) {
    const to = new URL(target);
    this.#server = createServer((req, res) => {
      const isMcp = (req.url ?? '').startsWith('/mcp');
      if (isMcp) this.received++;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const forward = () => {
          const upstream = request(
            { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: { ...req.headers, host: to.host } },
            (up) => {
              res.writeHead(up.statusCode ?? 502, up.headers);
              up.pipe(res);
              up.on('end', () => isMcp && this.answered++);
            },
          );
          upstream.on('error', () => res.destroy());
          upstream.end(Buffer.concat(chunks));
        };
        if (isMcp && this.delayMs > 0) setTimeout(forward, this.delayMs);
        else forward();
      });
    });
  }

  static async start(target: string): Promise<SlowProxy> {
    const proxy = new SlowProxy(target);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

/** Polls `check` until it is true (or throws after `timeoutMs`): the shared `waitFor`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  await waitFor(check, { timeoutMs, intervalMs: 25, what });
}

/** A raw HTTP answer: status, headers and body text. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * One HTTP request with full control of the headers (`host` may be replaced, or left out with
 * `setHost: false`) and of the body (a string or Buffer, or chunks sent without a length).
 * Resolves with the answer even when the server closes the connection while the body is still
 * being sent (as it does after refusing a body that is too large).
 */
export function rawRequest(
  base: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; chunks?: readonly Buffer[]; setHost?: boolean } = {},
): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers ?? {},
        setHost: options.setHost ?? true,
        agent: false,
      },
      (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (options.chunks) {
      for (const chunk of options.chunks) if (!req.destroyed) req.write(chunk);
      req.end();
    } else {
      req.end(options.body);
    }
  });
}

/** The JSON-RPC initialize request of a new MCP session. */
export const INITIALIZE_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-test', version: '0.0.0' } },
});

/** Headers of an MCP POST. */
export const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } as const;
