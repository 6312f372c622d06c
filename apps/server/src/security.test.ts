import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpUnavailableError, SkillsMcpClient } from '@skills/mcp-client';
import { newInvocationId, silentLogger } from '@skills/protocol';
import { createSkillsTracker } from '@skills/tracker';
import { ListenError } from './http.js';
import { BearerToken, HostPolicy, isLoopbackHost, tokenProblem } from './security.js';
import { startSkillsServer, type RunningSkillsServer } from './server.js';
import { eventually, INITIALIZE_BODY, MCP_HEADERS, rawRequest, tempDir, testSettings } from './test-support/harness.js';

const TOKEN = 'test-token-0123456789abcdef';
const MAX_BODY = 64 * 1024;

let dir: string;
let server: RunningSkillsServer;
let host: string; // 127.0.0.1:<port>

beforeAll(async () => {
  dir = tempDir();
  server = await startSkillsServer({
    settings: testSettings(dir),
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    token: TOKEN,
    allowedHosts: ['skills.example'],
    maxBodyBytes: MAX_BODY,
  });
  host = new URL(server.url).host;
});

afterAll(async () => {
  await server?.close();
});

const auth = (token = TOKEN) => ({ authorization: `Bearer ${token}` });
const rows = () => server.app.service.store.countInvocations();

