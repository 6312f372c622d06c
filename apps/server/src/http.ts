import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { SkillsError, type ServerHealth } from '@skills/protocol';
import type { SkillsServerApp } from './app.js';
import { InstrumentedTransport } from './instrumented-transport.js';
import { DashboardRoutes } from './dashboard/routes.js';
import { sendJson } from './respond.js';
import { BearerToken, DASHBOARD_COOKIE, HostPolicy, isLoopbackHost } from './security.js';

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
   * Required when `host` is not a loopback address.
   */
  readonly token?: string;
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

/** The port is taken, or may not be used: a message for people, no stack. */
export class ListenError extends SkillsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LISTEN', message, options);
  }
}

interface Session {
  readonly transport: StreamableHTTPServerTransport;
  readonly mcp: McpServer;
  lastSeen: number;
}

/**
 * Serves the MCP tools over Streamable HTTP at `/mcp`, plus `GET /health` and `GET /metrics`.
 *
 * Sessions are kept in memory, one MCP server each; a restarted server answers an old session
 * id with 404 and the client opens a new session (the `@skills/mcp-client` does so by itself).
 * Answers are plain JSON (no event stream), and `GET /mcp` answers 405: the server never
 * pushes messages, so no connection is held open between calls.
 *
 * Requests naming a host that is not this server's (`Host`, `Origin`) are refused with 403, which
 * stops web pages from reaching the server through DNS rebinding ({@link HostPolicy}). With a
 * token, every request but `GET /health` must carry it (401 otherwise); without one the server
 * refuses to listen beyond loopback. Bodies larger than `maxBodyBytes` get 413 before parsing.
 */
