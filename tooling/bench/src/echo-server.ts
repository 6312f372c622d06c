#!/usr/bin/env node
// A bare MCP server with one tool, `echo`, on the transport the skills server uses (Streamable
// HTTP with sessions, plain JSON answers): the limit its tools are measured against. The tool
// answers at once with the number of bytes of its arguments, so its reply is as small as
// track_invocation's. Usage: node echo-server.js --port <port>; prints "listening on <url>/mcp".
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, isInitializeRequest, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

function mcpServer(): Server {
  const server = new Server({ name: 'echo', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [{ name: 'echo', description: 'Answers with the size of its arguments.', inputSchema: { type: 'object' } }],
  }));
  server.setRequestHandler(CallToolRequestSchema, (request) => ({
    content: [{ type: 'text', text: String(JSON.stringify(request.params.arguments ?? {}).length) }],
  }));
  return server;
}

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
}

const sessions = new Map<string, StreamableHTTPServerTransport>();
const http = createServer((req, res) => {
  void (async () => {
    const parsed = req.method === 'POST' ? await body(req) : undefined;
    const id = req.headers['mcp-session-id'];
    let transport = typeof id === 'string' ? sessions.get(id) : undefined;
    if (!transport) {
      if (req.method !== 'POST' || !isInitializeRequest(parsed)) {
        res.writeHead(typeof id === 'string' ? 404 : 400).end();
        return;
      }
      const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        onsessioninitialized: (sid) => void sessions.set(sid, created),
        onsessionclosed: (sid) => void sessions.delete(sid),
      });
      await mcpServer().connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res, parsed);
  })().catch((error: unknown) => {
    if (!res.headersSent) res.writeHead(500).end(String(error));
  });
});

const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
http.listen(port, '127.0.0.1', () => process.stdout.write(`echo listening on http://127.0.0.1:${port}/mcp\n`));
process.on('SIGTERM', () => http.close(() => process.exit(0)));