describe('bearer token (server bound to 127.0.0.1 with a token)', () => {
  it('refuses GET /metrics without the token, or with a wrong one, with 401; accepts the right one', async () => {
    const refused: (Record<string, string> | undefined)[] = [
      undefined,
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: TOKEN },
      { authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` },
      { authorization: `Bearer ${TOKEN.toUpperCase()}` },
      { 'x-token': TOKEN },
    ];
    for (const headers of refused) {
      const res = await rawRequest(server.url, { path: '/metrics', headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="skills-server"');
      expect(JSON.parse(res.body)).toEqual({ error: expect.stringContaining('missing or wrong bearer token') });
      expect(res.body).not.toContain(TOKEN);
    }
    const ok = await rawRequest(server.url, { path: '/metrics', headers: auth() });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('skills_http_requests_total{route="/metrics",status="401"} 10');
    // The scheme is case-insensitive (RFC 7235); the token is not.
    expect((await rawRequest(server.url, { path: '/metrics', headers: { authorization: `bearer  ${TOKEN}` } })).status).toBe(200);
  });

  it('refuses POST /mcp without the token (401, JSON-RPC error), accepts the right one; a session id is no substitute for it', async () => {
    const before = await rows();
    const none = await rawRequest(server.url, { method: 'POST', path: '/mcp', headers: MCP_HEADERS, body: INITIALIZE_BODY });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32001, message: expect.stringContaining('bearer token') }, id: null });
    const wrong = await rawRequest(server.url, { method: 'POST', path: '/mcp', headers: { ...MCP_HEADERS, ...auth('another-token-0123456789') }, body: INITIALIZE_BODY });
    expect(wrong.status).toBe(401);

    const ok = await rawRequest(server.url, { method: 'POST', path: '/mcp', headers: { ...MCP_HEADERS, ...auth() }, body: INITIALIZE_BODY });
    expect(ok.status).toBe(200);
    const sessionId = ok.headers['mcp-session-id'] as string;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);

    // Someone who learned the session id still needs the token.
    const call = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'track_invocation', arguments: { session_id: 's', skill_name: 'x' } } });
    const hijack = await rawRequest(server.url, { method: 'POST', path: '/mcp', headers: { ...MCP_HEADERS, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' }, body: call });
    expect(hijack.status).toBe(401);
    const del = await rawRequest(server.url, { method: 'DELETE', path: '/mcp', headers: { 'mcp-session-id': sessionId } });
    expect(del.status).toBe(401);
    expect(await rows()).toBe(before);
    // Unknown paths too: nothing but /health answers without the token.
    expect((await rawRequest(server.url, { path: '/nope' })).status).toBe(401);
    expect((await rawRequest(server.url, { path: '/nope', headers: auth() })).status).toBe(404);
  });

  it('keeps GET /health open, without the database folder for callers without the token', async () => {
    const open = await rawRequest(server.url, { path: '/health' });
    expect(open.status).toBe(200);
    const body = JSON.parse(open.body) as { status: string; database: { path: string } };
    expect(body.status).toBe('ok');
    expect(body.database.path).toBe('server.db');
    expect(open.body).not.toContain(dir);
    const full = JSON.parse((await rawRequest(server.url, { path: '/health', headers: auth() })).body) as { database: { path: string } };
    expect(full.database.path).toBe(join(dir, 'server.db'));
    expect((await rawRequest(server.url, { method: 'HEAD', path: '/health' })).status).toBe(200);
  });

  it('SkillsMcpClient sends its token option; without it or with a wrong one it fails with a clear reason', async () => {
    const sessions = server.http.sessions;
    const client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 5_000, token: TOKEN });
    try {
      const { invocation_id } = await client.trackInvocation({ session_id: 'token', skill_name: 'with-token' });
      expect(await client.completeInvocation({ invocation_id, completed: true })).toMatchObject({ applied: true });
      expect(server.http.sessions).toBe(sessions + 1);
    } finally {
      await client.close();
    }
    // The DELETE that ends the session carried the token too.
    expect(server.http.sessions).toBe(sessions);
    const none = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(McpUnavailableError);
    expect((none as McpUnavailableError).reason).toBe('HTTP 401: the server requires a token');
    const wrong = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 5_000, token: 'not-the-token-0123456789' }).catch((e: unknown) => e);
    expect((wrong as McpUnavailableError).reason).toBe('HTTP 401: the server refused the token');
    expect((wrong as Error).message).not.toContain('not-the-token');
  });

  it("the tracker's mcp backend sends SKILLS_SERVER_TOKEN from the environment", async () => {
    const trackerDir = tempDir();
    const options = {
      cwd: trackerDir,
      env: {},
      logger: silentLogger,
      dbPath: join(trackerDir, 'local.db'),
      embedder: 'lexical',
      mcpServerUrl: server.url,
      mcpTimeoutMs: 2_000,
      backend: 'mcp',
    } as const;
    const saved = process.env['SKILLS_SERVER_TOKEN'];
    try {
      delete process.env['SKILLS_SERVER_TOKEN'];
      const without = await createSkillsTracker(options);
      expect(without.getBackend()).toMatchObject({ kind: 'direct', fallback: { from: 'mcp', reason: expect.stringContaining('HTTP 401') } });
      await without.close();

      process.env['SKILLS_SERVER_TOKEN'] = TOKEN;
      const before = await rows();
      const tracker = await createSkillsTracker(options);
      expect(tracker.getBackend()).toEqual({ kind: 'mcp', requested: 'mcp' });
      for (let i = 0; i < 3; i++) tracker.trackInvocation({ skillName: 'env-token' })!({ completed: true });
      await tracker.flush();
      await tracker.close();
      expect(await rows()).toBe(before + 3);
    } finally {
      if (saved === undefined) delete process.env['SKILLS_SERVER_TOKEN'];
      else process.env['SKILLS_SERVER_TOKEN'] = saved;
    }
  });

  it('BearerToken: only "Bearer <the token>" passes; tokens must be long and printable', () => {
    const t = new BearerToken(TOKEN);
    expect(t.verify(`Bearer ${TOKEN}`)).toBe(true);
    expect(t.verify(`BEARER ${TOKEN}`)).toBe(true);
    for (const bad of [undefined, '', 'Bearer', `Bearer ${TOKEN} extra`, `Bearer ${TOKEN}\u0000`, `Token ${TOKEN}`, `Bearer ${'x'.repeat(10_000)}`]) {
      expect(t.verify(bad), String(bad).slice(0, 40)).toBe(false);
    }
    expect(tokenProblem('short', 'SKILLS_SERVER_TOKEN')).toMatch(/SKILLS_SERVER_TOKEN must be at least 16 characters \(got 5\); make one with: openssl rand -hex 32/);
    expect(tokenProblem('has a space in it, long enough', 'x')).toMatch(/visible ASCII/);
    expect(tokenProblem('ünïcödé-characters-here', 'x')).toMatch(/visible ASCII/);
    expect(tokenProblem(TOKEN, 'x')).toBeUndefined();
    expect(() => new BearerToken('short')).toThrow(TypeError);
  });
});

describe('DNS-rebinding protection (Host and Origin)', () => {
  const status = async (headers: Record<string, string>, setHost = true) =>
    (await rawRequest(server.url, { path: '/metrics', headers: { ...auth(), ...headers }, setHost })).status;

  it('answers requests addressed to a loopback name or an allowed host, and refuses others with 403, token or not', async () => {
    const port = new URL(server.url).port;
    for (const h of [host, `localhost:${port}`, `LOCALHOST:${port}`, `127.0.0.2:${port}`, `[::1]:${port}`, 'localhost', `skills.example:${port}`, 'Skills.Example']) {
      expect(await status({ host: h }), h).toBe(200);
    }
    for (const h of ['evil.example', `evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `evil@127.0.0.1:${port}`, `localhost:${port}/x`, '[::2]', 'skills.example.evil']) {
      expect(await status({ host: h }), h).toBe(403);
    }
    // HTTP/1.1 requires Host: a request without it is refused (by Node itself, with 400).
    expect([400, 403]).toContain(await status({}, false));
    // /health is open to callers without the token, not to other hosts.
    expect((await rawRequest(server.url, { path: '/health', headers: { host: 'evil.example' } })).status).toBe(403);
  });

  it('refuses pages of other origins (and Origin: null), answers loopback and allowed origins', async () => {
    for (const origin of ['http://localhost:3000', `http://${host}`, 'https://skills.example', 'http://[::1]:6274']) expect(await status({ origin }), origin).toBe(200);
    for (const origin of ['http://evil.example', 'https://localhost.evil.example', 'null', 'file://', 'chrome-extension://abc', 'not a url']) {
      expect(await status({ origin }), origin).toBe(403);
    }
  });

  it('refuses an MCP call from a rebinding page before anything is read or stored', async () => {
    const before = await rows();
    const res = await rawRequest(server.url, {
      method: 'POST',
      path: '/mcp',
      headers: { ...MCP_HEADERS, ...auth(), host: 'attacker.example', origin: 'http://attacker.example' },
      body: INITIALIZE_BODY,
    });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringContaining('"attacker.example" are refused') } });
    expect(server.http.sessions).toBeLessThanOrEqual(1);
    expect(await rows()).toBe(before);
  });

  it('beyond loopback: the bound address, and for 0.0.0.0 this machine\'s addresses and name, plus the configured hosts', () => {
    const specific = new HostPolicy('192.0.2.10', '192.0.2.10', ['skills.internal']);
    expect(['192.0.2.10', 'skills.internal', 'localhost', '127.0.0.1', '::1'].every((h) => specific.allows(h))).toBe(true);
    expect(['192.0.2.11', 'evil.example', '0.0.0.0'].some((h) => specific.allows(h))).toBe(false);
    const wildcard = new HostPolicy('0.0.0.0', '0.0.0.0');
    expect(wildcard.names).toContain('127.0.0.1');
    expect(wildcard.allows('evil.example')).toBe(false);
    expect(wildcard.refusal({ headers: { host: 'evil.example:8678' } })).toMatch(/refused/);
    expect(wildcard.refusal({ headers: { host: '127.0.0.1:8678', origin: 'http://evil.example' } })).toMatch(/origin/);
    expect(isLoopbackHost('127.255.0.1') && isLoopbackHost('[::1]') && !isLoopbackHost('0.0.0.0') && !isLoopbackHost('::')).toBe(true);
  });
});

