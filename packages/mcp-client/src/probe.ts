import { ServerHealthSchema, type ServerHealth } from '@skills/protocol';
import { healthEndpoint } from './url.js';

/** The outcome of {@link probeHealth}: never thrown, always one of these. */
export type HealthProbe =
  | { readonly ok: true; readonly health: ServerHealth; readonly latencyMs: number }
  | { readonly ok: false; readonly reason: string; readonly latencyMs: number };

/**
 * Asks a skills server's `GET /health` whether it is up, within `timeoutMs`. Never throws:
 * connection refused, a timeout, an HTTP error, a degraded server or an answer that is not a
 * skills server's all come back as `{ ok: false, reason }`. On loopback an answer takes well
 * under a millisecond, and a refused connection fails just as fast.
 *
 * @param url The server's base URL (`http://127.0.0.1:8678`) or its MCP endpoint (`.../mcp`).
 * @param timeoutMs The most the probe may take, connecting included.
 *
 * @example
 * const probe = await probeHealth('http://127.0.0.1:8678', 500);
 * if (probe.ok) console.log(probe.health.version, probe.health.database.invocations);
 * else console.log(`server not available: ${probe.reason}`);
 */
export async function probeHealth(url: string | URL, timeoutMs: number): Promise<HealthProbe> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let target: URL;
  try {
    target = healthEndpoint(url);
  } catch (error) {
    return { ok: false, reason: (error as Error).message, latencyMs: elapsed() };
  }
  try {
    // Loaded here, not with the package: most processes that import it never probe.
    const { request } = await import('undici');
    const response = await request(target, {
      method: 'GET',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200 && response.statusCode !== 503) {
      return { ok: false, reason: `GET ${target.pathname} answered HTTP ${response.statusCode}`, latencyMs: elapsed() };
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, reason: `GET ${target.pathname} did not answer JSON (not a skills server?)`, latencyMs: elapsed() };
    }
    const parsed = ServerHealthSchema.safeParse(body);
    if (!parsed.success) {
      return { ok: false, reason: `GET ${target.pathname} answered something else than a skills server's health`, latencyMs: elapsed() };
    }
    if (parsed.data.status !== 'ok') {
      return {
        ok: false,
        reason: `server is ${parsed.data.status}${parsed.data.database.error ? `: ${parsed.data.database.error}` : ''}`,
        latencyMs: elapsed(),
      };
    }
    return { ok: true, health: parsed.data, latencyMs: elapsed() };
  } catch (error) {
    return { ok: false, reason: describeNetworkError(error, timeoutMs), latencyMs: elapsed() };
  }
}

/** A short, stack-free reason for a failed HTTP exchange: `connection refused (ECONNREFUSED)`. */
export function describeNetworkError(error: unknown, timeoutMs?: number): string {
  const seen = new Set<unknown>();
  let e: unknown = error;
  while (e instanceof Error && !seen.has(e)) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (e.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
      return timeoutMs !== undefined ? `no answer within ${timeoutMs} ms` : 'timed out';
    }
    if (typeof code === 'string' && code in NETWORK_CODES) return `${NETWORK_CODES[code]} (${code})`;
    e = e.cause;
  }
  if (error instanceof Error && error.name === 'AbortError') return 'aborted';
  return error instanceof Error ? error.message : String(error);
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_CLOSED: 'connection closed',
};
