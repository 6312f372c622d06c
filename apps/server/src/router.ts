import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SkillsServerApp } from './app.js';
import { publicHealth, sendRefusal, type AccessGate } from './access.js';
import type { DashboardRoutes } from './dashboard/routes.js';
import type { McpEndpoint } from './mcp-endpoint.js';
import type { ProjectGrant } from './project-grant.js';
import { parseRequestPath } from './request-path.js';
import { sendJson } from './respond.js';

/** What a {@link Router} sends requests to. */
export interface RouterParts {
  readonly app: SkillsServerApp;
  readonly gate: AccessGate;
  readonly mcp: McpEndpoint;
  readonly dashboard: DashboardRoutes;
  /** `POST /hooks/claude-code`: Claude Code's HTTP hooks. */
  readonly claudeCodeHooks: (req: IncomingMessage, res: ServerResponse, grant: ProjectGrant) => Promise<void>;
}

/** The route label of a path: a fixed set, so that metrics never take a client's path as a label. */
function routeOf(path: string, dashboard: DashboardRoutes): string {
  if (path === '/mcp' || path === '/health' || path === '/metrics' || path === '/hooks/claude-code') return path;
  if (dashboard.serves(path)) return path.startsWith('/api/') ? '/api' : '/';
  return 'other';
}

/**
 * Sends each request where it goes (`/mcp`, `/health`, `/metrics`, the dashboard) once the
 * {@link AccessGate} admits it, counts it by route and status, and turns an unexpected failure
 * into a 500 (logged once per condition, see `FailureLog`).
 */
export class Router {
  readonly #parts: RouterParts;

  constructor(parts: RouterParts) {
    this.#parts = parts;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { app, gate, mcp, dashboard, claudeCodeHooks } = this.#parts;
    const started = performance.now();
    const parsed = parseRequestPath(req.url);
    const path = parsed.ok ? parsed.path : '';
    const route = parsed.ok ? routeOf(path, dashboard) : 'other';
    res.on('close', () => app.metrics.httpRequest(route, res.statusCode, (performance.now() - started) / 1000));
    try {
      const isHealth = route === '/health' && (req.method === 'GET' || req.method === 'HEAD');
      const access = gate.admit(req, res, { route, path, forDashboard: route === '/' || route === '/api', isPublic: isHealth });
      if (!access) return;
      if (!parsed.ok) return sendRefusal(res, route, 400, parsed.error);
      if (isHealth) {
        const health = await app.health();
        // Open to all, but without the token the file's folder and the error's detail are not told.
        return sendJson(res, health.status === 'ok' ? 200 : 503, access.authorized ? health : publicHealth(health));
      }
      if (route === '/mcp') return await mcp.handle(req, res, access.grant);
      if (route === '/hooks/claude-code' && req.method === 'POST') return await claudeCodeHooks(req, res, access.grant);
      if (route === '/' || route === '/api') return await dashboard.handle(req, res, new URL(req.url ?? '/', 'http://dashboard'), access.grant);
      if (route === '/metrics' && req.method === 'GET') return await sendMetrics(res, app);
      if (route !== 'other') return sendJson(res, 405, { error: `method ${req.method} not allowed on ${route}` });
      return sendJson(res, 404, { error: `no such endpoint: ${path} (try /, /api/overview, /mcp, /health or /metrics)` });
    } catch (error) {
      app.failures.failed('http', `HTTP ${req.method} ${route}`, error);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error; see the server log' });
      else res.destroy();
    } finally {
      if (res.statusCode < 500) app.failures.succeeded('http');
    }
  }
}

/** `GET /metrics`: rendered in full before the status is sent, so a failure still gets its 500. */
async function sendMetrics(res: ServerResponse, app: SkillsServerApp): Promise<void> {
  const text = await app.metrics.render();
  res.writeHead(200, { 'content-type': app.metrics.contentType }).end(text);
}
