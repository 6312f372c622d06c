import type { SkillsServerApp } from './app.js';
import { AccessGate } from './access.js';
import { claudeCodeHooks } from './claude-code-hooks.js';
import { DashboardRoutes } from './dashboard/routes.js';
import { bind, ListenError } from './listen.js';
import { McpEndpoint } from './mcp-endpoint.js';
import { Router } from './router.js';
import { Credentials } from './credentials.js';
import { ProjectGrant } from './project-grant.js';
import { HostPolicy, isLoopbackHost } from './security.js';
import { SessionStore } from './sessions.js';
import type { ScopedToken } from './token-file.js';
import { InFlightRequests, stopGracefully } from './shutdown.js';

export { ListenError } from './listen.js';

/** Where and how the HTTP server listens. */
export interface HttpServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Sessions unused this long are closed; default 30 minutes. */
  readonly sessionIdleMs?: number;
  /** Largest accepted request body; default 4 MiB. Larger bodies get HTTP 413 before any parsing. */
  readonly maxBodyBytes?: number;
  /**
   * The bearer token every request but `GET /health` must carry (`Authorization: Bearer <token>`).
   * It allows every project. A token (or {@link tokens}) is required when `host` is not a loopback address.
   */
  readonly token?: string;
  /** Tokens scoped to projects (a token file's entries); accepted besides {@link token}. */
  readonly tokens?: readonly ScopedToken[];
  /** Host names clients may address the server by, besides loopback names and the bound address. */
  readonly allowedHosts?: readonly string[];
  /** Open sessions at most; beyond, the least recently used one is closed. Default 1,000. */
  readonly maxSessions?: number;
}

/** Defaults of {@link HttpServerOptions} and of the Node HTTP server, documented in the README. */
export const HTTP_LIMITS = Object.freeze({
  maxBodyBytes: 4 * 1024 * 1024,
  maxSessions: 1_000,
  /** Time to receive a request's headers. */
  headersTimeoutMs: 10_000,
  /** Time to receive a whole request. */
  requestTimeoutMs: 30_000,
  /** Idle keep-alive connections are closed after this. */
  keepAliveTimeoutMs: 5_000,
});

/** A listening server. */
export interface HttpServerHandle {
  readonly host: string;
  readonly port: number;
  /** The base URL, e.g. `http://127.0.0.1:8678`; the MCP endpoint is `${url}/mcp`. */
  readonly url: string;
  /** Number of open MCP sessions. */
  readonly sessions: number;
  /**
   * Stops accepting connections, lets requests in flight finish (up to `graceMs`, default 10 s),
   * then ends every session. Does not close the database: the caller owns the app.
   */
  close(graceMs?: number): Promise<void>;
}

/** A port bound, before anything is served on it (see {@link bindHttp}). */
export interface HttpBinding {
  /** Serves `app` on the port. */
  serve(app: SkillsServerApp): HttpServerHandle;
  /** Gives the port back without serving (opening the app failed). */
  close(): Promise<void>;
}

/**
 * Binds the port for the MCP tools over Streamable HTTP at `/mcp`, `GET /health`, `GET /metrics`
 * and the dashboard; {@link HttpBinding.serve} then serves an app on it. Binding first means a
 * taken port fails before the database is opened (or created).
 *
 * Sessions are kept in memory ({@link SessionStore}); a restarted server answers an old session
 * id with 404 and the client opens a new session (the `@skills/mcp-client` does so by itself).
 * Requests naming a host that is not this server's (`Host`, `Origin`) are refused with 403, which
 * stops web pages from reaching the server through DNS rebinding ({@link HostPolicy}). With a
 * token, every request but `GET /health` must carry it (401 otherwise); without one the server
 * refuses to listen beyond loopback. Bodies larger than `maxBodyBytes` get 413 before parsing.
 */
export async function bindHttp(options: HttpServerOptions): Promise<HttpBinding> {
  const tokens = [...(options.token !== undefined ? [{ token: options.token, grant: ProjectGrant.ALL }] : []), ...(options.tokens ?? [])];
  if (tokens.length === 0 && !isLoopbackHost(options.host)) {
    throw new ListenError(
      `refusing to listen on ${options.host} without a token: set SKILLS_SERVER_TOKEN (or --token-file) or listen on 127.0.0.1`,
    );
  }
  const credentials = tokens.length > 0 ? new Credentials(tokens) : undefined;
  const bound = await bind(options.host, options.port, HTTP_LIMITS);
  const { server, address } = bound;
  // The policy needs the address actually bound.
  const hosts = new HostPolicy(options.host, address.address, options.allowedHosts);
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;

  return {
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    serve(app) {
      const sessions = new SessionStore({
        idleMs: options.sessionIdleMs ?? 30 * 60_000,
        maxSessions: options.maxSessions ?? HTTP_LIMITS.maxSessions,
      });
      const inFlight = new InFlightRequests();
      app.metrics.gauge('skills_sessions', 'Open MCP sessions over HTTP.', () => sessions.size);
      app.metrics.gauge('skills_http_requests_in_flight', 'HTTP requests being answered.', () => inFlight.count);
      app.metrics.gauge(
        'skills_mcp_held_streams',
        'Answers the MCP sessions hold open: requests in flight (NaN when the SDK keeps no such table).',
        () => sessions.heldStreams,
      );
      const dashboard = new DashboardRoutes(app, app.logger);
      const router = new Router({
        app,
        gate: new AccessGate(hosts, credentials),
        mcp: new McpEndpoint(app, sessions, options.maxBodyBytes ?? HTTP_LIMITS.maxBodyBytes),
        dashboard,
        claudeCodeHooks: claudeCodeHooks(app, options.maxBodyBytes ?? HTTP_LIMITS.maxBodyBytes),
      });
      bound.handle((req, res) => {
        inFlight.track(res);
        void router.handle(req, res);
      });
      server.on('error', (error) => app.logger.error(`HTTP server error: ${error.message}`));

      let closing: Promise<void> | undefined;
      return {
        host: address.address,
        port: address.port,
        url,
        get sessions() {
          return sessions.size;
        },
        close(graceMs = 10_000) {
          closing ??= (async () => {
            dashboard.close();
            await stopGracefully(server, inFlight, graceMs);
            await sessions.closeAll();
          })();
          return closing;
        },
      };
    },
  };
}