describe('request body limit', () => {
  const call = (args: unknown) => JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'track_invocations', arguments: args } });

  async function session(): Promise<Record<string, string>> {
    const init = await rawRequest(server.url, { method: 'POST', path: '/mcp', headers: { ...MCP_HEADERS, ...auth() }, body: INITIALIZE_BODY });
    return { ...MCP_HEADERS, ...auth(), 'mcp-session-id': init.headers['mcp-session-id'] as string, 'mcp-protocol-version': '2025-06-18' };
  }

  it('refuses a body larger than the limit with 413 and a clear JSON error, declared or chunked, and stores nothing', async () => {
    const headers = await session();
    const before = await rows();
    const record = (i: number) => ({
      invocation_id: newInvocationId(),
      session_id: 'big',
      skill_name: 'bulk',
      invoked_at: new Date().toISOString(),
      status: 'pending',
      completed: false,
      user_query: `query ${i} ${'x'.repeat(900)}`,
    });
    const big = call({ invocations: Array.from({ length: 80 }, (_, i) => record(i)) });
    expect(Buffer.byteLength(big)).toBeGreaterThan(MAX_BODY);

    const declared = await rawRequest(server.url, { method: 'POST', path: '/mcp', headers, body: big });
    expect(declared.status).toBe(413);
    expect(declared.headers['connection']).toBe('close');
    expect(JSON.parse(declared.body)).toEqual({
      jsonrpc: '2.0',
      error: { code: -32600, message: `request body too large: the limit is ${MAX_BODY} bytes; send smaller batches` },
      id: null,
    });

    // Without a Content-Length (chunked): refused once it grows past the limit.
    const chunks = Array.from({ length: 20 }, () => Buffer.alloc(8 * 1024, 0x20));
    const chunked = await rawRequest(server.url, { method: 'POST', path: '/mcp', headers, chunks });
    expect(chunked.status).toBe(413);
    expect(await rows()).toBe(before);

    // Just under the limit: served.
    const fits = call({ invocations: Array.from({ length: 40 }, (_, i) => record(i)) });
    expect(Buffer.byteLength(fits)).toBeLessThan(MAX_BODY);
    const served = await rawRequest(server.url, { method: 'POST', path: '/mcp', headers, body: fits });
    expect(served.status).toBe(200);
    expect(await rows()).toBe(before + 40);
  });

  it('a client that goes away in the middle of its body leaves no request hanging', async () => {
    const headers = await session();
    const { request } = await import('node:http');
    const url = new URL(server.url);
    const inFlight = async () => Number(/^skills_http_requests_in_flight (\S+)$/m.exec((await rawRequest(server.url, { path: '/metrics', headers: auth() })).body)?.[1]);
    const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/mcp', headers: { ...headers, 'content-length': '5000' } });
    const gone = new Promise<void>((resolve) => req.on('error', () => resolve()));
    req.write('{"jsonrpc":"2.0",');
    // Goes away once the server is reading its body (2: it and the /metrics request).
    await eventually(async () => (await inFlight()) === 2, 15_000, 'the server to read the partial body');
    req.destroy();
    await gone;
    await eventually(async () => (await inFlight()) === 1, 5_000, 'the aborted request to finish'); // 1: the /metrics request itself
  });

  it('refuses a large body without the token with 401, not reading it', async () => {
    const res = await rawRequest(server.url, { method: 'POST', path: '/mcp', headers: MCP_HEADERS, body: Buffer.alloc(MAX_BODY * 4, 0x20) });
    expect(res.status).toBe(401);
    expect((await rawRequest(server.url, { path: '/health' })).status).toBe(200);
  });
});

