import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  HealthCheckArgsSchema,
  MCP_TOOLS,
  ServerHealthSchema,
  TrackInvocationArgsSchema,
  TrackInvocationResultSchema,
  type ServerHealth,
} from '@skills/protocol';

/**
 * A small stand-in for the skills server, enough to test the client on its own: sessions,
 * `track_invocation`, `health_check` (both noting their `project`), a tool that fails, and `GET /health`. `forgetSessions()`
 * does what a restart does to the clients' sessions; `delayMs` makes every answer slow.
 */
export class FakeSkillsServer {
  readonly tracked: string[] = [];
  /** The `project` argument of every `track_invocation` and `health_check` call, as received. */
  readonly projects: (string | undefined)[] = [];
  delayMs = 0;
  #http: Server;
  #sessions = new Map<string, StreamableHTTPServerTransport>();

  private constructor() {
    this.#http = createServer((req, res) => void this.#handle(req, res));
  }

  static async start(): Promise<FakeSkillsServer> {
    const server = new FakeSkillsServer();
    await new Promise<void>((resolve) => server.#http.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#http.address() as AddressInfo).port}`;
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  forgetSessions(): void {
    for (const transport of this.#sessions.values()) void transport.close();
    this.#sessions.clear();
  }

  async stop(): Promise<void> {
    this.forgetSessions();
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  health(): ServerHealth {
    return { status: 'ok', version: '0.0.0-fake', uptime_seconds: 1, database: { path: ':memory:', invocations: this.tracked.length }, embedder: null, transport: 'http' };
  }

  #mcp(): McpServer {
    const mcp = new McpServer({ name: 'fake-skills', version: '0.0.0' });
    mcp.registerTool(
      MCP_TOOLS.trackInvocation,
      { inputSchema: TrackInvocationArgsSchema, outputSchema: TrackInvocationResultSchema },
      (args) => {
        this.projects.push(args.project);
        const id = args.invocation_id ?? randomUUID();
        const duplicate = this.tracked.includes(id);
        if (!duplicate) this.tracked.push(id);
        const result = { invocation_id: id, duplicate };
        return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result };
      },
    );
    mcp.registerTool(MCP_TOOLS.healthCheck, { inputSchema: HealthCheckArgsSchema, outputSchema: ServerHealthSchema }, (args) => {
      this.projects.push(args.project);
      const result = this.health();
      return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result };
    });
    mcp.registerTool(MCP_TOOLS.skillStats, {}, () => ({ content: [{ type: 'text', text: 'the store is on fire' }], isError: true }));
    return mcp;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (res.destroyed) return;
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.health()));
      return;
    }
    if (req.url !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    if (req.method === 'GET') {
      res.writeHead(405, { allow: 'POST, DELETE' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : undefined;
    const id = req.headers['mcp-session-id'];
    if (typeof id === 'string') {
      const transport = this.#sessions.get(id);
      if (!transport) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(
          JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }),
        );
        return;
      }
      await transport.handleRequest(req, res, body);
      return;
    }
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (sid) => void this.#sessions.set(sid, transport),
      onsessionclosed: (sid) => void this.#sessions.delete(sid),
    });
    await this.#mcp().connect(transport);
    await transport.handleRequest(req, res, body);
  }
}
