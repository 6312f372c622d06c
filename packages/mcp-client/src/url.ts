/**
 * The server's base URL and path prefix, without a trailing `/mcp`: `http://127.0.0.1:8678`
 * and `http://127.0.0.1:8678/mcp` both name the same server.
 */
function base(url: string | URL): { url: URL; prefix: string } {
  const u = new URL(String(url));
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new TypeError(`skills server URL must be http(s), got ${u.protocol}`);
  }
  u.search = '';
  u.hash = '';
  return { url: u, prefix: u.pathname.replace(/\/+$/, '').replace(/\/mcp$/, '') };
}

/** The Streamable HTTP endpoint of a skills server: `<base>/mcp`. */
export function mcpEndpoint(url: string | URL): URL {
  const { url: u, prefix } = base(url);
  u.pathname = `${prefix}/mcp`;
  return u;
}

/** The health endpoint of a skills server: `<base>/health`. */
export function healthEndpoint(url: string | URL): URL {
  const { url: u, prefix } = base(url);
  u.pathname = `${prefix}/health`;
  return u;
}
