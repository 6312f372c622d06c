import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

/** The shortest bearer token the server accepts: guessing must be hopeless. */
export const MIN_TOKEN_LENGTH = 16;
/** The longest one (a header line must hold it). */
export const MAX_TOKEN_LENGTH = 4_096;

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);
const WILDCARDS = new Set(['', '0.0.0.0', '::', '::0', '0:0:0:0:0:0:0:0']);

/** Lower case, without IPv6 brackets or a trailing dot: `[::1]` → `::1`, `LocalHost.` → `localhost`. */
export function normalizeHostname(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/** `localhost`, `127.x.x.x` or `::1` (with or without brackets). Other names count as not loopback. */
export function isLoopbackHost(host: string): boolean {
  const name = normalizeHostname(host);
  return LOOPBACK_NAMES.has(name) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** `0.0.0.0` or `::`: every address of the machine. */
export function isWildcardHost(host: string): boolean {
  return WILDCARDS.has(normalizeHostname(host));
}

/**
 * Why `token` cannot be the server's bearer token, or undefined when it can: at least
 * {@link MIN_TOKEN_LENGTH} characters, visible ASCII only (it travels in a header).
 */
export function tokenProblem(token: string, source: string): string | undefined {
  if (token.length < MIN_TOKEN_LENGTH) {
    return `${source} must be at least ${MIN_TOKEN_LENGTH} characters (got ${token.length}); make one with: openssl rand -hex 32`;
  }
  if (token.length > MAX_TOKEN_LENGTH) return `${source} must be at most ${MAX_TOKEN_LENGTH} characters`;
  if (!/^[\x21-\x7e]+$/.test(token)) return `${source} may hold only visible ASCII characters (no spaces or control characters)`;
  return undefined;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks `Authorization: Bearer <token>` against the server's token in constant time: both are
 * hashed to SHA-256 first, so `timingSafeEqual` compares equal-length digests and neither the
 * token's length nor its first differing character shows in the answer time.
 */
export class BearerToken {
  readonly #expected: Buffer;

  constructor(token: string) {
    const problem = tokenProblem(token, 'the token');
    if (problem) throw new TypeError(problem);
    this.#expected = digest(token);
  }

  /** True when the request carries the token. */
  verify(authorization: string | undefined): boolean {
    const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
    // A missing header is compared too: the answer takes the same time either way.
    return this.matches(match?.[1] ?? '');
  }

  /** True when `candidate` is the token. */
  matches(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.#expected);
  }

  /**
   * The value of the dashboard's cookie: derived from the token, not the token itself, so that a
   * cookie read off a browser's disk does not open `/mcp` (which takes the bearer token only).
   */
  cookieValue(): string {
    return createHash('sha256').update('skills-dashboard-cookie:').update(this.#expected).digest('hex');
  }

  /** True when the `Cookie` header holds {@link DASHBOARD_COOKIE} with {@link cookieValue}. */
  verifyCookie(cookieHeader: string | undefined): boolean {
    return this.matchesCookie(cookieNamed(cookieHeader, DASHBOARD_COOKIE) ?? '');
  }

  /** True when `sent` is this token's {@link cookieValue} (compared in constant time). */
  matchesCookie(sent: string): boolean {
    return timingSafeEqual(digest(sent), digest(this.cookieValue()));
  }
}

/** The cookie the dashboard's pages and endpoints accept in place of the bearer token. */
export const DASHBOARD_COOKIE = 'skills_dashboard';

/** The value of cookie `name` in a `Cookie` header, or undefined. */
export function cookieNamed(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Host names only: `h`, `h:port`, `[v6]`, `[v6]:port`; anything else in a Host header is refused. */
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::(\d{1,5}))?$/i;

/**
 * Which `Host` and `Origin` headers the server answers (DNS-rebinding protection, as the MCP
 * specification asks of servers: a web page that rebinds its own name to this machine still
 * sends its own name in `Host`, and its origin in `Origin`).
 *
 * Allowed names: the loopback names (`localhost`, `127.x.x.x`, `::1`); when bound beyond loopback,
 * also the address bound to and, for `0.0.0.0`/`::`, this machine's interface addresses and host
 * name; plus the names configured (`--allowed-hosts`, `SKILLS_SERVER_ALLOWED_HOSTS`), e.g. a DNS
 * name clients use. A request without `Host` is refused; `Origin`, when sent, must name an allowed
 * host too (`Origin: null`, sent by sandboxed frames and local files, is refused).
 */
export class HostPolicy {
  readonly #names = new Set<string>();

  constructor(bindHost: string, boundAddress: string, extra: readonly string[] = []) {
    for (const name of LOOPBACK_NAMES) this.#names.add(name);
    for (const name of extra) if (normalizeHostname(name)) this.#names.add(normalizeHostname(name));
    if (!isLoopbackHost(bindHost)) {
      if (!isWildcardHost(bindHost)) this.#names.add(normalizeHostname(bindHost));
      if (!isWildcardHost(boundAddress)) this.#names.add(normalizeHostname(boundAddress));
      if (isWildcardHost(bindHost) || isWildcardHost(boundAddress)) {
        for (const list of Object.values(networkInterfaces())) for (const iface of list ?? []) this.#names.add(normalizeHostname(iface.address));
        const own = normalizeHostname(hostname());
        if (own) this.#names.add(own);
      }
    }
  }

  /** The host names answered, normalized. */
  get names(): readonly string[] {
    return [...this.#names];
  }

  /** True when `name` (a host name or address, any case, brackets allowed) is answered. */
  allows(name: string): boolean {
    const n = normalizeHostname(name);
    return this.#names.has(n) || isLoopbackHost(n);
  }

  /** Why the request is refused (HTTP 403), or undefined. */
  refusal(req: Pick<IncomingMessage, 'headers'>): string | undefined {
    const host = req.headers.host;
    if (host === undefined || host === '') return 'requests without a Host header are refused';
    const parsed = HOST_HEADER.exec(host);
    if (!parsed || !this.allows(parsed[1]!)) return `requests for host "${truncate(host)}" are refused: not a name of this server (see --allowed-hosts)`;
    const origin = req.headers.origin;
    if (origin === undefined) return undefined;
    let originHost: string;
    try {
      const url = new URL(origin);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return `requests from origin "${truncate(origin)}" are refused`;
      originHost = url.hostname;
    } catch {
      return `requests from origin "${truncate(origin)}" are refused`;
    }
    return this.allows(originHost) ? undefined : `requests from origin "${truncate(origin)}" are refused`;
  }
}

function truncate(text: string, max = 100): string {
  // Printable ASCII only, so that a header cannot forge lines in a client's log.
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}
