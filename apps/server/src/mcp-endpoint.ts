import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { SkillsServerApp } from './app.js';
import { InstrumentedTransport } from './instrumented-transport.js';
import { attachGrant } from './mcp-auth.js';
import type { ProjectGrant } from './project-grant.js';
import { readJsonBody } from './request-body.js';
import { sendJson, sendRpcError } from './respond.js';
import { releaseAnsweredStreams } from './sdk-stream-leak.js';
import type { SessionStore } from './sessions.js';

/**
 * `/mcp`: Streamable HTTP with sessions. An initialize request without a session id opens a
 * session (one MCP server each); later requests name it in `mcp-session-id`. Answers are plain
 * JSON (no event stream), and `GET /mcp` answers 405: the server never pushes messages, so no
 * connection is held open between calls.
 */
export class McpEndpoint {
  readonly #app: SkillsServerApp;
  readonly #sessions: SessionStore;
  readonly #maxBodyBytes: number;

  constructor(app: SkillsServerApp, sessions: SessionStore, maxBodyBytes: number) {
    this.#app = app;
    this.#sessions = sessions;
    this.#maxBodyBytes = maxBodyBytes;
  }

  /** Answers a request of a caller whose token reaches `grant`'s projects (the tools check each call's project). */
  async handle(req: IncomingMessage, res: ServerResponse, grant: ProjectGrant): Promise<void> {
    if (req.method === 'GET') {
      // No server-initiated messages: clients treat 405 as "no event stream here".
      return sendJson(res, 405, { error: 'this server sends no events; POST requests to /mcp' }, { allow: 'POST, DELETE' });
    }
    if (req.method !== 'POST' && req.method !== 'DELETE') {
      return sendJson(res, 405, { error: `method ${req.method} not allowed on /mcp` }, { allow: 'POST, DELETE' });
    }
    attachGrant(req, grant);
    const sessionId = req.headers['mcp-session-id'];
    let body: unknown;
    if (req.method === 'POST') {
      const read = await readJsonBody(req, this.#maxBodyBytes);
      if (!read.ok) return sendRpcError(res, read.status, read.code, read.message);
      body = read.value;
    }
    if (typeof sessionId === 'string') {
      const session = this.#sessions.use(sessionId);
      if (!session) return sendRpcError(res, 404, -32001, 'Session not found');
      return this.#answer(session.transport, req, res, body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      return sendRpcError(res, 400, -32000, 'Bad Request: no mcp-session-id header; start a session with an initialize request');
    }
    this.#sessions.makeRoom();
    const mcp = this.#app.createMcpServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => this.#sessions.add(id, transport, mcp),
      onsessionclosed: (id) => this.#sessions.close(id),
    });
    await mcp.connect(new InstrumentedTransport(transport, this.#app.metrics));
    await this.#answer(transport, req, res, body);
  }

  async #answer(transport: StreamableHTTPServerTransport, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    try {
      await transport.handleRequest(req, res, body);
    } finally {
      releaseAnsweredStreams(transport);
    }
  }
}