export async function listenHttp(app: SkillsServerApp, options: HttpServerOptions): Promise<HttpServerHandle> {
  const sessions = new Map<string, Session>();
  const idleMs = options.sessionIdleMs ?? 30 * 60_000;
  const maxBody = options.maxBodyBytes ?? HTTP_LIMITS.maxBodyBytes;
  const maxSessions = Math.max(1, options.maxSessions ?? HTTP_LIMITS.maxSessions);
  if (options.token === undefined && !isLoopbackHost(options.host)) {
    throw new ListenError(
      `refusing to listen on ${options.host} without a token: set SKILLS_SERVER_TOKEN (or --token-file) or listen on 127.0.0.1`,
    );
  }
  const bearer = options.token !== undefined ? new BearerToken(options.token) : undefined;
  let hosts: HostPolicy | undefined; // known once bound
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];

  app.metrics.gauge('skills_sessions', 'Open MCP sessions over HTTP.', () => sessions.size);
  app.metrics.gauge('skills_http_requests_in_flight', 'HTTP requests being answered.', () => inFlight);

  const closeSession = async (id: string) => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    await session.mcp.close().catch(() => {});
  };

  /** At the cap, the least recently used session goes: its client gets 404 and opens a new one. */
  const evictOldestSession = () => {
    let oldest: [string, Session] | undefined;
    for (const entry of sessions) if (!oldest || entry[1].lastSeen < oldest[1].lastSeen) oldest = entry;
    if (oldest) void closeSession(oldest[0]);
  };

  const handleMcp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method === 'GET') {
      // No server-initiated messages: clients treat 405 as "no event stream here".
      return sendJson(res, 405, { error: 'this server sends no events; POST requests to /mcp' }, { allow: 'POST, DELETE' });
    }
    if (req.method !== 'POST' && req.method !== 'DELETE') {
      return sendJson(res, 405, { error: `method ${req.method} not allowed on /mcp` }, { allow: 'POST, DELETE' });
    }
    const sessionId = req.headers['mcp-session-id'];
    let body: unknown;
    if (req.method === 'POST') {
      const read = await readJson(req, maxBody);
      if (!read.ok) return sendRpcError(res, read.status, read.code, read.message);
      body = read.value;
    }
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      if (!session) return sendRpcError(res, 404, -32001, 'Session not found');
      session.lastSeen = Date.now();
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      return sendRpcError(res, 400, -32000, 'Bad Request: no mcp-session-id header; start a session with an initialize request');
    }
    if (sessions.size >= maxSessions) evictOldestSession();
    const mcp = app.createMcpServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => void sessions.set(id, { transport, mcp, lastSeen: Date.now() }),
      onsessionclosed: (id) => closeSession(id),
    });
    await mcp.connect(new InstrumentedTransport(transport, app.metrics));
    await transport.handleRequest(req, res, body);
  };

  const dashboard = new DashboardRoutes(app.service, app.logger);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0]!;
    const forDashboard = dashboard.serves(path);
    const route =
      path === '/mcp' || path === '/health' || path === '/metrics' ? path : forDashboard ? (path.startsWith('/api/') ? '/api' : '/') : 'other';
    inFlight++;
    res.on('close', () => {
      inFlight--;
      app.metrics.httpRequests.inc({ route, status: String(res.statusCode) });
      app.metrics.httpLatency.observe((performance.now() - started) / 1000, { route });
      if (inFlight === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const wake of waiters) wake();
      }
    });
    try {
      const refusal = hosts ? hosts.refusal(req) : 'not listening yet';
      if (refusal) return sendRefusal(res, route, 403, refusal);
      // The dashboard's page cannot send a header when a person opens it: it may show the cookie
      // the token was exchanged for (see below) instead.
      const authorized =
        bearer === undefined || bearer.verify(req.headers.authorization) || (forDashboard && bearer.verifyCookie(req.headers.cookie));
      if (route === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
        const health = await app.health();
        // Open to all, but without a token the file's folder and the error's detail are not told.
        const shown = authorized ? health : { ...health, database: publicDatabase(health.database) };
        return sendJson(res, health.status === 'ok' ? 200 : 503, shown);
      }
      if (path === '/' && bearer !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
        const token = new URLSearchParams((req.url ?? '').slice(path.length + 1)).get('token');
        if (token !== null) return exchangeToken(res, bearer, token);
        if (!authorized) return sendPage(res, 401, TOKEN_PAGE);
      }
      if (!authorized) {
        return sendRefusal(res, route, 401, 'missing or wrong bearer token: send "Authorization: Bearer <token>" with the server\'s token', {
          'www-authenticate': 'Bearer realm="skills-server"',
        });
      }
      if (route === '/mcp') return await handleMcp(req, res);
      if (forDashboard) return await dashboard.handle(req, res, new URL(req.url ?? '/', 'http://dashboard'));
      if (route === '/metrics' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(app.metrics.render());
        return;
      }
      if (route !== 'other') return sendJson(res, 405, { error: `method ${req.method} not allowed on ${route}` });
      return sendJson(res, 404, { error: `no such endpoint: ${path} (try /, /api/overview, /mcp, /health or /metrics)` });
    } catch (error) {
      app.logger.error(`HTTP ${req.method} ${path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error; see the server log' });
      else res.destroy();
    }
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  // Idle keep-alive connections are closed sooner than the clients' own timeouts.
  server.keepAliveTimeout = HTTP_LIMITS.keepAliveTimeoutMs;
  // A client that trickles its headers or body (slowloris) is cut off.
  server.headersTimeout = HTTP_LIMITS.headersTimeoutMs;
  server.requestTimeout = HTTP_LIMITS.requestTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(listenError(error, options.host, options.port));
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      // Before the first request can be handled: the policy needs the address actually bound.
      hosts = new HostPolicy(options.host, (server.address() as AddressInfo).address, options.allowedHosts);
      resolve();
    });
  });
  server.on('error', (error) => app.logger.error(`HTTP server error: ${error.message}`));

  const sweep = setInterval(
    () => {
      const cutoff = Date.now() - idleMs;
      for (const [id, session] of sessions) if (session.lastSeen < cutoff) void closeSession(id);
    },
    Math.min(idleMs, 60_000),
  );
  sweep.unref();

  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;

  return {
    host: address.address,
    port: address.port,
    url: `http://${urlHost}:${address.port}`,
    get sessions() {
      return sessions.size;
    },
    close(graceMs = 10_000) {
      closing ??= (async () => {
        clearInterval(sweep);
        dashboard.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (inFlight > 0) {
          await Promise.race([
            new Promise<void>((resolve) => idleWaiters.push(resolve)),
            new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
          ]);
        }
        server.closeAllConnections();
        await closed;
        await Promise.all([...sessions.keys()].map((id) => closeSession(id)));
      })();
      return closing;
    },
  };
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host}:${port}`;
  if (error.code === 'EADDRINUSE') {
    return new ListenError(`port ${port} on ${host} is already in use (is another skills server running?); choose another with --port`, { cause: error });
  }
  if (error.code === 'EACCES') return new ListenError(`not allowed to listen on ${where} (ports below 1024 need privileges); choose another with --port`, { cause: error });
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
    return new ListenError(`cannot listen on ${where}: no such address on this machine; check --host`, { cause: error });
  }
  return new ListenError(`cannot listen on ${where}: ${error.message}`, { cause: error });
}

type ReadResult = { ok: true; value: unknown } | { ok: false; status: number; code: number; message: string };

/**
 * Reads a JSON body of at most `maxBytes`: a `Content-Length` above it is refused before a byte
 * is read, and a body that grows past it (chunked) is refused as soon as it does, so no more
 * than `maxBytes` is ever held, and nothing too large is parsed.
 */
function readJson(req: IncomingMessage, maxBytes: number): Promise<ReadResult> {
  const tooLarge: ReadResult = {
    ok: false,
    status: 413,
    code: -32600,
    message: `request body too large: the limit is ${maxBytes} bytes; send smaller batches`,
  };
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) return Promise.resolve(tooLarge);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (result: ReadResult) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        req.pause();
        return done(tooLarge);
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      try {
        done({ ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      } catch {
        done({ ok: false, status: 400, code: -32700, message: 'Parse error: the body is not JSON' });
      }
    };
    const onError = () => done({ ok: false, status: 400, code: -32600, message: 'the request body could not be read' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    // A client that goes away mid-body: no 'end' comes, and the request must still finish.
    req.on('close', onError);
  });
}

/** The database part of `/health` for a caller without the token: the file name, no folder, no error detail. */
function publicDatabase(database: ServerHealth['database']): ServerHealth['database'] {
  return {
    path: basename(database.path),
    invocations: database.invocations,
    ...(database.error !== undefined ? { error: 'the database cannot be read' } : {}),
  };
}

/** What a person who opens the dashboard of a server with a token, without it, is told. */
const TOKEN_PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><title>skills dashboard: token needed</title>
<h1>This server needs its token</h1>
<p>Open the dashboard once as <code>/?token=YOUR_TOKEN</code> (the server's <code>SKILLS_SERVER_TOKEN</code> or the contents of its <code>--token-file</code>).
The browser then keeps a cookie derived from it, and the address bar forgets the token.</p></html>`;