describe('sessions', () => {
  it('keeps at most maxSessions open: the least recently used goes, and its client reconnects by itself', async () => {
    const capped = await startSkillsServer({ settings: testSettings(tempDir()), host: '127.0.0.1', port: 0, logger: silentLogger, maxSessions: 3 });
    const clients: SkillsMcpClient[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const client = await SkillsMcpClient.connect({ url: capped.url, timeoutMs: 5_000 });
        clients.push(client);
        await client.trackInvocation({ session_id: `cap-${i}`, skill_name: 'k' });
        expect(capped.http.sessions).toBeLessThanOrEqual(3);
      }
      await clients[0]!.trackInvocation({ session_id: 'cap-0', skill_name: 'again' });
      expect(capped.http.sessions).toBeLessThanOrEqual(3);
      expect(await capped.app.service.store.countInvocations()).toBe(6);
    } finally {
      for (const client of clients) await client.close();
      await capped.close();
    }
  });
});

describe('listening beyond loopback', () => {
  it('startSkillsServer refuses 0.0.0.0 without a token before opening the database or binding', async () => {
    const d = tempDir();
    const error = await startSkillsServer({ settings: testSettings(d), host: '0.0.0.0', port: 0, logger: silentLogger }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListenError);
    expect((error as Error).message).toBe('refusing to listen on 0.0.0.0 without a token: set SKILLS_SERVER_TOKEN (or --token-file) or listen on 127.0.0.1');
    expect(existsSync(join(d, 'server.db'))).toBe(false);
  });
});
