import { basename } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerHealth } from '@skills/protocol';
import type { Credentials } from './credentials.js';
import { ProjectGrant } from './project-grant.js';
import { sendJson } from './respond.js';
import { DASHBOARD_COOKIE, type HostPolicy } from './security.js';

/** Where a request goes, as far as access rules care. */
export interface AccessRequest {
  /** The route label (`/mcp`, `/health`, `/metrics`, `/api`, `/`, `other`). */
  readonly route: string;
  readonly path: string;
  /** A path of the dashboard: its cookie counts as the token. */
  readonly forDashboard: boolean;
  /** Answered without the token too (`GET /health`, which then tells less). */
  readonly isPublic: boolean;
}

/** A request the gate let through: whether it showed a token, and the projects that token reaches. */
export interface Admission {
  /** It showed a token the server accepts, or the server needs none. */
  readonly authorized: boolean;
  /** Every project without tokens; else the token's ({@link ProjectGrant.NONE} when it showed none). */
  readonly grant: ProjectGrant;
}

/**
 * Who may ask: the `Host`/`Origin` rules ({@link HostPolicy}) for every request, then a bearer
 * token (when the server has tokens) for every request but the public ones. A person opening the
 * dashboard cannot send a header: `/?token=...` is traded for a cookie derived from the token.
 */
export class AccessGate {
  readonly #hosts: HostPolicy;
  readonly #credentials: Credentials | undefined;

  constructor(hosts: HostPolicy, credentials: Credentials | undefined) {
    this.#hosts = hosts;
    this.#credentials = credentials;
  }

  /**
   * Admits the request, or answers it (403, 401, the token page or the token exchange) and
   * returns undefined.
   */
  admit(req: IncomingMessage, res: ServerResponse, target: AccessRequest): Admission | undefined {
    const refusal = this.#hosts.refusal(req);
    if (refusal) return void sendRefusal(res, target.route, 403, refusal);
    const credentials = this.#credentials;
    const grant =
      credentials === undefined
        ? ProjectGrant.ALL
        : (credentials.grantOfHeader(req.headers.authorization) ?? (target.forDashboard ? credentials.grantOfCookie(req.headers.cookie) : undefined));
    if (target.isPublic) return { authorized: grant !== undefined, grant: grant ?? ProjectGrant.NONE };
    if (target.path === '/' && credentials !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
      const token = new URLSearchParams((req.url ?? '').slice(target.path.length + 1)).get('token');
      if (token !== null) return void exchangeToken(res, credentials, token);
      if (grant === undefined) return void sendPage(res, 401, TOKEN_PAGE);
    }
    if (grant === undefined) {
      return void sendRefusal(res, target.route, 401, 'missing or wrong bearer token: send "Authorization: Bearer <token>" with the server\'s token', {
        'www-authenticate': 'Bearer realm="skills-server"',
      });
    }
    return { authorized: true, grant };
  }
}

/** The health document for a caller without the token: the database's file name, no folder, no error detail. */
export function publicHealth(health: ServerHealth): ServerHealth {
  const { database } = health;
  return {
    ...health,
    database: {
      path: basename(database.path),
      invocations: database.invocations,
      ...(database.error !== undefined ? { error: 'the database cannot be read' } : {}),
    },
  };
}

/** What a person who opens the dashboard of a server with a token, without it, is told. */
const TOKEN_PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><title>skills dashboard: token needed</title>
<h1>This server needs its token</h1>
<p>Open the dashboard once as <code>/?token=YOUR_TOKEN</code> (the server's <code>SKILLS_SERVER_TOKEN</code>, or a token of its <code>--token-file</code>).
The browser then keeps a cookie derived from it, and the address bar forgets the token.</p></html>`;

/**
 * Trades `/?token=...` for the dashboard cookie and sends the browser on to `/`, so that the token
 * leaves the address bar and its history at once. A wrong token gets the explanation again.
 */
function exchangeToken(res: ServerResponse, credentials: Credentials, token: string): void {
  const cookie = credentials.cookieFor(token);
  if (cookie === undefined) return sendPage(res, 401, TOKEN_PAGE.replace('<h1>This server needs its token</h1>', '<h1>That is not this server\'s token</h1>'));
  res
    .writeHead(303, {
      location: '/',
      'set-cookie': `${DASHBOARD_COOKIE}=${cookie}; HttpOnly; SameSite=Strict; Path=/`,
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

/** A refusal (400, 401, 403), in the JSON-RPC shape on `/mcp`; the connection is closed after it (its body is not read). */
export function sendRefusal(res: ServerResponse, route: string, status: number, message: string, headers: Record<string, string> = {}): void {
  const body = route === '/mcp' ? { jsonrpc: '2.0', error: { code: -32001, message }, id: null } : { error: message };
  sendJson(res, status, body, { connection: 'close', ...headers });
}
