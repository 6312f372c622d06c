import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeHealth } from './probe.js';
import { healthEndpoint, mcpEndpoint } from './url.js';

const servers: Server[] = [];

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port that was free a moment ago: nothing listens there. */
async function closedPort(): Promise<string> {
  const url = await serve(() => {});
  const server = servers.pop()!;
  await new Promise((resolve) => server.close(resolve));
  return url;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const HEALTH = {
  status: 'ok',
  version: '1.2.3',
  uptime_seconds: 4,
  database: { path: '/tmp/x.db', invocations: 7 },
  embedder: 'lexical',
  transport: 'http',
};

describe('probeHealth', () => {
  it('answers ok with the parsed health document of a live server', async () => {
    const url = await serve((req, res) => {
      expect(req.url).toBe('/health');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(HEALTH));
    });
    const probe = await probeHealth(url, 1_000);
    expect(probe).toMatchObject({ ok: true, health: { version: '1.2.3', database: { invocations: 7 } } });
    // The MCP endpoint URL names the same server.
    expect((await probeHealth(`${url}/mcp`, 1_000)).ok).toBe(true);
  });

  it('reports a refused connection without throwing', async () => {
    const probe = await probeHealth(await closedPort(), 1_000);
    expect(probe).toMatchObject({ ok: false, reason: expect.stringContaining('connection refused') });
  });

  it('gives up on a slow server after the timeout', async () => {
    const url = await serve((_req, res) => void setTimeout(() => res.end(JSON.stringify(HEALTH)), 2_000));
    const probe = await probeHealth(url, 100);
    expect(probe).toMatchObject({ ok: false, reason: 'no answer within 100 ms' });
    expect(probe.latencyMs).toBeLessThan(1_500);
  });

  it('is not fooled by something else listening on the port', async () => {
    const html = await serve((_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'));
    expect(await probeHealth(html, 1_000)).toMatchObject({ ok: false, reason: expect.stringContaining('not a skills server') });
    const missing = await serve((_req, res) => void res.writeHead(404).end());
    expect(await probeHealth(missing, 1_000)).toMatchObject({ ok: false, reason: expect.stringContaining('HTTP 404') });
    const other = await serve((_req, res) => void res.writeHead(200).end('{"hello":1}'));
    expect((await probeHealth(other, 1_000)).ok).toBe(false);
  });

  it('reports a degraded server as not ok, with its reason', async () => {
    const url = await serve((_req, res) =>
      res.writeHead(503).end(JSON.stringify({ ...HEALTH, status: 'degraded', database: { path: 'x', invocations: null, error: 'disk I/O error' } })),
    );
    expect(await probeHealth(url, 1_000)).toMatchObject({ ok: false, reason: 'server is degraded: disk I/O error' });
  });

  it('rejects a URL that is not http(s)', async () => {
    expect(await probeHealth('ftp://127.0.0.1/', 100)).toMatchObject({ ok: false, reason: expect.stringContaining('http(s)') });
  });
});

describe('endpoints', () => {
  it('derive /mcp and /health from a base URL or the MCP endpoint', () => {
    expect(mcpEndpoint('http://127.0.0.1:8678').href).toBe('http://127.0.0.1:8678/mcp');
    expect(mcpEndpoint('http://127.0.0.1:8678/mcp').href).toBe('http://127.0.0.1:8678/mcp');
    expect(healthEndpoint('http://127.0.0.1:8678/mcp/').href).toBe('http://127.0.0.1:8678/health');
    expect(healthEndpoint('http://h:1/prefix').href).toBe('http://h:1/prefix/health');
  });
});