/**
 * Trades `/?token=...` for the dashboard cookie and sends the browser on to `/`, so that the token
 * leaves the address bar and its history at once. A wrong token gets the explanation again.
 */
function exchangeToken(res: ServerResponse, bearer: BearerToken, token: string): void {
  if (!bearer.matches(token)) return sendPage(res, 401, TOKEN_PAGE.replace('<h1>This server needs its token</h1>', '<h1>That is not this server\'s token</h1>'));
  res
    .writeHead(303, {
      location: '/',
      'set-cookie': `${DASHBOARD_COOKIE}=${bearer.cookieValue()}; HttpOnly; SameSite=Strict; Path=/`,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    })
    .end();
}

function sendPage(res: ServerResponse, status: number, html: string): void {
  res
    .writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'",
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    })
    .end(html);
}

/** A refusal (401, 403), in the JSON-RPC shape on `/mcp`; the connection is closed after it (its body is not read). */
function sendRefusal(res: ServerResponse, route: string, status: number, message: string, headers: Record<string, string> = {}): void {
  const body = route === '/mcp' ? { jsonrpc: '2.0', error: { code: -32001, message }, id: null } : { error: message };
  sendJson(res, status, body, { connection: 'close', ...headers });
}

function sendRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  // The body of a 413 was not read to its end: the connection cannot carry another request.
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null }, status === 413 ? { connection: 'close' } : {});
}
