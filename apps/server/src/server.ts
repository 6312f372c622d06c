import type { Logger, Settings, SkillsStore, StoreEngine } from '@skills/protocol';
import { SkillsServerApp } from './app.js';
import { bindHttp, ListenError, type HttpServerHandle } from './http.js';
import { serveStdio, type StdioHandle } from './stdio.js';
import type { ScopedToken } from './token-file.js';

/** How to start a skills server in this process. */
export interface StartSkillsServerOptions {
  readonly settings: Settings;
  readonly host?: string;
  /** 0 picks a free port; default 8678. */
  readonly port?: number;
  readonly cwd?: string;
  readonly logger?: Logger;
  /** Serve this store instead of the one the settings name (`dbUrl`, `dbPath`). */
  readonly store?: SkillsStore;
  /** The engines that may open the store the settings name; default those the server ships (`ENGINES`). */
  readonly engines?: readonly StoreEngine[];
  /** Close sessions idle this long; default 30 minutes. */
  readonly sessionIdleMs?: number;
  /** Bearer token (every project) required on every route but `GET /health`; a token is required beyond loopback. */
  readonly token?: string;
  /** Tokens scoped to projects (a token file's entries), accepted besides `token`. */
  readonly tokens?: readonly ScopedToken[];
  /** Host names clients may use besides loopback names and the bound address (DNS-rebinding protection). */
  readonly allowedHosts?: readonly string[];
  /** Largest request body in bytes; default 4 MiB. */
  readonly maxBodyBytes?: number;
  /** Open MCP sessions at most (least recently used closed beyond); default 1,000. */
  readonly maxSessions?: number;
}

/** A server running over HTTP in this process. */
export interface RunningSkillsServer {
  readonly app: SkillsServerApp;
  readonly http: HttpServerHandle;
  /** Base URL, e.g. `http://127.0.0.1:8678`. */
  readonly url: string;
  /** Graceful stop: no new connections, requests in flight finish, sessions end, the database closes. */
  close(): Promise<void>;
}

/**
 * Binds the port, then opens the database and serves the tools over Streamable HTTP. If the port
 * is taken a `ListenError` says so, and no database was opened (nor created).
 *
 * @example
 * const server = await startSkillsServer({ settings: loadSettings().settings, port: 0 });
 * console.log(`${server.url}/mcp`);
 * await server.close();
 */
export async function startSkillsServer(options: StartSkillsServerOptions): Promise<RunningSkillsServer> {
  const binding = await bindHttp({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 8678,
    ...(options.sessionIdleMs !== undefined ? { sessionIdleMs: options.sessionIdleMs } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.tokens !== undefined ? { tokens: options.tokens } : {}),
    ...(options.allowedHosts !== undefined ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.maxSessions !== undefined ? { maxSessions: options.maxSessions } : {}),
  });
  let app: SkillsServerApp;
  try {
    app = await SkillsServerApp.open({ ...options, transport: 'http' });
  } catch (error) {
    await binding.close();
    throw error;
  }
  const http = binding.serve(app);
  let closing: Promise<void> | undefined;
  return {
    app,
    http,
    url: http.url,
    close() {
      closing ??= http.close().finally(() => app.close());
      return closing;
    },
  };
}

/** A server running over stdio in this process. */
export interface RunningStdioServer {
  readonly app: SkillsServerApp;
  /** Settles when the host closes our stdin. */
  readonly done: Promise<void>;
  close(): Promise<void>;
}

/** Opens the database and serves the tools over stdin/stdout. */
export async function startStdioServer(
  options: Omit<StartSkillsServerOptions, 'host' | 'port' | 'sessionIdleMs' | 'token' | 'tokens' | 'allowedHosts' | 'maxBodyBytes' | 'maxSessions'> & {
    readonly stdin?: NodeJS.ReadableStream;
    readonly stdout?: NodeJS.WritableStream;
  },
): Promise<RunningStdioServer> {
  const app = await SkillsServerApp.open({ ...options, transport: 'stdio' });
  let stdio: StdioHandle;
  try {
    stdio = await serveStdio(app, options);
  } catch (error) {
    await app.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    app,
    done: stdio.done,
    close() {
      closing ??= stdio.close().finally(() => app.close());
      return closing;
    },
  };
}
