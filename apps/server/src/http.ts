import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { SkillsError } from '@skills/protocol';
import type { SkillsServerApp } from './app.js';
import { InstrumentedTransport } from './instrumented-transport.js';

/** Where and how the HTTP server listens. */
export interface HttpServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Sessions unused this long are closed; default 30 minutes. */
  readonly sessionIdleMs?: number;
  /** Largest accepted request body; default 16 MiB (a full `track_invocations` batch fits). */
  readonly maxBodyBytes?: number;
}

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

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
const isLoopback = (host: string) => LOOPBACK_NAMES.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * Serves the MCP tools over Streamable HTTP at `/mcp`, plus `GET /health` and `GET /metrics`.
 *
 * Sessions are kept in memory, one MCP server each; a restarted server answers an old session
 * id with 404 and the client opens a new session (the `@skills/mcp-client` does so by itself).
 * Answers are plain JSON (no event stream), and `GET /mcp` answers 405: the server never
 * pushes messages, so no connection is held open between calls.
 *
 * When bound to loopback, requests naming another host (`Host`, `Origin`) are refused, which
 * stops web pages from reaching the server through DNS rebinding.
 */
export async function listenHttp(app: SkillsServerApp, options: HttpServerOptions): Promise<HttpServerHandle> {
  const sessions = new Map<string, Session>();
  const idleMs = options.sessionIdleMs ?? 30 * 60_000;
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const checkHost = isLoopback(options.host);
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

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0]!;
    const route = path === '/mcp' || path === '/health' || path === '/metrics' ? path : 'other';
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
      const refusal = checkHost ? refuseForeignHost(req) : refuseForeignOrigin(req);
      if (refusal) return sendJson(res, 403, { error: refusal });
      if (route === '/mcp') return await handleMcp(req, res);
      if (route === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
        const health = await app.health();
        return sendJson(res, health.status === 'ok' ? 200 : 503, health);
      }
      if (route === '/metrics' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(app.metrics.render());
        return;
      }
      if (route !== 'other') return sendJson(res, 405, { error: `method ${req.method} not allowed on ${route}` });
      return sendJson(res, 404, { error: `no such endpoint: ${path} (try /mcp, /health or /metrics)` });
    } catch (error) {
      app.logger.error(`HTTP ${req.method} ${path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error; see the server log' });
      else res.destroy();
    }
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  // Idle keep-alive connections are closed sooner than the clients' own timeouts.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(listenError(error, options.host, options.port));
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
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

function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0]!;
}

/** On loopback: only requests addressed to a loopback name, from no page or a loopback page. */
function refuseForeignHost(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  if (host && !isLoopback(hostnameOf(host))) return `requests for host "${host}" are refused: this server only answers on loopback`;
  return refuseForeignOrigin(req, true);
}

/** Browsers name the page's origin: a page elsewhere may not drive this server. */
function refuseForeignOrigin(req: IncomingMessage, loopbackOnly = false): string | undefined {
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).hostname;
  } catch {
    return `bad Origin header "${origin}"`;
  }
  const allowed = loopbackOnly ? isLoopback(originHost) : originHost === hostnameOf(req.headers.host ?? '');
  return allowed ? undefined : `requests from origin "${origin}" are refused`;
}

type ReadResult = { ok: true; value: unknown } | { ok: false; status: number; code: number; message: string };

async function readJson(req: IncomingMessage, maxBytes: number): Promise<ReadResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return { ok: false, status: 413, code: -32600, message: `request body larger than ${maxBytes} bytes` };
    chunks.push(chunk as Buffer);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return { ok: false, status: 400, code: -32700, message: 'Parse error: the body is not JSON' };
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function sendRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null });
}
